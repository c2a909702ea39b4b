"""A user's feed and preferences, and `notify`: the one way a notification is made, honouring the
preferences of each user told and writing its e-mail to the outbox in the same transaction."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.config import Settings
from app.core.db import utc_now
from app.core.pagination import CursorPage, decode_cursor, encode_cursor
from app.notifications import policies, repository
from app.notifications.models import (
    DEFAULT_REMINDER_DAYS,
    Notification,
    NotificationEmail,
    NotificationKind,
    NotificationPreference,
    SubjectType,
)
from app.notifications.schemas import NotificationPreferencesRead, NotificationPreferencesUpdate

# Reading and marking read


async def list_notifications(
    session: AsyncSession, principal: Principal, *, unread_only: bool, limit: int, cursor: str | None
) -> CursorPage:
    """The caller's notifications, newest first."""
    statement = repository.feed_of(principal.user_id, unread_only=unread_only)
    if cursor:
        before_at, before_id = decode_cursor(cursor)
        statement = statement.where(repository.before(before_at, before_id))
    rows = (await session.scalars(repository.newest_first(statement).limit(limit + 1))).all()
    page = rows[:limit]
    if len(rows) <= limit:
        return CursorPage(page, False, None)
    return CursorPage(page, True, encode_cursor(page[-1].created_at, page[-1].id))


async def mark_read(session: AsyncSession, principal: Principal, notification_id: UUID) -> Notification:
    """Marking one read again keeps when it was first read."""
    notification = await policies.own_notification(session, principal, notification_id)
    if notification.read_at is None:
        notification.read_at = utc_now()
        await session.flush()
    return notification


async def mark_all_read(session: AsyncSession, principal: Principal) -> int:
    return await repository.mark_all_read(session, principal.user_id, at=utc_now())


# Preferences


def wants(preference: NotificationPreference | None, kind: NotificationKind) -> bool:
    return preference is None or kind not in preference.muted_kinds


def wants_email(preference: NotificationPreference | None, kind: NotificationKind) -> bool:
    return preference is None or kind not in preference.unmailed_kinds


def reminder_days(preference: NotificationPreference | None) -> list[int]:
    return list(DEFAULT_REMINDER_DAYS) if preference is None else list(preference.reminder_days)


def _read(preference: NotificationPreference | None, settings: Settings) -> NotificationPreferencesRead:
    return NotificationPreferencesRead(
        kinds=[kind for kind in NotificationKind if wants(preference, kind)],
        email_kinds=[kind for kind in NotificationKind if wants_email(preference, kind)],
        reminder_days=reminder_days(preference),
        email_enabled=settings.smtp_host is not None,
    )


async def get_preferences(
    session: AsyncSession, principal: Principal, *, settings: Settings
) -> NotificationPreferencesRead:
    return _read(await repository.get_preference(session, principal.user_id), settings)


async def set_preferences(
    session: AsyncSession, principal: Principal, *, data: NotificationPreferencesUpdate, settings: Settings
) -> NotificationPreferencesRead:
    """Replace the caller's choice whole."""
    preference = await repository.get_preference(session, principal.user_id)
    if preference is None:
        preference = NotificationPreference(user_id=principal.user_id)
        session.add(preference)
    preference.muted_kinds = [kind.value for kind in NotificationKind if kind not in data.kinds]
    preference.unmailed_kinds = [kind.value for kind in NotificationKind if kind not in data.email_kinds]
    preference.reminder_days = sorted(data.reminder_days, reverse=True)
    preference.updated_at = utc_now()
    await session.flush()
    return _read(preference, settings)


# Making notifications


@dataclass(frozen=True)
class Note:
    """What to tell: `key` names the occasion, so the same occasion tells each user once."""

    kind: NotificationKind
    key: str
    title: str
    text: str
    subject_type: SubjectType
    subject_id: UUID


async def notify(session: AsyncSession, settings: Settings, user_ids: Iterable[UUID], note: Note) -> list[UUID]:
    """Tell each user who wants this kind, once per key, and queue the e-mail of those who want it by e-mail
    when SMTP is set up; the users newly told."""
    users = sorted(set(user_ids))
    preferences = await repository.preferences_of(session, users)
    told = [user_id for user_id in users if wants(preferences.get(user_id), note.kind)]
    emails = await repository.emails_of(session, told) if settings.smtp_host is not None else {}
    newly_told = []
    now = utc_now()
    for user_id in told:
        values = {
            "user_id": user_id,
            "kind": note.kind,
            "key": note.key,
            "title": note.title,
            "text": note.text,
            "subject_type": note.subject_type,
            "subject_id": note.subject_id,
            "created_at": now,
        }
        notification_id = await repository.add_once(session, values)
        if notification_id is None:
            continue
        newly_told.append(user_id)
        address = emails.get(user_id)
        if address is not None and wants_email(preferences.get(user_id), note.kind):
            session.add(
                NotificationEmail(
                    notification_id=notification_id,
                    to_address=address,
                    subject=note.title,
                    body=f"{note.text}\n\nOpen the Teikei app to see it: it is in your notifications.\n",
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    await session.flush()
    return newly_told
