"""Queries for accounts and their refresh tokens.

A password change, a login and a refresh each lock the account's row before they touch its refresh
tokens, so on PostgreSQL they run one after the other: the change's revocation then sees every token
issued before it, and nothing issues one for the old password after it."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import RefreshToken, User


async def get_user_for_update(session: AsyncSession, user_id: UUID) -> User | None:
    # FOR NO KEY UPDATE: rows that merely refer to the account (its households, its tokens) are still
    # inserted alongside. SQLite ignores it; there BEGIN IMMEDIATE already queues writers.
    statement = select(User).where(User.id == user_id).with_for_update(key_share=True)
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def lock_user_of_refresh_token(session: AsyncSession, token_digest: str) -> None:
    owner = select(RefreshToken.user_id).where(RefreshToken.token_digest == token_digest).scalar_subquery()
    await session.execute(select(User.id).where(User.id == owner).with_for_update(key_share=True))


async def revoke_refresh_tokens(session: AsyncSession, user_id: UUID, *, at: datetime) -> None:
    """End every session of the account."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )
