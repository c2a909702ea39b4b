"""Scheduled jobs, run outside requests: `python -m app.worker lapse`.

lapse — lapse agreements not fully paid by their due date and refund every payer. Run it once a
day (cron, a Kubernetes CronJob); running it twice changes nothing the second time."""

import asyncio
import sys
from datetime import UTC, datetime

import app.models  # noqa: F401  (every table known, so every foreign key resolves)
from app.core.config import get_settings
from app.core.db import create_engine, create_session_factory
from app.payments.service import lapse_overdue


async def lapse() -> None:
    engine = create_engine(get_settings().database_url)
    async with create_session_factory(engine).begin() as session:
        lapsed = await lapse_overdue(session, today=datetime.now(UTC).date())
    await engine.dispose()
    print(f"Lapsed {len(lapsed)} agreement(s): {', '.join(map(str, lapsed)) or 'none'}.")


JOBS = {"lapse": lapse}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in JOBS:
        sys.exit(f"usage: python -m app.worker {{{'|'.join(JOBS)}}}")
    asyncio.run(JOBS[sys.argv[1]]())
