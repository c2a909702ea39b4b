"""An append-only double-entry ledger: entries are never changed, balances are sums of entries."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, UtcDateTime, utc_now


class AccountKind(enum.StrEnum):
    """The accounts of one agreement's money, by whose money it is."""

    household_paid = "household_paid"  # a household's payments (its balance is minus what it paid)
    group_fund = "group_fund"  # what the consumer group holds for the agreement
    group_own = "group_own"  # the consumer group's own money (e.g. for shares no household took)
    producer_received = "producer_received"  # what the producer group has received in advance


class LedgerAccount(Base):
    __tablename__ = "ledger_account"
    __table_args__ = (UniqueConstraint("agreement_id", "kind", "owner_id", "currency"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID] = mapped_column(ForeignKey("agreement.id"), index=True)
    kind: Mapped[AccountKind] = mapped_column(Enum(AccountKind, native_enum=False, length=32))
    owner_id: Mapped[UUID] = mapped_column()  # the household, consumer group or producer group
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class LedgerTransaction(Base):
    """One movement of money; its entries sum to zero per currency."""

    __tablename__ = "ledger_transaction"
    __table_args__ = (Index("ix_ledger_transaction_agreement_created", "agreement_id", "created_at", "id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID] = mapped_column(ForeignKey("agreement.id"))
    kind: Mapped[str] = mapped_column(String(32))  # household_to_group, group_to_producer, refund, ...
    method: Mapped[str | None] = mapped_column(String(50))
    reference: Mapped[str | None] = mapped_column(String(200))
    recorded_by_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    entries: Mapped[list[LedgerEntry]] = relationship(lazy="raise", order_by="LedgerEntry.position")


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"
    __table_args__ = (CheckConstraint("amount_minor <> 0", name="amount_not_zero"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    transaction_id: Mapped[UUID] = mapped_column(ForeignKey("ledger_transaction.id"), index=True)
    account_id: Mapped[UUID] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    position: Mapped[int] = mapped_column()
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
