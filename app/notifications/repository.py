"""Queries for notifications: a user's own feed, who is to be told, and the outbox's events still to read."""

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.agreements.models import (
    Agreement,
    AgreementCancellation,
    AgreementStatus,
    AgreementVersion,
    Approval,
    CancellationApproval,
    Subscription,
)
from app.core.db import Base
from app.groups import repository as groups_repository
from app.groups.models import ConsumerGroup, HouseholdMember, Motion, MotionApproval, PickupStation
from app.harvests.models import Allocation, Harvest, HarvestLine
from app.notifications.models import EventCursor, Notification, NotificationPreference
from app.outbox.models import OutboxEvent
from app.producers import repository as producers_repository
from app.producers.models import ProducerGroup

# The user's own feed


def feed_of(user_id: UUID, *, unread_only: bool) -> Select[Notification]:
    statement = select(Notification).where(Notification.user_id == user_id)
    return statement.where(Notification.read_at.is_(None)) if unread_only else statement


async def get_own(session: AsyncSession, user_id: UUID, notification_id: UUID) -> Notification | None:
    """The notification if it is the user's: another's reads as absent."""
    statement = select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id)
    return await session.scalar(statement)


async def mark_all_read(session: AsyncSession, user_id: UUID, *, at: datetime) -> int:
    statement = (
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=at)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def get_preference(session: AsyncSession, user_id: UUID) -> NotificationPreference | None:
    return await session.get(NotificationPreference, user_id)


async def preferences_of(session: AsyncSession, user_ids: Collection[UUID]) -> dict[UUID, NotificationPreference]:
    if not user_ids:
        return {}
    statement = select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids))
    return {preference.user_id: preference for preference in (await session.scalars(statement)).all()}


async def emails_of(session: AsyncSession, user_ids: Collection[UUID]) -> dict[UUID, str]:
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
    return {row.id: row.email for row in rows}


