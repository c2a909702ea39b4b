"""Who may pledge for a household, withdraw its pledge and read it: the household's own members."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.groups import policies as groups_policies
from app.groups.models import Household


async def household_of_member(session: AsyncSession, principal: Principal, household_id: UUID) -> Household:
    """The household, its row locked, if the caller is one of its members (anyone else's reads as not found).
    The lock queues a household's pledges and withdrawals one after the other."""
    return await groups_policies.household_acted_for_by(session, principal, household_id, lock=True)
