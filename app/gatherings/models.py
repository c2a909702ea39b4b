"""Farm visits, meetings and trainings that groups host and users sign up for (DESIGN principles 5 and 8)."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import Base, UtcDateTime, utc_now
from app.groups.models import ConsumerGroup, Household
from app.producers.models import ProducerGroup


class GatheringKind(enum.StrEnum):
    farm_visit = "farm_visit"
    meeting = "meeting"
    learning = "learning"  # training courses and farm days: the shared calendar of principle 8


class Gathering(Base):
    """An event hosted by exactly one consumer group or producer group."""

    __tablename__ = "gathering"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "(consumer_group_id IS NULL AND producer_group_id IS NOT NULL)"
            " OR (consumer_group_id IS NOT NULL AND producer_group_id IS NULL)",
            name="one_host",
        ),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        # The database backs the counted limit too, should a code path ever forget the lock.
        CheckConstraint("signup_count >= 0 AND (capacity IS NULL OR signup_count <= capacity)", name="within_capacity"),
        Index("ix_gathering_starts_at_id", "starts_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    kind: Mapped[GatheringKind] = mapped_column(Enum(GatheringKind, native_enum=False, length=16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    location: Mapped[str] = mapped_column(String(200))
    consumer_group_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("consumer_group.id", ondelete="CASCADE"), index=True
    )
    producer_group_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("producer_group.id", ondelete="CASCADE"), index=True
    )
    capacity: Mapped[int | None] = mapped_column()
    # False: only the host group's member households and coordinators see it (a private meeting).
    open_to_all: Mapped[bool] = mapped_column()
    signup_count: Mapped[int] = mapped_column(default=0)
    posted_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    # lazy="raise": an unloaded relationship fails loudly instead of querying behind our back.
    consumer_group: Mapped[ConsumerGroup | None] = relationship(lazy="raise")
    producer_group: Mapped[ProducerGroup | None] = relationship(lazy="raise")

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.signup_count


class GatheringSignup(Base):
    """A user's place at an event, optionally for one of their households."""

    __tablename__ = "gathering_signup"
    __table_args__ = (UniqueConstraint("gathering_id", "user_id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    gathering_id: Mapped[UUID] = mapped_column(ForeignKey("gathering.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[UUID | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    user: Mapped[User] = relationship(lazy="raise")
    household: Mapped[Household | None] = relationship(lazy="raise")

    @property
    def display_name(self) -> str:
        return self.user.display_name

    @property
    def household_name(self) -> str | None:
        return None if self.household is None else self.household.name
