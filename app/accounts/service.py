"""Registration, login with throttled failures, rotating refresh tokens, access-token checks, and the
account's own changes to itself (its display name, its password).

Failed logins are counted twice, in one moving window (LOGIN_FAILURE_WINDOW_SECONDS): per email
(LOGIN_FAILURES_ALLOWED) and per client address (LOGIN_FAILURES_ALLOWED_PER_ADDRESS), whatever the
emails tried. Either count at its limit refuses further attempts with 429 and Retry-After, before any
password is verified.

- The per-address count stops one machine from guessing across many accounts, and from locking many
  owners out: it can exhaust only LOGIN_FAILURES_ALLOWED_PER_ADDRESS / LOGIN_FAILURES_ALLOWED
  emails per window.
- The per-email count stays, so guesses spread over many addresses are still slowed. The price: many
  addresses together can still keep one owner out, for a window at a time. Clients sharing an
  address (an office, carrier-grade NAT) share its count, hence its higher limit.
- A successful login resets neither count: otherwise whoever holds one account could clear their
  address's count between guesses at others.
- IPv6 clients are counted per /64, the block one subscriber gets; counted per address, a single
  machine could use a fresh one for every guess.
- The address is the one uvicorn reports. Behind a reverse proxy that is the proxy's, so every client
  would share one count: run uvicorn with --proxy-headers and FORWARDED_ALLOW_IPS set to the proxy's
  address, so it reports the client the proxy names.
- Attempts sent at once all pass the first check before any of them fails; the failure counted
  afterwards then answers 429 rather than 401, and a correct password is checked against the counts
  again, so no more guesses are answered than the limits allow.
"""

import ipaddress
import time
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import jwt
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import repository
from app.accounts.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    RefreshTokenReused,
    TooManyLoginFailures,
    WrongPassword,
)
from app.accounts.models import RefreshToken, User
from app.accounts.principal import Principal
from app.accounts.schemas import UserRead, UserUpdate
from app.core import security
from app.core.config import Settings
from app.core.db import utc_now
from app.core.http import require_match

FAILURES = "login-failures"
IPV6_SUBSCRIBER_PREFIX = 64


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class FailureCount:
    """One of the two counts of failed logins: what it is kept per, and its limit in the window."""

    per: str  # "email" or "address"
    limit: RateLimitItem


@dataclass(frozen=True)
class LoginThrottle:
    """Failed logins per email and per client address; see the module's docstring for why both."""

    limiter: MovingWindowRateLimiter
    per_email: FailureCount
    per_address: FailureCount

    @classmethod
    def from_settings(cls, limiter: MovingWindowRateLimiter, settings: Settings) -> "LoginThrottle":
        window = settings.login_failure_window_seconds
        return cls(
            limiter,
            FailureCount("email", RateLimitItemPerSecond(settings.login_failures_allowed, window)),
            FailureCount("address", RateLimitItemPerSecond(settings.login_failures_allowed_per_address, window)),
        )

    async def refuse_if_exhausted(self, email: str, address: str) -> None:
        for count, key in self._counts(email, address):
            if not await self.limiter.test(count.limit, FAILURES, count.per, key):
                raise await self._refusal(count, key)

    async def count_failure(self, email: str, address: str) -> None:
        """Count a failed login against both counts; raises TooManyLoginFailures when it found one of
        them full already (attempts sent at once passed refuse_if_exhausted together)."""
        full = [
            (count, key)
            for count, key in self._counts(email, address)
            if not await self.limiter.hit(count.limit, FAILURES, count.per, key)
        ]
        if full:
            raise await self._refusal(*full[0])

    def _counts(self, email: str, address: str) -> tuple[tuple[FailureCount, str], ...]:
        return (self.per_email, email), (self.per_address, counted_address(address))

    async def _refusal(self, count: FailureCount, key: str) -> TooManyLoginFailures:
        stats = await self.limiter.get_window_stats(count.limit, FAILURES, count.per, key)
        retry_after = max(1, int(stats.reset_time - time.time()) + 1)
        whose = "for this email" if count.per == "email" else "from your network address"
        return TooManyLoginFailures(
            f"Too many failed logins {whose}; try again in {retry_after} seconds.", retry_after=retry_after
        )


