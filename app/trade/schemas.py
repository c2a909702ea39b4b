import enum
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictInt, StringConstraints

from app.core.money import AmountText, CurrencyCode
from app.core.quantity import QuantityText, Unit
from app.core.schemas import PLAIN_TEXT_PATTERN, PaymentMethod, Schema, Text
from app.ledger.models import AccountKind
from app.trade.models import Party, TradeOrderStatus, TradeTerms

Reference = Annotated[str, StringConstraints(max_length=200, pattern=PLAIN_TEXT_PATTERN)]


class Role(enum.StrEnum):
    buyer = "buyer"
    seller = "seller"


# Requests


class TradeOrderLineCreate(Schema):
    product_id: UUID
    quantity: QuantityText = Field(description="In the product's unit; at least its minimum order quantity.")


class TradeOrderCreate(Schema):
    buyer_id: UUID = Field(description="Your trading organisation, which buys.")
    seller_id: UUID = Field(description="The trading organisation that lists every product ordered.")
    terms: TradeTerms = Field(description="The fair-trade terms of the order, which set its pre-finance rule.")
    currency: CurrencyCode | None = Field(
        default=None, description="The buyer's settlement currency; the products' currency when left out."
    )
    lines: list[TradeOrderLineCreate] = Field(min_length=1, max_length=100)
    note: Text | None = None


class AgreedPrice(Schema):
    product_id: UUID
    unit_price: AmountText = Field(description="Per unit, in the products' currency; never below the minimum price.")


class TradeOrderConfirmation(Schema):
    unit_prices: list[AgreedPrice] = Field(
        default_factory=list,
        max_length=100,
        description="Prices agreed through dialogue; a product left out is sold at its listed price.",
    )
    note: Text | None = None


class PrefinanceRequestCreate(Schema):
    percent: StrictInt = Field(
        ge=1, le=100, description="Percent of the order value; at most 60 under Fairtrade terms."
    )
    note: Text | None = None


class PrefinancePaymentCreate(Schema):
    amount: AmountText
    currency: CurrencyCode
    method: PaymentMethod
    reference: Reference | None = None


class SettlementPaymentCreate(Schema):
    method: PaymentMethod
    reference: Reference | None = None


class TransitionNote(Schema):
    note: Text | None = None


# Responses


class TradeOrderLineRead(Schema):
    product_id: UUID
    product_name: str
    unit: Unit
    quantity: str
    list_price: str = Field(description="Per unit, in the products' currency, as listed when ordered.")
    minimum_price: str = Field(description="The fair-trade minimum per unit, in the products' currency.")
    premium_per_unit: str = Field(description="Paid on top of the price, in the products' currency.")
    agreed_price: str | None = Field(description="Agreed at confirmation; null when the listed price stands.")
    unit_price: str | None = Field(description="The price paid per unit: max(minimum, agreed); from confirmation.")
    value: str | None = Field(description="Quantity × unit price in the order's currency; from confirmation.")
    premium: str | None = Field(description="Quantity × premium in the order's currency; from confirmation.")


class FixedRateRead(Schema):
    """1 `base` = `rate` `quote`, fixed when the order was confirmed."""

    base: str
    quote: str
    rate: str
    source: str
    as_of: date
    inverted: bool = Field(description="True when only the opposite pair was stored and its inverse was used.")


class PrefinanceRead(Schema):
    requested_percent: int
    requested: str
    minimum_payment: str = Field(description="The least the buyer may pay under the order's terms.")
    paid: str
    refunded: str = Field(description="Paid back to the buyer when the order was cancelled.")


class SettlementRead(Schema):
    """The settlement, with the pre-finance recovered against the order value and the premium on top."""

    order_value: str
    prefinance_recovered: str
    order_value_less_prefinance: str
    premium: str = Field(description="Paid into the producer organisation's collective fund, as its own entry.")
    amount_due_at_settlement: str = Field(description="order_value_less_prefinance + premium.")
    settled: bool


class TradeOrderEventRead(Schema):
    transition: str
    from_status: TradeOrderStatus | None
    to_status: TradeOrderStatus
    party: Party
    user_id: UUID
    note: str | None
    created_at: datetime


class EntryRead(Schema):
    account: AccountKind
    owner_id: UUID
    amount: str = Field(description="Positive into the account, negative out of it.")


class TransactionRead(Schema):
    id: UUID
    kind: str
    method: str | None
    reference: str | None
    created_at: datetime
    entries: list[EntryRead]


class AccountRead(Schema):
    account: AccountKind
    owner_id: UUID
    balance: str


class TradeOrderRead(Schema):
    id: UUID
    status: TradeOrderStatus
    terms: TradeTerms
    buyer_id: UUID
    seller_id: UUID
    currency: str = Field(description="The buyer's settlement currency: every order amount is in it.")
    product_currency: str
    note: str | None
    lines: list[TradeOrderLineRead]
    exchange_rate: FixedRateRead | None = Field(description="Null when the two currencies are the same.")
    order_value: str | None
    premium: str | None
    prefinance: PrefinanceRead | None
    settlement: SettlementRead | None = Field(description="From confirmation until the order is cancelled.")
    history: list[TradeOrderEventRead]
    accounts: list[AccountRead]
    transactions: list[TransactionRead]
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None


class TradeOrderSummary(Schema):
    id: UUID
    status: TradeOrderStatus
    terms: TradeTerms
    buyer_id: UUID
    seller_id: UUID
    currency: str
    order_value: str | None
    created_at: datetime
    updated_at: datetime
