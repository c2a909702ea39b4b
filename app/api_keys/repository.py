"""Queries for API keys. Which keys a user sees follows which organisations they manage now."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys.models import ApiKey
from app.webhooks import repository as webhooks_repository


async def get_by_digest(session: AsyncSession, secret_digest: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.secret_digest == secret_digest))


async def get_key(session: AsyncSession, key_id: UUID, *, lock: bool = False) -> ApiKey | None:
    statement = select(ApiKey).where(ApiKey.id == key_id)
    return await session.scalar(statement.with_for_update() if lock else statement)


def keys_managed_by(user_id: UUID, *, organisation_id: UUID | None) -> Select[ApiKey]:
    statement = select(ApiKey).where(ApiKey.organisation_id.in_(webhooks_repository.organisations_managed_by(user_id)))
    if organisation_id is not None:
        statement = statement.where(ApiKey.organisation_id == organisation_id)
    return statement


async def manages(session: AsyncSession, user_id: UUID, organisation_id: UUID) -> bool:
    """Whether the user coordinates (in office) or owns the organisation now."""
    return await webhooks_repository.manages(session, user_id, organisation_id)


async def record_use(session: AsyncSession, key_id: UUID, *, at: datetime, unless_since: datetime) -> None:
    """Stamp the key's last use, unless a request stamped it since `unless_since` meanwhile."""
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < unless_since))
        .values(last_used_at=at)
        .execution_options(synchronize_session=False)
    )
