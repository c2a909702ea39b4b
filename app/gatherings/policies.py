"""Who may post and manage an event."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.gatherings.errors import NotHostCoordinator
from app.groups import repository as groups_repository
from app.producers import repository as producers_repository


async def is_host_coordinator(
    session: AsyncSession, principal: Principal, *, consumer_group_id: UUID | None, producer_group_id: UUID | None
) -> bool:
    if consumer_group_id is not None:
        return await groups_repository.is_coordinator(session, principal.user_id, consumer_group_id)
    assert producer_group_id is not None  # the one_host constraint
    return await producers_repository.is_coordinator(session, principal.user_id, producer_group_id)


async def require_host_coordinator(
    session: AsyncSession,
    principal: Principal,
    *,
    host_name: str,
    consumer_group_id: UUID | None,
    producer_group_id: UUID | None,
) -> None:
    if not await is_host_coordinator(
        session, principal, consumer_group_id=consumer_group_id, producer_group_id=producer_group_id
    ):
        raise NotHostCoordinator(f"Only a coordinator of '{host_name}' may do this.")
