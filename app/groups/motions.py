"""Governance motions of a consumer group: a change that would weaken the quorum protecting the group's
decisions (lowering it, ending a coordinator's term) needs the approval of that quorum (principle 7).

The mover's approval counts at once; each approval counts only while its coordinator holds office. When
the approvals of coordinators in office reach the group's effective quorum, as it stands at that count,
the motion is carried and its change applied in the same transaction. A motion is counted only when
someone moves or approves it: a term ending elsewhere never carries one by itself.

A motion whose change no longer applies when it would carry (its coordinator's term already ended, its
quorum no longer lower than the group's) is refused with `motion-no-longer-applies`: the approval is not
recorded and the motion stays open, its record intact, so nothing is decided that its approvers did not
approve. Every path locks the group's row, then the motion's, so two last approvals carry it once."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.db import utc_now
from app.core.pagination import CursorPage, paginate
from app.core.schemas import Page
from app.groups import policies, repository
from app.groups.errors import (
    CoordinatorNotFound,
    GroupNotFound,
    LastCoordinator,
    MotionAlreadyApproved,
    MotionNoLongerApplies,
    MotionNotFound,
    MotionNotOpen,
    OwnTermNeedsNoMotion,
    QuorumNotLowered,
)
from app.groups.models import ConsumerGroup, Motion, MotionApproval, MotionKind, MotionStatus
from app.groups.schemas import EndTermMotionCreate, LowerQuorumMotionCreate, MotionApprovalRead, MotionRead


async def move(
    session: AsyncSession,
    principal: Principal,
    *,
    group_id: UUID,
    data: LowerQuorumMotionCreate | EndTermMotionCreate,
) -> MotionRead:
    """A coordinator in office moves a change; their approval counts at once, and may carry it alone
    where the group's quorum is one."""
    group = await _locked_group(session, group_id)
    await policies.require_coordinator(session, principal, group)
    if isinstance(data, LowerQuorumMotionCreate):
        _require_quorum_lowered(group, data.approval_quorum)
        motion = Motion(group_id=group.id, kind=MotionKind.lower_quorum, approval_quorum=data.approval_quorum)
    else:
        if data.user_id == principal.user_id:
            raise OwnTermNeedsNoMotion("Step down directly; a motion ends another coordinator's term.")
        await _require_term_endable(session, group, data.user_id)
        motion = Motion(group_id=group.id, kind=MotionKind.end_term, subject_user_id=data.user_id)
    motion.moved_by = principal.user_id
    session.add(motion)
    await session.flush()
    await _approve(session, group, motion, principal.user_id)
    return (await _reads(session, [motion]))[0]


async def approve(session: AsyncSession, principal: Principal, *, motion_id: UUID) -> MotionRead:
    """Another coordinator in office approves an open motion; the approval reaching the quorum carries it."""
    motion = await repository.get_motion(session, motion_id)
    if motion is None:
        raise MotionNotFound(motion_id)
    group = await _locked_group(session, motion.group_id)
    motion = await repository.get_motion(session, motion_id, lock=True)
    if motion is None:
        raise MotionNotFound(motion_id)
    await policies.require_coordinator(session, principal, group)
    if motion.status != MotionStatus.open:
        raise MotionNotOpen(f"Motion {motion.id} was already carried.", motion_id=str(motion.id))
    if await repository.has_approved(session, motion.id, principal.user_id):
        raise MotionAlreadyApproved(f"You already approved motion {motion.id}.", motion_id=str(motion.id))
    await _approve(session, group, motion, principal.user_id)
    return (await _reads(session, [motion]))[0]


async def get(session: AsyncSession, principal: Principal, *, motion_id: UUID) -> MotionRead:
    motion = await repository.get_motion(session, motion_id)
    if motion is None:
        raise MotionNotFound(motion_id)
    group = await _group(session, motion.group_id)
    await policies.require_member_or_coordinator(session, principal, group)
    return (await _reads(session, [motion]))[0]


