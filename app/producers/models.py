"""Producer groups, their farming households, coordinators and certifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.core.db import Base, UtcDateTime, utc_now
from app.groups.models import CoordinatorTerm, Household, LegalForm, effective_quorum


class ProducerCoordinator(CoordinatorTerm):
    """A coordinator's term in a producer group; the same rules as in a consumer group (coordinator_terms)."""

    __tablename__ = "producer_coordinator"
    __table_args__ = (
        Index(
            "uq_producer_coordinator_current",
            "producer_group_id",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )
    group_column = "producer_group_id"

    producer_group_id: Mapped[UUID] = mapped_column(ForeignKey("producer_group.id", ondelete="CASCADE"), index=True)


class ProducerGroup(Base):
    __tablename__ = "producer_group"
    __table_args__ = (
        CheckConstraint("member_count >= 0", name="member_count_not_negative"),
        CheckConstraint("approval_quorum IS NULL OR approval_quorum >= 1", name="approval_quorum_positive"),
        Index("ix_producer_group_country_created", "country", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[LegalForm] = mapped_column(Enum(LegalForm, native_enum=False, length=32))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(200))
    member_count: Mapped[int] = mapped_column(default=0)
    # None: the default rule (2 once there are 2 coordinators), as in a consumer group. Never above the
    # coordinators there are.
    approval_quorum: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
    # Counted from the terms when the group is read, as in a consumer group (app.groups.models).
    coordinator_count: Mapped[int] = column_property(ProducerCoordinator.in_office_count(id), expire_on_flush=False)

    @property
    def effective_approval_quorum(self) -> int:
        return effective_quorum(self.approval_quorum, self.coordinator_count)


class FarmingHousehold(Base):
    """A household that farms as a member of a producer group."""

    __tablename__ = "producer_membership"
    __table_args__ = (UniqueConstraint("producer_group_id", "household_id"),)
    group_column: ClassVar[str] = "producer_group_id"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    producer_group_id: Mapped[UUID] = mapped_column(ForeignKey("producer_group.id", ondelete="CASCADE"))
    household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    # lazy="raise": an unloaded relationship fails loudly instead of querying behind our back.
    household: Mapped[Household] = relationship(lazy="raise")

    @property
    def household_name(self) -> str:
        return self.household.name


class Certification(Base):
    """An organic, PGS or fair-trade certificate; past its expiry it is shown as expired."""

    __tablename__ = "certification"
    # One record per certificate: the same scheme and number twice would double-count it.
    __table_args__ = (UniqueConstraint("producer_group_id", "scheme", "number"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    producer_group_id: Mapped[UUID] = mapped_column(ForeignKey("producer_group.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(100))
    expires_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    @property
    def expired(self) -> bool:
        # A certificate is valid through its expiry date; "today" is the UTC date, the same for every client.
        return self.expires_on < utc_now().date()
