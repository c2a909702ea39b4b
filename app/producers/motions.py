"""Motions of producer groups: the consumer groups' rules (app.groups.motions), applied to a producer
group, its coordinators and its farming households. A motion id names a motion of either kind of group:
reading and approving one goes by the group it belongs to."""

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.schemas import Page
from app.groups import motions as consumer_motions
from app.groups.models import GroupKind
from app.groups.motions import MotionRules
from app.groups.schemas import MotionCreateBody, MotionRead
from app.producers import policies, repository, service
from app.producers.errors import ProducerGroupNotFound
from app.producers.models import ProducerGroup


async def _is_member_household(session: AsyncSession, group: ProducerGroup, household_id: UUID) -> bool:
    return await repository.get_membership(session, group.id, household_id) is not None


async def _remove_household(session: AsyncSession, group: ProducerGroup, household_id: UUID, ended_by: UUID) -> None:
    await service.remove_member_household(session, group, household_id, ended_by=ended_by)


PRODUCER = MotionRules[ProducerGroup](
    kind=GroupKind.producer,
    group_column="producer_group_id",
    terms=repository.coordinator_terms,
    find_group=repository.get_producer_group,
    find_group_for_update=repository.get_producer_group_for_update,
    group_not_found=ProducerGroupNotFound,
    require_coordinator=policies.require_coordinator,
    require_member_or_coordinator=policies.require_member_or_coordinator,
    is_member_household=_is_member_household,
    remove_household=_remove_household,
)

RULES: dict[GroupKind, MotionRules[Any]] = {
    GroupKind.consumer: consumer_motions.CONSUMER,
    GroupKind.producer: PRODUCER,
}


async def move(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, data: MotionCreateBody
) -> MotionRead:
    return await PRODUCER.move(session, principal, group_id=producer_group_id, data=data)


async def page(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, limit: int, cursor: str | None
) -> Page[MotionRead]:
    return await PRODUCER.page(session, principal, group_id=producer_group_id, limit=limit, cursor=cursor)


async def get(session: AsyncSession, principal: Principal, *, motion_id: UUID) -> MotionRead:
    """A motion of a group of either kind, read by its group (or the household a removal removed)."""
    motion = await consumer_motions.find_motion(session, motion_id)
    return await RULES[motion.group_kind].get(session, principal, motion=motion)


async def approve(session: AsyncSession, principal: Principal, *, motion_id: UUID) -> MotionRead:
    """A coordinator of the motion's group, of either kind, approves it."""
    motion = await consumer_motions.find_motion(session, motion_id)
    return await RULES[motion.group_kind].approve(session, principal, motion=motion)