def counted_address(address: str) -> str:
    """What failures are counted per: an IPv4 address, or the /64 of an IPv6 one."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an IP (a test client, a Unix socket): counted as given
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is an IPv4 client on a dual-stack socket
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_SUBSCRIBER_PREFIX}", strict=False))
    return str(parsed)


async def register(
    session: AsyncSession, hasher: security.PasswordHasher, *, email: str, password: str, display_name: str
) -> User:
    # Hashed before the first statement, so no transaction (and no lock) is held while it runs.
    password_hash = await hasher.hash(password)
    user = User(email=email.lower(), display_name=display_name, password_hash=password_hash)
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending before it starts.
        async with session.begin_nested():
            session.add(user)
    except IntegrityError as error:  # the unique index decides, also when two registrations race
        raise EmailTaken(f"An account with {email.lower()} exists already.") from error
    return user


async def log_in(
    session: AsyncSession,
    throttle: LoginThrottle,
    hasher: security.PasswordHasher,
    settings: Settings,
    *,
    email: str,
    password: str,
    address: str,
) -> IssuedTokens:
    """Tokens for a correct email and password. An unknown email and a wrong password look the same."""
    email = email.strip().lower()
    await throttle.refuse_if_exhausted(email, address)
    account = (await session.execute(select(User.id, User.password_hash).where(User.email == email))).one_or_none()
    # The read is all this transaction did: ending it before the slow verify gives back what it holds
    # meanwhile (SQLite's write lock, taken at BEGIN; a pooled connection on PostgreSQL).
    await session.commit()
    matches = await hasher.verify(password, account.password_hash if account else None)
    if account is None or not matches:
        await throttle.count_failure(email, address)
        raise InvalidCredentials("The email or the password is wrong.")
    # Failures of attempts that ran alongside this one may have filled a count meanwhile.
    await throttle.refuse_if_exhausted(email, address)
    # The password verified must still be the account's: one changed meanwhile ended every session, and
    # this one would outlive it. Locked, so no change commits between this check and the new tokens.
    locked = await repository.get_user_for_update(session, account.id)
    if locked is None or locked.password_hash != account.password_hash:
        raise InvalidCredentials("The email or the password is wrong.")
    return await _issue_tokens(session, settings, user_id=account.id, family_id=uuid4())


async def refresh(session: AsyncSession, settings: Settings, *, refresh_token: str) -> IssuedTokens:
    """Rotate a refresh token. Presenting one that was already rotated revokes its whole family:
    either the client or a thief holds a copy, and only a fresh login settles which."""
    now = utc_now()
    token_digest = security.digest(refresh_token)
    await repository.lock_user_of_refresh_token(session, token_digest)
    token = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_digest == token_digest).with_for_update()
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
    user = await session.get(User, user_id)
    # A deleted account's token must stop working before it expires.
    if user is None:
        raise InvalidToken("The access token belongs to no account.")
    if issued_before_password_change(claims["iat"], user):
        raise InvalidToken("The access token was issued before the account's password changed; log in again.")
    return Principal(user_id=user_id)


def issued_before_password_change(issued_at: int, user: User) -> bool:
    """Whether a token issued at `issued_at` (seconds, as `iat` counts) predates the last password change.
    The change is stored in whole seconds too, so the tokens it issues itself, in the same second, pass;
    a token issued earlier within that second does too, until it expires."""
    changed = user.credentials_changed_at
    return changed is not None and issued_at < changed.timestamp()


async def get_user(session: AsyncSession, principal: Principal) -> User:
    user = await session.get(User, principal.user_id)
    assert user is not None  # the principal was resolved from an existing user
    return user


async def update_user(
    session: AsyncSession, principal: Principal, *, changes: UserUpdate, if_match: str | None
) -> User:
    """Change your own account; nobody else may."""
    user = await _locked_user(session, principal)
    require_match(if_match, UserRead.model_validate(user))
    if changes.display_name is not None:
        user.display_name = changes.display_name
    await session.flush()
    return user


async def change_password(
    session: AsyncSession,
    throttle: LoginThrottle,
    hasher: security.PasswordHasher,
    settings: Settings,
    principal: Principal,
    *,
    current_password: str,
    new_password: str,
    address: str,
) -> IssuedTokens:
    """Replace the caller's password, given the current one, and end every other session of the account:
    its refresh tokens are revoked and access tokens issued before the change refused. The caller gets
    the tokens of a new session. A wrong current password counts as a failed login, so a stolen access
    token cannot guess at the password faster than a login could."""
    user = await get_user(session, principal)
    email, known_hash = user.email, user.password_hash
    # As in log_in: the transaction ends before the slow hashing, so it holds nothing meanwhile.
    await session.commit()
    await throttle.refuse_if_exhausted(email, address)
    if not await hasher.verify(current_password, known_hash):
        await throttle.count_failure(email, address)
        raise WrongPassword("The current password is wrong; nothing was changed.")
    await throttle.refuse_if_exhausted(email, address)
    new_hash = await hasher.hash(new_password)
    user = await _locked_user(session, principal)
    if user.password_hash != known_hash:  # another change was stored while this one hashed
        raise WrongPassword("The password was changed meanwhile; the one given is no longer current.")
    now = utc_now()
    user.password_hash = new_hash
    user.credentials_changed_at = now.replace(microsecond=0)
    await repository.revoke_refresh_tokens(session, user.id, at=now)
    return await _issue_tokens(session, settings, user_id=user.id, family_id=uuid4())


async def _locked_user(session: AsyncSession, principal: Principal) -> User:
    user = await repository.get_user_for_update(session, principal.user_id)
    if user is None:  # deleted since its token was read
        raise InvalidToken("The access token belongs to no account.")
    return user
