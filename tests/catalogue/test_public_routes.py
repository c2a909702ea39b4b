"""The catalogue's reads are public (e-commerce frontends show them); every catalogue write needs a login.

Checked per operation: GET and POST share a path here, which a check per path cannot tell apart."""

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app.accounts.dependencies import PUBLIC_OPERATIONS, get_principal
from app.core.config import Settings
from app.main import create_app

CATALOGUE_PREFIXES = ("/v1/catalogue/", "/v1/exchange-rates", "/v1/trading-organisations")
PUBLIC_READS = {
    ("GET", "/v1/catalogue/products"),
    ("GET", "/v1/catalogue/products/{product_id}"),
    ("GET", "/v1/catalogue/changes"),
    ("GET", "/v1/exchange-rates"),
}


def _calls(dependant: Dependant, function: object) -> bool:
    return dependant.call is function or any(_calls(sub, function) for sub in dependant.dependencies)


def test_catalogue_reads_are_public_and_writes_need_a_login(settings: Settings) -> None:
    operations = {
        (method, path): _calls(context.route.dependant, get_principal)
        for context in iter_route_contexts(create_app(settings).routes)
        if isinstance(context.route, APIRoute) and (path := str(context.path_format)).startswith(CATALOGUE_PREFIXES)
        for method in context.route.methods or ()
    }

    public = {operation for operation, guarded in operations.items() if not guarded}
    writes = {operation for operation in operations if operation[0] not in {"GET", "HEAD"}}

    assert public == PUBLIC_READS
    assert all(operations[write] for write in writes)
    assert len(writes) == 7
    assert {f"{method} {path}" for method, path in PUBLIC_READS} <= PUBLIC_OPERATIONS
