"""Queries for producer groups. Rules live in service.py; who may see what starts here."""

from uuid import UUID

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.groups.coordinator_terms import CoordinatorTerms
from app.groups.models import Household, HouseholdMember
from app.producers.models import Certification, FarmingHousehold, ProducerCoordinator, ProducerGroup


def producer_groups(*, country: str | None) -> Select[ProducerGroup]:
    statement = select(ProducerGroup)
    if country:
        statement = statement.where(ProducerGroup.country == country)
    return statement


async def get_producer_group(session: AsyncSession, producer_group_id: UUID) -> ProducerGroup | None:
    return await session.get(ProducerGroup, producer_group_id)


async def get_producer_group_for_update(session: AsyncSession, producer_group_id: UUID) -> ProducerGroup | None:
    # Row lock: concurrent admissions, exits and coordinator changes of one group queue here, so
    # member_count and the count of coordinators in office cannot race. (SQLite ignores FOR UPDATE;
    # there every transaction holds the write lock from BEGIN IMMEDIATE.)
    statement = select(ProducerGroup).where(ProducerGroup.id == producer_group_id).with_for_update()
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def get_household(session: AsyncSession, household_id: UUID) -> Household | None:
    return await session.get(Household, household_id)


async def get_membership(session: AsyncSession, producer_group_id: UUID, household_id: UUID) -> FarmingHousehold | None:
    statement = select(FarmingHousehold).where(
        FarmingHousehold.producer_group_id == producer_group_id, FarmingHousehold.household_id == household_id
    )
    return await session.scalar(statement.options(joinedload(FarmingHousehold.household)))


def member_households(producer_group_id: UUID) -> Select[FarmingHousehold]:
    statement = select(FarmingHousehold).where(FarmingHousehold.producer_group_id == producer_group_id)
    return statement.options(joinedload(FarmingHousehold.household))


async def user_in_member_household(session: AsyncSession, user_id: UUID, producer_group_id: UUID) -> bool:
    """Whether the user belongs to a farming household of the group: the edge of its private data."""
    statement = select(
        exists()
        .where(
            FarmingHousehold.producer_group_id == producer_group_id,
            FarmingHousehold.household_id == HouseholdMember.household_id,
        )
        .where(HouseholdMember.user_id == user_id)
    )
    return bool(await session.scalar(statement))


# Coordinator terms follow the rules shared with consumer groups; an appointee farms in a member household.
coordinator_terms = CoordinatorTerms(
    ProducerCoordinator, ProducerGroup, FarmingHousehold, households="farming household"
)


async def is_coordinator(session: AsyncSession, user_id: UUID, producer_group_id: UUID) -> bool:
    return await coordinator_terms.is_coordinator(session, user_id, producer_group_id)


def certifications(producer_group_id: UUID) -> Select[Certification]:
    return select(Certification).where(Certification.producer_group_id == producer_group_id)


async def get_certification(
    session: AsyncSession, producer_group_id: UUID, certification_id: UUID
) -> Certification | None:
    statement = select(Certification).where(
        Certification.id == certification_id, Certification.producer_group_id == producer_group_id
    )
    return await session.scalar(statement)


def producer_groups_of_user(user_id: UUID) -> Select[tuple[UUID]]:
    """Producer groups the user farms in (through a household) or currently coordinates."""
    as_member = (
        select(FarmingHousehold.producer_group_id)
        .join(HouseholdMember, HouseholdMember.household_id == FarmingHousehold.household_id)
        .where(HouseholdMember.user_id == user_id)
    )
    return as_member.union(coordinator_terms.groups_coordinated_by(user_id))  # type: ignore[return-value]
