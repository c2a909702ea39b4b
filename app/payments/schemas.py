import enum
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from app.agreements.models import AgreementStatus
from app.core.money import AmountText, CurrencyCode
from app.core.schemas import PLAIN_TEXT_PATTERN, Page, PaymentMethod, Schema
from app.ledger.models import AccountKind


class PaymentKind(enum.StrEnum):
    household_to_group = "household_to_group"
    group_to_producer = "group_to_producer"


class PaymentCreate(Schema):
    kind: PaymentKind
    household_id: UUID | None = Field(default=None, description="The paying household; only for household_to_group.")
    amount: AmountText
    currency: CurrencyCode
    method: PaymentMethod
    reference: Annotated[str, StringConstraints(max_length=200, pattern=PLAIN_TEXT_PATTERN)] | None = None

    @model_validator(mode="after")
    def household_only_for_household_payments(self) -> "PaymentCreate":
        if (self.kind == PaymentKind.household_to_group) != (self.household_id is not None):
            raise ValueError("household_id is required for household_to_group and not allowed for group_to_producer")
        return self


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


class PaymentRead(Schema):
    agreement_id: UUID
    agreement_status: AgreementStatus
    currency: str
    transaction: TransactionRead


class AccountRead(Schema):
    account: AccountKind
    owner_id: UUID
    balance: str


class LedgerRead(Page[TransactionRead]):
    """One page of the agreement's transactions in the order they were recorded, beside where every unit
    of its money is now: the totals and balances cover every transaction, not only this page's."""

    agreement_id: UUID
    status: AgreementStatus
    currency: str
    total_price: str
    advance_due_on: date | None
    collected_from_households: str
    paid_from_group_funds: str
    received_by_producer: str
    outstanding_to_producer: str
    accounts: list[AccountRead]


class StatementLine(Schema):
    agreement_id: UUID
    status: AgreementStatus
    currency: str
    shares: int
    amount_due: str
    paid: str = Field(description="Paid in, less what was refunded.")
    paid_by_former_holders: str = Field(
        description="What the households that handed these shares on had paid for them; not owed again."
    )
    outstanding: str
    transactions: list[TransactionRead]


class StatementRead(Page[StatementLine]):
    """One page of the agreements the household holds shares of, in the order it subscribed; each line
    carries its own totals."""

    household_id: UUID


# Every date lies within this many days of every other (years 1 to 9999).
DAYS_BOUND = 3_700_000


class DuesLine(Schema):
    household_id: UUID
    household_name: str
    shares: int
    amount_due: str
    paid: str = Field(description="Paid towards the shares by their holder and by the households that handed them on.")
    outstanding: str


class DuesAmounts(Schema):
    amount_due: str
    paid: str
    outstanding: str


class GroupPartDues(DuesAmounts):
    """The shares no household took: the consumer group pays for them from its own money."""

    shares: int


class ProducerDues(Schema):
    """What the consumer group owes the producer group for the whole agreement."""

    total: str
    received_by_producer: str
    outstanding: str
    held_by_group: str = Field(description="Collected from households and not yet passed on to the producer group.")


class DuesRead(Schema):
    """Who has paid what towards the agreement and what is still owed, household by household, for its
    consumer group's coordinators. A lapsed or cancelled agreement owes nothing: what was paid went back."""

    agreement_id: UUID
    status: AgreementStatus
    currency: str
    advance_due_on: date | None
    days_to_due: int | None = Field(
        ge=-DAYS_BOUND, le=DAYS_BOUND, description="Days left until the due date; negative once past, null when none."
    )
    households: list[DuesLine] = Field(description="Every holder of shares, by household name.")
    households_total: DuesAmounts
    group_part: GroupPartDues
    producer: ProducerDues
