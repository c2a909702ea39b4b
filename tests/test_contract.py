"""The OpenAPI document is a contract generated clients rely on: every problem code is documented, every
201 says where its resource lives, what a client sends is strict while what it is answered is open, and
the headers the service requires are required in the document."""

import inspect
import re
import sys
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.core.config import Settings
from app.core.contract import replayed_id, set_location
from app.main import create_app
from tests.factories import auth_headers, create_user
from tests.test_error_codes import error_classes

DOCUMENT: dict[str, Any] = create_app(
    Settings(
        environment="test",
        database_url="sqlite+aiosqlite:////tmp/teikei-contract-document.db",
        log_level="CRITICAL",
        log_json=False,
    )
).openapi()

# Classes never raised themselves (bases only subclassed): their codes are never answered.
BASES_NEVER_RAISED = {
    "DomainError",
    "Forbidden",
    "NotFound",
    "Conflict",
    "Unprocessable",
    "TooManyRequests",
}


def documented_codes() -> set[str]:
    return {
        code
        for operations in DOCUMENT["paths"].values()
        for operation in operations.values()
        for response in operation["responses"].values()
        for code in response.get("x-problem-codes", [])
    }


def test_every_problem_code_is_documented_on_an_operation() -> None:
    codes = documented_codes()

    missing = sorted(
        f"{error.__module__}.{error.__name__}: {error.code}"
        for error in error_classes()
        if error.__name__ not in BASES_NEVER_RAISED and error.code not in codes
    )

    assert missing == []


def test_the_bases_left_out_are_never_raised_themselves() -> None:
    source = "\n".join(Path(module.__file__).read_text() for module in _app_modules())

    assert [base for base in BASES_NEVER_RAISED if re.search(rf"raise {base}\(", source)] == []


def _app_modules() -> list[Any]:
    error_classes()  # imports every module of the app
    return [
        module for name, module in sys.modules.items() if name.startswith("app.") and getattr(module, "__file__", None)
    ]


def test_each_problem_response_lists_its_codes_as_an_enum_and_as_examples() -> None:
    response = DOCUMENT["paths"]["/v1/agreements/{agreement_id}/payments"]["post"]["responses"]["400"]
    content = response["content"]["application/problem+json"]

    assert content["schema"]["properties"]["code"]["enum"] == response["x-problem-codes"]
    assert {"idempotency-key-missing", "malformed-json"} <= set(response["x-problem-codes"])
    assert set(content["examples"]) == set(response["x-problem-codes"])


def test_the_problems_every_operation_meets_are_documented() -> None:
    responses = DOCUMENT["paths"]["/v1/households"]["post"]["responses"]

    assert "validation-failed" in responses["422"]["x-problem-codes"]
    assert "unsupported-media-type" in responses["415"]["x-problem-codes"]
    assert "payload-too-large" in responses["413"]["x-problem-codes"]
    assert {"not-authenticated", "invalid-token"} <= set(responses["401"]["x-problem-codes"])
    assert responses["429"]["x-problem-codes"] == ["rate-limited"]
    assert responses["429"]["headers"]["Retry-After"]["required"] is True
    assert responses["503"]["x-problem-codes"] == ["database-unavailable"]
    assert responses["500"]["x-problem-codes"] == ["internal-error"]


# Calls that set Location: its own, and the one every movement of household credit shares (CreditRequest.move).
SETS_LOCATION = ("set_location(", "call.move(")


def test_every_201_documents_and_sets_its_location() -> None:
    app = create_app(
        Settings(
            environment="test",
            database_url="sqlite+aiosqlite:////tmp/teikei-contract-document.db",
            log_level="CRITICAL",
            log_json=False,
        )
    )
    created = [
        context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.route, APIRoute) and context.route.status_code == 201
    ]

    assert created
    for context in created:
        operation = DOCUMENT["paths"][context.path][next(iter(context.methods or ())).lower()]
        assert operation["responses"]["201"]["headers"]["Location"]["required"] is True, context.path
        assert context.endpoint is not None
        source = inspect.getsource(context.endpoint)
        assert any(call in source for call in SETS_LOCATION), context.path


