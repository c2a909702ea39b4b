"""Households and consumer groups: scale (principle 9), voice and exit, democratic management
(principle 7) and pickup stations (principle 6)."""

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.principal import Principal
from app.core.db import utc_now
from app.core.http import require_match
from app.core.pagination import CursorPage, paginate
from app.core.schemas import Page
from app.groups import policies, repository
from app.groups.errors import (
    AlreadyCoordinator,
    AlreadyHouseholdMember,
    AlreadyMember,
    AlreadyWaiting,
    CoordinatorMustBeMember,
    CoordinatorNotFound,
    GroupFull,
    GroupHasRoom,
    GroupNotFound,
    LastCoordinator,
    NotAMember,
    NotWaiting,
    QuorumAboveCoordinators,
    TooManyHouseholds,
    UserNotFound,
)
from app.groups.models import (
    MAX_HOUSEHOLDS,
    MIN_ACTIVE_HOUSEHOLDS,
    ConsumerGroup,
    Coordinator,
    GroupStatus,
    Household,
    HouseholdMember,
    Membership,
    PickupStation,
    WaitingListEntry,
)
from app.groups.schemas import (
    ConsumerGroupCreate,
    ConsumerGroupRead,
    ConsumerGroupUpdate,
    CoordinatorRead,
    HouseholdGroupsRead,
    HouseholdMemberRead,
    HouseholdRead,
    MembershipRead,
    PickupStationCreate,
    WaitingListEntryRead,
)

# Households


async def create_household(
    session: AsyncSession, principal: Principal, *, name: str, households_per_user_max: int
) -> HouseholdRead:
    """Create a household with the caller as its first member, unless the caller already belongs to
    `households_per_user_max` households (HOUSEHOLDS_PER_USER_MAX): a family needs one."""
    if not await _has_room_for_another_household(session, principal.user_id, households_per_user_max):
        raise TooManyHouseholds(households_per_user_max)
    household = Household(name=name)
    session.add(household)
    await session.flush()
    session.add(HouseholdMember(household_id=household.id, user_id=principal.user_id))
    await session.flush()
    return await get_household(session, principal, household.id)


async def get_household(session: AsyncSession, principal: Principal, household_id: UUID) -> HouseholdRead:
    household = await policies.household_acted_for_by(session, principal, household_id)
    members = [
        HouseholdMemberRead(user_id=member.user_id, display_name=display_name, created_at=member.created_at)
        for member, display_name in await repository.household_members(session, household.id)
    ]
    return HouseholdRead(id=household.id, name=household.name, created_at=household.created_at, members=members)


async def list_households_of(
    session: AsyncSession, principal: Principal, *, limit: int, cursor: str | None
) -> CursorPage:
    return await paginate(
        session,
        repository.households_of_user(principal.user_id),
        created_at=Household.created_at,
        id_column=Household.id,
        limit=limit,
        cursor=cursor,
    )


async def add_household_member(
    session: AsyncSession, principal: Principal, *, household_id: UUID, user_id: UUID, households_per_user_max: int
) -> HouseholdRead:
    """A member of a household adds another user to it; a user may eat in several households, up to
    `households_per_user_max`."""
    household = await policies.household_acted_for_by(session, principal, household_id)
    if await session.get(User, user_id) is None:
        raise UserNotFound(user_id)
    if await repository.user_belongs_to_household(session, user_id, household.id):
        raise AlreadyHouseholdMember(f"User {user_id} already belongs to '{household.name}'.")
    if not await _has_room_for_another_household(session, user_id, households_per_user_max):
        raise TooManyHouseholds(households_per_user_max, yourself=user_id == principal.user_id)
    session.add(HouseholdMember(household_id=household.id, user_id=user_id))
    await session.flush()
    return await get_household(session, principal, household.id)


