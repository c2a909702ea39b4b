"""Turning the outbox's events into notifications: an agreement proposed or countered asks the other side's
coordinators to approve; a cancellation proposed asks both sides'; a harvest recorded tells the households
with a share of it; a motion moved asks the group's other coordinators.

Events are read in (occurred_at, id) order after a stored cursor, in batches, each batch in one transaction
with the cursor's row locked, so two workers never read the same batch. Like the event feed, only events
older than EVENT_FEED_SETTLE_SECONDS are read: an event is stamped when its change is made but seen only
once its transaction commits, and a cursor already past its time would skip it. Each notification is keyed
by its event, so reading an event again tells nobody twice.

What an event asks is checked against the state as it is when read: a version superseded, a motion carried
or a cancellation settled meanwhile asks nothing any more."""

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agreements.models import CancellationStatus, Side, VersionStatus
from app.core.config import Settings
from app.core.db import utc_now
from app.groups.models import GroupKind, MotionKind, MotionStatus
from app.notifications import reminders, repository
from app.notifications.models import NotificationKind, SubjectType
from app.notifications.service import Note, notify
from app.outbox.models import OutboxEvent

BATCH_SIZE = 200
# Events older than this when first read (a new installation, a worker stopped for long) tell no one:
# what they asked has most likely been answered.
MAX_EVENT_AGE = timedelta(days=7)

Handler = Callable[[AsyncSession, Settings, OutboxEvent, date], Awaitable[None]]


async def process_batch(
    session: AsyncSession, settings: Settings, *, now: datetime | None = None, limit: int = BATCH_SIZE
) -> int:
    """Read one batch of settled events after the cursor, in the caller's transaction; how many were read."""
    at = now or utc_now()
    cursor = await repository.locked_cursor(session, now=at)
    settled_before = at - timedelta(seconds=settings.event_feed_settle_seconds)
    statement = repository.events_after(cursor, types=HANDLERS, settled_before=settled_before, limit=limit)
    events = (await session.scalars(statement)).all()
    for event in events:
        if event.occurred_at >= at - MAX_EVENT_AGE:
            await HANDLERS[event.type](session, settings, event, at.date())
    if events:
        cursor.occurred_at, cursor.event_id, cursor.updated_at = events[-1].occurred_at, events[-1].id, at
        await session.flush()
    return len(events)


async def process_all(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *, now: datetime | None = None
) -> int:
    """Read every settled event not read yet, a batch per transaction; how many were read."""
    read = 0
    while True:
        async with sessions.begin() as session:
            batch = await process_batch(session, settings, now=now)
        read += batch
        if batch < BATCH_SIZE:
            return read


# An agreement's version awaits the approval of the side that did not propose it


async def version_proposed(session: AsyncSession, settings: Settings, event: OutboxEvent, _: date) -> None:
    agreement = event.data["agreement"]
    version = await repository.get_version(session, UUID(agreement["id"]), agreement["version"])
    if version is None or version.status not in (VersionStatus.open, VersionStatus.awaiting_approval):
        return
    consumers, producers = await repository.group_names(
        session, UUID(agreement["consumer_group_id"]), UUID(agreement["producer_group_id"])
    )
    waiting = Side.producer if version.proposed_by_side == Side.consumer else Side.consumer
    proposer = consumers if version.proposed_by_side == Side.consumer else producers
    coordinators = await _coordinators_of(session, waiting, agreement)
    what = "an amendment to" if version.is_amendment else f"version {version.number} of"
    note = Note(
        kind=NotificationKind.approval_awaited,
        key=f"event:{event.id}",
        title="An agreement awaits your approval",
        text=f"{proposer} proposed {what} the agreement between {consumers} and {producers}. "
        "Read it, then accept it or answer with other terms.",
        subject_type=SubjectType.agreement,
        subject_id=version.agreement_id,
    )
    await notify(session, settings, coordinators - await repository.version_approvers(session, version.id), note)


