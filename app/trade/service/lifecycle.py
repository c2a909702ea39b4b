"""An order's life (DESIGN, "Cross-border fair-trade catalogue"): requested → confirmed → (pre-finance
requested → pre-financed) → shipped → delivered → settled, or cancelled before shipment. Who may make
each transition from which status is RULES; the money-moving ones are in payments.py."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.catalogue import conversion
from app.catalogue import policies as catalogue_policies
from app.catalogue import service as catalogue_service
from app.catalogue.errors import PriceBelowMinimum, PriceNotPositive, ProductNotFound
from app.catalogue.pricing import price_paid
from app.core import money, quantity
from app.core.db import utc_now
from app.outbox import events as outbox
from app.outbox.models import OrganisationKind
from app.trade import policies, pricing, repository
from app.trade.errors import (
    BelowMinimumOrderQuantity,
    BuyerIsSeller,
    DuplicateProduct,
    IllegalTransition,
    MixedCurrencies,
    PrefinanceAboveCeiling,
    PrefinanceBelowMinimum,
    PrefinanceUnpaid,
    ProductNotFromSeller,
    ProductNotInOrder,
)
from app.trade.models import (
    FAIRTRADE_PREFINANCE_CEILING_PERCENT,
    Party,
    TradeOrder,
    TradeOrderEvent,
    TradeOrderLine,
    TradeOrderStatus,
    TradeTerms,
    Transition,
)
from app.trade.schemas import TradeOrderConfirmation, TradeOrderCreate, TradeOrderRead
from app.trade.service.reading import order_read

Status = TradeOrderStatus


@dataclass(frozen=True)
class Rule:
    parties: frozenset[Party]
    from_statuses: frozenset[TradeOrderStatus]


# Who may make each transition, from which statuses. Anything else is 409 illegal-transition.
RULES: Mapping[Transition, Rule] = {
    Transition.confirm: Rule(frozenset({Party.seller}), frozenset({Status.requested})),
    Transition.request_prefinance: Rule(frozenset({Party.seller}), frozenset({Status.confirmed})),
    Transition.prefinance: Rule(frozenset({Party.buyer}), frozenset({Status.prefinance_requested})),
    Transition.ship: Rule(frozenset({Party.seller}), frozenset({Status.confirmed, Status.prefinanced})),
    Transition.deliver: Rule(frozenset({Party.buyer}), frozenset({Status.shipped})),
    Transition.settle: Rule(frozenset({Party.buyer}), frozenset({Status.delivered})),
    # Never after shipment: the goods are on their way, and pre-finance has been spent on them.
    Transition.cancel: Rule(
        frozenset({Party.buyer, Party.seller}),
        frozenset({Status.requested, Status.confirmed, Status.prefinance_requested, Status.prefinanced}),
    ),
}


# Placing an order


async def place_order(session: AsyncSession, principal: Principal, data: TradeOrderCreate) -> TradeOrderRead:
    """A member of the buying organisation orders listed products of one seller, in one currency, each at
    least its minimum order quantity; the two organisations share no member. Prices are the listings' until
    the seller confirms."""
    buyer = await catalogue_service.get_organisation(session, data.buyer_id)
    await catalogue_policies.require_member(session, principal, buyer)
    seller = await catalogue_service.get_organisation(session, data.seller_id)
    if buyer.id == seller.id:
        raise BuyerIsSeller("The buyer and the seller are the same organisation.")
    await policies.refuse_conflict_of_interest(
        session, principal, buyer_id=buyer.id, seller_id=seller.id, acting_for=Party.buyer, placing=True
    )
    product_ids = [line.product_id for line in data.lines]
    if len(set(product_ids)) != len(product_ids):
        raise DuplicateProduct("Name each product once, with its whole quantity.")
    products = await repository.listed_products(session, product_ids)
    for product_id in product_ids:
        if product_id not in products:
            raise ProductNotFound(product_id)
        if products[product_id].seller_id != seller.id:
            raise ProductNotFromSeller(
                f"Product {product_id} is not listed by '{seller.name}'; order it from its own seller.",
                product_id=str(product_id),
            )
    currencies = sorted({product.currency for product in products.values()})
    if len(currencies) > 1:
        raise MixedCurrencies(f"The products are priced in {', '.join(currencies)}; order each currency apart.")

    lines = []
    for position, requested in enumerate(data.lines):
        product = products[requested.product_id]
        quantity_base = quantity.to_base(requested.quantity, product.unit)
        if quantity_base < product.minimum_order_quantity_base:
            minimum = quantity.to_text(product.minimum_order_quantity_base, product.unit)
            raise BelowMinimumOrderQuantity(
                f"'{product.name}' is sold from {minimum} {product.unit}.",
                product_id=str(product.id),
                minimum_order_quantity=minimum,
            )
        lines.append(
            TradeOrderLine(
                position=position,
                product_id=product.id,
                product_name=product.name,
                unit=product.unit,
                quantity_base=quantity_base,
                list_price_minor=product.price_minor,
                minimum_price_minor=product.minimum_price_minor,
                premium_per_unit_minor=product.premium_minor,
            )
        )
    order = TradeOrder(
        buyer_id=buyer.id,
        seller_id=seller.id,
        terms=data.terms,
        status=Status.requested,
        currency=data.currency or currencies[0],
        product_currency=currencies[0],
        note=data.note,
        prefinance_paid_minor=0,
        created_by=principal.user_id,
        lines=lines,
        events=[],
    )
    session.add(order)
    await session.flush()  # the order has its id before its first event names it
    await record(session, order, principal, Transition.request, Party.buyer, Status.requested, data.note)
    await session.flush()
    return await order_read(session, order)


# Transitions


async def begin(
    session: AsyncSession, principal: Principal, order_id: UUID, transition: Transition
) -> tuple[TradeOrder, Party]:
    """Lock the order, check the caller's party (never one on both sides), then the status: 404, 403, 409
    in that order."""
    order = await policies.readable_order(session, principal, order_id, for_update=True)
    rule = RULES[transition]
    party = await policies.acting_party(session, principal, order, rule.parties)
    await policies.refuse_conflict_of_interest(
        session, principal, buyer_id=order.buyer_id, seller_id=order.seller_id, acting_for=party
    )
    if transition == Transition.ship and order.status == Status.prefinance_requested:
        requested = money.to_text(order.prefinance_requested_minor or 0, order.currency)
        raise PrefinanceUnpaid(
            f"The seller asked for {requested} {order.currency} of pre-finance; it is paid before shipment.",
            current_status=order.status.value,
        )
    if order.status not in rule.from_statuses:
        allowed = ", ".join(sorted(rule.from_statuses))
        raise IllegalTransition(
            f"An order that is {order.status} cannot {transition}; it can from: {allowed}.",
            current_status=order.status.value,
            transition=transition.value,
        )
    return order, party


async def record(
    session: AsyncSession,
    order: TradeOrder,
    principal: Principal,
    transition: Transition,
    party: Party,
    to_status: TradeOrderStatus,
    note: str | None,
) -> None:
    """The order moves to `to_status`: its history keeps the step, and both parties' integrators hear of it."""
    from_status = None if transition == Transition.request else order.status
    order.events.append(
        TradeOrderEvent(
            position=len(order.events),
            transition=transition,
            from_status=from_status,
            to_status=to_status,
            party=party,
            user_id=principal.user_id,
            note=note,
            created_at=utc_now(),
        )
    )
    order.status = to_status
    order.updated_at = utc_now()
    await outbox.emit(
        session,
        f"trade_order.{to_status}",
        {"trade_order": _snapshot(order)},
        audience=[
            (OrganisationKind.trading_organisation, order.buyer_id),
            (OrganisationKind.trading_organisation, order.seller_id),
        ],
    )


