"""Queries for learning events, their sign-ups, and the counts the indicators read. Rules live in service.py."""

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy import Select, and_, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.catalogue.models import TradingOrganisationMember
from app.gatherings.models import Gathering, GatheringKind
from app.groups.models import HouseholdMember, Membership
from app.learning.models import LearningEvent, LearningSignup
from app.networks.models import CbeKind, Network, NetworkMember, NetworkRole
from app.producers.models import FarmingHousehold

# The network roles that host a network's learning events and record their attendance.
HOST_ROLES = (NetworkRole.coordinator, NetworkRole.trainer)


def with_host(statement: Select[LearningEvent]) -> Select[LearningEvent]:
    return statement.options(joinedload(LearningEvent.network), joinedload(LearningEvent.trainer))


def calendar(
    *, country: str | None, starts_before: datetime | None, ends_after: datetime | None
) -> Select[LearningEvent]:
    statement = select(LearningEvent)
    if country is not None:
        statement = statement.where(LearningEvent.country == country)
    if starts_before is not None:
        statement = statement.where(LearningEvent.starts_at < starts_before)
    if ends_after is not None:
        statement = statement.where(LearningEvent.ends_at > ends_after)
    return with_host(statement)


async def get_event(session: AsyncSession, learning_event_id: UUID) -> LearningEvent | None:
    statement = with_host(select(LearningEvent).where(LearningEvent.id == learning_event_id))
    return await session.scalar(statement.execution_options(populate_existing=True))


async def get_event_for_update(session: AsyncSession, learning_event_id: UUID) -> LearningEvent | None:
    # Row lock: concurrent sign-ups to one event queue here, so the capacity check cannot race. (SQLite
    # ignores FOR UPDATE; there every transaction holds the write lock from BEGIN IMMEDIATE.) No host join:
    # PostgreSQL cannot lock the nullable side of an outer join.
    statement = select(LearningEvent).where(LearningEvent.id == learning_event_id).with_for_update()
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def get_network(session: AsyncSession, network_id: UUID) -> Network | None:
    return await session.get(Network, network_id)


async def has_network_role(
    session: AsyncSession, user_id: UUID, roles: tuple[NetworkRole, ...], *, network_id: UUID | None = None
) -> bool:
    """Whether the user holds one of `roles` in the network, or with no network named, in any network."""
    statement = select(NetworkMember.id).where(NetworkMember.user_id == user_id, NetworkMember.role.in_(roles))
    if network_id is not None:
        statement = statement.where(NetworkMember.network_id == network_id)
    return await session.scalar(statement.limit(1)) is not None


async def get_signup(session: AsyncSession, learning_event_id: UUID, user_id: UUID) -> LearningSignup | None:
    statement = select(LearningSignup).where(
        LearningSignup.learning_event_id == learning_event_id, LearningSignup.user_id == user_id
    )
    return await session.scalar(statement)


def with_people(statement: Select[LearningSignup]) -> Select[LearningSignup]:
    return statement.options(joinedload(LearningSignup.user))


def signups(learning_event_id: UUID) -> Select[LearningSignup]:
    return with_people(select(LearningSignup).where(LearningSignup.learning_event_id == learning_event_id))


async def get_signup_with_people(
    session: AsyncSession, learning_event_id: UUID, signup_id: UUID
) -> LearningSignup | None:
    statement = with_people(
        select(LearningSignup).where(
            LearningSignup.id == signup_id, LearningSignup.learning_event_id == learning_event_id
        )
    )
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


# What the indicators read


def people_of(cbe_kind: CbeKind, cbe_id: UUID) -> Select[UUID]:
    """The users who are a CBE's people: the members of its member households for a consumer group, of its
    farming households for a producer group, and its members for a trading organisation."""
    if cbe_kind == CbeKind.trading_organisation:
        return select(TradingOrganisationMember.user_id).where(
            TradingOrganisationMember.trading_organisation_id == cbe_id
        )
    households: Select[UUID]
    if cbe_kind == CbeKind.consumer_group:
        households = select(Membership.household_id).where(Membership.group_id == cbe_id)
    else:
        households = select(FarmingHousehold.household_id).where(FarmingHousehold.producer_group_id == cbe_id)
    return select(HouseholdMember.user_id).where(HouseholdMember.household_id.in_(households))


def _held_by(cbe_kind: CbeKind, cbe_id: UUID, starts_from: datetime, starts_before: datetime) -> Select[UUID]:
    """The trainings and farm days the CBE itself hosted as a group (a trading organisation hosts none)."""
    host = Gathering.consumer_group_id if cbe_kind == CbeKind.consumer_group else Gathering.producer_group_id
    return select(Gathering.id).where(
        host == cbe_id,
        Gathering.kind == GatheringKind.learning,
        Gathering.starts_at >= starts_from,
        Gathering.starts_at < starts_before,
    )


async def learning_counts(
    session: AsyncSession, cbe_kind: CbeKind, cbe_id: UUID, starts_on: date, ends_on: date
) -> tuple[int, int]:
    """(learning events held by the CBE or attended by its people, attendances of its people), of events
    starting from `starts_on` to `ends_on` inclusive (UTC days). An attendance is one person's recorded
    presence at one event; a sign-up without recorded attendance counts for nothing."""
    starts_from = datetime.combine(starts_on, time.min, UTC)
    starts_before = datetime.combine(ends_on + timedelta(days=1), time.min, UTC)
    attended = (
        select(LearningSignup.learning_event_id.label("event_id"), LearningSignup.user_id)
        .join(LearningEvent, LearningEvent.id == LearningSignup.learning_event_id)
        .where(
            LearningSignup.user_id.in_(people_of(cbe_kind, cbe_id)),
            LearningSignup.attended.is_(True),
            and_(LearningEvent.starts_at >= starts_from, LearningEvent.starts_at < starts_before),
        )
        .subquery()
    )
    attendances = int(await session.scalar(select(func.count()).select_from(attended)) or 0)
    events_attended = select(attended.c.event_id)
    if cbe_kind == CbeKind.trading_organisation:
        events = select(func.count(func.distinct(attended.c.event_id)))
    else:
        both = union(events_attended, _held_by(cbe_kind, cbe_id, starts_from, starts_before)).subquery()
        events = select(func.count()).select_from(both)
    return int(await session.scalar(events) or 0), attendances
