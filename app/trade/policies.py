"""Who may see a trade order (its two parties only), for which party a user acts, and that no one sits
on both sides of it."""

from uuid import UUID

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.accounts.principal import Principal
from app.catalogue import repository as catalogue_repository
from app.catalogue.models import MemberRole, TradingOrganisationMember
from app.core.errors import ConflictOfInterest
from app.trade import repository
from app.trade.errors import NotBuyerMember, NotSellerMember, TradeOrderNotFound
from app.trade.models import Party, TradeOrder, TradeOrderStatus


async def readable_order(
    session: AsyncSession, principal: Principal, order_id: UUID, *, for_update: bool = False
) -> TradeOrder:
    """The order, for members of its buyer and its seller; nobody else learns it exists. An API key sees it
    only when its own organisation is one of the two."""
    order = await repository.get_readable(session, principal.user_id, order_id, for_update=for_update)
    if order is None or not (principal.reaches(order.buyer_id) or principal.reaches(order.seller_id)):
        raise TradeOrderNotFound(order_id)
    return order


def readable_orders(principal: Principal, *, status: TradeOrderStatus | None, role: str | None) -> Select[TradeOrder]:
    """The orders the caller may list: its organisations', or for an API key its own organisation's."""
    statement = repository.orders_page_statement(principal.user_id, status=status, role=role)
    if principal.api_key is not None:
        own = principal.api_key.organisation_id
        statement = statement.where(or_(TradeOrder.buyer_id == own, TradeOrder.seller_id == own))
    return statement


async def parties_of(session: AsyncSession, principal: Principal, order: TradeOrder) -> list[Party]:
    parties = []
    if principal.reaches(order.buyer_id) and await catalogue_repository.is_member(
        session, order.buyer_id, principal.user_id
    ):
        parties.append(Party.buyer)
    if principal.reaches(order.seller_id) and await catalogue_repository.is_member(
        session, order.seller_id, principal.user_id
    ):
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


async def refuse_conflict_of_interest(
    session: AsyncSession,
    principal: Principal,
    *,
    buyer_id: UUID,
    seller_id: UUID,
    acting_for: Party,
    placing: bool = False,
) -> None:
    """No one sits on both sides: an owner or member of one organisation of an order never acts for the
    other. `placing` also refuses an order between two organisations that share a member, whoever places it."""
    other_party, other_id = (Party.seller, seller_id) if acting_for == Party.buyer else (Party.buyer, buyer_id)
    role = await catalogue_repository.member_role(session, other_id, principal.user_id)
    if role is not None:
        other = await catalogue_repository.get_organisation(session, other_id)
        name = other.name if other else str(other_id)
        raise ConflictOfInterest(
            f"You are {'an owner' if role == MemberRole.owner else 'a member'} of '{name}', the {other_party} of "
            f"this order; you cannot act for the {acting_for} too.",
            acting_for=acting_for.value,
        )
    if placing:
        of_buyer, of_seller = aliased(TradingOrganisationMember), aliased(TradingOrganisationMember)
        statement = (
            select(User.display_name)
            .join(of_buyer, of_buyer.user_id == User.id)
            .join(of_seller, of_seller.user_id == User.id)
            .where(of_buyer.trading_organisation_id == buyer_id, of_seller.trading_organisation_id == seller_id)
        )
        shared = await session.scalar(statement.order_by(User.display_name, User.id).limit(1))
        if shared is not None:
            raise ConflictOfInterest(
                f"{shared} belongs to both the buyer and the seller; two organisations that share a member "
                "trade no order with each other."
            )
