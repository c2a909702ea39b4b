"""Counted limits under concurrent requests, with real commits on separate connections."""

import asyncio

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.groups.models import MAX_HOUSEHOLDS, ConsumerGroup, Household, Membership
from tests.factories import auth_headers, create_group, create_household, first_member, warm_pool


async def test_concurrent_joins_fill_a_group_of_145_exactly_to_150(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        group = await create_group(session, households=MAX_HOUSEHOLDS - 5)
        newcomers = [await create_household(session) for _ in range(12)]
        headers = [auth_headers(settings, (await first_member(session, household)).id) for household in newcomers]
    await warm_pool(committing_client, 12)
    responses = await asyncio.gather(
        *[
            committing_client.post(
                f"/v1/consumer-groups/{group.id}/memberships",
                json={"household_id": str(household.id)},
                headers=header,
            )
            for household, header in zip(newcomers, headers, strict=True)
        ]
    )

    assert sorted(response.status_code for response in responses) == [201] * 5 + [409] * 7
    assert {response.json()["code"] for response in responses if response.status_code == 409} == {"group-full"}
    async with committing_session_factory() as session:
        rows = await session.scalar(select(func.count()).select_from(Membership).where(Membership.group_id == group.id))
        stored = await session.get_one(ConsumerGroup, group.id)
        assert (rows, stored.member_count) == (MAX_HOUSEHOLDS, MAX_HOUSEHOLDS)


async def test_concurrent_leaves_and_waiting_list_admissions_keep_the_count(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        group = await create_group(session, households=MAX_HOUSEHOLDS, coordinators=0)
        members = (await session.scalars(select(Membership).where(Membership.group_id == group.id).limit(4))).all()
        leaver_headers = [
            auth_headers(settings, (await first_member(session, await session.get_one(Household, m.household_id))).id)
            for m in members
        ]
        waiting = [await create_household(session) for _ in range(6)]
        waiting_headers = [auth_headers(settings, (await first_member(session, household)).id) for household in waiting]
    for household, header in zip(waiting, waiting_headers, strict=True):
        queued = await committing_client.post(
            f"/v1/consumer-groups/{group.id}/waiting-list", json={"household_id": str(household.id)}, headers=header
        )
        assert queued.status_code == 201
    leaves = await asyncio.gather(
        *[
            committing_client.delete(
                f"/v1/consumer-groups/{group.id}/memberships/{membership.household_id}", headers=header
            )
            for membership, header in zip(members, leaver_headers, strict=True)
        ]
    )
    still_waiting = await committing_client.get(
        f"/v1/households/{waiting[-1].id}/memberships", headers=waiting_headers[-1]
    )

    assert [response.status_code for response in leaves] == [204] * 4
    assert [entry["position"] for entry in still_waiting.json()["waiting"]] == [2]
    async with committing_session_factory() as session:
        admitted = (
            await session.scalars(
                select(Membership.household_id).where(Membership.household_id.in_([h.id for h in waiting]))
            )
        ).all()
        stored = await session.get_one(ConsumerGroup, group.id)
        assert sorted(admitted) == sorted(h.id for h in waiting[:4])
        assert stored.member_count == MAX_HOUSEHOLDS
