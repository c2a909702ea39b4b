"""Within one consumer group a user counts once: a user eats in at most one of its member households.
Refused when a household joins or queues, when a user is added to a household, and skipped when a place
frees; concurrent joins and additions are serialised by the groups' locks."""

import asyncio
from uuid import UUID

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.models import User
from app.core.config import Settings
from app.groups.models import MAX_HOUSEHOLDS, ConsumerGroup, HouseholdMember, Membership, WaitingListEntry
from tests.factories import (
    auth_headers,
    coordinator_ids,
    create_group,
    create_household,
    create_user,
    member_count,
    warm_pool,
)

CODE = "already-in-group-through-another-household"


def assert_counted_twice(response: Response, group: ConsumerGroup, user: User) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["group_id"], body["user_id"]) == (CODE, str(group.id), str(user.id))
    assert f"'{group.name}'" in body["detail"] and user.display_name in body["detail"]


async def join(client: AsyncClient, settings: Settings, user: User, group_id: UUID, household_id: UUID) -> Response:
    return await client.post(
        f"/v1/consumer-groups/{group_id}/memberships",
        json={"household_id": str(household_id)},
        headers=auth_headers(settings, user.id),
    )


async def add_member(
    client: AsyncClient, settings: Settings, adder: User, household_id: UUID, user_id: UUID
) -> Response:
    return await client.post(
        f"/v1/households/{household_id}/members",
        json={"user_id": str(user_id)},
        headers=auth_headers(settings, adder.id),
    )


async def is_member(session: AsyncSession, group_id: UUID, household_id: UUID) -> bool:
    statement = select(func.count()).select_from(Membership)
    return bool(
        await session.scalar(statement.where(Membership.group_id == group_id, Membership.household_id == household_id))
    )


async def belongs(session: AsyncSession, user_id: UUID, household_id: UUID) -> bool:
    statement = select(func.count()).select_from(HouseholdMember)
    return bool(
        await session.scalar(
            statement.where(HouseholdMember.user_id == user_id, HouseholdMember.household_id == household_id)
        )
    )


async def user_of(session: AsyncSession, household_id: UUID) -> User:
    statement = select(User).join(HouseholdMember).where(HouseholdMember.household_id == household_id)
    return (await session.scalars(statement.limit(1))).one()


async def member_of(session: AsyncSession, group: ConsumerGroup, household_id: UUID) -> None:
    session.add(Membership(group_id=group.id, household_id=household_id))
    group.member_count += 1
    await session.flush()


