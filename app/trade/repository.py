"""Queries for trade orders. Rules live in service.py; who may see an order starts here."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.catalogue.models import Product, ProductStatus, TradingOrganisationMember
from app.trade.models import TradeOrder, TradeOrderStatus


def organisations_of_user(user_id: UUID) -> Select[UUID]:
    """Ids of the trading organisations a user is a member of: the edge of every order's private data."""
    return select(TradingOrganisationMember.trading_organisation_id).where(TradingOrganisationMember.user_id == user_id)


def readable_by(user_id: UUID, *, role: str | None = None) -> Select[TradeOrder]:
    """Orders the user's organisations buy (role buyer), sell (seller), or either."""
    organisations = organisations_of_user(user_id)
    buyer, seller = TradeOrder.buyer_id.in_(organisations), TradeOrder.seller_id.in_(organisations)
    condition = buyer if role == "buyer" else seller if role == "seller" else or_(buyer, seller)
    return select(TradeOrder).where(condition)


async def get_readable(
    session: AsyncSession, user_id: UUID, order_id: UUID, *, for_update: bool = False
) -> TradeOrder | None:
    statement = readable_by(user_id).where(TradeOrder.id == order_id)
    if for_update:
        # One row lock per order: its transitions queue here, so each sees the status the previous one left.
        # (SQLite ignores FOR UPDATE; there every transaction holds the write lock from BEGIN IMMEDIATE.)
        statement = statement.with_for_update()
    statement = statement.options(selectinload(TradeOrder.lines), selectinload(TradeOrder.events))
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


def orders_page_statement(user_id: UUID, *, status: TradeOrderStatus | None, role: str | None) -> Select[TradeOrder]:
    statement = readable_by(user_id, role=role)
    if status is not None:
        statement = statement.where(TradeOrder.status == status)
    return statement


async def listed_products(session: AsyncSession, product_ids: Sequence[UUID]) -> dict[UUID, Product]:
    """Products that can be ordered: withdrawn ones are hidden from every read, so from orders too."""
    statement = select(Product).where(Product.id.in_(product_ids), Product.status == ProductStatus.listed)
    return {product.id: product for product in await session.scalars(statement)}