async def _has_room_for_another_household(session: AsyncSession, user_id: UUID, households_per_user_max: int) -> bool:
    # The user's row locked, so two additions for one user count one after the other (PostgreSQL;
    # on SQLite, BEGIN IMMEDIATE already queues writers).
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())
    belongs_to = await session.scalar(
        select(func.count()).select_from(HouseholdMember).where(HouseholdMember.user_id == user_id)
    )
    return (belongs_to or 0) < households_per_user_max


async def household_groups(session: AsyncSession, principal: Principal, household_id: UUID) -> HouseholdGroupsRead:
    """What a household belongs to and waits for; it needs no coordinator to see or change this."""
    household = await policies.household_acted_for_by(session, principal, household_id)
    memberships = [
        MembershipRead.model_validate(membership)
        for membership in await repository.memberships_of_household(session, household.id)
    ]
    waiting = [
        await _waiting_read(session, entry)
        for entry in await repository.waiting_entries_of_household(session, household.id)
    ]
    return HouseholdGroupsRead(memberships=memberships, waiting=waiting)


# Consumer groups


async def create_group(session: AsyncSession, principal: Principal, data: ConsumerGroupCreate) -> ConsumerGroup:
    """Found a consumer group; its founder is its first coordinator. It is `forming` until 15 households join."""
    group = ConsumerGroup(**data.model_dump(), status=GroupStatus.forming, member_count=0, coordinator_count=1)
    session.add(group)
    await session.flush()
    session.add(Coordinator(group_id=group.id, user_id=principal.user_id, appointed_by=principal.user_id))
    await session.flush()
    return group


async def list_groups(
    session: AsyncSession, *, country: str | None, status: GroupStatus | None, limit: int, cursor: str | None
) -> CursorPage:
    statement = select(ConsumerGroup)
    if country:
        statement = statement.where(ConsumerGroup.country == country)
    if status:
        statement = statement.where(ConsumerGroup.status == status)
    return await paginate(
        session, statement, created_at=ConsumerGroup.created_at, id_column=ConsumerGroup.id, limit=limit, cursor=cursor
    )


async def get_group(session: AsyncSession, group_id: UUID) -> ConsumerGroup:
    group = await repository.get_group(session, group_id)
    if group is None:
        raise GroupNotFound(group_id)
    return group


async def _locked_group(session: AsyncSession, group_id: UUID) -> ConsumerGroup:
    group = await repository.get_group_for_update(session, group_id)
    if group is None:
        raise GroupNotFound(group_id)
    return group


async def update_group(
    session: AsyncSession, principal: Principal, *, group_id: UUID, changes: ConsumerGroupUpdate, if_match: str | None
) -> ConsumerGroup:
    group = await _locked_group(session, group_id)
    await policies.require_coordinator(session, principal, group)
    require_match(if_match, ConsumerGroupRead.model_validate(group))
    values = changes.model_dump(exclude_unset=True)
    quorum = values.get("approval_quorum")
    if quorum is not None and quorum > group.coordinator_count:
        raise QuorumAboveCoordinators(
            f"The group has {group.coordinator_count} coordinators; the quorum can be at most that.",
            coordinator_count=group.coordinator_count,
        )
    for field, value in values.items():
        if value is not None or field == "approval_quorum":
            setattr(group, field, value)
    await session.flush()
    return group


# Membership: voice and exit (principle 9)


async def join_group(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID
) -> MembershipRead:
    """Add a household to a group. The 151st is refused; at 15 households the group becomes active."""
    household = await policies.household_acted_for_by(session, principal, household_id)
    group = await _locked_group(session, group_id)
    if await repository.get_membership(session, group.id, household.id) is not None:
        raise AlreadyMember(f"'{household.name}' already belongs to '{group.name}'.")
    if group.member_count >= MAX_HOUSEHOLDS:
        raise GroupFull(group.id)
    membership = await _admit(session, group, household)
    return MembershipRead.model_validate(membership)


