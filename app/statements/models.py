"""Bank statements a payee group uploads, their credit lines and how each was decided, and the column
mapping the group's bank's CSV export needs."""

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import JSON, BigInteger, Date, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.collection.models import REFERENCE_LENGTH, PayeeKind, PayerKind
from app.core.db import Base, UtcDateTime, utc_now


class StatementFormat(enum.StrEnum):
    csv = "csv"
    camt053 = "camt053"  # ISO 20022 BankToCustomerStatement
    mt940 = "mt940"  # SWIFT customer statement message


class LineStatus(enum.StrEnum):
    matched = "matched"  # its reference names a payer of this payee
    suggested = "suggested"  # its amount or payer name fits one or more payers
    unmatched = "unmatched"  # nothing fits: a treasurer assigns it by hand
    confirmed = "confirmed"  # recorded in the ledger
    dismissed = "dismissed"  # not a payment to the group (interest, a refund from a supplier)


WAITING = (LineStatus.matched, LineStatus.suggested, LineStatus.unmatched)


class ConfirmedAs(enum.StrEnum):
    payment = "payment"  # towards an agreement's dues
    credit = "credit"  # a household's credit at its group


class StatementImport(Base):
    """One uploaded file and what reading it found."""

    __tablename__ = "statement_import"
    __table_args__ = (Index("ix_statement_import_payee", "payee_id", "created_at", "id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    payee_kind: Mapped[PayeeKind] = mapped_column(Enum(PayeeKind, native_enum=False, length=32))
    payee_id: Mapped[UUID]
    format: Mapped[StatementFormat] = mapped_column(Enum(StatementFormat, native_enum=False, length=16))
    file_name: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    lines_read: Mapped[int]
    credits: Mapped[int]
    debits: Mapped[int]
    duplicates: Mapped[int]
    matched: Mapped[int]
    suggested: Mapped[int]
    unmatched: Mapped[int]
    uploaded_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class StatementLine(Base):
    """A credit line of a statement. Its fingerprint is unique per payee: the same transfer in an
    overlapping or repeated upload is recognised and skipped, so it can never be recorded twice."""

    __tablename__ = "statement_line"
    __table_args__ = (
        UniqueConstraint("payee_id", "fingerprint"),
        Index("ix_statement_line_payee_status", "payee_id", "status", "created_at", "id"),
        Index("ix_statement_line_import", "import_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    import_id: Mapped[UUID] = mapped_column(ForeignKey("statement_import.id"))
    payee_kind: Mapped[PayeeKind] = mapped_column(Enum(PayeeKind, native_enum=False, length=32))
    payee_id: Mapped[UUID]
    position: Mapped[int]  # the line of the file it was read from
    fingerprint: Mapped[str] = mapped_column(String(64))
    booked_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    payer_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000))
    bank_transaction_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[LineStatus] = mapped_column(Enum(LineStatus, native_enum=False, length=16))
    # The valid payment reference found in the description, whoever it belongs to.
    reference: Mapped[str | None] = mapped_column(String(REFERENCE_LENGTH))
    # The payer: matched by reference, or as a treasurer confirmed it.
    agreement_id: Mapped[UUID | None] = mapped_column(ForeignKey("agreement.id"))
    payer_kind: Mapped[PayerKind | None] = mapped_column(Enum(PayerKind, native_enum=False, length=32))
    payer_id: Mapped[UUID | None]
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    confirmed_as: Mapped[ConfirmedAs | None] = mapped_column(Enum(ConfirmedAs, native_enum=False, length=16))
    ledger_transaction_id: Mapped[UUID | None] = mapped_column(ForeignKey("ledger_transaction.id"), unique=True)
    # What was paid beyond the dues and kept as the household's credit, at the treasurer's choice.
    credit_transaction_id: Mapped[UUID | None] = mapped_column(ForeignKey("ledger_transaction.id"), unique=True)
    dismissal_reason: Mapped[str | None] = mapped_column(String(500))
    decided_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class CsvMapping(Base):
    """Where the group's bank puts each field in its CSV export, saved once and used for every upload."""

    __tablename__ = "statement_csv_mapping"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    payee_kind: Mapped[PayeeKind] = mapped_column(Enum(PayeeKind, native_enum=False, length=32))
    payee_id: Mapped[UUID] = mapped_column(unique=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
