import asyncio
from itertools import pairwise
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agreements.models import Agreement, Subscription
from app.agreements.service.subscriptions import share_price_due
from app.core.config import Settings
from app.groups.models import Household, Membership
from tests.agreements.builders import Partnership, agree, create_partnership
from tests.factories import auth_headers, create_household, first_member, warm_pool
from tests.groups.test_router import assert_problem


async def member_households(session: AsyncSession, partnership: Partnership) -> list[Household]:
    return await households_of_group(session, partnership.consumer_group.id)


async def households_of_group(session: AsyncSession, group_id: UUID) -> list[Household]:
    """Member households in the order they were created: the first ones' users coordinate."""
    statement = (
        select(Household)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.group_id == group_id)
        .order_by(Household.created_at, Household.id)
    )
    return list((await session.scalars(statement)).all())


async def subscribe(
    client: AsyncClient, session: AsyncSession, settings: Settings, agreement_id: str, household: Household, shares: int
):
    user = await first_member(session, household)
    return await client.post(
        f"/v1/agreements/{agreement_id}/subscriptions",
        json={"household_id": str(household.id), "shares": shares},
        headers=auth_headers(settings, user.id),
    )


@pytest.fixture
async def partnership(session: AsyncSession, settings: Settings) -> Partnership:
    return await create_partnership(session, settings)


@pytest.mark.parametrize(
    ("total", "shares", "first_share", "count", "due"),
    [
        (100_000, 3, 0, 1, 33_334),
        (100_000, 3, 1, 1, 33_333),
        (100_000, 3, 1, 2, 66_666),
        (100_000, 3, 0, 3, 100_000),
        (10, 4, 0, 2, 6),
        (10, 4, 2, 2, 4),
        (7, 7, 3, 1, 1),
    ],
)
def test_shares_split_the_total_exactly(total: int, shares: int, first_share: int, count: int, due: int) -> None:
    assert share_price_due(total, shares, first_share=first_share, count=count) == due


def test_every_split_of_the_shares_adds_up_to_the_total() -> None:
    total, shares = 1_845_569, 37
    starts = [0, 5, 6, 20, 37]

    dues = [share_price_due(total, shares, first_share=a, count=b - a) for a, b in pairwise(starts)]

    assert sum(dues) == total


async def test_households_subscribe_and_owe_their_shares_price(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)  # 18450.00 THB
    first, second = (await member_households(session, partnership))[:2]

    taken = await subscribe(client, session, partnership.settings, agreement["id"], first, 1)
    rest = await subscribe(client, session, partnership.settings, agreement["id"], second, 2)
    too_many = await subscribe(
        client, session, partnership.settings, agreement["id"], (await member_households(session, partnership))[2], 1
    )
    listed = await client.get(f"/v1/agreements/{agreement['id']}/subscriptions", headers=partnership.first)

    assert (taken.status_code, taken.json()["amount_due"]) == (201, "6150.00")
    assert (rest.status_code, rest.json()["amount_due"]) == (201, "12300.00")
    assert_problem(too_many, 409, "not-enough-shares")
    assert too_many.json()["shares_left"] == 0
    assert [(s["shares"], s["amount_due"]) for s in listed.json()["data"]] == [(1, "6150.00"), (2, "12300.00")]


async def test_a_household_subscribes_once(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership)
    [household, *_] = await member_households(session, partnership)
    await subscribe(client, session, partnership.settings, agreement["id"], household, 1)

    again = await subscribe(client, session, partnership.settings, agreement["id"], household, 1)

    assert_problem(again, 409, "already-subscribed")


async def test_only_households_of_the_group_subscribe(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership)
    stranger = await create_household(session)

    response = await subscribe(client, session, partnership.settings, agreement["id"], stranger, 1)

    assert response.status_code == 404  # the agreement is not visible to a household outside both groups
    assert await session.scalar(select(func.count()).select_from(Subscription)) == 0


async def test_nobody_subscribes_before_the_terms_are_agreed(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    proposed = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)
    [household, *_] = await member_households(session, partnership)

    response = await subscribe(client, session, partnership.settings, proposed.json()["id"], household, 1)

    assert_problem(response, 409, "agreement-not-agreed")


async def test_fifty_concurrent_requests_for_the_last_ten_shares_get_exactly_ten(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        partnership = await create_partnership(session, settings, households=60)
        households = await member_households(session, partnership)
        headers = [auth_headers(settings, (await first_member(session, h)).id) for h in households]
    agreement = await agree(committing_client, partnership, shares=30)
    url = f"/v1/agreements/{agreement['id']}/subscriptions"
    await warm_pool(committing_client, 10)
    for household, header in zip(households[:10], headers[:10], strict=True):
        assert (
            await committing_client.post(url, json={"household_id": str(household.id), "shares": 2}, headers=header)
        ).status_code == 201
    responses = await asyncio.gather(
        *[
            committing_client.post(url, json={"household_id": str(household.id), "shares": 1}, headers=header)
            for household, header in zip(households[10:], headers[10:], strict=True)
        ]
    )

    assert sorted(r.status_code for r in responses) == [201] * 10 + [409] * 40
    async with committing_session_factory() as session:
        stored = await session.get_one(Agreement, UUID(agreement["id"]))
        shares = await session.scalar(
            select(func.sum(Subscription.shares)).where(Subscription.agreement_id == stored.id)
        )
        assert (stored.subscribed_shares, shares) == (30, 30)
