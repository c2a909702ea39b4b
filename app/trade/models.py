"""Cross-border trade orders between two trading organisations (DESIGN, "Cross-border fair-trade
catalogue"): lines priced never below the fair-trade minimum, the exchange rate fixed at confirmation,
pre-finance under WFTO or Fairtrade terms, and every transition kept in the order's history."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, UtcDateTime, utc_now
from app.core.quantity import Unit

# Fairtrade: the buyer pre-finances up to 60% of the order value when the producers ask (Fairtrade
# Trader Standard, pre-finance). WFTO: the buyer grants at least 50% when asked (WFTO principle 3).
FAIRTRADE_PREFINANCE_CEILING_PERCENT = 60
WFTO_PREFINANCE_FLOOR_PERCENT = 50


class TradeTerms(enum.StrEnum):
    wfto = "wfto"
    fairtrade = "fairtrade"


class TradeOrderStatus(enum.StrEnum):
    requested = "requested"
    confirmed = "confirmed"  # prices agreed, value and exchange rate fixed
    prefinance_requested = "prefinance_requested"  # the seller asked for pre-finance; shipping waits for it
    prefinanced = "prefinanced"
    shipped = "shipped"
    delivered = "delivered"
    settled = "settled"
    cancelled = "cancelled"


class Transition(enum.StrEnum):
    """What a party does to an order; the path segment of POST /v1/trade-orders/{id}/{transition}."""

    request = "request"  # placing the order (the first entry of every history)
    confirm = "confirm"
    request_prefinance = "request-prefinance"
    prefinance = "prefinance"
    ship = "ship"
    deliver = "deliver"
    settle = "settle"
    cancel = "cancel"


class Party(enum.StrEnum):
    buyer = "buyer"
    seller = "seller"


class TradeOrder(Base):
    """Money in minor units: `*_minor` of the order's `currency` (the buyer's settlement currency), except
    the lines' per-unit prices, which stay in the products' `product_currency`."""

    __tablename__ = "trade_order"
    __table_args__ = (
        CheckConstraint("buyer_id <> seller_id", name="buyer_is_not_seller"),
        CheckConstraint("prefinance_percent BETWEEN 1 AND 100", name="prefinance_percent_range"),
        CheckConstraint(
            f"terms <> 'fairtrade' OR prefinance_percent <= {FAIRTRADE_PREFINANCE_CEILING_PERCENT}",
            name="fairtrade_prefinance_ceiling",
        ),
        CheckConstraint(
            "prefinance_paid_minor = 0 OR prefinance_paid_minor <= prefinance_requested_minor",
            name="prefinance_paid_within_request",
        ),
        CheckConstraint("prefinance_paid_minor >= 0", name="prefinance_paid_not_negative"),
        CheckConstraint("order_value_minor >= 0 AND premium_minor >= 0", name="amounts_not_negative"),
        Index("ix_trade_order_buyer_created", "buyer_id", "created_at", "id"),
        Index("ix_trade_order_seller_created", "seller_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    buyer_id: Mapped[UUID] = mapped_column(ForeignKey("trading_organisation.id"))
    seller_id: Mapped[UUID] = mapped_column(ForeignKey("trading_organisation.id"))
    terms: Mapped[TradeTerms] = mapped_column(Enum(TradeTerms, native_enum=False, length=16))
    status: Mapped[TradeOrderStatus] = mapped_column(
        Enum(TradeOrderStatus, native_enum=False, length=32), default=TradeOrderStatus.requested
    )
    currency: Mapped[str] = mapped_column(String(3))
    product_currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(String(2000))
    # Fixed at confirmation when the two currencies differ (1 product_currency = rate_text currency),
    # and never looked up again: a rate recorded later changes nothing here (REFERENCE 2.4).
    rate_text: Mapped[str | None] = mapped_column(String(64))
    rate_source: Mapped[str | None] = mapped_column(String(200))
    rate_as_of: Mapped[date | None] = mapped_column(Date)
    rate_inverted: Mapped[bool | None] = mapped_column()
    # Fixed at confirmation: the sums of the lines' values and premiums in the order's currency.
    order_value_minor: Mapped[int | None] = mapped_column(BigInteger)
    premium_minor: Mapped[int | None] = mapped_column(BigInteger)
    prefinance_percent: Mapped[int | None] = mapped_column()
    prefinance_requested_minor: Mapped[int | None] = mapped_column(BigInteger)
    prefinance_paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    # lazy="raise": an unloaded relationship fails loudly instead of querying behind our back.
    lines: Mapped[list[TradeOrderLine]] = relationship(
        lazy="raise", order_by="TradeOrderLine.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[TradeOrderEvent]] = relationship(
        lazy="raise", order_by="TradeOrderEvent.position", cascade="all, delete-orphan"
    )


class TradeOrderLine(Base):
    """A product ordered, with the listing's prices as they were when the order was requested (per unit,
    in the product currency) and, from confirmation, the agreed price and the line's value."""

    __tablename__ = "trade_order_line"
    __table_args__ = (
        UniqueConstraint("trade_order_id", "product_id"),
        UniqueConstraint("trade_order_id", "position"),
        CheckConstraint("quantity_base > 0", name="quantity_positive"),
        # The fair-trade floor (catalogue.pricing.price_paid), backed by the database: never below the minimum.
        CheckConstraint("unit_price_minor >= minimum_price_minor", name="unit_price_not_below_minimum"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    trade_order_id: Mapped[UUID] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[Unit] = mapped_column(Enum(Unit, native_enum=False, length=16))
    quantity_base: Mapped[int] = mapped_column(BigInteger)
    list_price_minor: Mapped[int] = mapped_column(BigInteger)
    minimum_price_minor: Mapped[int] = mapped_column(BigInteger)
    premium_per_unit_minor: Mapped[int] = mapped_column(BigInteger)
    agreed_price_minor: Mapped[int | None] = mapped_column(BigInteger)
    unit_price_minor: Mapped[int | None] = mapped_column(BigInteger)
    # In the order's currency, fixed at confirmation.
    value_minor: Mapped[int | None] = mapped_column(BigInteger)
    premium_minor: Mapped[int | None] = mapped_column(BigInteger)


class TradeOrderEvent(Base):
    """One transition: who did it, for which party, when; the order's history is these rows in order."""

    __tablename__ = "trade_order_event"
    __table_args__ = (UniqueConstraint("trade_order_id", "position"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    trade_order_id: Mapped[UUID] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    transition: Mapped[Transition] = mapped_column(
        Enum(Transition, native_enum=False, length=32, values_callable=lambda values: [v.value for v in values])
    )
    from_status: Mapped[TradeOrderStatus | None] = mapped_column(Enum(TradeOrderStatus, native_enum=False, length=32))
    to_status: Mapped[TradeOrderStatus] = mapped_column(Enum(TradeOrderStatus, native_enum=False, length=32))
    party: Mapped[Party] = mapped_column(Enum(Party, native_enum=False, length=16))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
