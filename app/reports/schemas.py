from datetime import datetime
from uuid import UUID

from pydantic import Field

from app.core.schemas import Page, Schema
from app.ledger.models import AccountKind


class StatementEntry(Schema):
    """One movement of money into or out of the producer group's accounts, naming the agreement or the
    trade order it belongs to (exactly one of the two)."""

    id: UUID
    recorded_at: datetime
    transaction_id: UUID
    kind: str = Field(
        max_length=32,
        description="What moved the money: group_to_producer, lapse_refund, cancellation_refund, prefinance, "
        "settlement, fair_trade_premium, prefinance_refund.",
    )
    account: AccountKind
    agreement_id: UUID | None
    trade_order_id: UUID | None
    currency: str = Field(max_length=3)
    amount: str = Field(max_length=24, description="Positive into the group's account, negative out of it.")


class CurrencyTotals(Schema):
    """Everything the group received in one currency, over all its entries, not only this page's."""

    currency: str = Field(max_length=3)
    advance_payments_received: str = Field(max_length=24, description="Paid in advance by consumer groups.")
    advance_payments_refunded: str = Field(
        max_length=24, description="Given back when an agreement was cancelled or lapsed."
    )
    prefinance_received: str = Field(max_length=24, description="Pre-finance paid by buyers before shipment.")
    prefinance_outstanding: str = Field(
        max_length=24, description="Pre-finance held and not yet recovered against a settlement or refunded."
    )
    goods_received: str = Field(max_length=24, description="Order values settled, pre-finance recovered included.")
    premium_received: str = Field(max_length=24, description="Fair-trade premium paid into the collective fund.")
    net_received: str = Field(max_length=24, description="All of the above, in less out: what the group holds.")


class ProducerStatementRead(Page[StatementEntry]):
    """One page of the producer group's entries, oldest first, beside its totals per currency."""

    producer_group_id: UUID
    trading_organisation_id: UUID | None = Field(
        description="The trading organisation that sells for the group, whose trade orders are included; null if none."
    )
    totals: list[CurrencyTotals] = Field(description="One per currency the group was paid in, by currency code.")
