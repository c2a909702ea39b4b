import enum
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from app.agreements.models import AgreementStatus
from app.core import money
from app.core.money import AmountText, CurrencyCode
from app.core.schemas import PLAIN_TEXT_PATTERN, Page, PaymentMethod, Schema
from app.ledger.models import AccountKind, LedgerAccount, LedgerTransaction


class PaymentKind(enum.StrEnum):
    household_to_group = "household_to_group"
    group_to_producer = "group_to_producer"


class ExcessPayment(enum.StrEnum):
    """What becomes of a household's payment beyond what it owes: refused, or kept at its group as credit."""

    refuse = "refuse"
    credit = "credit"


PaymentReferenceText = Annotated[str, StringConstraints(max_length=200, pattern=PLAIN_TEXT_PATTERN)]


class PaymentCreate(Schema):
    kind: PaymentKind
    household_id: UUID | None = Field(default=None, description="The paying household; only for household_to_group.")
    amount: AmountText
    currency: CurrencyCode
    method: PaymentMethod
    reference: PaymentReferenceText | None = None
    excess: ExcessPayment = Field(
        default=ExcessPayment.refuse,
        description="Only for household_to_group, and a coordinator's choice: `credit` keeps what the household "
        "paid beyond what it owes as its credit at the group instead of refusing the payment.",
    )

    @model_validator(mode="after")
    def household_only_for_household_payments(self) -> "PaymentCreate":
        if (self.kind == PaymentKind.household_to_group) != (self.household_id is not None):
            raise ValueError("household_id is required for household_to_group and not allowed for group_to_producer")
        if self.kind == PaymentKind.group_to_producer and self.excess == ExcessPayment.credit:
            raise ValueError("excess credit is only for household_to_group")
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

    @classmethod
    def of(
        cls, transaction: LedgerTransaction, accounts: Mapping[UUID, LedgerAccount], currency: str
    ) -> "TransactionRead":
        """`accounts` holds every account the transaction's entries name."""
        return cls(
            id=transaction.id,
            kind=transaction.kind,
            method=transaction.method,
            reference=transaction.reference,
            created_at=transaction.created_at,
            entries=[
                EntryRead(
                    account=accounts[entry.account_id].kind,
                    owner_id=accounts[entry.account_id].owner_id,
                    amount=money.to_text(entry.amount_minor, currency),
                )
                for entry in transaction.entries
            ],
        )


class PaymentRead(Schema):
    agreement_id: UUID
    agreement_status: AgreementStatus
    currency: str
    transaction: TransactionRead
    credited: str = Field(default="0", description="What went to the household's credit at its group, beyond its due.")
    credit_transaction: TransactionRead | None = Field(
        default=None, description="The transaction that kept the excess as credit, on the group's credit ledger."
    )


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


# Household credit


class CreditDeposit(Schema):
    """Money a household hands its group to keep as credit, recorded by a coordinator who received it."""

    amount: AmountText
    currency: CurrencyCode
    method: PaymentMethod
    reference: PaymentReferenceText | None = None


class CreditPayout(CreditDeposit):
    """Credit the group hands back to the household, recorded by the coordinator who paid it out."""


class KeptRefund(Schema):
    """A refund (of a lapsed or a cancelled agreement) the household leaves at the group as credit."""

    transaction_id: UUID = Field(description="The refund's transaction, as the agreement's ledger lists it.")
    amount: AmountText | None = Field(default=None, description="Part of the refund; all of what is left by default.")


class CreditApplication(Schema):
    """Credit spent on the household's dues for one agreement of the group."""

    agreement_id: UUID
    amount: AmountText | None = Field(
        default=None, description="By default as much as both the credit and the outstanding dues allow."
    )


class HandedOnSettlement(Schema):
    """The household that took over shares pays, through the group, what the household that handed them on
    had paid for them: that household receives it as credit, and the payment now counts as the new holder's."""

    agreement_id: UUID
    amount: AmountText
    method: PaymentMethod
    reference: PaymentReferenceText | None = None


class CreditBalance(Schema):
    currency: str
    credit: str


class CreditMovementRead(Schema):
    """One movement of a household's credit; `counterpart` is its other half on an agreement's ledger, if any."""

    household_id: UUID
    consumer_group_id: UUID
    currency: str
    amount: str
    credit: str = Field(description="The household's credit in this currency after the movement.")
    transaction: TransactionRead
    counterpart: TransactionRead | None


class CreditRead(Page[TransactionRead]):
    """A household's credit at one consumer group: the balance in each currency, and a page of its movements
    in the order they were recorded."""

    household_id: UUID
    consumer_group_id: UUID
    balances: list[CreditBalance]


class HouseholdCredit(Schema):
    household_id: UUID
    household_name: str
    currency: str
    credit: str


class GroupCreditRead(Schema):
    """Every household's credit at the group, and the total the group holds for them, per currency."""

    consumer_group_id: UUID
    households: list[HouseholdCredit]
    totals: list[CreditBalance]
