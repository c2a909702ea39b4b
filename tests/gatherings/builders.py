"""Builders for event tests, and the callers of both kinds of group that message tests share: rows
inserted directly, with counters kept consistent."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core.config import Settings
from app.gatherings.models import Gathering, GatheringKind, GatheringSignup
from app.groups.models import ConsumerGroup, Household, Membership
from app.producers.models import ProducerGroup
from tests.factories import auth_headers, create_group, create_household, create_user, first_member, unique
from tests.producers.builders import create_producer_group


def in_days(days: float, *, hour: int = 9) -> datetime:
    """A moment `days` from now at `hour`:00 UTC, so tests never depend on the time of day they run."""
    today = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days)


async def create_gathering(
    session: AsyncSession,
    *,
    posted_by: User,
    consumer_group: ConsumerGroup | None = None,
    producer_group: ProducerGroup | None = None,
    kind: GatheringKind = GatheringKind.meeting,
    open_to_all: bool = False,
    starts_at: datetime | None = None,
    hours: float = 3,
    capacity: int | None = None,
    title: str | None = None,
) -> Gathering:
    starts_at = starts_at or in_days(7)
    gathering = Gathering(
        kind=kind,
        title=title or unique("Event"),
        description="",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        location="Community hall",
        consumer_group_id=consumer_group.id if consumer_group else None,
        producer_group_id=producer_group.id if producer_group else None,
        capacity=capacity,
        open_to_all=open_to_all,
        signup_count=0,
        posted_by=posted_by.id,
    )
    session.add(gathering)
    await session.flush()
    return gathering


async def add_signup(session: AsyncSession, gathering: Gathering, user: User) -> GatheringSignup:
    signup = GatheringSignup(gathering_id=gathering.id, user_id=user.id)
    session.add(signup)
    gathering.signup_count += 1
    await session.flush()
    return signup


async def signup_rows(session: AsyncSession, gathering_id: UUID) -> list[UUID]:
    statement = select(GatheringSignup.user_id).where(GatheringSignup.gathering_id == gathering_id)
    return list((await session.scalars(statement.order_by(GatheringSignup.created_at))).all())


async def stored_signup_count(session: AsyncSession, gathering_id: UUID) -> int:
    """The counter column as stored now (a column select bypasses the identity map)."""
    return int(await session.scalar(select(Gathering.signup_count).where(Gathering.id == gathering_id)) or 0)


async def gathering_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Gathering)) or 0)


@dataclass(frozen=True)
class Callers:
    """Two consumer groups and a producer group, with one user per role, for authorization matrices.

    `consumer_coordinator` coordinates `consumer_group` and eats in one of its households,
    `consumer_member` eats in another; `producer_coordinator` coordinates `producer_group` (no household),
    `producer_member` farms in it; `other_coordinator` and `other_member` belong to `other_group` only;
    `stranger` belongs to no group; `both` eats in `consumer_group` and farms in `producer_group`.
    """

    settings: Settings
    consumer_group: ConsumerGroup
    producer_group: ProducerGroup
    other_group: ConsumerGroup
    consumer_member_household: Household
    users: dict[str, User]

    def user(self, caller: str) -> User:
        return self.users[caller]

    def headers_for(self, caller: str | None) -> dict[str, str]:
        return {} if caller is None else auth_headers(self.settings, self.users[caller].id)


async def create_callers(session: AsyncSession, settings: Settings) -> Callers:
    consumer_group = await create_group(session, households=1, coordinators=1, country="TH", name="Chiang Mai Eaters")
    consumer_coordinator = await first_member(
        session,
        await session.get_one(
            Household,
            await session.scalar(select(Membership.household_id).where(Membership.group_id == consumer_group.id)),
        ),
    )
    consumer_member = await create_user(session, display_name="Ploy")
    consumer_member_household = await create_household(session, consumer_member)
    both = await create_user(session, display_name="Anan")
    both_household = await create_household(session, both)
    for household in (consumer_member_household, both_household):
        session.add(Membership(group_id=consumer_group.id, household_id=household.id))
    consumer_group.member_count += 2

    producer_coordinator = await create_user(session, display_name="Somchai")
    producer_member = await create_user(session, display_name="Niran")
    producer_group = await create_producer_group(
        session,
        coordinators=[producer_coordinator],
        households=[await create_household(session, producer_member), both_household],
        country="VN",
        name="Da Lat Growers",
    )

    other_group = await create_group(session, households=1, coordinators=1, country="PH", name="Quezon Eaters")
    other_coordinator = await first_member(
        session,
        await session.get_one(
            Household,
            await session.scalar(select(Membership.household_id).where(Membership.group_id == other_group.id)),
        ),
    )
    other_member = await create_user(session, display_name="Maria")
    session.add(Membership(group_id=other_group.id, household_id=(await create_household(session, other_member)).id))
    other_group.member_count += 1
    stranger = await create_user(session, display_name="Stranger")
    await session.flush()
    return Callers(
        settings=settings,
        consumer_group=consumer_group,
        producer_group=producer_group,
        other_group=other_group,
        consumer_member_household=consumer_member_household,
        users={
            "consumer_coordinator": consumer_coordinator,
            "consumer_member": consumer_member,
            "producer_coordinator": producer_coordinator,
            "producer_member": producer_member,
            "other_coordinator": other_coordinator,
            "other_member": other_member,
            "both": both,
            "stranger": stranger,
        },
    )
