"""Governance motions, in consumer and producer groups alike: a change that would weaken the quorum
protecting the group's decisions (lowering it, ending a coordinator's term) or remove one of its households
needs the approval of that quorum (principle 7).

The mover's approval counts at once; each approval counts only while its coordinator holds office. When
the approvals of coordinators in office reach the group's effective quorum, as it stands at that count,
the motion is carried and its change applied in the same transaction. A motion is counted only when
someone moves or approves it: a term ending elsewhere never carries one by itself.

A motion whose change no longer applies when it would carry (its coordinator's term already ended, its
quorum no longer lower than the group's, its household already gone, or no coordinator would remain) is
refused with `motion-no-longer-applies`: the approval is not recorded and the motion stays open, its record
intact, so nothing is decided that its approvers did not approve. Every path locks the group's row, then
the motion's, so two last approvals carry it once.

Each kind of group keeps its motions in the same table, and says how its groups are found, who may act
and how a household leaves; `MotionRules` applies the rules to either (as CoordinatorTerms does for terms)."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.db import utc_now
from app.core.errors import DomainError
from app.core.pagination import CursorPage, paginate
from app.core.schemas import Page
from app.groups import policies, repository, service
from app.groups.coordinator_terms import CoordinatorTerms, Group
from app.groups.errors import (
    CoordinatorNotFound,
    GroupNotFound,
    LastCoordinator,
    MotionAlreadyApproved,
    MotionNoLongerApplies,
    MotionNotFound,
    MotionNotOpen,
    NotAMember,
    OwnTermNeedsNoMotion,
    QuorumNotLowered,
)
from app.groups.models import ConsumerGroup, GroupKind, Motion, MotionApproval, MotionKind, MotionStatus
from app.groups.schemas import (
    EndTermMotionCreate,
    LowerQuorumMotionCreate,
    MotionApprovalRead,
    MotionCreateBody,
    MotionRead,
)
from app.outbox import events as outbox
from app.outbox.models import OrganisationKind


class GovernedGroup(Group, Protocol):
    """A consumer or a producer group, as motions name it: one whose quorum a motion may lower."""

    approval_quorum: Any


GroupT = TypeVar("GroupT", bound=GovernedGroup)

FindGroup = Callable[[AsyncSession, UUID], Awaitable[GroupT | None]]
Require = Callable[[AsyncSession, Principal, GroupT], Awaitable[None]]
# (session, group, household_id) -> whether the household belongs to the group.
IsMember = Callable[[AsyncSession, GroupT, UUID], Awaitable[bool]]
# (session, group, household_id, ended_by): the household leaves, as when it leaves by itself; the
# terms of those who leave with it end (CoordinatorTerms.end_terms_of_departed).
RemoveHousehold = Callable[[AsyncSession, GroupT, UUID, UUID], Awaitable[None]]


@dataclass(frozen=True)
class MotionRules(Generic[GroupT]):
    """The motions of one kind of group: `group_column` names its groups in the motions' table."""

    kind: GroupKind
    group_column: str
    terms: CoordinatorTerms[Any]
    find_group: FindGroup[GroupT]
    find_group_for_update: FindGroup[GroupT]
    group_not_found: Callable[[UUID], DomainError]
    require_coordinator: Require[GroupT]
    require_member_or_coordinator: Require[GroupT]
    is_member_household: IsMember[GroupT]
    remove_household: RemoveHousehold[GroupT]

    async def move(
        self, session: AsyncSession, principal: Principal, *, group_id: UUID, data: MotionCreateBody
    ) -> MotionRead:
        """A coordinator in office moves a change; their approval counts at once, and may carry it alone
        where the group's quorum is one."""
        group = await self._locked_group(session, group_id)
        await self.require_coordinator(session, principal, group)
        motion = Motion(moved_by=principal.user_id)
        setattr(motion, self.group_column, group.id)
        if isinstance(data, LowerQuorumMotionCreate):
            _require_quorum_lowered(group, data.approval_quorum)
            motion.kind, motion.approval_quorum = MotionKind.lower_quorum, data.approval_quorum
        elif isinstance(data, EndTermMotionCreate):
            if data.user_id == principal.user_id:
                raise OwnTermNeedsNoMotion("Step down directly; a motion ends another coordinator's term.")
            await self._require_term_endable(session, group, data.user_id)
            motion.kind, motion.subject_user_id = MotionKind.end_term, data.user_id
        else:
            await self._require_household_removable(session, group, data.household_id)
            motion.kind, motion.subject_household_id, motion.reason = (
                MotionKind.remove_household,
                data.household_id,
                data.reason,
            )
        session.add(motion)
        await session.flush()
        await self._approve(session, group, motion, principal.user_id)
        await self._announce(session, group, motion)
        return (await self._reads(session, [motion]))[0]

    async def _announce(self, session: AsyncSession, group: GroupT, motion: Motion) -> None:
        """`motion.moved`, for the group alone: its other coordinators are asked to approve. Who is removed
        and why stays in the motion, which only the group reads."""
        organisation = (
            OrganisationKind.consumer_group if self.kind == GroupKind.consumer else OrganisationKind.producer_group
        )
        moved = {"id": str(motion.id), "kind": str(motion.kind), "status": str(motion.status)}
        data = {"motion": moved | {"group_kind": str(self.kind), "group_id": str(group.id)}}
        await outbox.emit(session, "motion.moved", data, audience=[(organisation, group.id)])

    async def approve(self, session: AsyncSession, principal: Principal, *, motion: Motion) -> MotionRead:
        """Another coordinator in office approves an open motion; the approval reaching the quorum carries it."""
        group = await self._locked_group(session, motion.of_group_id)
        locked = await repository.get_motion(session, motion.id, lock=True)
        if locked is None:
            raise MotionNotFound(motion.id)
        await self.require_coordinator(session, principal, group)
        if locked.status != MotionStatus.open:
            raise MotionNotOpen(f"Motion {locked.id} was already carried.", motion_id=str(locked.id))
        if await repository.has_approved(session, locked.id, principal.user_id):
            raise MotionAlreadyApproved(f"You already approved motion {locked.id}.", motion_id=str(locked.id))
        await self._approve(session, group, locked, principal.user_id)
        return (await self._reads(session, [locked]))[0]

    async def get(self, session: AsyncSession, principal: Principal, *, motion: Motion) -> MotionRead:
        """For the group; a removal also for the people of the household it removes, who may read why."""
        group = await self._group(session, motion.of_group_id)
        removed = motion.subject_household_id if motion.kind == MotionKind.remove_household else None
        if removed is None or not await repository.user_belongs_to_household(session, principal.user_id, removed):
            await self.require_member_or_coordinator(session, principal, group)
        return (await self._reads(session, [motion]))[0]

    async def page(
        self, session: AsyncSession, principal: Principal, *, group_id: UUID, limit: int, cursor: str | None
    ) -> Page[MotionRead]:
        """The group's motions, oldest first."""
        group = await self._group(session, group_id)
        await self.require_member_or_coordinator(session, principal, group)
        rows: CursorPage = await paginate(
            session,
            repository.motions_of_group(getattr(Motion, self.group_column), group.id),
            created_at=Motion.created_at,
            id_column=Motion.id,
            limit=limit,
            cursor=cursor,
        )
        return Page[MotionRead](
            data=await self._reads(session, rows.rows), has_more=rows.has_more, next_cursor=rows.next_cursor
        )

    async def _approve(self, session: AsyncSession, group: GroupT, motion: Motion, user_id: UUID) -> None:
        session.add(MotionApproval(motion_id=motion.id, user_id=user_id))
        await session.flush()
        counted = await repository.approvals_in_office(session, motion, self.terms.coordinating(group.id))
        if counted >= group.effective_approval_quorum:
            await self._carry(session, group, motion)

    async def _carry(self, session: AsyncSession, group: GroupT, motion: Motion) -> None:
        """Apply the motion's change, should it still apply; the caller holds the group's and the motion's locks."""
        try:
            if motion.kind == MotionKind.lower_quorum:
                assert motion.approval_quorum is not None
                _require_quorum_lowered(group, motion.approval_quorum)
                group.approval_quorum = motion.approval_quorum
            elif motion.kind == MotionKind.end_term:
                assert motion.subject_user_id is not None
                await self._require_term_endable(session, group, motion.subject_user_id)
                await self.terms.end(
                    session, group, motion.subject_user_id, ended_by=motion.moved_by, carried_by_motion=True
                )
                await session.refresh(group, ["coordinator_count"])
            else:
                assert motion.subject_household_id is not None
                await self.remove_household(session, group, motion.subject_household_id, motion.moved_by)
        except (QuorumNotLowered, CoordinatorNotFound, LastCoordinator, NotAMember) as error:
            raise MotionNoLongerApplies(
                f"Motion {motion.id} would carry, but its change no longer applies: {error.detail}",
                motion_id=str(motion.id),
            ) from error
        motion.status = MotionStatus.carried
        motion.carried_at = utc_now()
        await session.flush()

    async def _require_term_endable(self, session: AsyncSession, group: GroupT, user_id: UUID) -> None:
        if not await self.terms.is_coordinator(session, user_id, group.id):
            raise CoordinatorNotFound(
                f"User {user_id} is not a current coordinator of '{group.name}'.", user_id=str(user_id)
            )
        if await self.terms.count_in_office(session, group.id) <= 1:
            raise LastCoordinator(f"Appoint another coordinator of '{group.name}' first.")

    async def _require_household_removable(self, session: AsyncSession, group: GroupT, household_id: UUID) -> None:
        """A member household, whose leaving leaves a coordinator in office: one who belongs to another of
        the group's households, or never belonged to any."""
        if not await self.is_member_household(session, group, household_id):
            raise NotAMember(
                f"Household {household_id} does not belong to '{group.name}'.", household_id=str(household_id)
            )
        leaving = await self.terms.belonging(session, group.id) - await self.terms.belonging(
            session, group.id, apart_from=household_id
        )
        if leaving and len(leaving) >= await self.terms.count_in_office(session, group.id):
            raise LastCoordinator(
                f"Removing household {household_id} would leave '{group.name}' without a coordinator: "
                "appoint another coordinator first."
            )

    async def _group(self, session: AsyncSession, group_id: UUID) -> GroupT:
        group = await self.find_group(session, group_id)
        if group is None:
            raise self.group_not_found(group_id)
        return group

    async def _locked_group(self, session: AsyncSession, group_id: UUID) -> GroupT:
        group = await self.find_group_for_update(session, group_id)
        if group is None:
            raise self.group_not_found(group_id)
        return group

    async def _reads(self, session: AsyncSession, motions: Sequence[Motion]) -> list[MotionRead]:
        """The motions with their approvals, each marked with whether its coordinator holds office now."""
        if not motions:
            return []
        approvals = await repository.approvals_of(session, [motion.id for motion in motions])
        in_office = {
            group_id: await self.terms.in_office(session, group_id) for group_id in {m.of_group_id for m in motions}
        }
        return [
            MotionRead(
                id=motion.id,
                group_kind=motion.group_kind,
                group_id=motion.of_group_id,
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
                        in_office=approval.user_id in in_office[motion.of_group_id],
                    )
                    for approval in approvals
                    if approval.motion_id == motion.id
                ],
            )
            for motion in motions
        ]