def _snapshot(order: TradeOrder) -> dict[str, Any]:
    """The order's essentials, amounts as decimal strings beside the currency; the whole order is a read away."""
    value = order.order_value_minor
    return {
        "id": str(order.id),
        "status": str(order.status),
        "buyer_id": str(order.buyer_id),
        "seller_id": str(order.seller_id),
        "terms": str(order.terms),
        "currency": order.currency,
        "order_value": money.to_text(value, order.currency) if value is not None else None,
    }


async def confirm(
    session: AsyncSession, principal: Principal, *, order_id: UUID, confirmation: TradeOrderConfirmation
) -> TradeOrderRead:
    """The seller confirms the prices agreed through dialogue (never below a product's minimum price; the
    price paid is max(minimum, agreed)) and, when the buyer pays in another currency, fixes the rate now."""
    order, party = await begin(session, principal, order_id, Transition.confirm)
    lines = {line.product_id: line for line in order.lines}
    agreed: dict[UUID, int] = {}
    for price in confirmation.unit_prices:
        if price.product_id not in lines:
            raise ProductNotInOrder(
                f"Product {price.product_id} is not in this order.", product_id=str(price.product_id)
            )
        if price.product_id in agreed:
            raise DuplicateProduct("Agree one price per product.")
        agreed[price.product_id] = _agreed_price(lines[price.product_id], price.unit_price, order.product_currency)

    rate = None
    if order.currency != order.product_currency:
        applied = await catalogue_service.applied_rate(session, order.product_currency, order.currency)
        rate = applied.rate
        order.rate_text = conversion.rate_text(applied.rate)
        order.rate_source = applied.source
        order.rate_as_of = applied.as_of
        order.rate_inverted = applied.inverted
    for line in order.lines:
        line.agreed_price_minor = agreed.get(line.product_id)
        line.unit_price_minor = price_paid(
            minimum_minor=line.minimum_price_minor, agreed_minor=agreed.get(line.product_id, line.list_price_minor)
        )
        line.value_minor = _in_order_currency(order, line, line.unit_price_minor, rate)
        line.premium_minor = _in_order_currency(order, line, line.premium_per_unit_minor, rate)
    order.order_value_minor = sum(line.value_minor or 0 for line in order.lines)
    order.premium_minor = sum(line.premium_minor or 0 for line in order.lines)
    money.capped(
        order.order_value_minor + order.premium_minor,
        "The order's value is too large to store; split it into several orders.",
    )
    order.confirmed_at = utc_now()
    await record(session, order, principal, Transition.confirm, party, Status.confirmed, confirmation.note)
    await session.flush()
    return await order_read(session, order)