async def leave_group(session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID) -> None:
    """A household may always leave (the right of exit); the first household waiting takes its place."""
    household = await policies.household_acted_for_by(session, principal, household_id)
    group = await _locked_group(session, group_id)
    membership = await repository.get_membership(session, group.id, household.id)
    if membership is None:
        raise NotAMember(f"'{household.name}' does not belong to '{group.name}'.")
    await session.delete(membership)
    group.member_count -= 1
    await session.flush()
    next_in_line = await repository.first_waiting(session, group.id)
    if next_in_line is not None:
        await _admit(session, group, await session.get_one(Household, next_in_line.household_id))
    _update_status(group)
    await session.flush()


async def _admit(session: AsyncSession, group: ConsumerGroup, household: Household) -> Membership:
    waiting = await repository.get_waiting_entry(session, group.id, household.id)
    if waiting is not None:
        await session.delete(waiting)
    membership = Membership(group_id=group.id, household=household)
    session.add(membership)
    group.member_count += 1
    _update_status(group)
    await session.flush()
    return membership


def _update_status(group: ConsumerGroup) -> None:
    # A group that falls below 15 is forming again and signs no new agreement (principle 9).
    group.status = GroupStatus.active if group.member_count >= MIN_ACTIVE_HOUSEHOLDS else GroupStatus.forming


