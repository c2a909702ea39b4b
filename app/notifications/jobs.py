"""The notification jobs the worker runs: reading the outbox's events and sending e-mail, all the time or
until nothing is left; and the daily reminders with the events, in the daily job."""

import asyncio
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.notifications import from_events, mail, reminders

IDLE_SECONDS = 2.0

log = structlog.get_logger("teikei.notifications")


async def run(sessions: async_sessionmaker[AsyncSession], settings: Settings, *, once: bool = False) -> tuple[int, int]:
    """Notify from events and send e-mail until stopped (cancelled); with `once`, until nothing is left.
    How many events were read and e-mails claimed."""
    events = emails = 0
    while True:
        try:
            read = await from_events.process_all(sessions, settings)
            claimed = await mail.send_due(sessions, settings)
        except Exception:
            if once:
                raise
            # The database may be away for a moment; events and e-mails wait for it in their outboxes.
            log.exception("notifications failed")
            read = claimed = 0
        events, emails = events + read, emails + claimed
        if claimed:
            continue
        if once:
            return events, emails
        await asyncio.sleep(IDLE_SECONDS)


async def daily(session: AsyncSession, settings: Settings) -> str:
    """Today's reminders, after the events not read yet (a harvest for tomorrow tells of its pickup too)."""
    read = 0
    while batch := await from_events.process_batch(session, settings):
        read += batch
    told = await reminders.remind(session, settings, today=datetime.now(UTC).date())
    return f"Read {read} event(s) for notifications; made {told} reminder(s) of payments due and pickups."
