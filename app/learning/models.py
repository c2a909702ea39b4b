"""The shared training calendar: learning events hosted by a network or by a trainer in their own name, open
to the members of any group in any country, with their sign-ups and recorded attendance (DESIGN: Monitoring
and the consumer registry)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import Base, UtcDateTime, utc_now
from app.groups.models import Household
from app.networks.models import Network


class LearningEvent(Base):
    """A training course, workshop or farm day, hosted by exactly one network or one trainer."""

    __tablename__ = "learning_event"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("(network_id IS NULL) <> (trainer_id IS NULL)", name="one_host"),
        CheckConstraint("online OR (location IS NOT NULL AND country IS NOT NULL)", name="online_or_located"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        # The database backs the counted limit too, should a code path ever forget the lock.
        CheckConstraint("signup_count >= 0 AND (capacity IS NULL OR signup_count <= capacity)", name="within_capacity"),
        # The calendar, by start time, of every country or of one.
        Index("ix_learning_event_starts_at_id", "starts_at", "id"),
        Index("ix_learning_event_country_starts_at", "country", "starts_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    online: Mapped[bool] = mapped_column()
    location: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    # A BCP 47 language tag: th, vi, en, fil, …
    language: Mapped[str] = mapped_column(String(35))
    capacity: Mapped[int | None] = mapped_column()
    signup_count: Mapped[int] = mapped_column(default=0)
    network_id: Mapped[UUID | None] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    # lazy="raise": an unloaded relationship fails loudly instead of querying behind our back.
    network: Mapped[Network | None] = relationship(lazy="raise")
    trainer: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[trainer_id])

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.signup_count


class LearningSignup(Base):
    """A user's place at a learning event, optionally for one of their households; once the event has
    started, its host records whether they attended."""

    __tablename__ = "learning_signup"
    __table_args__ = (
        UniqueConstraint("learning_event_id", "user_id"),
        Index("ix_learning_signup_event_created", "learning_event_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    learning_event_id: Mapped[UUID] = mapped_column(ForeignKey("learning_event.id", ondelete="CASCADE"))
    # Indexed: a CBE's attendances are found from its people (learning_counts).
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[UUID | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"))
    # None until the host records it.
    attended: Mapped[bool | None] = mapped_column()
    attendance_recorded_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])
    household: Mapped[Household | None] = relationship(lazy="raise")

    @property
    def display_name(self) -> str:
        return self.user.display_name
