"""An event's capacity under concurrent sign-ups, with real commits on separate connections."""

import asyncio

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.gatherings.models import Gathering, GatheringKind, GatheringSignup
from tests.factories import auth_headers, create_user
from tests.gatherings.builders import create_gathering
from tests.producers.builders import create_producer_group


async def test_eight_concurrent_signups_fill_three_places_exactly(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        coordinator = await create_user(session)
        group = await create_producer_group(session, coordinators=[coordinator])
        training = await create_gathering(
            session,
            posted_by=coordinator,
            producer_group=group,
            kind=GatheringKind.learning,
            open_to_all=True,
            capacity=3,
        )
        headers = [auth_headers(settings, (await create_user(session)).id) for _ in range(8)]
    responses = await asyncio.gather(
        *[
            committing_client.post(f"/v1/gatherings/{training.id}/signups", json={}, headers=header)
            for header in headers
        ]
    )

    assert sorted(response.status_code for response in responses) == [201] * 3 + [409] * 5
    assert {response.json()["code"] for response in responses if response.status_code == 409} == {"event-full"}
    async with committing_session_factory() as session:
        rows = await session.scalar(
            select(func.count()).select_from(GatheringSignup).where(GatheringSignup.gathering_id == training.id)
        )
        stored = await session.get_one(Gathering, training.id)
        assert (rows, stored.signup_count) == (3, 3)
