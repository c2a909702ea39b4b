"""Production plans: what a producer group intends to grow in a season (DESIGN principle 2)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, CheckConstraint, Date, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, UtcDateTime, utc_now
from app.core.quantity import Unit, to_text
from app.producers.models import ProducerGroup


class PlanStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    closed = "closed"


class ProductionPlan(Base):
    __tablename__ = "production_plan"
    __table_args__ = (
        CheckConstraint("season_starts_on <= season_ends_on", name="season_in_order"),
        Index("ix_production_plan_status_created", "status", "created_at", "id"),
        # Browsing one country's plans reads a page of them in order, however many other countries have.
        Index("ix_production_plan_status_country_created", "status", "country", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    producer_group_id: Mapped[UUID] = mapped_column(ForeignKey("producer_group.id", ondelete="CASCADE"), index=True)
    # The producer group's, which never changes: kept here so browsing by country needs no join to order a page.
    country: Mapped[str] = mapped_column(String(2))
    season_name: Mapped[str] = mapped_column(String(200))
    season_starts_on: Mapped[date] = mapped_column(Date)
    season_ends_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PlanStatus] = mapped_column(Enum(PlanStatus, native_enum=False, length=16), default=PlanStatus.draft)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    # lazy="raise": an unloaded relationship fails loudly instead of querying behind our back.
    producer_group: Mapped[ProducerGroup] = relationship(lazy="raise")
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", lazy="raise", order_by="PlanItem.position", cascade="all, delete-orphan"
    )

    # Where the plan grows, for consumer groups browsing plans; the producer group must be loaded.
    @property
    def producer_group_name(self) -> str:
        return self.producer_group.name

    @property
    def region(self) -> str:
        return self.producer_group.region


class PlanItem(Base):
    """One crop of a plan. `committed_base` is what agreed agreements have taken; it never passes
    the maximum the farms can grow, so two agreements cannot together promise more."""

    __tablename__ = "plan_item"
    __table_args__ = (
        CheckConstraint("max_quantity_base > 0", name="max_quantity_positive"),
        CheckConstraint("committed_base >= 0 AND committed_base <= max_quantity_base", name="committed_within_max"),
        CheckConstraint("harvest_from <= harvest_to", name="harvest_window_in_order"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    plan_id: Mapped[UUID] = mapped_column(ForeignKey("production_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    crop: Mapped[str] = mapped_column(String(100), index=True)
    variety: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[Unit] = mapped_column(Enum(Unit, native_enum=False, length=16))
    max_quantity_base: Mapped[int] = mapped_column(BigInteger)
    committed_base: Mapped[int] = mapped_column(BigInteger, default=0)
    harvest_from: Mapped[date] = mapped_column(Date)
    harvest_to: Mapped[date] = mapped_column(Date)

    plan: Mapped[ProductionPlan] = relationship(back_populates="items", lazy="raise")

    @property
    def remaining_base(self) -> int:
        return self.max_quantity_base - self.committed_base

    # Decimal strings in the item's unit, as the API shows quantities ("12.500" kg).
    @property
    def max_quantity(self) -> str:
        return to_text(self.max_quantity_base, self.unit)

    @property
    def committed_quantity(self) -> str:
        return to_text(self.committed_base, self.unit)

    @property
    def remaining_quantity(self) -> str:
        return to_text(self.remaining_base, self.unit)