def test_set_location_names_the_resource_and_a_replay_its_first_answer_id() -> None:
    response = Response(b'{"id": "b1f2"}')

    set_location(response, "/v1/trade-orders/b1f2")

    assert response.headers["Location"] == "/v1/trade-orders/b1f2"
    assert replayed_id(response) == "b1f2"


async def test_a_created_resource_is_found_at_its_location(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    headers = auth_headers(settings, user.id)

    created = await client.post("/v1/households", json={"name": "Somchai family"}, headers=headers)
    found = await client.get(created.headers["Location"], headers=headers)

    assert created.status_code == 201
    assert created.headers["Location"] == f"/v1/households/{created.json()['id']}"
    assert found.status_code == 200
    assert found.json()["id"] == created.json()["id"]


async def test_a_request_body_with_an_unknown_field_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)

    response = await client.post(
        "/v1/households", json={"name": "Somchai family", "nickname": "x"}, headers=auth_headers(settings, user.id)
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation-failed"


def _components_of(roots: list[Any]) -> set[str]:
    found: set[str] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[-1] not in found:
                found.add(ref.rsplit("/", 1)[-1])
                pending.append(DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[-1]])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def test_request_schemas_forbid_unknown_fields_and_response_schemas_allow_them() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    operations = [operation for operations in DOCUMENT["paths"].values() for operation in operations.values()]
    sent = _components_of([operation.get("requestBody", {}) for operation in operations])
    answered = _components_of([operation["responses"] for operation in operations])
    objects = {name for name, schema in schemas.items() if schema.get("type") == "object" and "properties" in schema}

    assert [name for name in sorted(answered & objects) if schemas[name].get("additionalProperties") is False] == []
    strict = {name for name in sent & objects if schemas[name].get("additionalProperties") is False}
    assert {"HouseholdCreate", "PaymentCreate", "TradeOrderCreate"} <= strict
    assert "HouseholdRead" in answered


def test_the_idempotency_key_is_required_exactly_where_the_service_requires_it() -> None:
    def key_of(path: str) -> dict[str, Any]:
        parameters = DOCUMENT["paths"][path]["post"]["parameters"]
        return next(parameter for parameter in parameters if parameter["name"] == "Idempotency-Key")

    for path in (
        "/v1/agreements/{agreement_id}/payments",
        "/v1/agreements/{agreement_id}/cancellations",
        "/v1/trade-orders",
        "/v1/trade-orders/{order_id}/prefinance",
        "/v1/trade-orders/{order_id}/settle",
    ):
        assert key_of(path)["required"] is True, path
    for path in ("/v1/trade-orders/{order_id}/ship", "/v1/trade-orders/{order_id}/cancel"):
        assert key_of(path).get("required") is False, path


def test_tags_servers_and_security_are_declared() -> None:
    used = {tag for operations in DOCUMENT["paths"].values() for op in operations.values() for tag in op["tags"]}

    assert used <= {tag["name"] for tag in DOCUMENT["tags"]}
    assert all(tag["description"] for tag in DOCUMENT["tags"])
    assert DOCUMENT["servers"][0]["url"] == "/"
    assert DOCUMENT["paths"]["/v1/auth/token"]["post"]["security"] == [{}]
    assert {"OAuth2PasswordBearer": []} in DOCUMENT["paths"]["/v1/households"]["post"]["security"]


def test_tagged_answers_document_their_etag_and_reads_their_304() -> None:
    read = DOCUMENT["paths"]["/v1/catalogue/products/{product_id}"]["get"]["responses"]
    update = DOCUMENT["paths"]["/v1/catalogue/products/{product_id}"]["patch"]["responses"]

    assert read["200"]["headers"]["ETag"]["required"] is True
    assert set(read["304"]["headers"]) >= {"ETag", "X-Request-ID"}
    assert update["200"]["headers"]["ETag"]["required"] is True
    assert "304" not in update


def test_every_component_has_a_name_and_title_of_its_own() -> None:
    """Client generators name their types after titles: two alike, and one of them is silently left out."""
    schemas = DOCUMENT["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]

    assert [name for name in schemas if "__" in name] == []
    assert sorted(title for title in set(titles) if titles.count(title) > 1) == []
