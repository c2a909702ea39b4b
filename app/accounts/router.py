from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Form, Response, status
from fastapi.routing import APIRoute
from starlette.types import Message, Receive, Scope, Send

from app.accounts import service
from app.accounts.dependencies import AppSettings, ClientAddress, CurrentUser, LoginThrottle, PasswordHasher
from app.accounts.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    RefreshTokenReused,
    TooManyLoginFailures,
    WrongPassword,
)
from app.accounts.schemas import (
    LoginForm,
    PasswordChange,
    RefreshCreate,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from app.core.contract import set_location, sets_etag
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, PreconditionFailed, problem_responses
from app.core.http import IfMatch, etag_for
from app.core.routing import DomainRouter

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
NO_STORE_HEADERS = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]


class TokenRoute(APIRoute):
    """A route that answers with tokens: no cache may keep any of its answers, the errors included
    (RFC 6749 §5.1 and §5.2). Added where the response starts, so problems rendered by the error
    handlers carry the headers too."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_uncached(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *NO_STORE_HEADERS]
            await send(message)

        await super().handle(scope, receive, send_uncached)


router = DomainRouter(tags=["accounts"])


def token_post(path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Like router.post, for an operation that answers with tokens."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(path, endpoint, methods=["POST"], route_class_override=TokenRoute, **options)
        return endpoint

    return register


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=problem_responses(EmailTaken),
)
async def register_user(body: UserCreate, session: DbSession, hasher: PasswordHasher, response: Response) -> object:
    """Create an account; log in afterwards with POST /v1/auth/token."""
    created = await service.register(
        session, hasher, email=body.email, password=body.password, display_name=body.display_name
    )
    set_location(response, "/v1/me")
    return created


@token_post(
    "/auth/token", response_model=TokenRead, responses=problem_responses(InvalidCredentials, TooManyLoginFailures)
)
async def create_token(
    form: Annotated[LoginForm, Form()],
    session: DbSession,
    settings: AppSettings,
    throttle: LoginThrottle,
    hasher: PasswordHasher,
    address: ClientAddress,
) -> TokenRead:
    """OAuth2 password login: `username` is the email. Repeated failures for one email, or from one
    address, are refused for a while."""
    tokens = await service.log_in(
        session, throttle, hasher, settings, email=form.username, password=form.password, address=address
    )
    return TokenRead(access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in)


@token_post("/auth/refresh", response_model=TokenRead, responses=problem_responses(InvalidToken, RefreshTokenReused))
async def refresh_token(body: RefreshCreate, session: DbSession, settings: AppSettings) -> TokenRead:
    """Trade a refresh token for new tokens; each refresh token works once."""
    tokens = await service.refresh(session, settings, refresh_token=body.refresh_token)
    return TokenRead(access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in)


@router.get("/me", response_model=UserRead, responses=problem_responses(NotAuthenticated) | sets_etag())
async def read_me(session: DbSession, principal: CurrentUser, response: Response) -> UserRead:
    """The account you are logged in as."""
    user = UserRead.model_validate(await service.get_user(session, principal))
    response.headers["ETag"] = etag_for(user)
    return user


@router.patch(
    "/me", response_model=UserRead, responses=problem_responses(NotAuthenticated, PreconditionFailed) | sets_etag()
)
async def update_me(
    body: UserUpdate, session: DbSession, principal: CurrentUser, response: Response, if_match: IfMatch = None
) -> UserRead:
    """Change your display name. Send `If-Match` to avoid lost updates."""
    user = UserRead.model_validate(await service.update_user(session, principal, changes=body, if_match=if_match))
    response.headers["ETag"] = etag_for(user)
    return user


@token_post(
    "/me/password",
    response_model=TokenRead,
    responses=problem_responses(NotAuthenticated, WrongPassword, TooManyLoginFailures),
)
async def change_password(
    body: PasswordChange,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    throttle: LoginThrottle,
    hasher: PasswordHasher,
    address: ClientAddress,
) -> TokenRead:
    """Change your password, giving the current one; every session of the account ends and you get the
    tokens of a new one."""
    tokens = await service.change_password(
        session,
        throttle,
        hasher,
        settings,
        principal,
        current_password=body.current_password,
        new_password=body.new_password,
        address=address,
    )
    return TokenRead(access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in)
