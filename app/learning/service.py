"""The shared training calendar (DESIGN: Monitoring and the consumer registry): networks and trainers host
learning events open to the members of any group in any country; sign-ups are held to capacity, and the host
records who attended, which the indicators count."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.db import utc_now
from app.core.pagination import CursorPage, decode_cursor, paginate
from app.core.schemas import Page
from app.gatherings.errors import InvalidDateRange
from app.groups import repository as groups_repository
from app.groups.errors import HouseholdNotFound
from app.learning import policies, repository
from app.learning.errors import (
    AlreadySignedUpForLearningEvent,
    AttendanceBeforeStart,
    LearningEventFull,
    LearningEventNotFound,
    LearningSignupNotFound,
    LearningSignupsClosed,
)
from app.learning.models import LearningEvent, LearningSignup
from app.learning.schemas import LearningEventCreate, LearningEventHostRead, LearningEventRead, LearningSignupRead

# Events


async def host_event(session: AsyncSession, principal: Principal, data: LearningEventCreate) -> LearningEventRead:
    """A network's coordinator or trainer posts an event the network hosts; a trainer of any network may
    host one in their own name."""
    await policies.require_may_host(session, principal, network_id=data.network_id)
    event = LearningEvent(
        **data.model_dump(exclude={"network_id"}),
        network_id=data.network_id,
        trainer_id=principal.user_id if data.network_id is None else None,
        signup_count=0,
        created_by=principal.user_id,
    )
    session.add(event)
    await session.flush()
    return await get_event(session, event.id)


async def list_events(
    session: AsyncSession,
    *,
    country: str | None,
    from_date: date | None,
    to_date: date | None,
    limit: int,
    cursor: str | None,
) -> Page[LearningEventRead]:
    """The calendar, by start time: events taking place on any day from `from_date` to `to_date` (inclusive,
    UTC), so a course over several days shows on each of them."""
    if from_date is not None and to_date is not None and from_date > to_date:
        raise InvalidDateRange(f"'from' ({from_date}) is after 'to' ({to_date}).")
    ends_after = None if from_date is None else datetime.combine(from_date, time.min, UTC)
    starts_before = None
    if to_date is not None and to_date < date.max:
        starts_before = datetime.combine(to_date + timedelta(days=1), time.min, UTC)
    statement = repository.calendar(country=country, starts_before=starts_before, ends_after=ends_after)
    page = await paginate(
        session, statement, created_at=LearningEvent.starts_at, id_column=LearningEvent.id, limit=limit, cursor=cursor
    )
    return Page[LearningEventRead](data=_reads(page.rows), has_more=page.has_more, next_cursor=page.next_cursor)


async def get_event(session: AsyncSession, learning_event_id: UUID) -> LearningEventRead:
    event = await repository.get_event(session, learning_event_id)
    if event is None:
        raise LearningEventNotFound(learning_event_id)
    [read] = _reads([event])
    return read


def _reads(events: Sequence[LearningEvent]) -> list[LearningEventRead]:
    return [_read(event) for event in events]


def _read(event: LearningEvent) -> LearningEventRead:
    host_name = event.network.name if event.network is not None else event.trainer.display_name if event.trainer else ""
    return LearningEventRead(
        id=event.id,
        title=event.title,
        description=event.description,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        online=event.online,
        location=event.location,
        country=event.country,
        language=event.language,
        host=LearningEventHostRead(network_id=event.network_id, trainer_id=event.trainer_id, name=host_name),
        capacity=event.capacity,
        signup_count=event.signup_count,
        places_left=event.places_left,
        created_at=event.created_at,
    )


# Sign-ups


async def _event_open_for_signups(session: AsyncSession, learning_event_id: UUID) -> LearningEvent:
    event = await repository.get_event_for_update(session, learning_event_id)
    if event is None:
        raise LearningEventNotFound(learning_event_id)
    if event.starts_at <= utc_now():
        raise LearningSignupsClosed(
            f"'{event.title}' started at {event.starts_at.isoformat()}.", learning_event_id=str(event.id)
        )
    return event


async def sign_up(
    session: AsyncSession, principal: Principal, *, learning_event_id: UUID, household_id: UUID | None
) -> LearningSignupRead:
    """The caller takes a place, until the event starts; never past its capacity. Anyone may: the calendar
    is open to the members of any group in any country."""
    if household_id is not None and not await groups_repository.user_belongs_to_household(
        session, principal.user_id, household_id
    ):
        raise HouseholdNotFound(household_id)
    event = await _event_open_for_signups(session, learning_event_id)
    if await repository.get_signup(session, event.id, principal.user_id) is not None:
        raise AlreadySignedUpForLearningEvent(
            f"You are already signed up for '{event.title}'.", learning_event_id=str(event.id)
        )
    if event.capacity is not None and event.signup_count >= event.capacity:
        raise LearningEventFull(
            f"All {event.capacity} places of '{event.title}' are taken.",
            learning_event_id=str(event.id),
            capacity=event.capacity,
        )
    signup = LearningSignup(learning_event_id=event.id, user_id=principal.user_id, household_id=household_id)
    session.add(signup)
    event.signup_count += 1
    await session.flush()
    return await _signup_read(session, event.id, signup.id)


async def cancel_signup(session: AsyncSession, principal: Principal, *, learning_event_id: UUID) -> None:
    """The caller gives up their place before the event starts; it is free for someone else."""
    event = await _event_open_for_signups(session, learning_event_id)
    signup = await repository.get_signup(session, event.id, principal.user_id)
    if signup is None:
        raise LearningSignupNotFound(f"You are not signed up for '{event.title}'.", learning_event_id=str(event.id))
    await session.delete(signup)
    event.signup_count -= 1
    await session.flush()


async def get_own_signup(session: AsyncSession, principal: Principal, *, learning_event_id: UUID) -> LearningSignupRead:
    event = await repository.get_event(session, learning_event_id)
    if event is None:
        raise LearningEventNotFound(learning_event_id)
    signup = await repository.get_signup(session, event.id, principal.user_id)
    if signup is None:
        raise LearningSignupNotFound(f"You are not signed up for '{event.title}'.", learning_event_id=str(event.id))
    return await _signup_read(session, event.id, signup.id)


async def list_signups(
    session: AsyncSession, principal: Principal, *, learning_event_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    """Who signed up, in sign-up order, for the event's host."""
    if cursor:
        decode_cursor(cursor)  # a forged cursor is refused before anything is read
    event = await repository.get_event(session, learning_event_id)
    if event is None:
        raise LearningEventNotFound(learning_event_id)
    await policies.require_host(session, principal, event)
    return await paginate(
        session,
        repository.signups(event.id),
        created_at=LearningSignup.created_at,
        id_column=LearningSignup.id,
        limit=limit,
        cursor=cursor,
    )


