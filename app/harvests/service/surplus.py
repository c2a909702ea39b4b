"""Surplus: what households cannot use stays with the consumer group, to store, sell or give away;
what the group did with it is recorded, and nothing is ever deleted (principle 3)."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import repository as agreements_repository
from app.core.db import utc_now
from app.core.http import require_match
from app.harvests import policies, repository
from app.harvests.errors import SurplusAlreadyDecided, SurplusNotFound
from app.harvests.models import Harvest, HarvestLine, Surplus, SurplusUse
from app.harvests.policies import Standing
from app.harvests.schemas import SurplusRead, SurplusUpdate
from app.harvests.service.deliveries import surplus_read

# Stored produce may still be sold or given later; selling or giving it away is final.
OPEN_USES = frozenset({SurplusUse.undecided, SurplusUse.stored})


async def get_surplus(session: AsyncSession, principal: Principal, surplus_id: UUID) -> SurplusRead:
    surplus, line, harvest, _ = await _surplus_of_party(session, principal, surplus_id, for_update=False)
    plan_item = await repository.get_plan_item(session, line.plan_item_id)
    return surplus_read(surplus, harvest_id=harvest.id, plan_item=plan_item)


async def decide_surplus(
    session: AsyncSession, principal: Principal, *, surplus_id: UUID, data: SurplusUpdate, if_match: str | None
) -> SurplusRead:
    """A consumer-group coordinator records what the group did with a surplus."""
    surplus, line, harvest, roles = await _surplus_of_party(session, principal, surplus_id, for_update=True)
    policies.require_consumer_coordinator(roles)
    plan_item = await repository.get_plan_item(session, line.plan_item_id)
    require_match(if_match, surplus_read(surplus, harvest_id=harvest.id, plan_item=plan_item))
    if surplus.use not in OPEN_USES or (surplus.use == SurplusUse.stored and data.use == SurplusUse.stored):
        raise SurplusAlreadyDecided(
            f"This surplus is already recorded as {surplus.use}; stored produce may still become sold or given, "
            "nothing else changes.",
            use=str(surplus.use),
        )
    surplus.use = data.use
    if data.note is not None:
        surplus.note = data.note
    surplus.decided_by_user_id = principal.user_id
    surplus.decided_at = utc_now()
    await session.flush()
    return surplus_read(surplus, harvest_id=harvest.id, plan_item=plan_item)


async def _surplus_of_party(
    session: AsyncSession, principal: Principal, surplus_id: UUID, *, for_update: bool
) -> tuple[Surplus, HarvestLine, Harvest, Standing]:
    found = await repository.get_surplus(session, surplus_id, for_update=for_update)
    if found is None:
        raise SurplusNotFound(surplus_id)
    surplus, line, harvest = found
    agreement = await agreements_repository.get(session, harvest.agreement_id)
    roles = None if agreement is None else await policies.standing(session, principal, agreement)
    if roles is None or not roles.party:
        raise SurplusNotFound(surplus_id)
    return surplus, line, harvest, roles
