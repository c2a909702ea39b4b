"""Who may see an agreement, for which side a user negotiates, and for which side a user speaks."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import repository
from app.agreements.errors import AgreementNotFound, NotPartyCoordinator, OwnVersion
from app.agreements.models import Agreement, Side
from app.groups import repository as groups_repository
from app.producers import repository as producers_repository


async def readable_agreement(
    session: AsyncSession, principal: Principal, agreement_id: UUID, *, for_update: bool = False
) -> Agreement:
    """The agreement, for members and coordinators of its two groups; nobody else learns it exists.
    With `for_update` it is then locked, so changes to it queue one after another."""
    statement = repository.readable_by(principal.user_id).where(Agreement.id == agreement_id)
    agreement = await session.scalar(statement)
    if agreement is None:
        raise AgreementNotFound(agreement_id)
    if for_update:
        # Locked only once readable: nobody outside its groups makes its changes wait.
        agreement = await repository.get_for_update(session, agreement_id)
        assert agreement is not None
    return agreement


async def coordinated_sides(session: AsyncSession, principal: Principal, agreement: Agreement) -> set[Side]:
    sides = set()
    if await groups_repository.is_coordinator(session, principal.user_id, agreement.consumer_group_id):
        sides.add(Side.consumer)
    if await producers_repository.is_coordinator(session, principal.user_id, agreement.producer_group_id):
        sides.add(Side.producer)
    return sides


async def negotiating_side(
    session: AsyncSession, principal: Principal, agreement: Agreement, *, not_side: Side | None = None
) -> Side:
    """The side the caller negotiates for: never the side that proposed the version being answered."""
    sides = await coordinated_sides(session, principal, agreement)
    if not sides:
        raise NotPartyCoordinator("Only coordinators of the consumer group or the producer group may do this.")
    answering = sides - {not_side} if not_side else sides
    if not answering:
        raise OwnVersion(f"Your side ({not_side}) proposed this version; the other side answers it.")
    return Side.consumer if Side.consumer in answering else Side.producer


async def _in_consumer_group(session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
    return await groups_repository.user_in_member_household(
        session, user_id, group_id
    ) or await groups_repository.is_coordinator(session, user_id, group_id)


async def _in_producer_group(session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
    return await producers_repository.user_in_member_household(
        session, user_id, group_id
    ) or await producers_repository.is_coordinator(session, user_id, group_id)


async def party_side(session: AsyncSession, principal: Principal, agreement_id: UUID) -> tuple[Agreement, Side]:
    """The agreement and the side the caller speaks for in it. An agreement is private to its two
    groups (principle 1), so to anyone else it reads as not found. A user in both groups speaks as the
    consumer side."""
    agreement = await repository.get(session, agreement_id)
    if agreement is None:
        raise AgreementNotFound(agreement_id)
    if await _in_consumer_group(session, principal.user_id, agreement.consumer_group_id):
        return agreement, Side.consumer
    if await _in_producer_group(session, principal.user_id, agreement.producer_group_id):
        return agreement, Side.producer
    raise AgreementNotFound(agreement_id)
