"""Sending notifications' e-mails from their outbox through SMTP, as webhooks are delivered.

A sender claims a batch of due e-mails in one short transaction and pushes each one's `next_attempt_at`
past a lease, so no other sender takes it meanwhile (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: BEGIN
IMMEDIATE queues the claims). It sends outside any transaction, with the standard library's `smtplib` on a
thread, then records the outcome in a new one: sent, it is never claimed again; failed, it is tried again on
the webhooks' schedule (5 s, 5 min, 30 min, … about three days), then left `failed`. A sender that dies
between sending and recording leaves the e-mail to be claimed once its lease runs out, so it may arrive
twice then, never lost."""

import asyncio
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from uuid import UUID

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import utc_now
from app.notifications.models import EmailStatus, NotificationEmail
from app.outbox.delivery import Clock, retry_delay

BATCH_SIZE = 10
SMTP_TIMEOUT_SECONDS = 30.0
# Longer than any send may take, so a lease never runs out while its sender still talks to the server.
LEASE = timedelta(seconds=SMTP_TIMEOUT_SECONDS * 4)
ERROR_MAX_LENGTH = 500

log = structlog.get_logger("teikei.notifications")


@dataclass(frozen=True)
class ClaimedEmail:
    email_id: UUID
    to_address: str
    subject: str
    body: str
    leased_until: datetime


async def claim(
    sessions: async_sessionmaker[AsyncSession], *, now: Clock = utc_now, limit: int = BATCH_SIZE
) -> list[ClaimedEmail]:
    """Take up to `limit` due e-mails for this sender, each until its lease ends."""
    async with sessions.begin() as session:
        at = now()
        leased_until = at + LEASE
        due = (
            select(NotificationEmail.id)
            .where(NotificationEmail.status == EmailStatus.pending, NotificationEmail.next_attempt_at <= at)
            .order_by(NotificationEmail.next_attempt_at)
            .limit(limit)
            # Rows another sender is claiming are passed by, not waited for.
            .with_for_update(skip_locked=True)
        )
        ids = list((await session.scalars(due)).all())
        if not ids:
            return []
        await session.execute(
            update(NotificationEmail).where(NotificationEmail.id.in_(ids)).values(next_attempt_at=leased_until)
        )
        emails = await session.scalars(
            select(NotificationEmail).where(NotificationEmail.id.in_(ids)).order_by(NotificationEmail.id)
        )
        return [
            ClaimedEmail(
                email_id=email.id,
                to_address=email.to_address,
                subject=email.subject,
                body=email.body,
                leased_until=leased_until,
            )
            for email in emails.all()
        ]


def message_of(claimed: ClaimedEmail, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = claimed.to_address
    message["Subject"] = claimed.subject
    # The same id on every attempt: a mail client shows a repeat once.
    message["Message-ID"] = make_msgid(idstring=str(claimed.email_id), domain="teikei.notifications")
    message.set_content(claimed.body)
    return message


def _send_blocking(message: EmailMessage, settings: Settings) -> None:
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as server:
        if settings.smtp_starttls:
            server.starttls()
        if settings.smtp_username is not None and settings.smtp_password is not None:
            server.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        server.send_message(message)


async def send(claimed: ClaimedEmail, settings: Settings) -> str | None:
    """One attempt, on a thread (smtplib blocks); None when the server took the message, else what went wrong."""
    try:
        await asyncio.to_thread(_send_blocking, message_of(claimed, settings), settings)
    except (smtplib.SMTPException, OSError) as error:
        return f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    return None


async def record(
    sessions: async_sessionmaker[AsyncSession], claimed: ClaimedEmail, error: str | None, *, now: Clock = utc_now
) -> None:
    async with sessions.begin() as session:
        email = await session.get(NotificationEmail, claimed.email_id, with_for_update=True)
        # Gone with its notification's user, or sent already by a sender that claimed it after a lease ran out.
        if email is None or email.status != EmailStatus.pending:
            return
        at = now()
        email.attempt_count += 1
        email.last_attempt_at = at
        if error is None:
            # Sent, whoever holds it now: it is never claimed again.
            email.status, email.sent_at, email.last_error = EmailStatus.sent, at, None
            return
        if email.next_attempt_at != claimed.leased_until:  # claimed again after the lease ran out: theirs now
            return
        email.last_error = error
        delay = retry_delay(email.attempt_count)
        if delay is None:
            email.status = EmailStatus.failed
            log.warning("notification e-mail failed for good", email_id=str(email.id))
        else:
            email.next_attempt_at = at + delay


async def send_due(sessions: async_sessionmaker[AsyncSession], settings: Settings, *, now: Clock = utc_now) -> int:
    """Claim one batch and send it; how many were claimed. Nothing is sent while SMTP is not set up."""
    if settings.smtp_host is None:
        return 0
    claimed = await claim(sessions, now=now)
    for one in claimed:
        await record(sessions, one, await send(one, settings), now=now)
    return len(claimed)