def _insert(session: AsyncSession, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can yield to a row already there (ON CONFLICT DO NOTHING), in the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def before(created_at: datetime, notification_id: UUID) -> ColumnElement[bool]:
    """The notifications older than the one a cursor names, in (created_at, id) order."""
    return or_(
        Notification.created_at < created_at,
        and_(Notification.created_at == created_at, Notification.id < notification_id),
    )


def newest_first(statement: Select[Notification]) -> Select[Notification]:
    return statement.order_by(Notification.created_at.desc(), Notification.id.desc())


async def add_once(session: AsyncSession, values: dict[str, Any]) -> UUID | None:
    """Insert the notification unless the user has one with its key already; its id, or None. The database
    decides, so two jobs making the same notification at once make it once."""
    statement = (
        _insert(session, Notification).values(**values).on_conflict_do_nothing(index_elements=["user_id", "key"])
    )
    result = await session.execute(statement.returning(Notification.id))
    return result.scalar_one_or_none()


# Who is to be told


async def consumer_coordinators(session: AsyncSession, group_id: UUID) -> set[UUID]:
    return await groups_repository.coordinator_terms.in_office(session, group_id)


async def producer_coordinators(session: AsyncSession, producer_group_id: UUID) -> set[UUID]:
    return await producers_repository.coordinator_terms.in_office(session, producer_group_id)


async def members_of_households(session: AsyncSession, household_ids: Collection[UUID]) -> dict[UUID, set[UUID]]:
    """The people of each household, by household."""
    if not household_ids:
        return {}
    statement = select(HouseholdMember.household_id, HouseholdMember.user_id).where(
        HouseholdMember.household_id.in_(household_ids)
    )
    members: dict[UUID, set[UUID]] = {}
    for household_id, user_id in (await session.execute(statement)).all():
        members.setdefault(household_id, set()).add(user_id)
    return members


# What the events are about, as it stands now


async def get_version(session: AsyncSession, agreement_id: UUID, number: int) -> AgreementVersion | None:
    statement = select(AgreementVersion).where(
        AgreementVersion.agreement_id == agreement_id, AgreementVersion.number == number
    )
    return await session.scalar(statement)


async def version_approvers(session: AsyncSession, version_id: UUID) -> set[UUID]:
    return set((await session.scalars(select(Approval.user_id).where(Approval.version_id == version_id))).all())


async def get_cancellation(session: AsyncSession, cancellation_id: UUID) -> AgreementCancellation | None:
    return await session.scalar(select(AgreementCancellation).where(AgreementCancellation.id == cancellation_id))


async def cancellation_approvers(session: AsyncSession, cancellation_id: UUID) -> set[UUID]:
    statement = select(CancellationApproval.user_id).where(CancellationApproval.cancellation_id == cancellation_id)
    return set((await session.scalars(statement)).all())


async def get_motion(session: AsyncSession, motion_id: UUID) -> Motion | None:
    return await session.scalar(select(Motion).where(Motion.id == motion_id))


async def motion_approvers(session: AsyncSession, motion_id: UUID) -> set[UUID]:
    statement = select(MotionApproval.user_id).where(MotionApproval.motion_id == motion_id)
    return set((await session.scalars(statement)).all())


async def get_harvest(session: AsyncSession, harvest_id: UUID) -> Harvest | None:
    return await session.scalar(select(Harvest).where(Harvest.id == harvest_id))


async def get_station(session: AsyncSession, station_id: UUID) -> PickupStation | None:
    return await session.get(PickupStation, station_id)


async def households_allocated(session: AsyncSession, harvest_id: UUID) -> set[UUID]:
    """The households with a share of the harvest: a share of nothing asks nothing of anyone."""
    statement = (
        select(Allocation.household_id)
        .join(HarvestLine, HarvestLine.id == Allocation.harvest_line_id)
        .where(HarvestLine.harvest_id == harvest_id, Allocation.quantity_base > 0)
        .distinct()
    )
    return set((await session.scalars(statement)).all())


async def pickups_on(session: AsyncSession, day: date) -> Sequence[tuple[UUID, UUID]]:
    """(station, household) of every share of a harvest delivered that day."""
    statement = (
        select(Harvest.pickup_station_id, Allocation.household_id)
        .join(HarvestLine, HarvestLine.harvest_id == Harvest.id)
        .join(Allocation, Allocation.harvest_line_id == HarvestLine.id)
        .where(Harvest.delivered_on == day, Allocation.quantity_base > 0)
        .distinct()
    )
    return [(station_id, household_id) for station_id, household_id in (await session.execute(statement)).all()]


async def group_names(session: AsyncSession, consumer_group_id: UUID, producer_group_id: UUID) -> tuple[str, str]:
    consumer = await session.scalar(select(ConsumerGroup.name).where(ConsumerGroup.id == consumer_group_id))
    producer = await session.scalar(select(ProducerGroup.name).where(ProducerGroup.id == producer_group_id))
    return consumer or "the consumer group", producer or "the producer group"


async def consumer_group_name(session: AsyncSession, group_id: UUID) -> str:
    return await session.scalar(select(ConsumerGroup.name).where(ConsumerGroup.id == group_id)) or "your group"


async def producer_group_name(session: AsyncSession, producer_group_id: UUID) -> str:
    name = await session.scalar(select(ProducerGroup.name).where(ProducerGroup.id == producer_group_id))
    return name or "your group"


# Reminders


def agreements_due_between(first: date, last: date) -> Select[Agreement]:
    """Agreements whose advance payment falls due in [first, last] and may still be paid towards."""
    return select(Agreement).where(
        Agreement.status.in_([AgreementStatus.agreed, AgreementStatus.active]),
        Agreement.advance_due_on >= first,
        Agreement.advance_due_on <= last,
    )


async def subscriptions_of(session: AsyncSession, agreement_id: UUID) -> Sequence[Subscription]:
    return (await session.scalars(select(Subscription).where(Subscription.agreement_id == agreement_id))).all()


# The outbox's events still to read

CURSOR_NAME = "outbox"


# Before any event: where a new cursor starts.
START = datetime(1970, 1, 1, tzinfo=UTC)
START_ID = UUID(int=0)


async def locked_cursor(session: AsyncSession, *, now: datetime) -> EventCursor:
    """The cursor's row, locked until the transaction ends; made at the start if missing. Made by an insert
    that yields to another's, so two workers starting at once both find the one row, then take turns."""
    values = {"name": CURSOR_NAME, "occurred_at": START, "event_id": START_ID, "updated_at": now}
    await session.execute(
        _insert(session, EventCursor).values(**values).on_conflict_do_nothing(index_elements=["name"])
    )
    statement = select(EventCursor).where(EventCursor.name == CURSOR_NAME).with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))  # type: ignore[return-value]


def events_after(
    cursor: EventCursor, *, types: Collection[str], settled_before: datetime, limit: int
) -> Select[OutboxEvent]:
    return (
        select(OutboxEvent)
        .where(
            OutboxEvent.occurred_at <= settled_before,
            OutboxEvent.type.in_(types),
            or_(
                OutboxEvent.occurred_at > cursor.occurred_at,
                and_(OutboxEvent.occurred_at == cursor.occurred_at, OutboxEvent.id > cursor.event_id),
            ),
        )
        .order_by(OutboxEvent.occurred_at, OutboxEvent.id)
        .limit(limit)
    )
