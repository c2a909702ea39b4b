"""Who is calling, stated once per route through these aliases."""

from typing import Annotated, Protocol

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope

from app.accounts import service
from app.accounts.principal import API_KEY_PREFIX, Principal
from app.core import security
from app.core.config import Settings
from app.core.db import DbSession
from app.core.errors import NotAuthenticated

oauth2 = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)


# Async although they only read app.state: FastAPI runs a plain function dependency in a worker thread.
async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_app_settings)]


class ApiKeyAuthority(Protocol):
    """Resolves an integrator's API key for the operation the request calls (`scope` names it), or refuses
    it. Keys are judged against the organisations they belong to, which sit above accounts, so the
    application hands this in (`app.state.api_key_authority`, set where the routers are assembled)."""

    async def __call__(self, session: AsyncSession, key: str, scope: Scope) -> Principal: ...


async def get_principal(
    request: Request, session: DbSession, settings: AppSettings, token: Annotated[str | None, Depends(oauth2)]
) -> Principal:
    if token is None:
        raise NotAuthenticated(
            "Send 'Authorization: Bearer <access token or API key>'; get a token at POST /v1/auth/token."
        )
    if token.startswith(API_KEY_PREFIX):
        # The one place keys are checked: validity, their creator's rights, and the operation's scope.
        authority: ApiKeyAuthority = request.app.state.api_key_authority
        return await authority(session, token, request.scope)
    return await service.principal_for_access_token(session, settings, token)


CurrentUser = Annotated[Principal, Depends(get_principal)]


async def get_login_throttle(request: Request) -> service.LoginThrottle:
    throttle: service.LoginThrottle = request.app.state.login_throttle
    return throttle


LoginThrottle = Annotated[service.LoginThrottle, Depends(get_login_throttle)]


async def get_password_hasher(settings: AppSettings) -> security.PasswordHasher:
    return security.password_hasher(settings.password_hash_concurrency)


PasswordHasher = Annotated[security.PasswordHasher, Depends(get_password_hasher)]


async def get_client_address(request: Request) -> str:
    """The address uvicorn reports: the peer's, or behind a proxy trusted with --proxy-headers and
    FORWARDED_ALLOW_IPS, the client's the proxy names. Empty when the server knows none."""
    return request.client.host if request.client else ""


ClientAddress = Annotated[str, Depends(get_client_address)]


# Operations anyone may call; every other operation names CurrentUser (a test walks the app to check). An
# API key may call only those of the others that app/api_keys/scopes.py maps to a scope.
PUBLIC_OPERATIONS = frozenset(
    {
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "POST /v1/auth/register",
        "POST /v1/auth/token",
        "POST /v1/auth/refresh",
        "GET /v1/catalogue/products",
        "GET /v1/catalogue/products/{product_id}",
        "GET /v1/catalogue/changes",
        "GET /v1/exchange-rates",
        "GET /v1/registry/summary",
        "GET /v1/learning-events",
        "GET /v1/learning-events/{learning_event_id}",
        "GET /v1/indicators/countries",
        "GET /v1/indicators/countries/charts/monitored-cbes",
    }
)
