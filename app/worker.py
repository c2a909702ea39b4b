"""Jobs run outside requests: `python -m app.worker JOB`, JOB one of those below.

lapse — lapse agreements not fully paid by their due date and refund every payer.
complete — record as completed the active agreements whose season's deliveries are over.
purge-idempotency — delete Idempotency-Key records older than IDEMPOTENCY_RETENTION_HOURS.
remind — notify users of what the outbox's events ask of them, then of payments due and pickups tomorrow.
refresh-indicators — recompute the monitored CBEs' indicator summaries that countries' roll-ups read.
recount-pledges — check the registry's counts per country against its pledges, and mend any drift.
daily — all six, each in its own transaction.

webhooks — deliver webhooks from the outbox until stopped; `webhooks --once` until nothing is due.
notifications — notify users from the outbox's events and send their e-mail until stopped; `--once` likewise.

Run `daily` once a day (cron, a Kubernetes CronJob); running a job twice changes nothing the second time.
Run `webhooks` all the time, as many as the deliveries need: they share the work without sending one twice.
Run `notifications` all the time too: its workers share the events and e-mails the same way."""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

import app.models  # noqa: F401  (every table known, so every foreign key resolves)
from app.agreements.service.lifecycle import complete_finished
from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_session_factory
from app.core.idempotency import purge_expired, retention_of
from app.indicators import service as indicators_service
from app.notifications import jobs as notification_jobs
from app.outbox import delivery
from app.payments.service import lapse_overdue
from app.registry import service as registry_service

Step = Callable[[AsyncSession, Settings], Awaitable[str]]


async def lapse(session: AsyncSession, _: Settings) -> str:
    lapsed = await lapse_overdue(session, today=datetime.now(UTC).date())
    return f"Lapsed {len(lapsed)} agreement(s): {', '.join(map(str, lapsed)) or 'none'}."


async def complete(session: AsyncSession, _: Settings) -> str:
    completed = await complete_finished(session, today=datetime.now(UTC).date())
    return f"Completed {len(completed)} agreement(s): {', '.join(map(str, completed)) or 'none'}."


async def purge_idempotency(session: AsyncSession, settings: Settings) -> str:
    purged = await purge_expired(session, now=datetime.now(UTC), retention=retention_of(settings))
    return f"Purged {purged} Idempotency-Key record(s) older than {settings.idempotency_retention_hours} h."


async def remind(session: AsyncSession, settings: Settings) -> str:
    return await notification_jobs.daily(session, settings)


async def refresh_indicators(session: AsyncSession, _: Settings) -> str:
    written, forgotten = await indicators_service.refresh(session)
    return f"Refreshed {written} indicator summary row(s); forgot {forgotten} CBE(s) no longer monitored."


async def recount_pledges(session: AsyncSession, _: Settings) -> str:
    drift = await registry_service.recount(session)
    mended = ", ".join(f"{country} {stored} -> {counted}" for country, (stored, counted) in sorted(drift.items()))
    return f"Pledge counts: {'mended ' + mended if drift else 'all right'}."


JOBS: dict[str, list[Step]] = {
    "lapse": [lapse],
    "complete": [complete],
    "purge-idempotency": [purge_idempotency],
    "remind": [remind],
    "refresh-indicators": [refresh_indicators],
    "recount-pledges": [recount_pledges],
    "daily": [lapse, complete, purge_idempotency, remind, refresh_indicators, recount_pledges],
}


async def run(steps: list[Step]) -> None:
    settings = get_settings()
    engine = create_engine(settings.database_url, pool=False)
    sessions = create_session_factory(engine)
    try:
        for step in steps:
            async with sessions.begin() as session:
                print(await step(session, settings))
    finally:
        await engine.dispose()


async def deliver_webhooks(*, once: bool) -> None:
    settings = get_settings()
    engine = create_engine(settings.database_url, pool_size=delivery.CONCURRENCY + 1, max_overflow=0)
    try:
        attempts = await delivery.run(create_session_factory(engine), settings, once=once)
        print(f"Made {attempts} webhook delivery attempt(s).")
    finally:
        await engine.dispose()


async def notify(*, once: bool) -> None:
    settings = get_settings()
    engine = create_engine(settings.database_url, pool_size=2, max_overflow=0)
    try:
        events, emails = await notification_jobs.run(create_session_factory(engine), settings, once=once)
        print(f"Read {events} event(s) for notifications; claimed {emails} e-mail(s) to send.")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    if sys.argv[1:] in (["webhooks"], ["webhooks", "--once"]):
        asyncio.run(deliver_webhooks(once="--once" in sys.argv))
    elif sys.argv[1:] in (["notifications"], ["notifications", "--once"]):
        asyncio.run(notify(once="--once" in sys.argv))
    elif len(sys.argv) != 2 or sys.argv[1] not in JOBS:
        sys.exit(f"usage: python -m app.worker {{{'|'.join(JOBS)}|webhooks [--once]|notifications [--once]}}")
    else:
        asyncio.run(run(JOBS[sys.argv[1]]))
