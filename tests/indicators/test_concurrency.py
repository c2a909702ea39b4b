"""Two refreshes at once, on separate connections with real commits: both succeed and one row per CBE and
season stays (the summary's unique key is written with INSERT ... ON CONFLICT DO UPDATE)."""

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.indicators import service
from app.indicators.models import IndicatorSummary
from app.networks.models import CbeKind
from tests.indicators.builders import create_monitored_season, enrol


async def test_two_refreshes_at_once_leave_one_row_per_cbe_and_season(
    committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        monitored = await create_monitored_season(session, settings)
        await enrol(session, CbeKind.consumer_group, monitored.season.consumer_group.id)
        await enrol(session, CbeKind.producer_group, monitored.season.producer_group.id)

    async def refresh() -> tuple[int, int]:
        async with committing_session_factory.begin() as session:
            return await service.refresh(session)

    results = await asyncio.gather(refresh(), refresh())

    assert list(results) == [(2, 0), (2, 0)]
    async with committing_session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(IndicatorSummary)) == 2