async def record_attendance(
    session: AsyncSession, principal: Principal, *, learning_event_id: UUID, signup_id: UUID, attended: bool
) -> LearningSignupRead:
    """The host records whether a signed-up person attended, once the event has started; recording again
    corrects it."""
    event = await repository.get_event(session, learning_event_id)
    if event is None:
        raise LearningEventNotFound(learning_event_id)
    await policies.require_host(session, principal, event)
    if event.starts_at > utc_now():
        raise AttendanceBeforeStart(
            f"'{event.title}' starts at {event.starts_at.isoformat()}.", learning_event_id=str(event.id)
        )
    signup = await repository.get_signup_with_people(session, event.id, signup_id)
    if signup is None:
        raise LearningSignupNotFound(f"No sign-up {signup_id} for '{event.title}'.", signup_id=str(signup_id))
    signup.attended = attended
    signup.attendance_recorded_by = principal.user_id
    signup.attendance_recorded_at = utc_now()
    await session.flush()
    return LearningSignupRead.model_validate(signup)


async def _signup_read(session: AsyncSession, learning_event_id: UUID, signup_id: UUID) -> LearningSignupRead:
    signup = await repository.get_signup_with_people(session, learning_event_id, signup_id)
    assert signup is not None  # just written or read
    return LearningSignupRead.model_validate(signup)
