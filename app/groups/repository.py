"""Queries for households and consumer groups. Rules live in service.py; who may see what starts here."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.groups.models import (
    ConsumerGroup,
    Coordinator,
    Household,
    HouseholdMember,
    Membership,
    PickupStation,
    WaitingListEntry,
)


async def get_group(session: AsyncSession, group_id: UUID) -> ConsumerGroup | None:
    return await session.get(ConsumerGroup, group_id)


async def get_group_for_update(session: AsyncSession, group_id: UUID) -> ConsumerGroup | None:
    # Row lock: concurrent joins, leaves and appointments to one group queue here, so counts cannot race.
    # (SQLite ignores FOR UPDATE; there every transaction holds the write lock from BEGIN IMMEDIATE.)
    statement = select(ConsumerGroup).where(ConsumerGroup.id == group_id).with_for_update()
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def user_belongs_to_household(session: AsyncSession, user_id: UUID, household_id: UUID) -> bool:
    statement = select(exists().where(HouseholdMember.user_id == user_id, HouseholdMember.household_id == household_id))
    return bool(await session.scalar(statement))


async def household_members(session: AsyncSession, household_id: UUID) -> Sequence[tuple[HouseholdMember, str]]:
    statement = (
        select(HouseholdMember, User.display_name)
        .join(User, User.id == HouseholdMember.user_id)
        .where(HouseholdMember.household_id == household_id)
        .order_by(HouseholdMember.created_at, HouseholdMember.user_id)
    )
    return (await session.execute(statement)).all()


def households_of_user(user_id: UUID) -> Select[Household]:
    return (
        select(Household)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(HouseholdMember.user_id == user_id)
    )


async def user_in_member_household(session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
    """Whether the user eats in a household of the group: the edge of the group's private data."""
    statement = select(
        exists()
        .where(Membership.group_id == group_id, Membership.household_id == HouseholdMember.household_id)
        .where(HouseholdMember.user_id == user_id)
    )
    return bool(await session.scalar(statement))


async def is_coordinator(session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
    return await current_coordinator(session, user_id, group_id) is not None


async def current_coordinator(session: AsyncSession, user_id: UUID, group_id: UUID) -> Coordinator | None:
    statement = select(Coordinator).where(
        Coordinator.group_id == group_id, Coordinator.user_id == user_id, Coordinator.ended_at.is_(None)
    )
    return await session.scalar(statement)


async def get_membership(session: AsyncSession, group_id: UUID, household_id: UUID) -> Membership | None:
    statement = select(Membership).where(Membership.group_id == group_id, Membership.household_id == household_id)
    return await session.scalar(statement.options(joinedload(Membership.household)))


async def get_waiting_entry(session: AsyncSession, group_id: UUID, household_id: UUID) -> WaitingListEntry | None:
    statement = select(WaitingListEntry).where(
        WaitingListEntry.group_id == group_id, WaitingListEntry.household_id == household_id
    )
    return await session.scalar(statement.options(joinedload(WaitingListEntry.household)))


async def first_waiting(session: AsyncSession, group_id: UUID) -> WaitingListEntry | None:
    statement = select(WaitingListEntry).where(WaitingListEntry.group_id == group_id)
    return await session.scalar(statement.order_by(WaitingListEntry.created_at, WaitingListEntry.id).limit(1))


async def waiting_position(session: AsyncSession, entry: WaitingListEntry) -> int:
    ahead = select(func.count()).where(
        WaitingListEntry.group_id == entry.group_id,
        (WaitingListEntry.created_at < entry.created_at)
        | ((WaitingListEntry.created_at == entry.created_at) & (WaitingListEntry.id < entry.id)),
    )
    return int(await session.scalar(ahead) or 0) + 1


def waiting_list(group_id: UUID) -> Select[WaitingListEntry]:
    """The group's waiting list; paged in (created_at, id) order, the order `waiting_position` counts in."""
    statement = select(WaitingListEntry).where(WaitingListEntry.group_id == group_id)
    return statement.options(joinedload(WaitingListEntry.household))


def member_households(group_id: UUID) -> Select[Membership]:
    return select(Membership).where(Membership.group_id == group_id).options(joinedload(Membership.household))


async def memberships_of_household(session: AsyncSession, household_id: UUID) -> Sequence[Membership]:
    statement = select(Membership).where(Membership.household_id == household_id)
    statement = statement.options(joinedload(Membership.household))
    return (await session.scalars(statement.order_by(Membership.created_at, Membership.id))).all()


async def waiting_entries_of_household(session: AsyncSession, household_id: UUID) -> Sequence[WaitingListEntry]:
    statement = select(WaitingListEntry).where(WaitingListEntry.household_id == household_id)
    statement = statement.options(joinedload(WaitingListEntry.household))
    return (await session.scalars(statement.order_by(WaitingListEntry.created_at, WaitingListEntry.id))).all()


def coordinator_terms(group_id: UUID) -> Select[Coordinator]:
    return select(Coordinator).where(Coordinator.group_id == group_id)


async def display_names(session: AsyncSession, user_ids: Sequence[UUID]) -> dict[UUID, str]:
    """The users' display names in one query, for a page of rows that name users."""
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {row.id: row.display_name for row in rows}


def pickup_stations(group_id: UUID) -> Select[PickupStation]:
    return select(PickupStation).where(PickupStation.group_id == group_id)


def groups_of_user(user_id: UUID) -> Select[tuple[UUID]]:
    """Consumer groups the user eats in (through a household) or currently coordinates."""
    as_member = (
        select(Membership.group_id)
        .join(HouseholdMember, HouseholdMember.household_id == Membership.household_id)
        .where(HouseholdMember.user_id == user_id)
    )
    as_coordinator = select(Coordinator.group_id).where(Coordinator.user_id == user_id, Coordinator.ended_at.is_(None))
    return as_member.union(as_coordinator)  # type: ignore[return-value]
