"""Producer groups: their farming households, democratic management by several coordinators
(principle 7) and the certificates they hold."""

from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.http import require_match
from app.core.pagination import CursorPage, paginate
from app.core.schemas import Page
from app.groups import repository as groups_repository
from app.groups.coordinator_terms import (
    NamedTerm,
    require_quorum_settable,
)
from app.producers import policies, repository
from app.producers.errors import (
    AlreadyMember,
    CertificationNotFound,
    CertificationRecorded,
    HouseholdNotFound,
    NotAMember,
    ProducerGroupNotFound,
    RemovalNeedsMotion,
)
from app.producers.models import Certification, FarmingHousehold, ProducerCoordinator, ProducerGroup
from app.producers.schemas import (
    CertificationCreate,
    FarmingHouseholdRead,
    ProducerCoordinatorRead,
    ProducerGroupCreate,
    ProducerGroupRead,
    ProducerGroupUpdate,
)

# Producer groups


async def create_producer_group(
    session: AsyncSession, principal: Principal, data: ProducerGroupCreate
) -> ProducerGroup:
    """Found a producer group; its founder is its first coordinator."""
    group = ProducerGroup(**data.model_dump(), member_count=0)
    session.add(group)
    await session.flush()
    repository.coordinator_terms.found(session, group.id, founder_id=principal.user_id)
    await session.flush()
    await _recount_coordinators(session, group)
    return group


async def update_producer_group(
    session: AsyncSession,
    principal: Principal,
    *,
    producer_group_id: UUID,
    changes: ProducerGroupUpdate,
    if_match: str | None,
) -> ProducerGroup:
    """Coordinators set the approval quorum: raised directly, never lowered by one of them (a motion's work)."""
    group = await _locked_producer_group(session, producer_group_id)
    await policies.require_coordinator(session, principal, group)
    require_match(if_match, ProducerGroupRead.model_validate(group))
    values = changes.model_dump(exclude_unset=True)
    if "approval_quorum" in values:
        require_quorum_settable(values["approval_quorum"], group)
        group.approval_quorum = values["approval_quorum"]
    await session.flush()
    return group


async def list_producer_groups(
    session: AsyncSession, *, country: str | None, limit: int, cursor: str | None
) -> CursorPage:
    return await paginate(
        session,
        repository.producer_groups(country=country),
        created_at=ProducerGroup.created_at,
        id_column=ProducerGroup.id,
        limit=limit,
        cursor=cursor,
    )


async def get_producer_group(session: AsyncSession, producer_group_id: UUID) -> ProducerGroup:
    group = await repository.get_producer_group(session, producer_group_id)
    if group is None:
        raise ProducerGroupNotFound(producer_group_id)
    return group


async def _locked_producer_group(session: AsyncSession, producer_group_id: UUID) -> ProducerGroup:
    group = await repository.get_producer_group_for_update(session, producer_group_id)
    if group is None:
        raise ProducerGroupNotFound(producer_group_id)
    return group


# Farming households


async def admit_household(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, household_id: UUID
) -> FarmingHouseholdRead:
    """A coordinator admits a farming household into the group (a co-operative admits its member farms)."""
    group = await _locked_producer_group(session, producer_group_id)
    await policies.require_coordinator(session, principal, group)
    household = await repository.get_household(session, household_id)
    if household is None:
        raise HouseholdNotFound(household_id, of_yours=False)
    if await repository.get_membership(session, group.id, household.id) is not None:
        raise AlreadyMember(f"'{household.name}' already belongs to '{group.name}'.", household_id=str(household.id))
    membership = FarmingHousehold(producer_group_id=group.id, household=household)
    session.add(membership)
    group.member_count += 1
    await session.flush()
    return FarmingHouseholdRead.model_validate(membership)


async def remove_household(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, household_id: UUID
) -> None:
    """A household leaves (it always may, but for the group's last coordinators in office, who stay until
    another is appointed). Removing another household is a motion's work, done directly only where one
    coordinator decides alone (a quorum of 1)."""
    group = await _locked_producer_group(session, producer_group_id)
    await policies.require_household_or_coordinator(session, principal, group, household_id)
    membership = await repository.get_membership(session, group.id, household_id)
    if membership is None:
        raise NotAMember(f"Household {household_id} does not belong to '{group.name}'.", household_id=str(household_id))
    if not await groups_repository.user_belongs_to_household(session, principal.user_id, household_id):
        require_removal_by_one(group.effective_approval_quorum)
    await _end_membership(session, group, membership, ended_by=principal.user_id)


async def remove_member_household(
    session: AsyncSession, group: ProducerGroup, household_id: UUID, *, ended_by: UUID
) -> None:
    """A household removed by a carried motion leaves as if it left by itself. The caller holds the group's lock."""
    membership = await repository.get_membership(session, group.id, household_id)
    if membership is None:
        raise NotAMember(f"Household {household_id} does not belong to '{group.name}'.", household_id=str(household_id))
    await _end_membership(session, group, membership, ended_by=ended_by)


