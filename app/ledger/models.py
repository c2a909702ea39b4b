"""An append-only double-entry ledger: entries are never changed, balances are sums of entries.

Every account and transaction belongs to exactly one agreement (advance payment), one trade order
(pre-finance and settlement) or one consumer group (its households' credit), so each one's money can be
read, and summed, on its own. Money that crosses from one to another (credit applied to an agreement's
dues) moves in two transactions, one on each side, each naming the other as its counterpart."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, UtcDateTime, utc_now

OWNER_COLUMNS = ("agreement_id", "trade_order_id", "consumer_group_id")
# Exactly one of the owners is set (SQL that PostgreSQL and SQLite read alike).
ONE_OWNER = " + ".join(f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)" for column in OWNER_COLUMNS) + " = 1"


class AccountKind(enum.StrEnum):
    """The accounts of one agreement's or one trade order's money, by whose money it is."""

    # Agreements (advance payment)
    household_paid = "household_paid"  # a household's payments (its balance is minus what it paid)
    group_fund = "group_fund"  # what the consumer group holds for the agreement
    group_own = "group_own"  # the consumer group's own money (e.g. for shares no household took)
    producer_received = "producer_received"  # what the producer group has received in advance
    # Trade orders (pre-finance and settlement), owned by trading organisations
    buyer_paid = "buyer_paid"  # the buying organisation's payments (minus what it paid, net of refunds)
    prefinance_outstanding = "prefinance_outstanding"  # pre-finance the seller holds, not yet recovered
    seller_received = "seller_received"  # the order value the seller has been paid for the goods
    premium_fund = "premium_fund"  # the fair-trade premium, in the producer organisation's collective fund
    # Consumer groups (households' credit)
    household_credit = "household_credit"  # a household's credit at its group (its balance is minus the credit)
    credit_fund = "credit_fund"  # what the group holds of its households' credit


class LedgerAccount(Base):
    __tablename__ = "ledger_account"
    __table_args__ = (
        UniqueConstraint("agreement_id", "kind", "owner_id", "currency"),
        UniqueConstraint("trade_order_id", "kind", "owner_id", "currency"),
        UniqueConstraint("consumer_group_id", "kind", "owner_id", "currency"),
        CheckConstraint(ONE_OWNER, name="one_owner"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID | None] = mapped_column(ForeignKey("agreement.id"), index=True)
    # Its foreign key to trade_order is declared by app.trade.models (see there why).
    trade_order_id: Mapped[UUID | None] = mapped_column(ForeignKey("trade_order.id"), index=True)
    consumer_group_id: Mapped[UUID | None] = mapped_column(ForeignKey("consumer_group.id"), index=True)
    kind: Mapped[AccountKind] = mapped_column(Enum(AccountKind, native_enum=False, length=32))
    owner_id: Mapped[UUID] = mapped_column()  # the household, group or trading organisation
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class LedgerTransaction(Base):
    """One movement of money; its entries sum to zero per currency."""

    __tablename__ = "ledger_transaction"
    __table_args__ = (
        Index("ix_ledger_transaction_agreement_created", "agreement_id", "created_at", "id"),
        Index("ix_ledger_transaction_trade_order_created", "trade_order_id", "created_at", "id"),
        Index("ix_ledger_transaction_consumer_group_created", "consumer_group_id", "created_at", "id"),
        CheckConstraint(ONE_OWNER, name="one_owner"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID | None] = mapped_column(ForeignKey("agreement.id"))
    trade_order_id: Mapped[UUID | None] = mapped_column(ForeignKey("trade_order.id"))
    consumer_group_id: Mapped[UUID | None] = mapped_column(ForeignKey("consumer_group.id"))
    # The other half of a movement between two owners' money (credit applied to dues, a refund kept as credit).
    counterpart_id: Mapped[UUID | None] = mapped_column(ForeignKey("ledger_transaction.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # household_to_group, group_to_producer, prefinance, ...
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
