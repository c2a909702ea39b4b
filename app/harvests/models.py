"""Harvest deliveries, accepted in full and allocated to households by shares (principle 3),
carried to pickup stations by members of either group (principle 6)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, CheckConstraint, Date, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, UtcDateTime, utc_now


class Harvest(Base):
    __tablename__ = "harvest"
    __table_args__ = (Index("ix_harvest_station_date", "pickup_station_id", "delivered_on"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID] = mapped_column(ForeignKey("agreement.id"), index=True)
    delivered_on: Mapped[date] = mapped_column(Date)
    pickup_station_id: Mapped[UUID] = mapped_column(ForeignKey("pickup_station.id"))
    # The member of either group who carries it: never an outside transporter.
    carried_by_user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_by_user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    lines: Mapped[list[HarvestLine]] = relationship(lazy="raise", order_by="HarvestLine.position")


class HarvestLine(Base):
    __tablename__ = "harvest_line"
    __table_args__ = (
        UniqueConstraint("harvest_id", "plan_item_id"),
        CheckConstraint("quantity_base > 0", name="quantity_positive"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    harvest_id: Mapped[UUID] = mapped_column(ForeignKey("harvest.id", ondelete="CASCADE"), index=True)
    plan_item_id: Mapped[UUID] = mapped_column(ForeignKey("plan_item.id"))
    position: Mapped[int] = mapped_column()
    quantity_base: Mapped[int] = mapped_column(BigInteger)


class Allocation(Base):
    """What one household takes home of one harvest line. `household_id` is who picks it up; it
    differs from `share_holder_id` when the share holder handed it on for an absence."""

    __tablename__ = "allocation"
    __table_args__ = (CheckConstraint("quantity_base >= 0", name="quantity_not_negative"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    harvest_line_id: Mapped[UUID] = mapped_column(ForeignKey("harvest_line.id", ondelete="CASCADE"), index=True)
    share_holder_id: Mapped[UUID] = mapped_column(ForeignKey("household.id"))
    household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id"), index=True)
    quantity_base: Mapped[int] = mapped_column(BigInteger)


class SurplusUse(enum.StrEnum):
    undecided = "undecided"
    stored = "stored"
    sold = "sold"
    given = "given"


class Surplus(Base):
    """Produce of shares no household holds, or handed to the group: the group's to use, never lost."""

    __tablename__ = "surplus"
    __table_args__ = (CheckConstraint("quantity_base > 0", name="quantity_positive"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    harvest_line_id: Mapped[UUID] = mapped_column(ForeignKey("harvest_line.id", ondelete="CASCADE"), index=True)
    # The household that handed its allocation to the group, or None for unsubscribed shares.
    handed_over_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("household.id"))
    quantity_base: Mapped[int] = mapped_column(BigInteger)
    use: Mapped[SurplusUse] = mapped_column(
        Enum(SurplusUse, native_enum=False, length=16), default=SurplusUse.undecided
    )
    note: Mapped[str | None] = mapped_column(String(500))
    decided_by_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Absence(Base):
    """A household away on a pickup date hands its allocation, beforehand, to another household of
    the group or to the group's surplus (`to_household_id` None) — never back to the producer."""

    __tablename__ = "absence"
    __table_args__ = (UniqueConstraint("agreement_id", "household_id", "on_date"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id"))
    on_date: Mapped[date] = mapped_column(Date)
    to_household_id: Mapped[UUID | None] = mapped_column(ForeignKey("household.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
