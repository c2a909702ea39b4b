"""Networks of community-based enterprises (CBEs), their members, monitoring programmes, and the CBEs
enrolled in them by the CBE's own consent (DESIGN, "Monitoring and the consumer registry")."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime, utc_now


class NetworkKind(enum.StrEnum):
    csa_network = "csa_network"
    fair_trade_network = "fair_trade_network"
    university = "university"


class NetworkRole(enum.StrEnum):
    coordinator = "coordinator"  # manages the network: its members, programmes and enrolments
    analyst = "analyst"  # reads the indicators of the CBEs the network enrolled
    trainer = "trainer"  # hosts learning events


class CbeKind(enum.StrEnum):
    """The community-based enterprises a network may monitor (the same names as the outbox's organisations)."""

    consumer_group = "consumer_group"
    producer_group = "producer_group"
    trading_organisation = "trading_organisation"


class EnrolmentStatus(enum.StrEnum):
    proposed = "proposed"  # the network asked; the CBE's coordinators have not all consented yet
    enrolled = "enrolled"  # the CBE's quorum consented: the network reads its indicators
    declined = "declined"  # a coordinator of the CBE said no to the proposal
    withdrawn = "withdrawn"  # either side ended it (a proposal retracted, or sharing stopped)


# An enrolment is open while it may still, or does, share the CBE's numbers.
OPEN_STATUSES = (EnrolmentStatus.proposed, EnrolmentStatus.enrolled)


class Network(Base):
    """A national or regional network: a national CSA or fair-trade network, or a university programme."""

    __tablename__ = "network"
    __table_args__ = (
        Index("ix_network_created", "created_at", "id"),
        Index("ix_network_country_created", "country", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    kind: Mapped[NetworkKind] = mapped_column(Enum(NetworkKind, native_enum=False, length=32))
    name: Mapped[str] = mapped_column(String(200))
    # An ASEAN member's alpha-2 code; None for a regional network.
    country: Mapped[str | None] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(String(2000), default="")
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class NetworkMember(Base):
    """A person's role in a network. A network always keeps at least one coordinator."""

    __tablename__ = "network_member"
    __table_args__ = (
        UniqueConstraint("network_id", "user_id"),
        Index("ix_network_member_network_created", "network_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[NetworkRole] = mapped_column(Enum(NetworkRole, native_enum=False, length=16))
    added_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class MonitoringProgramme(Base):
    """A network's monitoring programme, into which it enrols CBEs."""

    __tablename__ = "monitoring_programme"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
        Index("ix_monitoring_programme_network_created", "network_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class Enrolment(Base):
    """A CBE in a programme: proposed by the network, enrolled once the CBE's quorum consented, and
    declined or withdrawn by either side. Ended enrolments stay, as the history of who shared what when.

    The CBE is named by kind and id (a consumer group, a producer group or a trading organisation); the
    network is copied from the programme (which never moves), so "does this user's network read this CBE"
    is one indexed join."""

    __tablename__ = "enrolment"
    __table_args__ = (
        # One open enrolment per programme and CBE; ended ones stay beside a new one (re-enrolment).
        Index(
            "uq_enrolment_open",
            "programme_id",
            "cbe_kind",
            "cbe_id",
            unique=True,
            sqlite_where=text("status IN ('proposed', 'enrolled')"),
            postgresql_where=text("status IN ('proposed', 'enrolled')"),
        ),
        # The current enrolments of a CBE (reads_cbe) and of every CBE (the monitored counts): a partial
        # index, so ended enrolments never slow them down.
        Index(
            "ix_enrolment_enrolled",
            "cbe_kind",
            "cbe_id",
            sqlite_where=text("status = 'enrolled'"),
            postgresql_where=text("status = 'enrolled'"),
        ),
        Index("ix_enrolment_programme_proposed", "programme_id", "proposed_at", "id"),
        Index("ix_enrolment_network_proposed", "network_id", "proposed_at", "id"),
        Index("ix_enrolment_cbe_proposed", "cbe_kind", "cbe_id", "proposed_at", "id"),
        CheckConstraint("(status IN ('proposed', 'enrolled')) = (withdrawn_at IS NULL)", name="ended_when_withdrawn"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    programme_id: Mapped[UUID] = mapped_column(ForeignKey("monitoring_programme.id", ondelete="CASCADE"))
    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    cbe_kind: Mapped[CbeKind] = mapped_column(Enum(CbeKind, native_enum=False, length=32))
    cbe_id: Mapped[UUID] = mapped_column()
    status: Mapped[EnrolmentStatus] = mapped_column(
        Enum(EnrolmentStatus, native_enum=False, length=16), default=EnrolmentStatus.proposed
    )
    proposed_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Who ended it and when: a decline, or a withdrawal by either side.
    withdrawn_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EnrolmentConsent(Base):
    """A CBE coordinator's consent to an enrolment; it counts only while its coordinator holds office."""

    __tablename__ = "enrolment_consent"

    enrolment_id: Mapped[UUID] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    consented_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
