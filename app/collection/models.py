"""Where a group is paid, and the references its payers quote."""

import enum
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime, utc_now

REFERENCE_LENGTH = 11  # "TK", eight characters, one check character


class PayeeKind(enum.StrEnum):
    consumer_group = "consumer_group"
    producer_group = "producer_group"


class CollectionAccountKind(enum.StrEnum):
    bank_account = "bank_account"
    qr = "qr"


class QrScheme(enum.StrEnum):
    promptpay = "promptpay"
    vietqr = "vietqr"


class ProxyType(enum.StrEnum):
    """What identifies the payee within its scheme."""

    mobile = "mobile"  # PromptPay: a Thai mobile number
    national_id = "national_id"  # PromptPay: a Thai national id or a tax id, 13 digits
    e_wallet = "e_wallet"  # PromptPay: an e-wallet id, 15 digits
    bank_account = "bank_account"  # VietQR: an account at the bank of the given BIN


class CollectionAccountStatus(enum.StrEnum):
    proposed = "proposed"  # awaiting the group's quorum: no payment instruction names it
    active = "active"
    retired = "retired"  # kept, since instructions read before may name it; never the default again


class CollectionAccount(Base):
    """An account a consumer group or a producer group collects payments into. One of a group's active
    accounts is its default: the one its payment instructions name. Where the money goes is a decision for
    the whole group, so an account becomes active, or the default, only once the group's quorum of
    coordinators has approved (an `AccountProposal`); its payment details never change after that."""

    __tablename__ = "collection_account"
    __table_args__ = (
        Index("ix_collection_account_payee", "payee_id", "created_at"),
        # At most one default per group, whatever two coordinators do at once.
        Index(
            "uq_collection_account_default",
            "payee_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    payee_kind: Mapped[PayeeKind] = mapped_column(Enum(PayeeKind, native_enum=False, length=32))
    payee_id: Mapped[UUID]
    kind: Mapped[CollectionAccountKind] = mapped_column(Enum(CollectionAccountKind, native_enum=False, length=32))
    status: Mapped[CollectionAccountStatus] = mapped_column(
        Enum(CollectionAccountStatus, native_enum=False, length=16), default=CollectionAccountStatus.proposed
    )
    is_default: Mapped[bool] = mapped_column(default=False)
    # What the coordinators call it ("the treasurer's PromptPay"): no payer's money depends on it.
    label: Mapped[str | None] = mapped_column(String(200))
    # A bank account
    bank_name: Mapped[str | None] = mapped_column(String(200))
    account_holder: Mapped[str | None] = mapped_column(String(200))
    account_number: Mapped[str | None] = mapped_column(String(34))
    swift_bic: Mapped[str | None] = mapped_column(String(11))
    # A national QR scheme's identifier
    scheme: Mapped[QrScheme | None] = mapped_column(Enum(QrScheme, native_enum=False, length=32))
    proxy_type: Mapped[ProxyType | None] = mapped_column(Enum(ProxyType, native_enum=False, length=32))
    proxy_value: Mapped[str | None] = mapped_column(String(34))
    bank_bin: Mapped[str | None] = mapped_column(String(6))
    merchant_name: Mapped[str | None] = mapped_column(String(25))
    merchant_city: Mapped[str | None] = mapped_column(String(15))
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    retired_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))


class ProposalKind(enum.StrEnum):
    add_account = "add_account"  # the account itself, and the default too when `makes_default`
    make_default = "make_default"  # an active account becomes the default


class ProposalStatus(enum.StrEnum):
    open = "open"  # gathering approvals
    carried = "carried"  # the quorum approved: the change took effect
    withdrawn = "withdrawn"  # the account was retired before the quorum approved


class AccountProposal(Base):
    """A change to where a group is paid, awaiting its quorum of coordinators in office (principle 7: who
    approved is kept). An account has at most one open proposal."""

    __tablename__ = "collection_account_proposal"
    __table_args__ = (
        Index("ix_collection_account_proposal_account", "account_id", "created_at"),
        Index(
            "uq_collection_account_proposal_open",
            "account_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    account_id: Mapped[UUID] = mapped_column(ForeignKey("collection_account.id", ondelete="CASCADE"))
    kind: Mapped[ProposalKind] = mapped_column(Enum(ProposalKind, native_enum=False, length=16))
    makes_default: Mapped[bool] = mapped_column()
    status: Mapped[ProposalStatus] = mapped_column(
        Enum(ProposalStatus, native_enum=False, length=16), default=ProposalStatus.open
    )
    proposed_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AccountApproval(Base):
    """A coordinator's approval of a proposal; it counts only while its coordinator holds office."""

    __tablename__ = "collection_account_approval"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    proposal_id: Mapped[UUID] = mapped_column(
        ForeignKey("collection_account_proposal.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class PayerKind(enum.StrEnum):
    household = "household"  # pays its group for its shares
    consumer_group = "consumer_group"  # pays the producer group for the agreement


class PaymentReference(Base):
    """The reference one payer quotes for one agreement, made on first reading and kept: a bank statement's
    line is matched to its payer by it."""

    __tablename__ = "payment_reference"
    __table_args__ = (UniqueConstraint("agreement_id", "payer_kind", "payer_id", name="uq_payment_reference_payer"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    reference: Mapped[str] = mapped_column(String(REFERENCE_LENGTH), unique=True)
    agreement_id: Mapped[UUID] = mapped_column(ForeignKey("agreement.id"))
    payer_kind: Mapped[PayerKind] = mapped_column(Enum(PayerKind, native_enum=False, length=32))
    payer_id: Mapped[UUID]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