def _agreed_price(line: TradeOrderLine, unit_price: str, currency: str) -> int:
    agreed = money.to_minor(unit_price, currency)
    if agreed <= 0:
        raise PriceNotPositive(f"The agreed price of '{line.product_name}' must be above zero.")
    # The fair-trade floor (DESIGN, catalogue): the price is never agreed below the minimum price.
    if agreed < line.minimum_price_minor:
        minimum = money.to_text(line.minimum_price_minor, currency)
        raise PriceBelowMinimum(
            f"The agreed price {unit_price} {currency} of '{line.product_name}' is below its minimum price "
            f"{minimum} {currency}.",
            product_id=str(line.product_id),
            minimum_price=minimum,
            currency=currency,
        )
    return agreed


def _in_order_currency(order: TradeOrder, line: TradeOrderLine, per_unit_minor: int, rate: Decimal | None) -> int:
    amount = pricing.line_amount(
        per_unit_minor,
        line.quantity_base,
        line.unit,
        from_currency=order.product_currency,
        to_currency=order.currency,
        rate=rate,
    )
    return money.capped(amount, f"The value of '{line.product_name}' is too large to store; order less at once.")


async def request_prefinance(
    session: AsyncSession, principal: Principal, *, order_id: UUID, percent: int, note: str | None
) -> TradeOrderRead:
    """The seller asks for pre-finance: a percent of the order value, at most 60 under Fairtrade terms.
    The amount requested is that percent of the order value, rounded down to the minor unit."""
    order, party = await begin(session, principal, order_id, Transition.request_prefinance)
    if order.terms == TradeTerms.fairtrade and percent > FAIRTRADE_PREFINANCE_CEILING_PERCENT:
        raise PrefinanceAboveCeiling(
            f"Fairtrade terms allow pre-finance of up to {FAIRTRADE_PREFINANCE_CEILING_PERCENT}% of the order "
            f"value; {percent}% was asked.",
            ceiling_percent=FAIRTRADE_PREFINANCE_CEILING_PERCENT,
        )
    assert order.order_value_minor is not None  # fixed at confirmation
    requested = pricing.requested_prefinance(order.order_value_minor, percent)
    if requested == 0:
        raise PrefinanceBelowMinimum(f"{percent}% of this order's value is less than one minor unit.")
    order.prefinance_percent = percent
    order.prefinance_requested_minor = requested
    await record(session, order, principal, Transition.request_prefinance, party, Status.prefinance_requested, note)
    await session.flush()
    return await order_read(session, order)


async def ship(session: AsyncSession, principal: Principal, *, order_id: UUID, note: str | None) -> TradeOrderRead:
    """The seller ships, once any pre-finance it asked for has been paid."""
    return await _move(session, principal, order_id, Transition.ship, Status.shipped, note)


async def deliver(session: AsyncSession, principal: Principal, *, order_id: UUID, note: str | None) -> TradeOrderRead:
    return await _move(session, principal, order_id, Transition.deliver, Status.delivered, note)


async def _move(
    session: AsyncSession,
    principal: Principal,
    order_id: UUID,
    transition: Transition,
    to_status: TradeOrderStatus,
    note: str | None,
) -> TradeOrderRead:
    order, party = await begin(session, principal, order_id, transition)
    await record(session, order, principal, transition, party, to_status, note)
    await session.flush()
    return await order_read(session, order)
