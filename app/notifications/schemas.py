"""Bodies of the notification feed and of a user's notification preferences."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictInt, field_validator

from app.core.schemas import Schema
from app.notifications.models import Notification, NotificationKind, SubjectType

# A reminder this many days ahead at most: an advance payment is due before planting, weeks ahead at most.
REMINDER_DAYS_MAX = 60
ReminderDay = Annotated[StrictInt, Field(ge=0, le=REMINDER_DAYS_MAX)]


class NotificationSubject(Schema):
    """What the notification is about: an agreement, a harvest, a pickup station or a motion."""

    type: SubjectType
    id: UUID


class NotificationRead(Schema):
    id: UUID
    kind: NotificationKind
    title: str
    text: str
    subject: NotificationSubject
    created_at: datetime
    read_at: datetime | None = Field(description="When you marked it read; null while unread.")

    @classmethod
    def of(cls, notification: Notification) -> "NotificationRead":
        return cls(
            id=notification.id,
            kind=notification.kind,
            title=notification.title,
            text=notification.text,
            subject=NotificationSubject(type=notification.subject_type, id=notification.subject_id),
            created_at=notification.created_at,
            read_at=notification.read_at,
        )


class NotificationsMarkedRead(Schema):
    marked_read: int = Field(description="How many unread notifications were marked read.")


class NotificationPreferencesUpdate(Schema):
    """The whole choice: a kind left out of `kinds` is not notified at all, one left out of `email_kinds`
    is not e-mailed."""

    kinds: list[NotificationKind] = Field(max_length=len(NotificationKind), description="The kinds you want.")
    email_kinds: list[NotificationKind] = Field(
        max_length=len(NotificationKind), description="The kinds you also want by e-mail (when e-mail is set up)."
    )
    reminder_days: list[ReminderDay] = Field(
        max_length=5,
        description="How many days before a due date to be reminded of a payment, e.g. [7, 1]; 0 is the day itself.",
    )

    @field_validator("kinds", "email_kinds", "reminder_days")
    @classmethod
    def _once_each(cls, values: list) -> list:  # type: ignore[type-arg]
        if len(set(values)) != len(values):
            raise ValueError("must not name the same value twice")
        return values


class NotificationPreferencesRead(Schema):
    kinds: list[NotificationKind]
    email_kinds: list[NotificationKind]
    reminder_days: list[int] = Field(description="Days before a due date a payment is reminded, latest first.")
    email_enabled: bool = Field(description="Whether this service sends e-mail at all (SMTP is set up).")
