"""An order as its two parties read it: lines, fixed rate, pre-finance, settlement, history and ledger."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core import money, quantity
from app.core.pagination import paginate
from app.core.schemas import Page
from app.ledger import service as ledger
from app.trade import policies, pricing
from app.trade.models import TradeOrder, TradeOrderStatus
from app.trade.schemas import (
    AccountRead,
    EntryRead,
    FixedRateRead,
    PrefinanceRead,
    Role,
    SettlementRead,
    TradeOrderEventRead,
    TradeOrderLineRead,
    TradeOrderRead,
    TradeOrderSummary,
    TransactionRead,
)


async def read_order(session: AsyncSession, principal: Principal, *, order_id: UUID) -> TradeOrderRead:
    return await order_read(session, await policies.readable_order(session, principal, order_id))


async def list_orders(
    session: AsyncSession,
    principal: Principal,
    *,
    status: TradeOrderStatus | None,
    role: Role | None,
    limit: int,
    cursor: str | None,
) -> Page[TradeOrderSummary]:
    """Orders of the caller's organisations, oldest first."""
    page = await paginate(
        session,
        policies.readable_orders(principal, status=status, role=role),
        created_at=TradeOrder.created_at,
        id_column=TradeOrder.id,
        limit=limit,
        cursor=cursor,
    )
    return Page[TradeOrderSummary](
        data=[
            TradeOrderSummary(
                id=order.id,
                status=order.status,
                terms=order.terms,
                buyer_id=order.buyer_id,
                seller_id=order.seller_id,
                currency=order.currency,
                order_value=_amount_text(order.order_value_minor, order.currency),
                created_at=order.created_at,
                updated_at=order.updated_at,
            )
            for order in page.rows
        ],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


def _amount_text(minor: int | None, currency: str) -> str | None:
    return None if minor is None else money.to_text(minor, currency)


async def order_read(session: AsyncSession, order: TradeOrder) -> TradeOrderRead:
    currency, product_currency = order.currency, order.product_currency
    balances = await ledger.accounts_with_balances(session, trade_order_id=order.id)
    transactions = await ledger.transactions(session, trade_order_id=order.id)
    kinds = {account.id: account for account, _ in balances}
    return TradeOrderRead(
        id=order.id,
        status=order.status,
        terms=order.terms,
        buyer_id=order.buyer_id,
        seller_id=order.seller_id,
        currency=currency,
        product_currency=product_currency,
        note=order.note,
        lines=[
            TradeOrderLineRead(
                product_id=line.product_id,
                product_name=line.product_name,
                unit=line.unit,
                quantity=quantity.to_text(line.quantity_base, line.unit),
                list_price=money.to_text(line.list_price_minor, product_currency),
                minimum_price=money.to_text(line.minimum_price_minor, product_currency),
                premium_per_unit=money.to_text(line.premium_per_unit_minor, product_currency),
                agreed_price=_amount_text(line.agreed_price_minor, product_currency),
                unit_price=_amount_text(line.unit_price_minor, product_currency),
                value=_amount_text(line.value_minor, currency),
                premium=_amount_text(line.premium_minor, currency),
            )
            for line in order.lines
        ],
        exchange_rate=_fixed_rate(order),
        order_value=_amount_text(order.order_value_minor, currency),
        premium=_amount_text(order.premium_minor, currency),
        prefinance=_prefinance(order),
        settlement=_settlement(order),
        history=[TradeOrderEventRead.model_validate(event) for event in order.events],
        accounts=[
            AccountRead(account=account.kind, owner_id=account.owner_id, balance=money.to_text(balance, currency))
            for account, balance in balances
        ],
        transactions=[
            TransactionRead(
                id=transaction.id,
                kind=transaction.kind,
                method=transaction.method,
                reference=transaction.reference,
                created_at=transaction.created_at,
                entries=[
                    EntryRead(
                        account=kinds[entry.account_id].kind,
                        owner_id=kinds[entry.account_id].owner_id,
                        amount=money.to_text(entry.amount_minor, currency),
                    )
                    for entry in transaction.entries
                ],
            )
            for transaction in transactions
        ],
        created_at=order.created_at,
        updated_at=order.updated_at,
        confirmed_at=order.confirmed_at,
    )


def _fixed_rate(order: TradeOrder) -> FixedRateRead | None:
    if order.rate_text is None:
        return None
    assert order.rate_source is not None and order.rate_as_of is not None
    return FixedRateRead(
        base=order.product_currency,
        quote=order.currency,
        rate=order.rate_text,
        source=order.rate_source,
        as_of=order.rate_as_of,
        inverted=bool(order.rate_inverted),
    )


def _prefinance(order: TradeOrder) -> PrefinanceRead | None:
    if order.prefinance_percent is None or order.prefinance_requested_minor is None:
        return None
    assert order.order_value_minor is not None
    least, _ = pricing.prefinance_range(order.terms, order.order_value_minor, order.prefinance_requested_minor)
    refunded = order.prefinance_paid_minor if order.status == TradeOrderStatus.cancelled else 0
    return PrefinanceRead(
        requested_percent=order.prefinance_percent,
        requested=money.to_text(order.prefinance_requested_minor, order.currency),
        minimum_payment=money.to_text(least, order.currency),
        paid=money.to_text(order.prefinance_paid_minor, order.currency),
        refunded=money.to_text(refunded, order.currency),
    )


def _settlement(order: TradeOrder) -> SettlementRead | None:
    if order.order_value_minor is None or order.premium_minor is None or order.status == TradeOrderStatus.cancelled:
        return None
    value, prefinance, premium, currency = (
        order.order_value_minor,
        order.prefinance_paid_minor,
        order.premium_minor,
        order.currency,
    )
    return SettlementRead(
        order_value=money.to_text(value, currency),
        prefinance_recovered=money.to_text(prefinance, currency),
        order_value_less_prefinance=money.to_text(value - prefinance, currency),
        premium=money.to_text(premium, currency),
        amount_due_at_settlement=money.to_text(value - prefinance + premium, currency),
        settled=order.status == TradeOrderStatus.settled,
    )
