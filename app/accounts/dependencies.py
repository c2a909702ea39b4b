"""Who is calling, stated once per route through these aliases."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.accounts import service
from app.accounts.principal import Principal
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


async def get_principal(
    session: DbSession, settings: AppSettings, token: Annotated[str | None, Depends(oauth2)]
) -> Principal:
    if token is None:
        raise NotAuthenticated("Send 'Authorization: Bearer <access token>'; get one at POST /v1/auth/token.")
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


# Operations anyone may call; every other operation names CurrentUser (a test walks the app to check).
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
    }
)