async def list_members(
    session: AsyncSession, principal: Principal, *, group_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    group = await get_group(session, group_id)
    await policies.require_member_or_coordinator(session, principal, group)
    return await paginate(
        session,
        repository.member_households(group.id),
        created_at=Membership.created_at,
        id_column=Membership.id,
        limit=limit,
        cursor=cursor,
    )


# Waiting list


async def join_waiting_list(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID
) -> WaitingListEntryRead:
    """A household refused because the group is full waits here, first come, first served."""
    household = await policies.household_acted_for_by(session, principal, household_id)
    group = await _locked_group(session, group_id)
    if await repository.get_membership(session, group.id, household.id) is not None:
        raise AlreadyMember(f"'{household.name}' already belongs to '{group.name}'.")
    if group.member_count < MAX_HOUSEHOLDS:
        raise GroupHasRoom(f"'{group.name}' has room for {MAX_HOUSEHOLDS - group.member_count} more households.")
    if await repository.get_waiting_entry(session, group.id, household.id) is not None:
        raise AlreadyWaiting(f"'{household.name}' is already waiting for '{group.name}'.")
    entry = WaitingListEntry(group_id=group.id, household=household)
    session.add(entry)
    await session.flush()
    return await _waiting_read(session, entry)


async def leave_waiting_list(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID
) -> None:
    household = await policies.household_acted_for_by(session, principal, household_id)
    group = await _locked_group(session, group_id)
    entry = await repository.get_waiting_entry(session, group.id, household.id)
    if entry is None:
        raise NotWaiting(f"'{household.name}' is not waiting for '{group.name}'.")
    await session.delete(entry)
    await session.flush()


async def list_waiting(
    session: AsyncSession, principal: Principal, *, group_id: UUID, limit: int, cursor: str | None
) -> Page[WaitingListEntryRead]:
    """The households waiting, first come first; a position counts every household ahead, on earlier pages too."""
    group = await get_group(session, group_id)
    await policies.require_member_or_coordinator(session, principal, group)
    page = await paginate(
        session,
        repository.waiting_list(group.id),
        created_at=WaitingListEntry.created_at,
        id_column=WaitingListEntry.id,
        limit=limit,
        cursor=cursor,
    )
    # One count places the page's first entry; the others follow it in the same order, without gaps.
    first = await repository.waiting_position(session, page.rows[0]) if page.rows else 1
    return Page[WaitingListEntryRead](
        data=[_waiting_entry_read(entry, position) for position, entry in enumerate(page.rows, start=first)],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


async def _waiting_read(session: AsyncSession, entry: WaitingListEntry) -> WaitingListEntryRead:
    return _waiting_entry_read(entry, await repository.waiting_position(session, entry))


def _waiting_entry_read(entry: WaitingListEntry, position: int) -> WaitingListEntryRead:
    return WaitingListEntryRead(
        group_id=entry.group_id,
        household_id=entry.household_id,
        household_name=entry.household_name,
        position=position,
        created_at=entry.created_at,
    )


# Coordinators (principle 7)


async def appoint_coordinator(
    session: AsyncSession, principal: Principal, *, group_id: UUID, user_id: UUID
) -> CoordinatorRead:
    """A coordinator appoints another; the appointee must eat in one of the group's households."""
    group = await _locked_group(session, group_id)
    await policies.require_coordinator(session, principal, group)
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFound(user_id)
    if await repository.is_coordinator(session, user_id, group.id):
        raise AlreadyCoordinator(f"{user.display_name} already coordinates '{group.name}'.")
    if not await repository.user_in_member_household(session, user_id, group.id):
        raise CoordinatorMustBeMember(f"{user.display_name} belongs to no household of '{group.name}'.")
    term = Coordinator(group_id=group.id, user_id=user_id, appointed_by=principal.user_id)
    session.add(term)
    group.coordinator_count += 1
    await session.flush()
    return _coordinator_read(term, user.display_name)


async def end_coordinator_term(
    session: AsyncSession, principal: Principal, *, group_id: UUID, user_id: UUID
) -> CoordinatorRead:
    """Rotate a coordinator out (or step down). The term stays in the history; one coordinator always remains."""
    group = await _locked_group(session, group_id)
    await policies.require_coordinator(session, principal, group)
    term = await repository.current_coordinator(session, user_id, group.id)
    if term is None:
        raise CoordinatorNotFound(f"User {user_id} is not a current coordinator of '{group.name}'.")
    if group.coordinator_count <= 1:
        raise LastCoordinator(f"Appoint another coordinator of '{group.name}' first.")
    term.ended_at = utc_now()
    term.ended_by = principal.user_id
    group.coordinator_count -= 1
    await session.flush()
    user = await session.get(User, user_id)
    return _coordinator_read(term, user.display_name if user else "")


async def list_coordinators(
    session: AsyncSession, principal: Principal, *, group_id: UUID, limit: int, cursor: str | None
) -> Page[CoordinatorRead]:
    """Current and past coordinator terms, in the order they were appointed."""
    group = await get_group(session, group_id)
    await policies.require_member_or_coordinator(session, principal, group)
    page = await paginate(
        session,
        repository.coordinator_terms(group.id),
        created_at=Coordinator.appointed_at,
        id_column=Coordinator.id,
        limit=limit,
        cursor=cursor,
    )
    names = await repository.display_names(session, [term.user_id for term in page.rows])
    return Page[CoordinatorRead](
        data=[_coordinator_read(term, names[term.user_id]) for term in page.rows],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


def _coordinator_read(term: Coordinator, display_name: str) -> CoordinatorRead:
    return CoordinatorRead(
        group_id=term.group_id,
        user_id=term.user_id,
        display_name=display_name,
        appointed_by=term.appointed_by,
        appointed_at=term.appointed_at,
        ended_by=term.ended_by,
        ended_at=term.ended_at,
    )


# Pickup stations (principle 6)


async def add_pickup_station(
    session: AsyncSession, principal: Principal, *, group_id: UUID, data: PickupStationCreate
) -> PickupStation:
    group = await get_group(session, group_id)
    await policies.require_coordinator(session, principal, group)
    station = PickupStation(group_id=group.id, **data.model_dump())
    session.add(station)
    await session.flush()
    return station


async def list_pickup_stations(
    session: AsyncSession, principal: Principal, *, group_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    group = await get_group(session, group_id)
    await policies.require_member_or_coordinator(session, principal, group)
    return await paginate(
        session,
        repository.pickup_stations(group.id),
        created_at=PickupStation.created_at,
        id_column=PickupStation.id,
        limit=limit,
        cursor=cursor,
    )
