"""Who may post and manage an event, and who speaks for which side of an agreement."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements.models import Agreement, Side
from app.gatherings import repository
from app.gatherings.errors import AgreementNotFound, NotHostCoordinator
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


async def _in_consumer_group(session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
    return await groups_repository.user_in_member_household(
        session, user_id, group_id
    ) or await groups_repository.is_coordinator(session, user_id, group_id)


async def _in_producer_group(session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
    return await producers_repository.user_in_member_household(
        session, user_id, group_id
    ) or await producers_repository.is_coordinator(session, user_id, group_id)


async def agreement_side_of(session: AsyncSession, principal: Principal, agreement_id: UUID) -> tuple[Agreement, Side]:
    """The agreement and the side the caller speaks for. An agreement is private to its two groups
    (principle 1), so to anyone else it reads as not found. A user in both groups speaks as the consumer side."""
    agreement = await repository.get_agreement(session, agreement_id)
    if agreement is None:
        raise AgreementNotFound(agreement_id)
    if await _in_consumer_group(session, principal.user_id, agreement.consumer_group_id):
        return agreement, Side.consumer
    if await _in_producer_group(session, principal.user_id, agreement.producer_group_id):
        return agreement, Side.producer
    raise AgreementNotFound(agreement_id)
