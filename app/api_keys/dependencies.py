"""The application's API-key authority: what accounts' authentication calls when a request carries a key."""

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope

from app.accounts.principal import Principal
from app.api_keys import service
from app.core.observability import RouteTemplates


class ApiKeyAuthority:
    """Resolves a key for the operation a request calls, named as the scopes table names it
    ("GET /v1/trade-orders/{order_id}"). One per application: it learns the app's route templates once."""

    def __init__(self) -> None:
        self.route_template = RouteTemplates()

    async def __call__(self, session: AsyncSession, key: str, scope: Scope) -> Principal:
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        operation = f"{method} {self.route_template(scope)}"
        return await service.authenticate(session, key, operation=operation)
