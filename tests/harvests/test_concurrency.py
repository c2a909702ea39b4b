"""Concurrent deliveries of one agreement, with real commits on separate connections: together they
never pass an item's agreed quantity."""

import asyncio

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from tests.harvests.builders import RICE, Stored, create_season, stored_for


async def test_concurrent_deliveries_cannot_together_exceed_the_agreed_quantity(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        season = await create_season(session, settings, shares=10, subscribed=(3, 3, 3), items=(RICE,))
    url = f"/v1/agreements/{season.agreement.id}/harvests"

    # 60 kg twice against 100 kg agreed: each alone fits, both together do not.
    # Two connections opened beforehand, so neither request waits for one while the other runs ahead.
    await asyncio.gather(*[committing_client.get(url, headers=season.producer) for _ in range(2)])
    responses = await asyncio.gather(
        *[committing_client.post(url, json=season.harvest("60.000"), headers=season.producer) for _ in range(2)]
    )

    assert sorted(response.status_code for response in responses) == [201, 409]
    [refused] = [response for response in responses if response.status_code == 409]
    assert (refused.json()["code"], refused.json()["already_delivered"]) == ("delivery-exceeds-agreement", "60.000")
    async with committing_session_factory() as session:
        assert await stored_for(session, season.agreement.id) == Stored(harvests=1, lines=1, allocations=3, surplus=1)
