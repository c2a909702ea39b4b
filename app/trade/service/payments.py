"""The money of a trade order, through the double-entry ledger in the order's currency: pre-finance
paid before shipment, the settlement that recovers it with the premium paid apart, and the refund of a
cancelled order's pre-finance."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core import money
from app.core.idempotency import IdempotencyKeyMissing
from app.ledger import service as ledger
from app.ledger.models import AccountKind, LedgerAccount, LedgerTransaction
from app.trade import pricing
from app.trade.errors import CurrencyMismatch, PrefinanceAboveRequest, PrefinanceBelowMinimum
from app.trade.models import TradeOrder, TradeOrderStatus, Transition
from app.trade.schemas import PrefinancePaymentCreate, SettlementPaymentCreate, TradeOrderRead
from app.trade.service.lifecycle import begin, record
from app.trade.service.reading import order_read


async def pay_prefinance(
    session: AsyncSession, principal: Principal, *, order_id: UUID, payment: PrefinancePaymentCreate
) -> TradeOrderRead:
    """The buyer pays pre-finance to the seller; the rule of the order's terms is in pricing.prefinance_range."""
    order, party = await begin(session, principal, order_id, Transition.prefinance)
    amount = _payment_amount(order, payment.amount, payment.currency)
    assert order.order_value_minor is not None and order.prefinance_requested_minor is not None
    least, most = pricing.prefinance_range(order.terms, order.order_value_minor, order.prefinance_requested_minor)
    bounds = {"minimum": money.to_text(least, order.currency), "maximum": money.to_text(most, order.currency)}
    if amount < least:
        raise PrefinanceBelowMinimum(
            f"Under {order.terms} terms the buyer pays at least {bounds['minimum']} {order.currency} of the "
            f"{bounds['maximum']} {order.currency} requested.",
            **bounds,
        )
    if amount > most:
        raise PrefinanceAboveRequest(
            f"The seller requested {bounds['maximum']} {order.currency}; pay at most that.", **bounds
        )
    paid = await _account(session, order, AccountKind.buyer_paid, order.buyer_id)
    outstanding = await _account(session, order, AccountKind.prefinance_outstanding, order.seller_id)
    await ledger.post(
        session,
        trade_order_id=order.id,
        kind="prefinance",
        legs=[(paid, -amount), (outstanding, amount)],
        method=payment.method,
        reference=payment.reference,
        recorded_by_user_id=principal.user_id,
    )
    order.prefinance_paid_minor = amount
    await record(session, order, principal, Transition.prefinance, party, TradeOrderStatus.prefinanced, None)
    await session.flush()
    return await order_read(session, order)


def _payment_amount(order: TradeOrder, amount_text: str, currency: str) -> int:
    if currency != order.currency:
        raise CurrencyMismatch(f"The order is settled in {order.currency}, not {currency}.", currency=order.currency)
    amount = money.to_minor(amount_text, currency)
    if amount <= 0:
        raise money.InvalidAmount("A payment is more than zero.")
    return amount


async def settle(
    session: AsyncSession, principal: Principal, *, order_id: UUID, payment: SettlementPaymentCreate
) -> TradeOrderRead:
    """The buyer settles: the order value less the pre-finance recovered goes to the seller, and the
    premium, on top, into the producer organisation's collective fund as a transaction of its own."""
    order, party = await begin(session, principal, order_id, Transition.settle)
    assert order.order_value_minor is not None and order.premium_minor is not None
    value, prefinance, premium = order.order_value_minor, order.prefinance_paid_minor, order.premium_minor
    paid = await _account(session, order, AccountKind.buyer_paid, order.buyer_id)
    received = await _account(session, order, AccountKind.seller_received, order.seller_id)
    legs = [(paid, -(value - prefinance)), (received, value)]
    if prefinance:
        # Recovered visibly: the seller's outstanding pre-finance is cleared into the value it received.
        outstanding = await _account(session, order, AccountKind.prefinance_outstanding, order.seller_id)
        legs.insert(1, (outstanding, -prefinance))
    await _post(session, order, principal, "settlement", legs, payment)
    if premium:  # paid on top, never netted into the price (DESIGN, catalogue)
        fund = await _account(session, order, AccountKind.premium_fund, order.seller_id)
        await _post(session, order, principal, "fair_trade_premium", [(paid, -premium), (fund, premium)], payment)
    await record(session, order, principal, Transition.settle, party, TradeOrderStatus.settled, None)
    await session.flush()
    return await order_read(session, order)


async def cancel(
    session: AsyncSession, principal: Principal, *, order_id: UUID, note: str | None, idempotency_key_sent: bool
) -> TradeOrderRead:
    """Either party cancels before shipment. Pre-finance already paid goes back to the buyer through the
    ledger, so such a cancel moves money and needs an Idempotency-Key."""
    order, party = await begin(session, principal, order_id, Transition.cancel)
    if order.prefinance_paid_minor > 0:
        if not idempotency_key_sent:
            raise IdempotencyKeyMissing(
                "This cancel refunds the pre-finance paid; send an Idempotency-Key header (e.g. a new UUID)."
            )
        paid = await _account(session, order, AccountKind.buyer_paid, order.buyer_id)
        outstanding = await _account(session, order, AccountKind.prefinance_outstanding, order.seller_id)
        refund = await ledger.balance(session, outstanding.id)
        await _post(session, order, principal, "prefinance_refund", [(outstanding, -refund), (paid, refund)], None)
    await record(session, order, principal, Transition.cancel, party, TradeOrderStatus.cancelled, note)
    await session.flush()
    return await order_read(session, order)


async def _account(session: AsyncSession, order: TradeOrder, kind: AccountKind, owner_id: UUID) -> LedgerAccount:
    return await ledger.account(session, trade_order_id=order.id, kind=kind, owner_id=owner_id, currency=order.currency)


async def _post(
    session: AsyncSession,
    order: TradeOrder,
    principal: Principal,
    kind: str,
    legs: list[tuple[LedgerAccount, int]],
    payment: SettlementPaymentCreate | None,
) -> LedgerTransaction | None:
    if not any(amount for _, amount in legs):  # all pre-financed and no premium: nothing to record
        return None
    return await ledger.post(
        session,
        trade_order_id=order.id,
        kind=kind,
        legs=legs,
        method=payment.method if payment else None,
        reference=payment.reference if payment else None,
        recorded_by_user_id=principal.user_id,
    )
