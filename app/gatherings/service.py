"""Events both kinds of group host and members sign up for (principle 5), and the shared calendar of
trainings (principle 8)."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.db import utc_now
from app.core.pagination import CursorPage, paginate
from app.core.schemas import Page
from app.gatherings import policies, repository
from app.gatherings.errors import (
    AlreadySignedUp,
    EventFull,
    EventNotFound,
    HostGroupNotFound,
    InvalidDateRange,
    SignupNotFound,
    SignupsClosed,
)
from app.gatherings.models import Gathering, GatheringKind, GatheringSignup
from app.gatherings.schemas import GatheringCreate, GatheringHostRead, GatheringRead, GatheringSignupRead
from app.groups import repository as groups_repository
from app.groups.errors import HouseholdNotFound
from app.groups.models import ConsumerGroup
from app.producers import repository as producers_repository
from app.producers.models import ProducerGroup

# Events


async def post_gathering(session: AsyncSession, principal: Principal, data: GatheringCreate) -> GatheringRead:
    """A coordinator of the hosting group posts an event. Trainings and farm days (`learning`) are open to
    all by default, for the calendar shared across groups and countries (principle 8); others are private."""
    host = data.host
    host_group: ConsumerGroup | ProducerGroup | None
    if host.consumer_group_id is not None:
        host_group = await groups_repository.get_group(session, host.consumer_group_id)
    else:
        host_group = await producers_repository.get_producer_group(session, host.group_id)
    if host_group is None:
        raise HostGroupNotFound(host.group_id)
    await policies.require_host_coordinator(
        session,
        principal,
        host_name=host_group.name,
        consumer_group_id=host.consumer_group_id,
        producer_group_id=host.producer_group_id,
    )
    open_to_all = data.open_to_all if data.open_to_all is not None else data.kind == GatheringKind.learning
    gathering = Gathering(
        **data.model_dump(exclude={"host", "open_to_all"}),
        consumer_group_id=host.consumer_group_id,
        producer_group_id=host.producer_group_id,
        open_to_all=open_to_all,
        signup_count=0,
        posted_by=principal.user_id,
    )
    session.add(gathering)
    await session.flush()
    return await get_gathering(session, principal, gathering.id)


async def list_gatherings(
    session: AsyncSession,
    principal: Principal,
    *,
    kind: GatheringKind | None,
    country: str | None,
    from_date: date | None,
    to_date: date | None,
    limit: int,
    cursor: str | None,
) -> Page[GatheringRead]:
    """The calendar the caller may see, by start time: events taking place on any day from `from_date`
    to `to_date` (inclusive, UTC), so a training that runs over several days shows on each of them."""
    if from_date is not None and to_date is not None and from_date > to_date:
        raise InvalidDateRange(f"'from' ({from_date}) is after 'to' ({to_date}).")
    ends_after = None if from_date is None else datetime.combine(from_date, time.min, UTC)
    starts_before = None
    if to_date is not None and to_date < date.max:
        starts_before = datetime.combine(to_date + timedelta(days=1), time.min, UTC)
    statement = repository.calendar(
        principal.user_id, kind=kind, country=country, starts_before=starts_before, ends_after=ends_after
    )
    page = await paginate(
        session, statement, created_at=Gathering.starts_at, id_column=Gathering.id, limit=limit, cursor=cursor
    )
    return Page[GatheringRead](
        data=await _reads(session, principal, page.rows), has_more=page.has_more, next_cursor=page.next_cursor
    )


async def get_gathering(session: AsyncSession, principal: Principal, gathering_id: UUID) -> GatheringRead:
    gathering = await repository.get_visible(session, principal.user_id, gathering_id)
    if gathering is None:
        raise EventNotFound(gathering_id)
    [read] = await _reads(session, principal, [gathering])
    return read


async def _reads(session: AsyncSession, principal: Principal, gatherings: Sequence[Gathering]) -> list[GatheringRead]:
    signed_up = await repository.signed_up_among(session, principal.user_id, [g.id for g in gatherings])
    return [_read(gathering, signed_up=gathering.id in signed_up) for gathering in gatherings]


def _read(gathering: Gathering, *, signed_up: bool) -> GatheringRead:
    host = gathering.consumer_group or gathering.producer_group
    assert host is not None  # the one_host constraint
    return GatheringRead(
        id=gathering.id,
        kind=gathering.kind,
        title=gathering.title,
        description=gathering.description,
        starts_at=gathering.starts_at,
        ends_at=gathering.ends_at,
        location=gathering.location,
        host=GatheringHostRead(
            consumer_group_id=gathering.consumer_group_id,
            producer_group_id=gathering.producer_group_id,
            name=host.name,
            country=host.country,
        ),
        capacity=gathering.capacity,
        open_to_all=gathering.open_to_all,
        signup_count=gathering.signup_count,
        places_left=gathering.places_left,
        signed_up=signed_up,
        posted_by=gathering.posted_by,
        created_at=gathering.created_at,
    )


# Sign-ups


async def _locked_gathering(session: AsyncSession, principal: Principal, gathering_id: UUID) -> Gathering:
    gathering = await repository.get_visible_for_update(session, principal.user_id, gathering_id)
    if gathering is None:
        raise EventNotFound(gathering_id)
    if gathering.starts_at <= utc_now():
        raise SignupsClosed(f"'{gathering.title}' started at {gathering.starts_at.isoformat()}.")
    return gathering


async def sign_up(
    session: AsyncSession, principal: Principal, *, gathering_id: UUID, household_id: UUID | None
) -> GatheringSignupRead:
    """The caller takes a place at an event they can see, until it starts; never past its capacity."""
    if household_id is not None and not await groups_repository.user_belongs_to_household(
        session, principal.user_id, household_id
    ):
        raise HouseholdNotFound(household_id)
    gathering = await _locked_gathering(session, principal, gathering_id)
    if await repository.get_signup(session, gathering.id, principal.user_id) is not None:
        raise AlreadySignedUp(f"You are already signed up for '{gathering.title}'.", event_id=str(gathering.id))
    if gathering.capacity is not None and gathering.signup_count >= gathering.capacity:
        raise EventFull(
            f"All {gathering.capacity} places of '{gathering.title}' are taken.",
            event_id=str(gathering.id),
            capacity=gathering.capacity,
        )
    signup = GatheringSignup(gathering_id=gathering.id, user_id=principal.user_id, household_id=household_id)
    session.add(signup)
    gathering.signup_count += 1
    await session.flush()
    return GatheringSignupRead.model_validate(await repository.get_signup_with_people(session, signup.id))


async def withdraw(session: AsyncSession, principal: Principal, *, gathering_id: UUID) -> None:
    """The caller gives up their place, until the event starts; the place is free for someone else."""
    gathering = await _locked_gathering(session, principal, gathering_id)
    signup = await repository.get_signup(session, gathering.id, principal.user_id)
    if signup is None:
        raise SignupNotFound(f"You are not signed up for '{gathering.title}'.", event_id=str(gathering.id))
    await session.delete(signup)
    gathering.signup_count -= 1
    await session.flush()


async def list_signups(
    session: AsyncSession, principal: Principal, *, gathering_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    """Who comes, in sign-up order, for the host group's coordinators."""
    gathering = await repository.get_visible(session, principal.user_id, gathering_id)
    if gathering is None:
        raise EventNotFound(gathering_id)
    host = gathering.consumer_group or gathering.producer_group
    assert host is not None
    await policies.require_host_coordinator(
        session,
        principal,
        host_name=host.name,
        consumer_group_id=gathering.consumer_group_id,
        producer_group_id=gathering.producer_group_id,
    )
    return await paginate(
        session,
        repository.signups(gathering.id),
        created_at=GatheringSignup.created_at,
        id_column=GatheringSignup.id,
        limit=limit,
        cursor=cursor,
    )
