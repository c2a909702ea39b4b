from typing import Annotated

from fastapi import Form, status

from app.accounts import service
from app.accounts.dependencies import AppSettings, CurrentUser, LoginThrottle
from app.accounts.errors import EmailTaken, InvalidCredentials, InvalidToken, RefreshTokenReused, TooManyLoginFailures
from app.accounts.schemas import LoginForm, RefreshCreate, TokenRead, UserCreate, UserRead
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, problem_responses
from app.core.routing import DomainRouter

router = DomainRouter(tags=["accounts"])


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=problem_responses(EmailTaken),
)
async def register_user(body: UserCreate, session: DbSession) -> object:
    """Create an account; log in afterwards with POST /v1/auth/token."""
    return await service.register(session, email=body.email, password=body.password, display_name=body.display_name)


@router.post(
    "/auth/token", response_model=TokenRead, responses=problem_responses(InvalidCredentials, TooManyLoginFailures)
)
async def create_token(
    form: Annotated[LoginForm, Form()],
    session: DbSession,
    settings: AppSettings,
    throttle: LoginThrottle,
) -> TokenRead:
    """OAuth2 password login: `username` is the email. Repeated failures for one email are refused for a while."""
    tokens = await service.log_in(session, throttle, settings, email=form.username, password=form.password)
    return TokenRead(access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in)


@router.post("/auth/refresh", response_model=TokenRead, responses=problem_responses(InvalidToken, RefreshTokenReused))
async def refresh_token(body: RefreshCreate, session: DbSession, settings: AppSettings) -> TokenRead:
    """Trade a refresh token for new tokens; each refresh token works once."""
    tokens = await service.refresh(session, settings, refresh_token=body.refresh_token)
    return TokenRead(access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in)


@router.get("/me", response_model=UserRead, responses=problem_responses(NotAuthenticated))
async def read_me(session: DbSession, principal: CurrentUser) -> object:
    """The account you are logged in as."""
    return await service.get_user(session, principal)
