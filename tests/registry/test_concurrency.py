"""The country counts under concurrent pledges, with real commits on separate connections."""

import asyncio

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.groups.models import Membership
from app.registry.models import Pledge
from tests.factories import auth_headers, create_group, create_household, create_user, warm_pool
from tests.registry.builders import pledge_body, stored_count

PLEDGERS = 10


async def test_concurrent_pledges_of_ten_households_count_exactly_ten(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        group = await create_group(session, country="MM")
        pledgers = []
        for _ in range(PLEDGERS):
            member = await create_user(session)
            household = await create_household(session, member)
            session.add(Membership(group_id=group.id, household_id=household.id))
            pledgers.append((household.id, auth_headers(settings, member.id)))
        before = await stored_count(session, "MM")
    await warm_pool(committing_client, PLEDGERS)

    responses = await asyncio.gather(
        *[
            committing_client.post(f"/v1/households/{household_id}/pledges", json=pledge_body("MM"), headers=headers)
            for household_id, headers in pledgers
        ]
    )

    assert [response.status_code for response in responses] == [201] * PLEDGERS
    async with committing_session_factory() as session:
        assert await stored_count(session, "MM") == before + PLEDGERS


async def test_a_households_concurrent_pledges_make_one_pledge_counted_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        group = await create_group(session, country="SG")
        members = [await create_user(session) for _ in range(4)]
        household = await create_household(session, *members)
        session.add(Membership(group_id=group.id, household_id=household.id))
        before = await stored_count(session, "SG")
    await warm_pool(committing_client, len(members))

    responses = await asyncio.gather(
        *[
            committing_client.post(
                f"/v1/households/{household.id}/pledges",
                json=pledge_body("SG"),
                headers=auth_headers(settings, member.id),
            )
            for member in members
        ]
    )

    assert sorted(response.status_code for response in responses) == [200, 200, 200, 201]
    assert len({response.json()["id"] for response in responses}) == 1
    async with committing_session_factory() as session:
        rows = await session.scalar(select(func.count()).select_from(Pledge).where(Pledge.household_id == household.id))
        assert (rows, await stored_count(session, "SG")) == (1, before + 1)