async def page(
    session: AsyncSession, principal: Principal, *, group_id: UUID, limit: int, cursor: str | None
) -> Page[MotionRead]:
    """The group's motions, oldest first."""
    group = await _group(session, group_id)
    await policies.require_member_or_coordinator(session, principal, group)
    rows: CursorPage = await paginate(
        session,
        repository.motions_of_group(group.id),
        created_at=Motion.created_at,
        id_column=Motion.id,
        limit=limit,
        cursor=cursor,
    )
    return Page[MotionRead](data=await _reads(session, rows.rows), has_more=rows.has_more, next_cursor=rows.next_cursor)


async def _approve(session: AsyncSession, group: ConsumerGroup, motion: Motion, user_id: UUID) -> None:
    session.add(MotionApproval(motion_id=motion.id, user_id=user_id))
    await session.flush()
    if await repository.approvals_in_office(session, motion) >= group.effective_approval_quorum:
        await _carry(session, group, motion)


async def _carry(session: AsyncSession, group: ConsumerGroup, motion: Motion) -> None:
    """Apply the motion's change, should it still apply; the caller holds the group's and the motion's locks."""
    try:
        if motion.kind == MotionKind.lower_quorum:
            assert motion.approval_quorum is not None
            _require_quorum_lowered(group, motion.approval_quorum)
            group.approval_quorum = motion.approval_quorum
        else:
            assert motion.subject_user_id is not None
            await _require_term_endable(session, group, motion.subject_user_id)
            await repository.coordinator_terms.end(
                session, group, motion.subject_user_id, ended_by=motion.moved_by, carried_by_motion=True
            )
            await session.refresh(group, ["coordinator_count"])
    except (QuorumNotLowered, CoordinatorNotFound, LastCoordinator) as error:
        raise MotionNoLongerApplies(
            f"Motion {motion.id} would carry, but its change no longer applies: {error.detail}",
            motion_id=str(motion.id),
        ) from error
    motion.status = MotionStatus.carried
    motion.carried_at = utc_now()
    await session.flush()


def _require_quorum_lowered(group: ConsumerGroup, quorum: int) -> None:
    current = group.effective_approval_quorum
    if quorum >= current:
        raise QuorumNotLowered(
            f"The group's decisions need {current} approvals; a motion lowers that, to at most {current - 1}; "
            "raise it directly.",
            approval_quorum=current,
        )


async def _require_term_endable(session: AsyncSession, group: ConsumerGroup, user_id: UUID) -> None:
    if not await repository.is_coordinator(session, user_id, group.id):
        raise CoordinatorNotFound(
            f"User {user_id} is not a current coordinator of '{group.name}'.", user_id=str(user_id)
        )
    if await repository.coordinator_terms.count_in_office(session, group.id) <= 1:
        raise LastCoordinator(f"Appoint another coordinator of '{group.name}' first.")


async def _group(session: AsyncSession, group_id: UUID) -> ConsumerGroup:
    group = await repository.get_group(session, group_id)
    if group is None:
        raise GroupNotFound(group_id)
    return group


async def _locked_group(session: AsyncSession, group_id: UUID) -> ConsumerGroup:
    group = await repository.get_group_for_update(session, group_id)
    if group is None:
        raise GroupNotFound(group_id)
    return group


async def _reads(session: AsyncSession, motions: Sequence[Motion]) -> list[MotionRead]:
    """The motions with their approvals, each marked with whether its coordinator holds office now."""
    if not motions:
        return []
    approvals = await repository.approvals_of(session, [motion.id for motion in motions])
    in_office = {
        group_id: await repository.coordinators_in_office(session, group_id)
        for group_id in {m.group_id for m in motions}
    }
    return [
        MotionRead(
            id=motion.id,
            group_id=motion.group_id,
            kind=motion.kind,
            params=motion.params,
            status=motion.status,
            moved_by=motion.moved_by,
            created_at=motion.created_at,
            carried_at=motion.carried_at,
            approvals=[
                MotionApprovalRead(
                    user_id=approval.user_id,
                    approved_at=approval.approved_at,
                    in_office=approval.user_id in in_office[motion.group_id],
                )
                for approval in approvals
                if approval.motion_id == motion.id
            ],
        )
        for motion in motions
    ]