def require_removal_by_one(approval_quorum: int) -> None:
    """Removing a household is a governance change, which needs the quorum it would otherwise bypass."""
    if approval_quorum > 1:
        raise RemovalNeedsMotion(
            f"The group's decisions need {approval_quorum} approvals: removing a household takes a motion "
            "that many coordinators approve, not one coordinator's request.",
            approval_quorum=approval_quorum,
        )


async def _end_membership(
    session: AsyncSession, group: ProducerGroup, membership: FarmingHousehold, *, ended_by: UUID
) -> None:
    """The household goes; the coordinators who farmed in the group only through it stop coordinating."""
    belonged = await repository.coordinator_terms.belonging(session, group.id)
    await session.delete(membership)
    group.member_count -= 1
    await session.flush()
    await repository.coordinator_terms.end_terms_of_departed(session, group, belonged, ended_by=ended_by)


async def list_member_households(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    group = await get_producer_group(session, producer_group_id)
    await policies.require_member_or_coordinator(session, principal, group)
    return await paginate(
        session,
        repository.member_households(group.id),
        created_at=FarmingHousehold.created_at,
        id_column=FarmingHousehold.id,
        limit=limit,
        cursor=cursor,
    )


# Coordinators (principle 7): the rules shared with consumer groups (app.groups.coordinator_terms)


async def appoint_coordinator(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, user_id: UUID
) -> ProducerCoordinatorRead:
    """A coordinator appoints another; the appointee must belong to one of the group's farming households."""
    group = await _locked_producer_group(session, producer_group_id)
    await policies.require_coordinator(session, principal, group)
    named = await repository.coordinator_terms.appoint(session, group, user_id, appointed_by=principal.user_id)
    await _recount_coordinators(session, group)
    return _coordinator_read(named)


async def end_coordinator_term(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, user_id: UUID
) -> ProducerCoordinatorRead:
    """Rotate a coordinator out (or step down). The term stays in the history; one coordinator always remains."""
    group = await _locked_producer_group(session, producer_group_id)
    await policies.require_coordinator(session, principal, group)
    named = await repository.coordinator_terms.end(session, group, user_id, ended_by=principal.user_id)
    await _recount_coordinators(session, group)
    return _coordinator_read(named)


async def _recount_coordinators(session: AsyncSession, group: ProducerGroup) -> None:
    # coordinator_count (and with it the approval quorum) is read with the group; once a term begins or
    # ends, read it again, for whatever this transaction does with the group next.
    await session.refresh(group, ["coordinator_count"])


async def list_coordinators(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, limit: int, cursor: str | None
) -> Page[ProducerCoordinatorRead]:
    """Current and past coordinator terms, in the order they were appointed."""
    group = await get_producer_group(session, producer_group_id)
    await policies.require_member_or_coordinator(session, principal, group)
    page = await repository.coordinator_terms.page(session, group.id, limit=limit, cursor=cursor)
    return Page[ProducerCoordinatorRead](
        data=[_coordinator_read(named) for named in page.rows], has_more=page.has_more, next_cursor=page.next_cursor
    )


def _coordinator_read(named: NamedTerm[ProducerCoordinator]) -> ProducerCoordinatorRead:
    term = named.term
    return ProducerCoordinatorRead(
        producer_group_id=term.producer_group_id,
        user_id=term.user_id,
        display_name=named.display_name,
        appointed_by=term.appointed_by,
        appointed_at=term.appointed_at,
        ended_by=term.ended_by,
        ended_at=term.ended_at,
    )


# Certifications


async def record_certification(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, data: CertificationCreate
) -> Certification:
    """A coordinator records a certificate. One already expired is kept too, as history, and shown expired."""
    group = await get_producer_group(session, producer_group_id)
    await policies.require_coordinator(session, principal, group)
    certification = Certification(producer_group_id=group.id, **data.model_dump())
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending before it starts.
        async with session.begin_nested():
            session.add(certification)
    except IntegrityError as error:  # the unique constraint decides, also when two requests race
        raise CertificationRecorded(
            f"'{group.name}' already has {data.scheme} certificate {data.number}; withdraw it to record it anew."
        ) from error
    return certification


async def withdraw_certification(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, certification_id: UUID
) -> None:
    group = await get_producer_group(session, producer_group_id)
    await policies.require_coordinator(session, principal, group)
    certification = await repository.get_certification(session, group.id, certification_id)
    if certification is None:
        raise CertificationNotFound(certification_id)
    await session.delete(certification)
    await session.flush()


async def list_certifications(
    session: AsyncSession, *, producer_group_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    """Every certificate of the group, expired ones included (flagged `expired`), oldest record first."""
    group = await get_producer_group(session, producer_group_id)
    return await paginate(
        session,
        repository.certifications(group.id),
        created_at=Certification.created_at,
        id_column=Certification.id,
        limit=limit,
        cursor=cursor,
    )
