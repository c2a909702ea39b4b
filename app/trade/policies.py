"""Who may see a trade order (its two parties only) and for which party a user acts."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.catalogue import repository as catalogue_repository
from app.trade import repository
from app.trade.errors import NotBuyerMember, NotSellerMember, TradeOrderNotFound
from app.trade.models import Party, TradeOrder


async def readable_order(
    session: AsyncSession, principal: Principal, order_id: UUID, *, for_update: bool = False
) -> TradeOrder:
    """The order, for members of its buyer and its seller; nobody else learns it exists."""
    order = await repository.get_readable(session, principal.user_id, order_id, for_update=for_update)
    if order is None:
        raise TradeOrderNotFound(order_id)
    return order


async def parties_of(session: AsyncSession, principal: Principal, order: TradeOrder) -> list[Party]:
    parties = []
    if await catalogue_repository.is_member(session, order.buyer_id, principal.user_id):
        parties.append(Party.buyer)
    if await catalogue_repository.is_member(session, order.seller_id, principal.user_id):
        parties.append(Party.seller)
    return parties


async def acting_party(
    session: AsyncSession, principal: Principal, order: TradeOrder, allowed: frozenset[Party]
) -> Party:
    """The party the caller acts for in a transition that `allowed` parties may make."""
    for party in await parties_of(session, principal, order):
        if party in allowed:
            return party
    if allowed == {Party.seller}:
        raise NotSellerMember("Only members of the selling organisation may do this.")
    raise NotBuyerMember("Only members of the buying organisation may do this.")
