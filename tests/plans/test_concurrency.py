"""Plan transitions under concurrent requests, with real commits on separate connections."""

import asyncio
from datetime import datetime

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.plans.models import PlanStatus
from tests.factories import auth_headers, create_user
from tests.plans.builders import create_plan, stored_state
from tests.producers.builders import create_producer_group


async def test_concurrent_publications_publish_a_draft_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        coordinators = [await create_user(session) for _ in range(4)]
        group = await create_producer_group(session, coordinators=coordinators)
        plan = await create_plan(session, group, status=PlanStatus.draft)
    responses = await asyncio.gather(
        *[
            committing_client.post(f"/v1/production-plans/{plan.id}/publish", headers=auth_headers(settings, user.id))
            for user in coordinators
        ]
    )

    assert sorted(response.status_code for response in responses) == [200, 409, 409, 409]
    assert {response.json()["code"] for response in responses if response.status_code == 409} == {"plan-not-draft"}
    [winner] = [response.json() for response in responses if response.status_code == 200]
    async with committing_session_factory() as session:
        status, published_at, _ = await stored_state(session, plan.id)
    assert status == PlanStatus.published
    assert published_at is not None
    assert published_at == datetime.fromisoformat(winner["published_at"])
