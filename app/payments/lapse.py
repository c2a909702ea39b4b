"""Lapse overdue agreements and refund their payers: `python -m app.payments.lapse`.

Run it once a day (cron, a Kubernetes CronJob); running it twice changes nothing the second time."""

import asyncio
from datetime import UTC, datetime

from app.core.config import get_settings
from app.core.db import create_engine, create_session_factory
from app.payments.service import lapse_overdue


async def main() -> None:
    engine = create_engine(get_settings().database_url)
    async with create_session_factory(engine).begin() as session:
        lapsed = await lapse_overdue(session, today=datetime.now(UTC).date())
    await engine.dispose()
    print(f"Lapsed {len(lapsed)} agreement(s): {', '.join(map(str, lapsed)) or 'none'}.")


if __name__ == "__main__":
    asyncio.run(main())
