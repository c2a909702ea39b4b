"""A learning event's capacity under concurrent sign-ups, with real commits on separate connections."""

import asyncio

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.learning.models import LearningEvent
from tests.factories import auth_headers, create_user, warm_pool
from tests.learning.builders import create_learning_event, create_network, signup_rows

PLACES, PEOPLE = 3, 8


async def test_eight_concurrent_sign_ups_fill_three_places_exactly(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        event = await create_learning_event(session, network=await create_network(session), capacity=PLACES)
        headers = [auth_headers(settings, (await create_user(session)).id) for _ in range(PEOPLE)]
    await warm_pool(committing_client, PEOPLE)

    responses = await asyncio.gather(
        *[committing_client.post(f"/v1/learning-events/{event.id}/signups", json={}, headers=h) for h in headers]
    )

    assert sorted(response.status_code for response in responses) == [201] * PLACES + [409] * (PEOPLE - PLACES)
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"learning-event-full"}
    async with committing_session_factory() as session:
        stored = await session.get_one(LearningEvent, event.id)
        assert (await signup_rows(session, event.id), stored.signup_count) == (PLACES, PLACES)
