"""Who may act for a household and for a consumer group."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.groups import repository
from app.groups.errors import HouseholdNotFound, NotCoordinator, NotGroupMember
from app.groups.models import ConsumerGroup, Household


async def household_acted_for_by(
    session: AsyncSession, principal: Principal, household_id: UUID, *, lock: bool = False
) -> Household:
    """The household, if the caller belongs to it. Someone else's household reads as not found. With
    `lock`, its row is locked first (see repository.get_household_for_update)."""
    if lock:
        household = await repository.get_household_for_update(session, household_id)
    else:
        household = await session.get(Household, household_id)
    if household is None or not await repository.user_belongs_to_household(session, principal.user_id, household_id):
        raise HouseholdNotFound(household_id)
    return household


async def acts_for_household_at(
    session: AsyncSession, principal: Principal, group_id: UUID, household_id: UUID
) -> bool:
    """Whether the caller may act for the household in its dealings with the group: as one of its members, or
    as a coordinator of the group (who takes a payment in cash at a meeting, say)."""
    if await repository.user_belongs_to_household(session, principal.user_id, household_id):
        return True
    return await repository.is_coordinator(session, principal.user_id, group_id)


async def require_coordinator(session: AsyncSession, principal: Principal, group: ConsumerGroup) -> None:
    if not await repository.is_coordinator(session, principal.user_id, group.id):
        raise NotCoordinator(f"Only a coordinator of '{group.name}' may do this.")


async def require_member_or_coordinator(session: AsyncSession, principal: Principal, group: ConsumerGroup) -> None:
    """Private group data (members, waiting list, stations, coordinators) is for the group alone."""
    if await repository.user_in_member_household(session, principal.user_id, group.id):
        return
    if not await repository.is_coordinator(session, principal.user_id, group.id):
        raise NotGroupMember(f"Only members and coordinators of '{group.name}' may see this.")
