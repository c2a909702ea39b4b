"""Who may act for a producer group and see its private data."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.groups import repository as groups_repository
from app.producers import repository
from app.producers.errors import NotProducerCoordinator, NotProducerGroupMember, RemovalNotPermitted
from app.producers.models import ProducerGroup


async def require_coordinator(session: AsyncSession, principal: Principal, group: ProducerGroup) -> None:
    if not await repository.is_coordinator(session, principal.user_id, group.id):
        raise NotProducerCoordinator(f"Only a coordinator of '{group.name}' may do this.")


async def require_member_or_coordinator(session: AsyncSession, principal: Principal, group: ProducerGroup) -> None:
    """The farming households and the coordinator history are for the group alone."""
    if await repository.user_in_member_household(session, principal.user_id, group.id):
        return
    if not await repository.is_coordinator(session, principal.user_id, group.id):
        raise NotProducerGroupMember(f"Only farming households and coordinators of '{group.name}' may see this.")


async def require_household_or_coordinator(
    session: AsyncSession, principal: Principal, group: ProducerGroup, household_id: UUID
) -> None:
    """A household may always leave (the right of exit); otherwise only a coordinator removes it."""
    if await groups_repository.user_belongs_to_household(session, principal.user_id, household_id):
        return
    if not await repository.is_coordinator(session, principal.user_id, group.id):
        raise RemovalNotPermitted(
            f"Only a member of household {household_id} or a coordinator of '{group.name}' may remove it."
        )
