"""Agreements between a consumer group and a producer group, negotiated in versions
(DESIGN principles 1, 4, 7 and 10), the households' subscriptions to their shares, and the
messages the two groups send each other (principle 5)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Date,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    case,
    exists,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.accounts.models import User
from app.core.db import Base, UtcDateTime, utc_now
from app.groups.models import Coordinator, CoordinatorTerm
from app.plans.models import ProductionPlan
from app.producers.models import ProducerCoordinator


class AgreementStatus(enum.StrEnum):
    proposed = "proposed"
    agreed = "agreed"
    active = "active"
    completed = "completed"
    lapsed = "lapsed"
    cancelled = "cancelled"


class Side(enum.StrEnum):
    consumer = "consumer"
    producer = "producer"


class DistributionMode(enum.StrEnum):
    producer_delivers = "producer_delivers"
    consumers_collect = "consumers_collect"


class VersionStatus(enum.StrEnum):
    open = "open"  # the current proposal, waiting for the other side
    awaiting_approval = "awaiting_approval"  # approved by some coordinators of the accepting side, quorum not yet met
    accepted = "accepted"  # the terms in force (or once in force)
    superseded = "superseded"  # countered or amended before acceptance


class Agreement(Base):
    __tablename__ = "agreement"
    __table_args__ = (
        CheckConstraint("subscribed_shares >= 0 AND subscribed_shares <= shares", name="subscriptions_within_shares"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    production_plan_id: Mapped[UUID] = mapped_column(ForeignKey("production_plan.id"), index=True)
    consumer_group_id: Mapped[UUID] = mapped_column(ForeignKey("consumer_group.id"), index=True)
    producer_group_id: Mapped[UUID] = mapped_column(ForeignKey("producer_group.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[AgreementStatus] = mapped_column(
        Enum(AgreementStatus, native_enum=False, length=16), default=AgreementStatus.proposed, index=True
    )
    # The latest version (the open proposal while negotiating) and the version in force, if any.
    current_version: Mapped[int] = mapped_column(default=1)
    agreed_version: Mapped[int | None] = mapped_column()
    # Copied from the version in force, so limits can be checked under one row lock.
    shares: Mapped[int] = mapped_column(default=0)
    subscribed_shares: Mapped[int] = mapped_column(default=0)
    total_price_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    advance_due_on: Mapped[date | None] = mapped_column(Date)
    renewed_from_id: Mapped[UUID | None] = mapped_column(ForeignKey("agreement.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    agreed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The last day of its plan's season, read with the agreement in the same statement: whether it
    # reads as completed depends on it. A plan's season never changes, so it is neither copied here
    # nor read again after the agreement is updated.
    season_ends_on: Mapped[date] = column_property(
        select(ProductionPlan.season_ends_on).where(ProductionPlan.id == production_plan_id).scalar_subquery(),
        expire_on_flush=False,
    )

    versions: Mapped[list[AgreementVersion]] = relationship(
        back_populates="agreement", lazy="raise", order_by="AgreementVersion.number"
    )


class AgreementVersion(Base):
    """One proposal of terms. Versions are never changed once superseded or accepted: all are kept."""

    __tablename__ = "agreement_version"
    __table_args__ = (
        UniqueConstraint("agreement_id", "number"),
        CheckConstraint("shares > 0", name="shares_positive"),
        CheckConstraint("total_price_minor >= 0", name="total_not_negative"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    proposed_by_side: Mapped[Side] = mapped_column(Enum(Side, native_enum=False, length=16))
    proposed_by_user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    is_amendment: Mapped[bool] = mapped_column(default=False)
    status: Mapped[VersionStatus] = mapped_column(Enum(VersionStatus, native_enum=False, length=24))
    shares: Mapped[int] = mapped_column()
    advance_due_on: Mapped[date] = mapped_column(Date)
    distribution_mode: Mapped[DistributionMode] = mapped_column(Enum(DistributionMode, native_enum=False, length=24))
    total_price_minor: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_by_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))

    agreement: Mapped[Agreement] = relationship(back_populates="versions", lazy="raise")
    items: Mapped[list[VersionItem]] = relationship(lazy="raise", order_by="VersionItem.position")
    approvals: Mapped[list[Approval]] = relationship(lazy="raise", order_by="Approval.created_at")


class VersionItem(Base):
    __tablename__ = "agreement_version_item"
    __table_args__ = (
        UniqueConstraint("version_id", "plan_item_id"),
        CheckConstraint("quantity_base > 0", name="quantity_positive"),
        CheckConstraint("unit_price_minor >= 0", name="unit_price_not_negative"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    version_id: Mapped[UUID] = mapped_column(ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True)
    plan_item_id: Mapped[UUID] = mapped_column(ForeignKey("plan_item.id"), index=True)
    position: Mapped[int] = mapped_column()
    quantity_base: Mapped[int] = mapped_column(BigInteger)
    # Price of one unit (one kg, one piece), in minor units of the agreement's currency.
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    line_total_minor: Mapped[int] = mapped_column(BigInteger)


def _approver_in_office(decided: type[Any], decided_id: Any, side: Any, user_id: Any) -> ColumnElement[bool]:
    """Whether an approval's coordinator holds a term now in the group the agreement names for the approval's
    side; `decided` is what was approved (a version, or cancellation terms), naming its agreement."""

    def holds_term(term: type[CoordinatorTerm], group_of_agreement: Mapped[UUID]) -> ColumnElement[bool]:
        group_id = (
            select(group_of_agreement)
            .join(decided, decided.agreement_id == Agreement.id)
            .where(decided.id == decided_id)
            .correlate_except(Agreement, decided)
            .scalar_subquery()
        )
        return exists().where(term.current_of_group(group_id), term.user_id == user_id).correlate_except(term)

    return case(
        (literal(Side.consumer.value) == side, holds_term(Coordinator, Agreement.consumer_group_id)),
        else_=holds_term(ProducerCoordinator, Agreement.producer_group_id),
    )


class Approval(Base):
    """A coordinator's approval of a version, for the consumer or the producer side (principle 7: who
    approved is kept). It counts towards the side's quorum only while its coordinator is in office."""

    __tablename__ = "agreement_approval"
    __table_args__ = (UniqueConstraint("version_id", "user_id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    version_id: Mapped[UUID] = mapped_column(ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    side: Mapped[Side] = mapped_column(Enum(Side, native_enum=False, length=16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    # Read with the approval in the same statement, never stored: a term that ends later ends the approval's
    # weight too, and there is no copy to forget.
    display_name: Mapped[str] = column_property(select(User.display_name).where(User.id == user_id).scalar_subquery())
    in_office: Mapped[bool] = column_property(_approver_in_office(AgreementVersion, version_id, side, user_id))

    @property
    def approved_at(self) -> datetime:
        return self.created_at


class Subscription(Base):
    """A household's pre-order of shares. It stays when the household leaves the group: what it paid
    for this season is still its own."""

    __tablename__ = "subscription"
    __table_args__ = (
        UniqueConstraint("agreement_id", "household_id"),
        CheckConstraint("shares > 0", name="shares_positive"),
        CheckConstraint("first_share >= 0", name="first_share_not_negative"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id"), index=True)
    shares: Mapped[int] = mapped_column()
    # Index of the first share taken: fixes which shares (and so which price) are the household's.
    first_share: Mapped[int] = mapped_column()
    amount_due_minor: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class TransferStatus(enum.StrEnum):
    offered = "offered"  # waiting for the receiving household
    accepted = "accepted"  # the subscription is the receiving household's
    withdrawn = "withdrawn"  # the offering household took the offer back


class SubscriptionTransfer(Base):
    """A household handing its subscription on to another household of the group. Kept once accepted or
    withdrawn: the transfers of a subscription are the history of who held it."""

    __tablename__ = "subscription_transfer"
    __table_args__ = (
        Index(
            "uq_subscription_transfer_offered",
            "subscription_id",
            unique=True,
            sqlite_where=text("status = 'offered'"),
            postgresql_where=text("status = 'offered'"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    subscription_id: Mapped[UUID] = mapped_column(ForeignKey("subscription.id", ondelete="CASCADE"), index=True)
    from_household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id"), index=True)
    to_household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id"), index=True)
    status: Mapped[TransferStatus] = mapped_column(
        Enum(TransferStatus, native_enum=False, length=16), default=TransferStatus.offered
    )
    offered_by_user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    offered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    accepted_by_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CancellationStatus(enum.StrEnum):
    open = "open"  # proposed, gathering the approvals of both sides
    carried = "carried"  # both sides reached their quorum: the agreement is cancelled and the refund made
    superseded = "superseded"  # replaced by another proposal before it was carried
    # Read only, never stored: left open when its agreement ended otherwise (lapsed, completed), it can no
    # longer be approved.
    void = "void"


class AgreementCancellation(Base):
    """Terms proposed for ending an agreement by mutual consent: what the producer group gives back.
    Carried once each side's quorum of coordinators in office has approved it (principle 7: who
    approved is kept). An agreement has at most one open proposal; a new one supersedes it."""

    __tablename__ = "agreement_cancellation"
    __table_args__ = (
        CheckConstraint("refund_minor >= 0", name="refund_not_negative"),
        CheckConstraint("pool_minor IS NULL OR pool_minor >= 0", name="pool_not_negative"),
        Index(
            "uq_agreement_cancellation_open",
            "agreement_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_agreement_cancellation_agreement_created", "agreement_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    proposed_by_side: Mapped[Side] = mapped_column(Enum(Side, native_enum=False, length=16))
    proposed_by_user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[CancellationStatus] = mapped_column(
        Enum(CancellationStatus, native_enum=False, length=16), default=CancellationStatus.open
    )
    # What the producer group gives back, in minor units of the agreement's currency.
    refund_minor: Mapped[int] = mapped_column(BigInteger)
    # Once carried: all that went back to the payers, the producer's refund and what the group still held.
    pool_minor: Mapped[int | None] = mapped_column(BigInteger)
    refund_transaction_id: Mapped[UUID | None] = mapped_column(ForeignKey("ledger_transaction.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    carried_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    carried_by_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    approvals: Mapped[list[CancellationApproval]] = relationship(
        lazy="raise", order_by="CancellationApproval.created_at"
    )


class CancellationApproval(Base):
    """A coordinator's approval of cancellation terms, for the consumer or the producer side. Like an
    approval of a version, it counts towards the side's quorum only while its coordinator is in office."""

    __tablename__ = "agreement_cancellation_approval"
    __table_args__ = (UniqueConstraint("cancellation_id", "user_id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    cancellation_id: Mapped[UUID] = mapped_column(
        ForeignKey("agreement_cancellation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    side: Mapped[Side] = mapped_column(Enum(Side, native_enum=False, length=16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    display_name: Mapped[str] = column_property(select(User.display_name).where(User.id == user_id).scalar_subquery())
    in_office: Mapped[bool] = column_property(
        _approver_in_office(AgreementCancellation, cancellation_id, side, user_id)
    )


class AgreementMessage(Base):
    """A message between the two groups of an agreement; the author's name is kept as it was sent."""

    __tablename__ = "agreement_message"
    __table_args__ = (Index("ix_agreement_message_agreement_created", "agreement_id", "created_at", "id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    author_user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    author_display_name: Mapped[str] = mapped_column(String(200))
    side: Mapped[Side] = mapped_column(Enum(Side, native_enum=False, length=16))
    body: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
