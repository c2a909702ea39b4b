"""Who may act on a producer group's plans and see its drafts."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.plans.errors import PlanNotFound
from app.plans.models import PlanStatus, ProductionPlan
from app.producers import policies as producers_policies
from app.producers import repository as producers_repository
from app.producers.models import ProducerGroup


async def sees_drafts(session: AsyncSession, principal: Principal, group: ProducerGroup) -> bool:
    """A draft is the group's own business: its coordinators and its farming households' users, and the
    group's own API keys (another organisation's key sees only what the public sees)."""
    if not principal.reaches(group.id):
        return False
    if await producers_repository.is_coordinator(session, principal.user_id, group.id):
        return True
    return await producers_repository.user_in_member_household(session, principal.user_id, group.id)


async def require_visible(session: AsyncSession, principal: Principal, plan: ProductionPlan) -> None:
    # Not visible reads as not found, so a draft's existence does not leak to other groups.
    if plan.status == PlanStatus.draft and not await sees_drafts(session, principal, plan.producer_group):
        raise PlanNotFound(plan.id)


async def require_coordinator(session: AsyncSession, principal: Principal, group: ProducerGroup) -> None:
    await producers_policies.require_coordinator(session, principal, group)
