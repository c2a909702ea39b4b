"""What a treasurer sends and reads about bank statements."""

import enum
from datetime import date, datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from app.collection.models import PayeeKind, PayerKind
from app.core.money import CurrencyCode
from app.core.schemas import PLAIN_TEXT_PATTERN, Schema
from app.payments.schemas import ExcessPayment
from app.statements.models import ConfirmedAs, LineStatus, StatementFormat

ColumnName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=PLAIN_TEXT_PATTERN)
]

# The ways banks write dates in their exports, as strptime reads each.
DATE_FORMATS = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "DD/MM/YYYY": "%d/%m/%Y",
    "MM/DD/YYYY": "%m/%d/%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
    "DD-MM-YYYY": "%d-%m-%Y",
    "YYYYMMDD": "%Y%m%d",
}
DateFormat = Literal["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY", "DD-MM-YYYY", "YYYYMMDD"]
COLUMN_FIELDS = (
    "date_column",
    "amount_column",
    "credit_column",
    "debit_column",
    "currency_column",
    "payer_name_column",
    "description_column",
    "bank_id_column",
)


class CsvMappingWrite(Schema):
    """Where the bank's CSV export puts each field, by the column's name in its header row. Amounts are
    in one signed column (`amount_column`, money out negative) or in two (`credit_column`, `debit_column`);
    the currency is a column of its own or the same for every line (`currency`)."""

    delimiter: Literal[",", ";", "\t", "|"] = ","
    decimal_separator: Literal[".", ","] = "."
    skip_rows: int = Field(default=0, ge=0, le=50, description="Lines above the header row, such as a bank's title.")
    date_column: ColumnName
    date_format: DateFormat = "YYYY-MM-DD"
    amount_column: ColumnName | None = None
    credit_column: ColumnName | None = None
    debit_column: ColumnName | None = None
    currency_column: ColumnName | None = None
    currency: CurrencyCode | None = None
    payer_name_column: ColumnName | None = None
    description_column: ColumnName = Field(description="The transfer's note, where payers write their reference.")
    bank_id_column: ColumnName | None = Field(default=None, description="The bank's own id of each transaction.")

    @model_validator(mode="after")
    def one_way_to_each_amount_and_currency(self) -> Self:
        if (self.amount_column is None) == (self.credit_column is None):
            raise ValueError("name either amount_column or credit_column (with debit_column if the bank has one)")
        if self.amount_column is not None and self.debit_column is not None:
            raise ValueError("debit_column goes with credit_column, not with amount_column")
        if (self.currency_column is None) == (self.currency is None):
            raise ValueError("name either currency_column or a fixed currency")
        return self

    def columns(self) -> dict[str, str]:
        """Each mapped field and the header it is read from."""
        named = {field: getattr(self, field) for field in COLUMN_FIELDS}
        return {field: name for field, name in named.items() if name is not None}


class CsvMappingRead(CsvMappingWrite):
    payee_kind: PayeeKind
    payee_id: UUID
    updated_by: UUID
    updated_at: datetime


class Payee(Schema):
    kind: PayeeKind
    id: UUID


class StatementImportRead(Schema):
    """An uploaded statement and what reading it found: every credit line is matched, suggested or
    unmatched, or skipped as a duplicate of a line an earlier upload brought; debits are counted only."""

    id: UUID
    payee: Payee
    format: StatementFormat
    file_name: str | None
    sha256: str = Field(description="SHA-256 of the file as uploaded, in hex.")
    lines_read: int = Field(description="Transactions in the file, credits and debits.")
    credits: int
    debits: int = Field(description="Money out: not payments to the group, so not kept as lines.")
    duplicates: int = Field(description="Credits already brought by an earlier upload, skipped.")
    matched: int
    suggested: int
    unmatched: int
    uploaded_by: UUID
    created_at: datetime


class SuggestionReason(enum.StrEnum):
    amount = "amount"  # the line's amount is what the payer still owes
    name = "name"  # the payer's name appears on the line


class PayerRead(Schema):
    agreement_id: UUID
    payer_kind: PayerKind
    payer_id: UUID
    payer_name: str


class SuggestionRead(PayerRead):
    outstanding: str = Field(description="What the payer still owed on the agreement when the line was read.")
    reasons: list[SuggestionReason]


class StatementLineRead(Schema):
    id: UUID
    import_id: UUID
    position: int = Field(description="The line of the file the transaction was read from.")
    booked_on: date
    amount: str
    currency: str
    payer_name: str | None
    description: str | None
    bank_transaction_id: str | None
    status: LineStatus
    reference: str | None = Field(description="A valid payment reference found in the description.")
    payer: PayerRead | None = Field(description="Matched by reference, or as confirmed.")
    credited_household_id: UUID | None = Field(description="The household credited, when confirmed as credit.")
    suggestions: list[SuggestionRead]
    confirmed_as: ConfirmedAs | None
    ledger_transaction_id: UUID | None
    credit_transaction_id: UUID | None = Field(description="What was paid beyond the dues, kept as credit.")
    dismissal_reason: str | None
    decided_by: UUID | None
    decided_at: datetime | None
    created_at: datetime


class LineConfirmationCreate(Schema):
    """Confirm a line as the payment it was matched to, or name the payer (`agreement_id` and `payer_id`)
    to re-assign it. `as_credit` records the whole line as credit of the household `payer_id` instead."""

    agreement_id: UUID | None = None
    payer_id: UUID | None = None
    as_credit: bool = False
    excess: ExcessPayment = Field(
        default=ExcessPayment.refuse,
        description="`credit` keeps what a household paid beyond its dues as its credit at the group; "
        "`refuse` answers `overpayment`.",
    )


class DismissalCreate(Schema):
    reason: Annotated[str, StringConstraints(max_length=500, pattern=PLAIN_TEXT_PATTERN)] | None = Field(
        default=None, examples=["Interest paid by the bank"]
    )


class LineNotConfirmed(Schema):
    line_id: UUID
    code: str
    detail: str


class BulkConfirmationRead(Schema):
    """What confirming every reference-matched line of an import did: the lines it recorded, and those it
    left waiting with the problem each met (more than is owed, an agreement that takes no payment)."""

    import_id: UUID
    confirmed: list[StatementLineRead]
    not_confirmed: list[LineNotConfirmed]


class LineFilter(enum.StrEnum):
    waiting = "waiting"  # matched, suggested or unmatched: not decided yet
    matched = "matched"
    suggested = "suggested"
    unmatched = "unmatched"
    confirmed = "confirmed"
    dismissed = "dismissed"
    all = "all"
