"""Notifications' e-mail, sent from its outbox to a real SMTP server on this machine: received with the right
To and Subject, a failed send tried again later and not lost, and nothing sent twice once it went out."""

import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes
from uuid import uuid4

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import utc_now
from app.notifications import mail
from app.notifications.models import EmailStatus, NotificationKind, SubjectType
from app.notifications.service import Note, notify
from app.outbox import delivery
from app.outbox.delivery import Clock
from tests.factories import create_user
from tests.notifications.builders import emails


class Inbox:
    """An SMTP server's handler that keeps what it receives, or refuses it while `refusing` is set."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []
        self.refusing = False

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refusing:
            return "451 Try again later"
        self.received.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def mailing(settings: Settings, port: int) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
            "mail_from": "Teikei <notifications@teikei.test>",
        }
    )


def harvest_note() -> Note:
    return Note(
        kind=NotificationKind.harvest_allocated,
        key=f"test:{uuid4()}",
        title="Your share of a harvest",
        text="Your household's share waits at Wat Umong hall.",
        subject_type=SubjectType.harvest,
        subject_id=uuid4(),
    )


def at(moment: datetime) -> Clock:
    return lambda: moment


async def test_an_email_is_received_with_its_recipient_and_subject_and_sent_once(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    inbox: tuple[Inbox, int],
) -> None:
    handler, port = inbox
    user = await create_user(session)
    await notify(session, mailing(settings, port), [user.id], harvest_note())

    claimed = await mail.send_due(session_factory, mailing(settings, port))
    again = await mail.send_due(session_factory, mailing(settings, port), now=at(utc_now() + timedelta(days=4)))

    assert (claimed, again) == (1, 0)
    [envelope] = handler.received
    assert envelope.rcpt_tos == [user.email]
    message = message_from_bytes(envelope.original_content or b"")
    assert (message["To"], message["Subject"], message["From"]) == (
        user.email,
        "Your share of a harvest",
        "Teikei <notifications@teikei.test>",
    )
    assert "Wat Umong hall" in message.get_payload()
    [stored] = await emails(session)
    await session.refresh(stored)
    assert (stored.status, stored.attempt_count, stored.last_error) == (EmailStatus.sent, 1, None)


async def test_a_failed_send_is_tried_again_later_and_not_lost(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    inbox: tuple[Inbox, int],
) -> None:
    handler, port = inbox
    handler.refusing = True
    user = await create_user(session)
    await notify(session, mailing(settings, port), [user.id], harvest_note())
    now = utc_now()

    first = await mail.send_due(session_factory, mailing(settings, port), now=at(now))
    [stored] = await emails(session)
    await session.refresh(stored)
    assert (first, stored.status, stored.attempt_count) == (1, EmailStatus.pending, 1)
    assert stored.last_error is not None and "451" in stored.last_error
    assert stored.next_attempt_at > now

    handler.refusing = False
    too_soon = await mail.send_due(session_factory, mailing(settings, port), now=at(now + timedelta(seconds=1)))
    retried = await mail.send_due(session_factory, mailing(settings, port), now=at(now + timedelta(seconds=10)))

    assert (too_soon, retried) == (0, 1)
    assert [envelope.rcpt_tos for envelope in handler.received] == [[user.email]]
    await session.refresh(stored)
    assert (stored.status, stored.attempt_count) == (EmailStatus.sent, 2)


async def test_a_server_that_does_not_answer_leaves_the_email_waiting(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    nobody_listens = mailing(settings, free_port())
    user = await create_user(session)
    await notify(session, nobody_listens, [user.id], harvest_note())

    claimed = await mail.send_due(session_factory, nobody_listens)

    [stored] = await emails(session)
    await session.refresh(stored)
    assert (claimed, stored.status, stored.attempt_count) == (1, EmailStatus.pending, 1)
    assert stored.last_error is not None and stored.last_error.startswith("ConnectionRefusedError")


async def test_after_the_last_retry_the_email_is_failed(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    nobody_listens = mailing(settings, free_port())
    user = await create_user(session)
    await notify(session, nobody_listens, [user.id], harvest_note())
    [stored] = await emails(session)
    stored.attempt_count = len(delivery.RETRY_DELAYS)  # the next failure is the last
    await session.flush()

    await mail.send_due(session_factory, nobody_listens)

    await session.refresh(stored)
    assert stored.status == EmailStatus.failed
    assert await mail.send_due(session_factory, nobody_listens, now=at(utc_now() + timedelta(days=30))) == 0


async def test_nothing_is_sent_while_smtp_is_not_set_up(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    assert await mail.send_due(session_factory, settings) == 0
