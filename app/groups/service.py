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
from app.groups import coordinator_terms, policies, repository
from app.groups.coordinator_terms import (
    NamedTerm,
    require_quorum_settable,
)
from app.groups.errors import (
    AdmissionByApproval,
    AlreadyHouseholdMember,
    AlreadyInGroupThroughAnotherHousehold,
    AlreadyMember,
    AlreadyWaiting,
    GroupFull,
    GroupHasRoom,
    GroupNotFound,
    HouseholdMemberNotFound,
    LastHouseholdMember,
    MembershipRequestNotFound,
    NotAMember,
    NotWaiting,
    RequestAlreadyPending,
    RequestNotPending,
    TooManyHouseholds,
    UserNotFound,
)
from app.groups.models import (
    MAX_HOUSEHOLDS,
    MIN_ACTIVE_HOUSEHOLDS,
    Admission,
    ConsumerGroup,
    Coordinator,
    GroupStatus,
    Household,
    HouseholdMember,
    Membership,
    MembershipRequest,
    PickupStation,
    RequestStatus,
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
    HouseholdUpdate,
    MembershipRead,
    MembershipRequestRead,
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
    return await _household_read(session, household)


async def _household_read(session: AsyncSession, household: Household) -> HouseholdRead:
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
    `households_per_user_max`, but counts once within a consumer group: not in a household of a group
    the user already belongs to through another."""
    household = await policies.household_acted_for_by(session, principal, household_id, lock=True)
    # The groups' locks that joins and admissions take, so neither can interleave with this addition.
    await repository.lock_groups_of_household(session, household.id)
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFound(user_id)
    if await repository.user_belongs_to_household(session, user_id, household.id):
        raise AlreadyHouseholdMember(f"User {user_id} already belongs to '{household.name}'.")
    group = await repository.group_counting_user_through_another_household(session, user_id, household.id)
    if group is not None:
        raise AlreadyInGroupThroughAnotherHousehold(
            user_id=user.id, display_name=user.display_name, group_id=group.id, group_name=group.name
        )
    if not await _has_room_for_another_household(session, user_id, households_per_user_max):
        raise TooManyHouseholds(households_per_user_max, yourself=user_id == principal.user_id)
    session.add(HouseholdMember(household_id=household.id, user_id=user_id))
    await session.flush()
    return await get_household(session, principal, household.id)


async def update_household(
    session: AsyncSession, principal: Principal, *, household_id: UUID, changes: HouseholdUpdate, if_match: str | None
) -> HouseholdRead:
    """Its members rename a household; no coordinator is needed for what concerns the household alone."""
    household = await policies.household_acted_for_by(session, principal, household_id, lock=True)
    require_match(if_match, await _household_read(session, household))
    if changes.name is not None:
        household.name = changes.name
    await session.flush()
    return await _household_read(session, household)


async def remove_household_member(
    session: AsyncSession, principal: Principal, *, household_id: UUID, user_id: UUID
) -> None:
    """A member removes another member, or themself. The last member stays: a household is never left
    without anyone to act for it. One who leaves the household leaves its groups with it: their terms as
    coordinator of those groups end, unless they belong to a group through another household too, or no
    coordinator would remain (`last-coordinator`)."""
    # Locked, so two members removing each other at once cannot leave it empty.
    household = await policies.household_acted_for_by(session, principal, household_id, lock=True)
    # The household's groups, of either kind, locked after it (the order joins take): their coordinators
    # in office then change one transaction after another.
    await repository.lock_groups_of_household(session, household.id)
    member = await repository.get_household_member(session, household.id, user_id)
    if member is None:
        raise HouseholdMemberNotFound(f"User {user_id} does not belong to '{household.name}'.", user_id=str(user_id))
    if await repository.household_member_count(session, household.id) <= 1:
        raise LastHouseholdMember(
            f"User {user_id} is the last member of '{household.name}'; a household keeps someone to act for it."
        )
    groups = [
        (terms, group, await terms.belonging(session, group.id))
        for terms in coordinator_terms.KINDS
        for group in await terms.lock_groups_of_household(session, household.id)
    ]
    await session.delete(member)
    await session.flush()
    for terms, group, belonged in groups:
        await terms.end_terms_of_departed(session, group, belonged, ended_by=principal.user_id)


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
        _waiting_entry_read(entry, position)
        for entry, position in await repository.waiting_entries_of_household(session, household.id)
    ]
    return HouseholdGroupsRead(memberships=memberships, waiting=waiting)


# Consumer groups


async def create_group(session: AsyncSession, principal: Principal, data: ConsumerGroupCreate) -> ConsumerGroup:
    """Found a consumer group; its founder is its first coordinator. It is `forming` until 15 households join."""
    group = ConsumerGroup(**data.model_dump(), status=GroupStatus.forming, member_count=0)
    session.add(group)
    await session.flush()
    repository.coordinator_terms.found(session, group.id, founder_id=principal.user_id)
    await session.flush()
    await _recount_coordinators(session, group)
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
    if "approval_quorum" in values:
        require_quorum_settable(values["approval_quorum"], group)
    for field, value in values.items():
        if value is not None or field == "approval_quorum":
            setattr(group, field, value)
    await session.flush()
    return group


# Membership: voice and exit (principle 9)


async def join_group(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID
) -> MembershipRead | MembershipRequestRead:
    """Add a household to a group. The 151st is refused; at 15 households the group becomes active. A
    household one of whose users already belongs to the group through another household is refused. A
    group that admits by approval receives a request instead, for a coordinator to decide."""
    # The household's row before the group's (see repository.get_household_for_update on lock order).
    household = await policies.household_acted_for_by(session, principal, household_id, lock=True)
    group = await _locked_group(session, group_id)
    if await repository.get_membership(session, group.id, household.id) is not None:
        raise AlreadyMember(f"'{household.name}' already belongs to '{group.name}'.")
    # Before the group's size: a household refused for this would be refused from the waiting list too.
    await _refuse_a_user_counted_twice(session, group, household)
    if group.admission == Admission.by_approval:
        return await _request_admission(session, group, household)
    if group.member_count >= MAX_HOUSEHOLDS:
        raise GroupFull(group.id)
    membership = await _admit(session, group, household)
    return MembershipRead.model_validate(membership)


async def leave_group(session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID) -> None:
    """A household may always leave (the right of exit), but for one condition: a group keeps a
    coordinator, so the household of its last coordinators in office stays until another is appointed.
    The first household waiting takes its place."""
    household = await policies.household_acted_for_by(session, principal, household_id)
    group = await _locked_group(session, group_id)
    membership = await repository.get_membership(session, group.id, household.id)
    if membership is None:
        raise NotAMember(f"'{household.name}' does not belong to '{group.name}'.")
    await _end_membership(session, group, membership, ended_by=principal.user_id)


async def remove_member_household(
    session: AsyncSession, group: ConsumerGroup, household_id: UUID, *, ended_by: UUID
) -> None:
    """A household removed by a carried motion leaves as if it left by itself: it keeps the shares it
    paid for, its place goes to the first household waiting. The caller holds the group's lock."""
    membership = await repository.get_membership(session, group.id, household_id)
    if membership is None:
        raise NotAMember(f"Household {household_id} does not belong to '{group.name}'.", household_id=str(household_id))
    await _end_membership(session, group, membership, ended_by=ended_by)


async def _end_membership(
    session: AsyncSession, group: ConsumerGroup, membership: Membership, *, ended_by: UUID
) -> None:
    """The household goes, the first admissible household waiting takes its place, and the coordinators
    who belonged to the group only through it stop coordinating. The caller holds the group's lock."""
    belonged = await repository.coordinator_terms.belonging(session, group.id)
    await session.delete(membership)
    group.member_count -= 1
    await session.flush()
    # An entry whose household has a user who, since it queued, came to belong to another member household
    # is skipped, not dropped: it keeps its place, since that user may yet leave the other household, or
    # that household the group, and then it can be admitted; the next entry takes this place meanwhile.
    next_in_line = await repository.first_admissible_waiting(session, group.id)
    if next_in_line is not None:
        await _admit(session, group, await session.get_one(Household, next_in_line.household_id))
    _update_status(group)
    await session.flush()
    await repository.coordinator_terms.end_terms_of_departed(session, group, belonged, ended_by=ended_by)


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


async def _refuse_a_user_counted_twice(session: AsyncSession, group: ConsumerGroup, household: Household) -> None:
    """Within a group each user counts once: refuse a household one of whose users already belongs to
    another of the group's households. The caller holds the group's lock, as does every addition of a
    user to a household of the group, so the two cannot both pass."""
    counted = await repository.user_counted_through_another_household(session, household.id, group.id)
    if counted is not None:
        user_id, display_name = counted
        raise AlreadyInGroupThroughAnotherHousehold(
            user_id=user_id, display_name=display_name, group_id=group.id, group_name=group.name
        )


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


# Admission by approval: a household asks, a coordinator consents or declines (principle 7)


async def _request_admission(
    session: AsyncSession, group: ConsumerGroup, household: Household
) -> MembershipRequestRead:
    """Ask to join; asked while the group is full too, since an admission then places it on the waiting list.
    The caller holds the household's and the group's locks, so two requests cannot both pass as the first."""
    if await repository.pending_request(session, group.id, household.id) is not None:
        raise RequestAlreadyPending(f"'{household.name}' already asked to join '{group.name}'.")
    if await repository.get_waiting_entry(session, group.id, household.id) is not None:
        raise AlreadyWaiting(f"'{household.name}' is already waiting for '{group.name}'.")
    request = MembershipRequest(group_id=group.id, household=household, status=RequestStatus.pending)
    session.add(request)
    await session.flush()
    return MembershipRequestRead.model_validate(request)


async def admit_request(session: AsyncSession, principal: Principal, *, request_id: UUID) -> MembershipRequestRead:
    """A coordinator admits a household: a member if the group has room (the locks and the 150 check of a
    join), else on the waiting list, behind the households already there."""
    request, household, group = await _locked_request(session, principal, request_id)
    if await repository.get_membership(session, group.id, household.id) is not None:
        raise AlreadyMember(f"'{household.name}' already belongs to '{group.name}'.")
    # The household may have gained a user who, since it asked, came to belong through another household.
    await _refuse_a_user_counted_twice(session, group, household)
    if group.member_count < MAX_HOUSEHOLDS:
        await _admit(session, group, household)
        request.status = RequestStatus.admitted
    else:
        # Queued from the moment the group consents, so those who waited before keep their places.
        if await repository.get_waiting_entry(session, group.id, household.id) is None:
            session.add(WaitingListEntry(group_id=group.id, household=household))
        request.status = RequestStatus.waiting
    _record_decision(request, principal)
    await session.flush()
    return MembershipRequestRead.model_validate(request)


async def decline_request(
    session: AsyncSession, principal: Principal, *, request_id: UUID, reason: str
) -> MembershipRequestRead:
    """A coordinator declines a request, giving the household the reason."""
    request, _, _ = await _locked_request(session, principal, request_id)
    request.status = RequestStatus.declined
    request.decline_reason = reason
    _record_decision(request, principal)
    await session.flush()
    return MembershipRequestRead.model_validate(request)


async def _locked_request(
    session: AsyncSession, principal: Principal, request_id: UUID
) -> tuple[MembershipRequest, Household, ConsumerGroup]:
    """The pending request, once its household's and its group's rows are locked, in the order every join
    takes them (see repository.get_household_for_update); read again after the wait, so of two coordinators
    deciding it at once the second sees the first's decision."""
    request = await repository.get_membership_request(session, request_id)
    if request is None:
        raise MembershipRequestNotFound(request_id)
    household = await repository.get_household_for_update(session, request.household_id)
    group = await _locked_group(session, request.group_id)
    await policies.require_coordinator(session, principal, group)
    request = await repository.get_membership_request(session, request_id, fresh=True)
    if household is None or request is None:  # deleted while we waited for the locks
        raise MembershipRequestNotFound(request_id)
    if request.status != RequestStatus.pending:
        raise RequestNotPending(f"The request of '{household.name}' was already {request.status.value}.")
    return request, household, group


def _record_decision(request: MembershipRequest, principal: Principal) -> None:
    request.decided_by = principal.user_id
    request.decided_at = utc_now()


async def list_membership_requests(
    session: AsyncSession,
    principal: Principal,
    *,
    group_id: UUID,
    status: RequestStatus | None,
    limit: int,
    cursor: str | None,
) -> CursorPage:
    """The group's requests, oldest first: for its coordinators, who decide them."""
    group = await get_group(session, group_id)
    await policies.require_coordinator(session, principal, group)
    return await paginate(
        session,
        repository.membership_requests_of_group(group.id, status),
        created_at=MembershipRequest.requested_at,
        id_column=MembershipRequest.id,
        limit=limit,
        cursor=cursor,
    )


async def list_household_requests(
    session: AsyncSession, principal: Principal, *, household_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    """A household's own requests and their outcomes, with the reason of any decline."""
    household = await policies.household_acted_for_by(session, principal, household_id)
    return await paginate(
        session,
        repository.membership_requests_of_household(household.id),
        created_at=MembershipRequest.requested_at,
        id_column=MembershipRequest.id,
        limit=limit,
        cursor=cursor,
    )


# Waiting list


async def join_waiting_list(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID
) -> WaitingListEntryRead:
    """A household refused because the group is full waits here, first come, first served; not one the
    group would refuse anyway because a user of it already belongs through another household."""
    # The household's row before the group's, as join_group: an addition of a member then sees this entry.
    household = await policies.household_acted_for_by(session, principal, household_id, lock=True)
    group = await _locked_group(session, group_id)
    if await repository.get_membership(session, group.id, household.id) is not None:
        raise AlreadyMember(f"'{household.name}' already belongs to '{group.name}'.")
    await _refuse_a_user_counted_twice(session, group, household)
    # The waiting list admits by itself when a place frees: in a group that admits by approval only a
    # coordinator's admission puts a household on it, or it would be a way in without consent.
    if group.admission == Admission.by_approval:
        raise AdmissionByApproval(
            f"'{group.name}' admits households by approval: ask to join, and an admitted request waits here."
        )
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


# Coordinators (principle 7): the rules shared with producer groups (coordinator_terms)


async def appoint_coordinator(
    session: AsyncSession, principal: Principal, *, group_id: UUID, user_id: UUID
) -> CoordinatorRead:
    """A coordinator appoints another; the appointee must eat in one of the group's households."""
    group = await _locked_group(session, group_id)
    await policies.require_coordinator(session, principal, group)
    named = await repository.coordinator_terms.appoint(session, group, user_id, appointed_by=principal.user_id)
    await _recount_coordinators(session, group)
    return _coordinator_read(named)


async def end_coordinator_term(
    session: AsyncSession, principal: Principal, *, group_id: UUID, user_id: UUID
) -> CoordinatorRead:
    """Rotate a coordinator out (or step down). The term stays in the history; one coordinator always remains."""
    group = await _locked_group(session, group_id)
    await policies.require_coordinator(session, principal, group)
    named = await repository.coordinator_terms.end(session, group, user_id, ended_by=principal.user_id)
    await _recount_coordinators(session, group)
    return _coordinator_read(named)


async def _recount_coordinators(session: AsyncSession, group: ConsumerGroup) -> None:
    # coordinator_count (and with it the approval quorum) is read with the group; once a term begins or
    # ends, read it again, for whatever this transaction does with the group next.
    await session.refresh(group, ["coordinator_count"])


async def list_coordinators(
    session: AsyncSession, principal: Principal, *, group_id: UUID, limit: int, cursor: str | None
) -> Page[CoordinatorRead]:
    """Current and past coordinator terms, in the order they were appointed."""
    group = await get_group(session, group_id)
    await policies.require_member_or_coordinator(session, principal, group)
    page = await repository.coordinator_terms.page(session, group.id, limit=limit, cursor=cursor)
    return Page[CoordinatorRead](
        data=[_coordinator_read(named) for named in page.rows], has_more=page.has_more, next_cursor=page.next_cursor
    )


def _coordinator_read(named: NamedTerm[Coordinator]) -> CoordinatorRead:
    term = named.term
    return CoordinatorRead(
        group_id=term.group_id,
        user_id=term.user_id,
        display_name=named.display_name,
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
