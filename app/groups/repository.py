"""Queries for households and consumer groups. Rules live in service.py; who may see what starts here."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import Exists, Row, Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased, joinedload

from app.accounts.models import User
from app.groups.coordinator_terms import CoordinatorTerms
from app.groups.models import (
    ConsumerGroup,
    Coordinator,
    Household,
    HouseholdMember,
    Membership,
    MembershipRequest,
    Motion,
    MotionApproval,
    PickupStation,
    RequestStatus,
    WaitingListEntry,
)


async def get_group(session: AsyncSession, group_id: UUID) -> ConsumerGroup | None:
    return await session.get(ConsumerGroup, group_id)


async def get_group_for_update(session: AsyncSession, group_id: UUID) -> ConsumerGroup | None:
    # Row lock: concurrent joins, leaves and appointments to one group queue here, so counts cannot race.
    # (SQLite ignores FOR UPDATE; there every transaction holds the write lock from BEGIN IMMEDIATE.)
    # Locked first, read after: the locking statement reads as of before its wait (PostgreSQL), so the
    # coordinators it counted would miss a term appointed by the transaction it waited for.
    locked = await session.scalar(select(ConsumerGroup.id).where(ConsumerGroup.id == group_id).with_for_update())
    if locked is None:
        return None
    return await session.get(ConsumerGroup, group_id, populate_existing=True)


async def get_household_for_update(session: AsyncSession, household_id: UUID) -> Household | None:
    """The household, its row locked: changes to its members and to the groups it belongs to or waits for
    then run one after the other (FOR NO KEY UPDATE, so rows referring to it are still inserted alongside).

    Lock order: a household's row before any consumer group's, and groups in id order, on every path
    that takes both; so no two transactions ever wait for each other in a circle."""
    statement = select(Household).where(Household.id == household_id).with_for_update(key_share=True)
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def lock_groups_of_household(session: AsyncSession, household_id: UUID) -> None:
    """Lock, in id order, the groups the household belongs to or waits for: the locks a join or an
    admission from the waiting list takes, so adding a member cannot interleave with either."""
    belongs = select(Membership.group_id).where(Membership.household_id == household_id)
    waits = select(WaitingListEntry.group_id).where(WaitingListEntry.household_id == household_id)
    statement = (
        select(ConsumerGroup.id)
        .where(ConsumerGroup.id.in_(belongs) | ConsumerGroup.id.in_(waits))
        .order_by(ConsumerGroup.id)  # PostgreSQL locks the rows in the order it returns them
        .with_for_update()
    )
    await session.execute(statement)


async def user_belongs_to_household(session: AsyncSession, user_id: UUID, household_id: UUID) -> bool:
    statement = select(exists().where(HouseholdMember.user_id == user_id, HouseholdMember.household_id == household_id))
    return bool(await session.scalar(statement))


async def get_household_member(session: AsyncSession, household_id: UUID, user_id: UUID) -> HouseholdMember | None:
    return await session.get(HouseholdMember, (household_id, user_id))


async def household_member_count(session: AsyncSession, household_id: UUID) -> int:
    statement = select(func.count()).select_from(HouseholdMember).where(HouseholdMember.household_id == household_id)
    return int(await session.scalar(statement) or 0)


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


# Coordinator terms follow the rules shared with producer groups; an appointee eats in a member household.
coordinator_terms = CoordinatorTerms(Coordinator, ConsumerGroup, Membership)


async def is_coordinator(session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
    return await coordinator_terms.is_coordinator(session, user_id, group_id)


async def get_membership(session: AsyncSession, group_id: UUID, household_id: UUID) -> Membership | None:
    statement = select(Membership).where(Membership.group_id == group_id, Membership.household_id == household_id)
    return await session.scalar(statement.options(joinedload(Membership.household)))


async def get_waiting_entry(session: AsyncSession, group_id: UUID, household_id: UUID) -> WaitingListEntry | None:
    statement = select(WaitingListEntry).where(
        WaitingListEntry.group_id == group_id, WaitingListEntry.household_id == household_id
    )
    return await session.scalar(statement.options(joinedload(WaitingListEntry.household)))


async def first_admissible_waiting(session: AsyncSession, group_id: UUID) -> WaitingListEntry | None:
    """The household waiting longest that the group may admit now: one none of whose users already
    belongs to another member household of the group."""
    statement = select(WaitingListEntry).where(
        WaitingListEntry.group_id == group_id, ~_counts_a_user_twice(WaitingListEntry.household_id, group_id)
    )
    return await session.scalar(statement.order_by(WaitingListEntry.created_at, WaitingListEntry.id).limit(1))


def _counts_a_user_twice(household_id: InstrumentedAttribute[UUID], group_id: UUID) -> Exists:
    """Whether a user of the household already belongs to another member household of the group."""
    own, other = aliased(HouseholdMember), aliased(HouseholdMember)
    return exists().where(
        own.household_id == household_id,
        other.user_id == own.user_id,
        other.household_id != own.household_id,
        Membership.household_id == other.household_id,
        Membership.group_id == group_id,
    )


async def user_counted_through_another_household(
    session: AsyncSession, household_id: UUID, group_id: UUID
) -> Row[UUID, str] | None:
    """A user of the household (id, display name) who already belongs to another member household of the group."""
    own, other = aliased(HouseholdMember), aliased(HouseholdMember)
    statement = (
        select(User.id, User.display_name)
        .join(own, own.user_id == User.id)
        .join(other, (other.user_id == own.user_id) & (other.household_id != own.household_id))
        .join(Membership, Membership.household_id == other.household_id)
        .where(own.household_id == household_id, Membership.group_id == group_id)
    )
    return (await session.execute(statement.order_by(User.id).limit(1))).first()


async def group_counting_user_through_another_household(
    session: AsyncSession, user_id: UUID, household_id: UUID
) -> ConsumerGroup | None:
    """A group the household belongs to in which the user already belongs through another household."""
    ours, theirs = aliased(Membership), aliased(Membership)
    statement = (
        select(ConsumerGroup)
        .join(ours, ours.group_id == ConsumerGroup.id)
        .join(theirs, (theirs.group_id == ours.group_id) & (theirs.household_id != ours.household_id))
        .join(HouseholdMember, HouseholdMember.household_id == theirs.household_id)
        .where(ours.household_id == household_id, HouseholdMember.user_id == user_id)
    )
    return await session.scalar(statement.order_by(ConsumerGroup.id).limit(1))


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


async def waiting_entries_of_household(session: AsyncSession, household_id: UUID) -> list[tuple[WaitingListEntry, int]]:
    """The household's places on waiting lists, each with its position there, in one query."""
    ahead = aliased(WaitingListEntry)
    position = (
        select(func.count() + 1)
        .where(
            ahead.group_id == WaitingListEntry.group_id,
            (ahead.created_at < WaitingListEntry.created_at)
            | ((ahead.created_at == WaitingListEntry.created_at) & (ahead.id < WaitingListEntry.id)),
        )
        .correlate(WaitingListEntry)
        .scalar_subquery()
    )
    statement = select(WaitingListEntry, position).where(WaitingListEntry.household_id == household_id)
    statement = statement.options(joinedload(WaitingListEntry.household))
    rows = await session.execute(statement.order_by(WaitingListEntry.created_at, WaitingListEntry.id))
    return [(entry, int(place)) for entry, place in rows.all()]


