"""One account belongs to at most HOUSEHOLDS_PER_USER_MAX households: a family needs one, and an
account creating hundreds is a script, not a family."""

import asyncio

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.groups.models import Household, HouseholdMember
from tests.factories import auth_headers, create_household, create_user, warm_pool


async def households_of(session: AsyncSession, user_id: object) -> int | None:
    return await session.scalar(
        select(func.count()).select_from(HouseholdMember).where(HouseholdMember.user_id == user_id)
    )


async def test_creating_a_household_beyond_the_limit_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    limit = settings.households_per_user_max
    user, neighbour = await create_user(session), await create_user(session)
    for _ in range(limit - 1):  # households joined count as much as households created
        await create_household(session, user)
    headers = auth_headers(settings, user.id)

    last = await client.post("/v1/households", json={"name": "Last one"}, headers=headers)
    refused = await client.post("/v1/households", json={"name": "One too many"}, headers=headers)
    neighbours = await client.post(
        "/v1/households", json={"name": "Next door"}, headers=auth_headers(settings, neighbour.id)
    )

    assert last.status_code == 201
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "too-many-households"
    assert refused.json()["limit"] == limit
    assert f"{limit} households" in refused.json()["detail"]
    assert neighbours.status_code == 201
    assert await households_of(session, user.id) == limit
    assert (
        await session.scalar(select(func.count()).select_from(Household).where(Household.name == "One too many")) == 0
    )


async def test_concurrent_creations_stop_at_the_limit(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    limit = settings.households_per_user_max
    async with committing_session_factory.begin() as session:
        user = await create_user(session)
        for _ in range(limit - 2):
            await create_household(session, user)
    headers = auth_headers(settings, user.id)
    attempts = 6
    await warm_pool(committing_client, attempts)

    responses = await asyncio.gather(
        *[
            committing_client.post("/v1/households", json={"name": f"Household {number}"}, headers=headers)
            for number in range(attempts)
        ]
    )

    assert sorted(response.status_code for response in responses) == [201] * 2 + [409] * (attempts - 2)
    async with committing_session_factory() as session:
        assert await households_of(session, user.id) == limit


async def test_adding_a_member_who_belongs_to_as_many_households_as_allowed_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    limit = settings.households_per_user_max
    adder, busy = await create_user(session), await create_user(session)
    household = await create_household(session, adder)
    for _ in range(limit):
        await create_household(session, busy)

    response = await client.post(
        f"/v1/households/{household.id}/members",
        json={"user_id": str(busy.id)},
        headers=auth_headers(settings, adder.id),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "too-many-households"
    assert response.json()["detail"].startswith("That user already belongs")
    assert await households_of(session, busy.id) == limit
