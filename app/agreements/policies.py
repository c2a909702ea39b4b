"""Who may see an agreement, and for which side a user negotiates."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import repository
from app.agreements.errors import AgreementNotFound, NotPartyCoordinator, OwnVersion
from app.agreements.models import Agreement, Side
from app.groups import repository as groups_repository
from app.producers import repository as producers_repository


async def readable_agreement(session: AsyncSession, principal: Principal, agreement_id: UUID) -> Agreement:
    """The agreement, for members and coordinators of its two groups; nobody else learns it exists."""
    statement = repository.readable_by(principal.user_id).where(Agreement.id == agreement_id)
    agreement = await session.scalar(statement)
    if agreement is None:
        raise AgreementNotFound(agreement_id)
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
