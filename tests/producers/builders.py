"""Builders for producer-group tests: rows inserted directly, with member_count kept consistent."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core.config import Settings
from app.groups.models import Household, HouseholdMember, LegalForm
from app.producers.models import Certification, FarmingHousehold, ProducerCoordinator, ProducerGroup
from tests.factories import auth_headers, create_user, unique


async def create_household(session: AsyncSession, *members: User, name: str | None = None) -> Household:
    household = Household(name=name or unique("Farm"))
    session.add(household)
    await session.flush()
    session.add_all(HouseholdMember(household_id=household.id, user_id=user.id) for user in members)
    await session.flush()
    return household


async def create_producer_group(
    session: AsyncSession,
    *,
    coordinators: Sequence[User],
    households: Sequence[Household] = (),
    country: str = "TH",
    name: str | None = None,
) -> ProducerGroup:
    group = ProducerGroup(
        name=name or unique("Producers"),
        legal_form=LegalForm.cooperative,
        country=country,
        region="Chiang Mai",
        member_count=len(households),
    )
    session.add(group)
    await session.flush()
    session.add_all(FarmingHousehold(producer_group_id=group.id, household_id=h.id) for h in households)
    session.add_all(
        ProducerCoordinator(producer_group_id=group.id, user_id=user.id, appointed_by=user.id) for user in coordinators
    )
    await session.flush()
    await session.refresh(group, ["coordinator_count"])
    return group


async def create_certification(
    session: AsyncSession, group: ProducerGroup, *, expires_on: date, scheme: str = "organic"
) -> Certification:
    certification = Certification(
        producer_group_id=group.id,
        scheme=scheme,
        issuer="Organic Agriculture Certification Thailand",
        number=unique("ACT"),
        expires_on=expires_on,
    )
    session.add(certification)
    await session.flush()
    return certification


async def member_rows(session: AsyncSession, producer_group_id: UUID) -> int:
    statement = select(func.count()).where(FarmingHousehold.producer_group_id == producer_group_id)
    return int(await session.scalar(statement) or 0)


async def stored_member_count(session: AsyncSession, producer_group_id: UUID) -> int:
    """The counter column as stored now (a column select bypasses the identity map)."""
    statement = select(ProducerGroup.member_count).where(ProducerGroup.id == producer_group_id)
    return int(await session.scalar(statement) or 0)


async def current_coordinator_ids(session: AsyncSession, producer_group_id: UUID) -> set[UUID]:
    statement = select(ProducerCoordinator.user_id).where(
        ProducerCoordinator.producer_group_id == producer_group_id, ProducerCoordinator.ended_at.is_(None)
    )
    return set((await session.scalars(statement)).all())


async def certification_count(session: AsyncSession, producer_group_id: UUID) -> int:
    statement = select(func.count()).where(Certification.producer_group_id == producer_group_id)
    return int(await session.scalar(statement) or 0)


@dataclass(frozen=True)
class Callers:
    """A producer group and one user per role, for authorization matrices.

    `coordinator` founded the group and eats in no member household; `member` and `co_coordinator` each
    belong to a farming household of it (the latter also coordinates); `outsider` coordinates another
    producer group and farms in it.
    """

    settings: Settings
    group: ProducerGroup
    coordinator: User
    co_coordinator: User
    member: User
    member_household: Household
    co_coordinator_household: Household
    outsider: User

    def headers_for(self, caller: str | None) -> dict[str, str]:
        if caller is None:
            return {}
        user: User = getattr(self, caller)
        return auth_headers(self.settings, user.id)


async def create_callers(session: AsyncSession, settings: Settings) -> Callers:
    coordinator = await create_user(session, display_name="Somchai")
    co_coordinator = await create_user(session, display_name="Malee")
    member = await create_user(session, display_name="Niran")
    outsider = await create_user(session, display_name="Linh")
    member_household = await create_household(session, member)
    co_coordinator_household = await create_household(session, co_coordinator)
    group = await create_producer_group(
        session, coordinators=[coordinator, co_coordinator], households=[member_household, co_coordinator_household]
    )
    await create_producer_group(
        session, coordinators=[outsider], households=[await create_household(session, outsider)]
    )
    return Callers(
        settings=settings,
        group=group,
        coordinator=coordinator,
        co_coordinator=co_coordinator,
        member=member,
        member_household=member_household,
        co_coordinator_household=co_coordinator_household,
        outsider=outsider,
    )
