"""Builders for test data: rows inserted directly for bulk set-up, services where a rule matters."""

from itertools import count
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core import security
from app.core.config import Settings

PASSWORD = "correct horse battery"
# Hashed once: Argon2 is slow on purpose, and a group of 150 needs 150 users.
PASSWORD_HASH = security.hash_password(PASSWORD)
_sequence = count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_sequence)}"


async def create_user(session: AsyncSession, *, email: str | None = None, display_name: str = "Test user") -> User:
    user = User(email=email or f"{unique('user')}@example.org", display_name=display_name, password_hash=PASSWORD_HASH)
    session.add(user)
    await session.flush()
    return user


def auth_headers(settings: Settings, user_id: UUID) -> dict[str, str]:
    from datetime import timedelta

    token = security.issue_access_token(
        user_id, secret=settings.jwt_secret.get_secret_value(), lifetime=timedelta(minutes=5)
    )
    return {"Authorization": f"Bearer {token}"}