async def test_a_household_sharing_a_user_with_a_member_household_cannot_join(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    mai, son, aunt = (
        await create_user(session, display_name="Mai"),
        await create_user(session),
        await create_user(session),
    )
    group = await create_group(session, name="Green Valley")
    parents = await create_household(session, mai, son)
    await member_of(session, group, parents.id)
    flat = await create_household(session, son, aunt)  # the son also eats in his aunt's flat

    refused = await join(client, settings, aunt, group.id, flat.id)

    assert_counted_twice(refused, group, son)
    assert not await is_member(session, group.id, flat.id)
    assert (await session.get_one(ConsumerGroup, group.id, populate_existing=True)).member_count == 1


async def test_in_a_full_group_the_user_counted_twice_is_named_rather_than_the_waiting_list(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=MAX_HOUSEHOLDS, coordinators=1)
    member = (await session.scalars(select(Membership).where(Membership.group_id == group.id).limit(1))).one()
    shared = await session.scalar(
        select(User).join(HouseholdMember).where(HouseholdMember.household_id == member.household_id)
    )
    assert shared is not None
    household = await create_household(session, shared)

    joined = await join(client, settings, shared, group.id, household.id)
    queued = await client.post(
        f"/v1/consumer-groups/{group.id}/waiting-list",
        json={"household_id": str(household.id)},
        headers=auth_headers(settings, shared.id),
    )

    assert_counted_twice(joined, group, shared)
    assert_counted_twice(queued, group, shared)
    assert await session.scalar(select(func.count()).select_from(WaitingListEntry)) == 0
    assert await member_count(session, group.id) == MAX_HOUSEHOLDS


async def test_a_user_cannot_be_added_to_a_household_of_a_group_they_belong_to_through_another(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    mai, lan = await create_user(session, display_name="Mai"), await create_user(session)
    group = await create_group(session, name="Green Valley")
    hers, theirs = await create_household(session, mai), await create_household(session, lan)
    await member_of(session, group, hers.id)
    await member_of(session, group, theirs.id)

    refused = await add_member(client, settings, lan, theirs.id, mai.id)

    assert_counted_twice(refused, group, mai)
    assert not await belongs(session, mai.id, theirs.id)


async def test_one_user_may_eat_in_households_of_different_groups(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    mai, lan = await create_user(session), await create_user(session)
    valley, hills = await create_group(session), await create_group(session)
    hers, theirs = await create_household(session, mai), await create_household(session, lan)
    await member_of(session, valley, hers.id)
    await member_of(session, hills, theirs.id)

    added = await add_member(client, settings, lan, theirs.id, mai.id)
    # Her own household joining the second group would count her there twice.
    joined_other = await join(client, settings, mai, hills.id, hers.id)

    assert added.status_code == 201, added.text
    assert_counted_twice(joined_other, hills, mai)
    assert await belongs(session, mai.id, theirs.id)


async def test_only_members_of_the_household_add_to_it_whatever_the_group(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    mai, stranger = await create_user(session), await create_user(session)
    group = await create_group(session, households=1)
    household = await create_household(session, mai)
    await member_of(session, group, household.id)
    (coordinator,) = await coordinator_ids(session, group)  # eats in the group's other household

    by_coordinator = await client.post(
        f"/v1/households/{household.id}/members",
        json={"user_id": str(stranger.id)},
        headers=auth_headers(settings, coordinator),
    )

    assert by_coordinator.status_code == 404
    assert by_coordinator.json()["code"] == "household-not-found"
    assert not await belongs(session, stranger.id, household.id)


async def test_a_waiting_household_that_would_count_a_user_twice_is_skipped_and_keeps_its_place(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=MAX_HOUSEHOLDS, coordinators=0)
    members = (await session.scalars(select(Membership).where(Membership.group_id == group.id).limit(2))).all()
    inside, leaving = [await user_of(session, membership.household_id) for membership in members]
    mai, lan = await create_user(session), await create_user(session)
    first, second = await create_household(session, mai), await create_household(session, lan)
    for household, user in ((first, mai), (second, lan)):
        queued = await client.post(
            f"/v1/consumer-groups/{group.id}/waiting-list",
            json={"household_id": str(household.id)},
            headers=auth_headers(settings, user.id),
        )
        assert queued.status_code == 201, queued.text
    # Mai comes to eat in a member household too; her own household only waits, so this is allowed.
    added = await add_member(client, settings, inside, members[0].household_id, mai.id)

    left = await client.delete(
        f"/v1/consumer-groups/{group.id}/memberships/{members[1].household_id}",
        headers=auth_headers(settings, leaving.id),
    )
    first_view = await client.get(f"/v1/households/{first.id}/memberships", headers=auth_headers(settings, mai.id))

    assert added.status_code == 201, added.text
    assert left.status_code == 204
    assert await is_member(session, group.id, second.id)
    assert not await is_member(session, group.id, first.id)
    assert [entry["position"] for entry in first_view.json()["waiting"]] == [1]
    assert await member_count(session, group.id) == MAX_HOUSEHOLDS


# Concurrent requests


async def test_two_households_sharing_a_user_joining_at_once_admit_one(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        shared, one, other = await create_user(session), await create_user(session), await create_user(session)
        group = await create_group(session)
        households = [await create_household(session, shared, one), await create_household(session, shared, other)]
    await warm_pool(committing_client, 2)

    responses = await asyncio.gather(
        *[
            join(committing_client, settings, user, group.id, household.id)
            for user, household in zip((one, other), households, strict=True)
        ]
    )

    assert sorted(response.status_code for response in responses) == [201, 409]
    assert {response.json()["code"] for response in responses if response.status_code == 409} == {CODE}
    async with committing_session_factory() as session:
        stored = await session.get_one(ConsumerGroup, group.id)
        assert (await member_count(session, group.id), stored.member_count) == (1, 1)


async def test_a_join_and_an_addition_that_together_count_a_user_twice_admit_one(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """Mai's household joins the group while Lan, whose household is in it, adds Mai to it."""
    async with committing_session_factory.begin() as session:
        mai, lan = await create_user(session), await create_user(session)
        group = await create_group(session)
        hers, theirs = await create_household(session, mai), await create_household(session, lan)
        await member_of(session, group, theirs.id)
    await warm_pool(committing_client, 2)

    joined, added = await asyncio.gather(
        join(committing_client, settings, mai, group.id, hers.id),
        add_member(committing_client, settings, lan, theirs.id, mai.id),
    )

    assert sorted((joined.status_code, added.status_code)) == [201, 409]
    async with committing_session_factory() as session:
        assert await is_member(session, group.id, hers.id) != await belongs(session, mai.id, theirs.id)


async def test_a_join_and_an_addition_to_the_joining_household_admit_one(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """Lan's household joins the group while Lan adds to it Mai, who eats in a member household already."""
    async with committing_session_factory.begin() as session:
        mai, lan = await create_user(session), await create_user(session)
        group = await create_group(session)
        hers, theirs = await create_household(session, mai), await create_household(session, lan)
        await member_of(session, group, hers.id)
    await warm_pool(committing_client, 2)

    joined, added = await asyncio.gather(
        join(committing_client, settings, lan, group.id, theirs.id),
        add_member(committing_client, settings, lan, theirs.id, mai.id),
    )

    assert sorted((joined.status_code, added.status_code)) == [201, 409]
    async with committing_session_factory() as session:
        assert await is_member(session, group.id, theirs.id) != await belongs(session, mai.id, theirs.id)