async def cancellation_proposed(session: AsyncSession, settings: Settings, event: OutboxEvent, _: date) -> None:
    agreement, proposed = event.data["agreement"], event.data["cancellation"]
    cancellation = await repository.get_cancellation(session, UUID(proposed["id"]))
    if cancellation is None or cancellation.status != CancellationStatus.open:
        return
    consumers, producers = await repository.group_names(
        session, UUID(agreement["consumer_group_id"]), UUID(agreement["producer_group_id"])
    )
    proposer = consumers if cancellation.proposed_by_side == Side.consumer else producers
    coordinators = await _coordinators_of(session, Side.consumer, agreement) | await _coordinators_of(
        session, Side.producer, agreement
    )
    note = Note(
        kind=NotificationKind.approval_awaited,
        key=f"event:{event.id}",
        title="A cancellation awaits your approval",
        text=f"{proposer} proposed to cancel the agreement between {consumers} and {producers}, with "
        f"{proposed['refund_amount']} {agreement['currency']} given back to the households that paid. It is carried "
        "once the coordinators of both groups approve.",
        subject_type=SubjectType.agreement,
        subject_id=cancellation.agreement_id,
    )
    await notify(
        session, settings, coordinators - await repository.cancellation_approvers(session, cancellation.id), note
    )


async def _coordinators_of(session: AsyncSession, side: Side, agreement: dict[str, str]) -> set[UUID]:
    if side == Side.consumer:
        return await repository.consumer_coordinators(session, UUID(agreement["consumer_group_id"]))
    return await repository.producer_coordinators(session, UUID(agreement["producer_group_id"]))


# A harvest shared out to the households


async def harvest_recorded(session: AsyncSession, settings: Settings, event: OutboxEvent, today: date) -> None:
    harvest = await repository.get_harvest(session, UUID(event.data["harvest"]["id"]))
    if harvest is None:
        return
    station = await repository.get_station(session, harvest.pickup_station_id)
    members = await repository.members_of_households(
        session, await repository.households_allocated(session, harvest.id)
    )
    people = set().union(*members.values())
    producers = await repository.producer_group_name(session, UUID(event.data["agreement"]["producer_group_id"]))
    where = f" at {station.name}" if station is not None else ""
    note = Note(
        kind=NotificationKind.harvest_allocated,
        key=f"event:{event.id}",
        title="Your share of a harvest",
        text=f"The harvest {producers} delivered on {harvest.delivered_on.isoformat()} has been shared out: "
        f"your household's share waits{where}.",
        subject_type=SubjectType.harvest,
        subject_id=harvest.id,
    )
    await notify(session, settings, people, note)
    # Recorded after today's reminders ran: tomorrow's run would find it today, not tomorrow.
    if station is not None and harvest.delivered_on == today + timedelta(days=1):
        await notify(session, settings, people, reminders.pickup_note(station, harvest.delivered_on))


# A motion waits for the other coordinators of its group


MOTION_PURPOSES = {
    MotionKind.lower_quorum: "to lower the group's approval quorum",
    MotionKind.end_term: "to end a coordinator's term",
    MotionKind.remove_household: "to remove a household from the group",
}


async def motion_moved(session: AsyncSession, settings: Settings, event: OutboxEvent, _: date) -> None:
    motion = await repository.get_motion(session, UUID(event.data["motion"]["id"]))
    if motion is None or motion.status != MotionStatus.open:
        return
    group_id = motion.of_group_id
    if event.data["motion"]["group_kind"] == GroupKind.consumer:
        coordinators = await repository.consumer_coordinators(session, group_id)
        group = await repository.consumer_group_name(session, group_id)
    else:
        coordinators = await repository.producer_coordinators(session, group_id)
        group = await repository.producer_group_name(session, group_id)
    note = Note(
        kind=NotificationKind.motion_to_approve,
        key=f"event:{event.id}",
        title="A motion awaits your approval",
        text=f"A coordinator of {group} moved {MOTION_PURPOSES[motion.kind]}. It is carried once enough "
        "coordinators approve it.",
        subject_type=SubjectType.motion,
        subject_id=motion.id,
    )
    await notify(session, settings, coordinators - await repository.motion_approvers(session, motion.id), note)


HANDLERS: dict[str, Handler] = {
    "agreement.proposed": version_proposed,
    "agreement.countered": version_proposed,
    "agreement.cancellation_proposed": cancellation_proposed,
    "harvest.recorded": harvest_recorded,
    "motion.moved": motion_moved,
}
