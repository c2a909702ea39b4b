"""What needs each user: their notifications, what they chose to receive, the e-mails waiting in the outbox
to be sent, and how far the outbox's events have been read."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime, utc_now
from app.outbox.models import OutboxEvent


class NotificationKind(enum.StrEnum):
    """What a notification asks of its user."""

    approval_awaited = "approval_awaited"  # an agreement's version or a cancellation awaits their side
    payment_due = "payment_due"  # their household's shares, or their group's advance, is due in a few days
    harvest_allocated = "harvest_allocated"  # their household has a share of a harvest
    pickup_tomorrow = "pickup_tomorrow"  # their household picks up a share at a station tomorrow
    motion_to_approve = "motion_to_approve"  # a motion of a group they coordinate waits for their approval


class SubjectType(enum.StrEnum):
    """What a notification is about, for the app to open."""

    agreement = "agreement"
    harvest = "harvest"
    pickup_station = "pickup_station"
    motion = "motion"


TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 1000


class Notification(Base):
    """One thing that needs one user. `key` names the occasion (an event, a due date's reminder day, a
    pickup): unique per user, so making it again, by a retried job or a second worker, adds nothing."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        # The user's feed, newest first.
        Index("ix_notification_feed", "user_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(Enum(NotificationKind, native_enum=False, length=32))
    key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    text: Mapped[str] = mapped_column(String(TEXT_MAX_LENGTH))
    subject_type: Mapped[SubjectType] = mapped_column(Enum(SubjectType, native_enum=False, length=32))
    subject_id: Mapped[UUID]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


DEFAULT_REMINDER_DAYS = [7, 1]


class NotificationPreference(Base):
    """A user's choices; without a row, every kind is wanted, by e-mail too, reminded 7 and 1 days ahead.
    Kinds are stored as those turned off, so a kind added later reaches everyone until they turn it off."""

    __tablename__ = "notification_preference"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    muted_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    unmailed_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: list(DEFAULT_REMINDER_DAYS))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class EmailStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class NotificationEmail(Base):
    """A notification's e-mail, written in the same transaction as the notification. While a sender holds
    it, `next_attempt_at` is pushed past its lease, as webhook deliveries are; once `sent`, it is never
    claimed again."""

    __tablename__ = "notification_email"
    __table_args__ = (
        UniqueConstraint("notification_id"),
        # The senders' claim: due pending e-mails, soonest first.
        Index("ix_notification_email_due", "status", "next_attempt_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    notification_id: Mapped[UUID] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    body: Mapped[str] = mapped_column(String(4000))
    status: Mapped[EmailStatus] = mapped_column(
        Enum(EmailStatus, native_enum=False, length=16), default=EmailStatus.pending
    )
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class EventCursor(Base):
    """How far the outbox's events have been turned into notifications: the last one read, in
    (occurred_at, id) order. One row, locked while a batch is read, so two workers never read the same."""

    __tablename__ = "notification_event_cursor"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    event_id: Mapped[UUID]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


# The outbox is read after the cursor in (occurred_at, id) order; without this index every batch would sort
# the whole outbox. Declared here, beside its only reader, though the table is the outbox's.
Index("ix_outbox_event_occurred", OutboxEvent.occurred_at, OutboxEvent.id)
