"""Password hashing (Argon2id), access tokens (JWT) and opaque refresh-token secrets."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

import jwt
from anyio import CapacityLimiter, to_thread
from pwdlib import PasswordHash

from app.core.config import Settings

# Private: hashing and verifying block for ~0.1-1 s of CPU, so they are reached only through
# PasswordHasher, which runs them in worker threads.
_argon2 = PasswordHash.recommended()
# Verified against when the email is unknown, so both failures take the same time: same hasher,
# same parameters, same queue.
UNKNOWN_USER_HASH = _argon2.hash(secrets.token_urlsafe(16))
HASH_CONCURRENCY: int = Settings.model_fields["password_hash_concurrency"].get_default(call_default_factory=True)
JWT_ALGORITHM = "HS256"
ACCESS_TOKEN_AUDIENCE = "teikei-api"


class PasswordHasher:
    """Argon2id off the event loop, at most `concurrency` hashes at once.

    On the event loop one failed login held every other request of the process for its duration.
    In worker threads it does not, and the bound keeps a burst of logins from taking every core and
    every thread of the pool: the excess waits its turn."""

    def __init__(self, concurrency: int) -> None:
        self._limiter = CapacityLimiter(concurrency)

    async def hash(self, password: str) -> str:
        return await to_thread.run_sync(_argon2.hash, password, limiter=self._limiter)

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Whether the password matches; False for an account that does not exist (hashed None),
        after the same work as for one that does."""
        matches = await to_thread.run_sync(_argon2.verify, password, hashed or UNKNOWN_USER_HASH, limiter=self._limiter)
        return matches and hashed is not None


@lru_cache
def password_hasher(concurrency: int = HASH_CONCURRENCY) -> PasswordHasher:
    """The process's hasher: one queue whichever app instance or command asks, since the bound is
    about the process's cores (PASSWORD_HASH_CONCURRENCY)."""
    return PasswordHasher(concurrency)


def issue_access_token(user_id: UUID, *, secret: str, lifetime: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + lifetime, "aud": ACCESS_TOKEN_AUDIENCE}
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def read_access_token(token: str, *, secret: str) -> dict[str, Any]:
    """Claims of a valid token; raises jwt.InvalidTokenError for an expired, forged or foreign one."""
    return jwt.decode(
        token,
        secret,
        algorithms=[JWT_ALGORITHM],
        audience=ACCESS_TOKEN_AUDIENCE,
        options={"require": ["sub", "exp", "iat", "aud"]},
    )


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Refresh tokens and API keys are high-entropy, so a plain SHA-256 is the right stored form."""
    return hashlib.sha256(secret.encode()).hexdigest()
