"""Reading what was made for whom, and running the event processing as the worker would, a little later
than now so that every event of the test has settled."""

from collections.abc import Iterable
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import utc_now
from app.notifications import from_events
from app.notifications.models import Notification, NotificationEmail, NotificationKind


async def process_events(session: AsyncSession, settings: Settings) -> int:
    """Every event recorded so far, read as a worker would once they have settled."""
    later = utc_now() + timedelta(seconds=settings.event_feed_settle_seconds + 1)
    read = 0
    while batch := await from_events.process_batch(session, settings, now=later):
        read += batch
    return read


async def notifications_of(session: AsyncSession, user_id: UUID) -> list[Notification]:
    statement = select(Notification).where(Notification.user_id == user_id).order_by(Notification.created_at)
    return list((await session.scalars(statement)).all())


async def kinds_of(session: AsyncSession, user_id: UUID) -> list[NotificationKind]:
    return [notification.kind for notification in await notifications_of(session, user_id)]


async def told(session: AsyncSession, kind: NotificationKind, users: Iterable[UUID] | None = None) -> set[UUID]:
    """The users with a notification of this kind (among `users`, when given)."""
    statement = select(Notification.user_id).where(Notification.kind == kind)
    if users is not None:
        statement = statement.where(Notification.user_id.in_(list(users)))
    return set((await session.scalars(statement)).all())


async def emails(session: AsyncSession) -> list[NotificationEmail]:
    return list((await session.scalars(select(NotificationEmail).order_by(NotificationEmail.created_at))).all())
