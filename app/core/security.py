"""Password hashing (Argon2id), access tokens (JWT) and opaque refresh-token secrets."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
from pwdlib import PasswordHash

password_hash = PasswordHash.recommended()
# Verified against when the email is unknown, so both failures take the same time.
UNKNOWN_USER_HASH = password_hash.hash(secrets.token_urlsafe(16))
JWT_ALGORITHM = "HS256"
ACCESS_TOKEN_AUDIENCE = "teikei-api"


def hash_password(password: str) -> str:
    return password_hash.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    return password_hash.verify(password, hashed or UNKNOWN_USER_HASH) and hashed is not None


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
