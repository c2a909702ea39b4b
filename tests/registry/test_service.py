"""The registry's rules without HTTP: the recount a daily job may run."""

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import worker
from app.core.config import Settings
from app.registry import service
from app.registry.models import PledgeCount
from tests.factories import create_group, first_member
from tests.registry.builders import add_pledge, household_of, stored_count


async def test_the_recount_corrects_a_drifted_count_and_reports_it(session: AsyncSession) -> None:
    group = await create_group(session, households=3, country="BN")
    for index in range(3):
        household = await household_of(session, group, index)
        await add_pledge(session, household, await first_member(session, household), country="BN")
    assert await service.recount(session) == {}
    counted = await stored_count(session, "BN")
    await session.execute(update(PledgeCount).where(PledgeCount.country == "BN").values(pledges=counted + 5))

    corrected = await service.recount(session)

    assert corrected == {"BN": (counted + 5, counted)}
    assert await stored_count(session, "BN") == counted
    assert await service.recount(session) == {}


async def test_the_recount_restores_a_missing_country_row(session: AsyncSession) -> None:
    group = await create_group(session, households=1, country="TL")
    household = await household_of(session, group)
    await add_pledge(session, household, await first_member(session, household), country="TL")
    counted = await stored_count(session, "TL")
    await session.execute(delete(PledgeCount).where(PledgeCount.country == "TL"))

    corrected = await service.recount(session)

    assert corrected == {"TL": (0, counted)}
    assert await stored_count(session, "TL") == counted


async def test_the_daily_step_says_which_counts_it_mended(session: AsyncSession, settings: Settings) -> None:
    group = await create_group(session, households=1, country="KH")
    household = await household_of(session, group)
    await add_pledge(session, household, await first_member(session, household), country="KH")
    counted = await stored_count(session, "KH")
    await session.execute(update(PledgeCount).where(PledgeCount.country == "KH").values(pledges=counted + 2))

    mended = await worker.recount_pledges(session, settings)
    again = await worker.recount_pledges(session, settings)

    assert mended == f"Pledge counts: mended KH {counted + 2} -> {counted}."
    assert again == "Pledge counts: all right."