async def get_membership_request(
    session: AsyncSession, request_id: UUID, *, fresh: bool = False
) -> MembershipRequest | None:
    """The request; `fresh` reads it again, for a caller that has just waited for the group's lock."""
    statement = select(MembershipRequest).where(MembershipRequest.id == request_id)
    statement = statement.options(joinedload(MembershipRequest.household))
    if fresh:
        statement = statement.execution_options(populate_existing=True)
    return await session.scalar(statement)


async def pending_request(session: AsyncSession, group_id: UUID, household_id: UUID) -> MembershipRequest | None:
    statement = select(MembershipRequest).where(
        MembershipRequest.group_id == group_id,
        MembershipRequest.household_id == household_id,
        MembershipRequest.status == RequestStatus.pending,
    )
    return await session.scalar(statement)


def membership_requests_of_group(group_id: UUID, status: RequestStatus | None) -> Select[MembershipRequest]:
    statement = select(MembershipRequest).where(MembershipRequest.group_id == group_id)
    if status is not None:
        statement = statement.where(MembershipRequest.status == status)
    return statement.options(joinedload(MembershipRequest.household))


def membership_requests_of_household(household_id: UUID) -> Select[MembershipRequest]:
    statement = select(MembershipRequest).where(MembershipRequest.household_id == household_id)
    return statement.options(joinedload(MembershipRequest.household))


def pickup_stations(group_id: UUID) -> Select[PickupStation]:
    return select(PickupStation).where(PickupStation.group_id == group_id)


def groups_of_user(user_id: UUID) -> Select[tuple[UUID]]:
    """Consumer groups the user eats in (through a household) or currently coordinates."""
    as_member = (
        select(Membership.group_id)
        .join(HouseholdMember, HouseholdMember.household_id == Membership.household_id)
        .where(HouseholdMember.user_id == user_id)
    )
    return as_member.union(coordinator_terms.groups_coordinated_by(user_id))  # type: ignore[return-value]


async def get_motion(session: AsyncSession, motion_id: UUID, *, lock: bool = False) -> Motion | None:
    """The motion; `lock` locks its row and reads it again, for a caller holding its group's lock (taken
    first: the group's row, then the motion's)."""
    statement = select(Motion).where(Motion.id == motion_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


def motions_of_group(group_column: InstrumentedAttribute[UUID | None], group_id: UUID) -> Select[Motion]:
    """The motions of a group of either kind: `group_column` is Motion.group_id or Motion.producer_group_id."""
    return select(Motion).where(group_column == group_id)


async def has_approved(session: AsyncSession, motion_id: UUID, user_id: UUID) -> bool:
    return await session.get(MotionApproval, (motion_id, user_id)) is not None


async def approvals_in_office(session: AsyncSession, motion: Motion, in_office: Select[UUID]) -> int:
    """The motion's approvals whose coordinators hold office now (`in_office`, the group's coordinators):
    an ended term's approval no longer counts."""
    statement = select(func.count()).where(MotionApproval.motion_id == motion.id, MotionApproval.user_id.in_(in_office))
    return int(await session.scalar(statement) or 0)


async def approvals_of(session: AsyncSession, motion_ids: Sequence[UUID]) -> Sequence[MotionApproval]:
    statement = select(MotionApproval).where(MotionApproval.motion_id.in_(motion_ids))
    return (await session.scalars(statement.order_by(MotionApproval.approved_at, MotionApproval.user_id))).all()
