"""Registration, login with throttled failures, rotating refresh tokens, access-token checks."""

import time
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import jwt
from limits import RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    RefreshTokenReused,
    TooManyLoginFailures,
)
from app.accounts.models import RefreshToken, User
from app.accounts.principal import Principal
from app.core import security
from app.core.config import Settings
from app.core.db import utc_now


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class LoginThrottle:
    limiter: MovingWindowRateLimiter
    failures: RateLimitItemPerSecond

    @classmethod
    def from_settings(cls, limiter: MovingWindowRateLimiter, settings: Settings) -> "LoginThrottle":
        item = RateLimitItemPerSecond(settings.login_failures_allowed, settings.login_failure_window_seconds)
        return cls(limiter, item)

    async def refuse_if_exhausted(self, email: str) -> None:
        if not await self.limiter.test(self.failures, "login-failures", email):
            stats = await self.limiter.get_window_stats(self.failures, "login-failures", email)
            retry_after = max(1, int(stats.reset_time - time.time()) + 1)
            raise TooManyLoginFailures(
                f"Too many failed logins for this email; try again in {retry_after} seconds.",
                retry_after=retry_after,
            )

    async def count_failure(self, email: str) -> None:
        await self.limiter.hit(self.failures, "login-failures", email)


async def register(session: AsyncSession, *, email: str, password: str, display_name: str) -> User:
    user = User(email=email.lower(), display_name=display_name, password_hash=security.hash_password(password))
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending before it starts.
        async with session.begin_nested():
            session.add(user)
    except IntegrityError as error:  # the unique index decides, also when two registrations race
        raise EmailTaken(f"An account with {email.lower()} exists already.") from error
    return user


async def log_in(
    session: AsyncSession, throttle: LoginThrottle, settings: Settings, *, email: str, password: str
) -> IssuedTokens:
    """Tokens for a correct email and password. An unknown email and a wrong password look the same."""
    email = email.strip().lower()
    await throttle.refuse_if_exhausted(email)
    user = await session.scalar(select(User).where(User.email == email))
    if not security.verify_password(password, user.password_hash if user else None) or user is None:
        await throttle.count_failure(email)
        raise InvalidCredentials("The email or the password is wrong.")
    return await _issue_tokens(session, settings, user_id=user.id, family_id=uuid4())


async def refresh(session: AsyncSession, settings: Settings, *, refresh_token: str) -> IssuedTokens:
    """Rotate a refresh token. Presenting one that was already rotated revokes its whole family:
    either the client or a thief holds a copy, and only a fresh login settles which."""
    now = utc_now()
    token = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_digest == security.digest(refresh_token)).with_for_update()
    )
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise InvalidToken("The refresh token is unknown, expired or revoked; log in again.")
    if token.used_at is not None:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == token.family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        raise RefreshTokenReused("This refresh token was already used; every session it started is now ended.")
    token.used_at = now
    return await _issue_tokens(session, settings, user_id=token.user_id, family_id=token.family_id)


async def _issue_tokens(session: AsyncSession, settings: Settings, *, user_id: UUID, family_id: UUID) -> IssuedTokens:
    lifetime = timedelta(minutes=settings.access_token_minutes)
    refresh_secret = security.new_secret()
    session.add(
        RefreshToken(
            user_id=user_id,
            family_id=family_id,
            token_digest=security.digest(refresh_secret),
            expires_at=utc_now() + timedelta(days=settings.refresh_token_days),
        )
    )
    await session.flush()
    access = security.issue_access_token(user_id, secret=settings.jwt_secret.get_secret_value(), lifetime=lifetime)
    return IssuedTokens(access, refresh_secret, int(lifetime.total_seconds()))


async def principal_for_access_token(session: AsyncSession, settings: Settings, token: str) -> Principal:
    try:
        claims = security.read_access_token(token, secret=settings.jwt_secret.get_secret_value())
        user_id = UUID(claims["sub"])
    except (jwt.InvalidTokenError, ValueError) as error:
        raise InvalidToken("The access token is expired or not valid; refresh it or log in again.") from error
    # A deleted account's token must stop working before it expires.
    if await session.get(User, user_id) is None:
        raise InvalidToken("The access token belongs to no account.")
    return Principal(user_id=user_id)


async def get_user(session: AsyncSession, principal: Principal) -> User:
    user = await session.get(User, principal.user_id)
    assert user is not None  # the principal was resolved from an existing user
    return user