def _require_quorum_lowered(group: GovernedGroup, quorum: int) -> None:
    current = group.effective_approval_quorum
    if quorum >= current:
        raise QuorumNotLowered(
            f"The group's decisions need {current} approvals; a motion lowers that, to at most {current - 1}; "
            "raise it directly.",
            approval_quorum=current,
        )


async def _is_member_household(session: AsyncSession, group: ConsumerGroup, household_id: UUID) -> bool:
    return await repository.get_membership(session, group.id, household_id) is not None


async def _remove_household(session: AsyncSession, group: ConsumerGroup, household_id: UUID, ended_by: UUID) -> None:
    await service.remove_member_household(session, group, household_id, ended_by=ended_by)


CONSUMER = MotionRules[ConsumerGroup](
    kind=GroupKind.consumer,
    group_column="group_id",
    terms=repository.coordinator_terms,
    find_group=repository.get_group,
    find_group_for_update=repository.get_group_for_update,
    group_not_found=GroupNotFound,
    require_coordinator=policies.require_coordinator,
    require_member_or_coordinator=policies.require_member_or_coordinator,
    is_member_household=_is_member_household,
    remove_household=_remove_household,
)


async def find_motion(session: AsyncSession, motion_id: UUID) -> Motion:
    motion = await repository.get_motion(session, motion_id)
    if motion is None:
        raise MotionNotFound(motion_id)
    return motion


# The consumer groups' own paths.


async def move(session: AsyncSession, principal: Principal, *, group_id: UUID, data: MotionCreateBody) -> MotionRead:
    return await CONSUMER.move(session, principal, group_id=group_id, data=data)


async def page(
    session: AsyncSession, principal: Principal, *, group_id: UUID, limit: int, cursor: str | None
) -> Page[MotionRead]:
    return await CONSUMER.page(session, principal, group_id=group_id, limit=limit, cursor=cursor)
