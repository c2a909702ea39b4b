"""Motions of producer groups: the consumer groups' rules, a motion id naming a motion of either kind of
group, and a household removed by motion, or by one coordinator only where one decides alone."""

import asyncio
from dataclasses import dataclass
from uuid import UUID

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.models import User
from app.core.config import Settings
from app.groups.models import Household, Motion, MotionApproval, MotionStatus
from app.producers.models import ProducerCoordinator, ProducerGroup
from tests.factories import auth_headers, coordinator_ids, create_group, create_user, warm_pool
from tests.producers.builders import (
    create_household,
    create_producer_group,
    current_coordinator_ids,
    member_rows,
    stored_member_count,
)


@dataclass(frozen=True)
class Farm:
    """A producer group whose coordinators each farm in a household of their own, and one more household."""

    group: ProducerGroup
    coordinators: list[User]
    households: list[Household]
    other_household: Household
    farmer: User


async def create_farm(session: AsyncSession, *, coordinators: int, approval_quorum: int | None = None) -> Farm:
    users = [await create_user(session, display_name=f"Coordinator {n}") for n in range(coordinators)]
    households = [await create_household(session, user) for user in users]
    farmer = await create_user(session, display_name="Farmer")
    other = await create_household(session, farmer)
    group = await create_producer_group(session, coordinators=users, households=[*households, other])
    group.approval_quorum = approval_quorum
    await session.flush()
    return Farm(group, users, households, other, farmer)


def as_user(settings: Settings, user: User | UUID) -> dict[str, str]:
    return auth_headers(settings, user if isinstance(user, UUID) else user.id)


async def move(
    client: AsyncClient, settings: Settings, group: ProducerGroup, mover: User, body: dict[str, object]
) -> Response:
    return await client.post(f"/v1/producer-groups/{group.id}/motions", json=body, headers=as_user(settings, mover))


async def approve(client: AsyncClient, settings: Settings, motion_id: str, user: User | UUID) -> Response:
    return await client.post(f"/v1/motions/{motion_id}/approvals", headers=as_user(settings, user))


def removal(household: Household, reason: str = "Sold produce of others as its own.") -> dict[str, object]:
    return {"kind": "remove_household", "household_id": str(household.id), "reason": reason}


async def test_a_quorum_is_lowered_by_a_motion_its_quorum_carries(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=3, approval_quorum=3)
    first, second, third = farm.coordinators
    url = f"/v1/producer-groups/{farm.group.id}"
    etag = (await client.get(url, headers=as_user(settings, first))).headers["etag"]
    patched = await client.patch(
        url, json={"approval_quorum": 1}, headers={**as_user(settings, first), "If-Match": etag}
    )

    moved = await move(client, settings, farm.group, first, {"kind": "lower_quorum", "approval_quorum": 2})
    seconded = await approve(client, settings, moved.json()["id"], second)
    carried = await approve(client, settings, moved.json()["id"], third)
    read = await client.get(url, headers=as_user(settings, first))

    assert (patched.status_code, patched.json()["code"]) == (409, "quorum-lowering-needs-motion")
    assert moved.status_code == 201, moved.text
    assert (moved.json()["group_kind"], moved.json()["group_id"]) == ("producer", str(farm.group.id))
    assert moved.json()["params"] == {"approval_quorum": 2}
    assert seconded.json()["status"] == "open"
    assert carried.status_code == 201, carried.text
    assert carried.json()["status"] == "carried"
    assert read.json()["approval_quorum"] == 2


async def test_another_coordinators_term_ends_by_a_motion(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=3)
    first, second, third = farm.coordinators

    direct = await client.delete(
        f"/v1/producer-groups/{farm.group.id}/coordinators/{third.id}", headers=as_user(settings, first)
    )
    moved = await move(client, settings, farm.group, first, {"kind": "end_term", "user_id": str(third.id)})
    carried = await approve(client, settings, moved.json()["id"], second)

    assert (direct.status_code, direct.json()["code"]) == (409, "term-ending-needs-motion")
    assert moved.json()["status"] == "open"
    assert carried.json()["status"] == "carried"
    assert await current_coordinator_ids(session, farm.group.id) == {first.id, second.id}
    ended = await session.scalar(select(ProducerCoordinator).where(ProducerCoordinator.user_id == third.id))
    assert ended is not None and ended.ended_by == first.id


async def test_a_household_removed_by_motion_leaves_and_reads_why(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=2)
    first, second = farm.coordinators
    stranger = await create_user(session)

    direct = await client.delete(
        f"/v1/producer-groups/{farm.group.id}/members/{farm.other_household.id}", headers=as_user(settings, first)
    )
    moved = await move(client, settings, farm.group, first, removal(farm.other_household))
    motion_id = moved.json()["id"]
    still_member = await member_rows(session, farm.group.id)
    carried = await approve(client, settings, motion_id, second)
    read_by_removed = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, farm.farmer))
    read_by_stranger = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, stranger))

    assert (direct.status_code, direct.json()["code"]) == (409, "removal-needs-motion")
    assert moved.status_code == 201, moved.text
    assert moved.json()["params"] == {
        "household_id": str(farm.other_household.id),
        "reason": "Sold produce of others as its own.",
    }
    assert (moved.json()["status"], still_member) == ("open", 3)
    assert carried.json()["status"] == "carried"
    assert await member_rows(session, farm.group.id) == 2
    assert await stored_member_count(session, farm.group.id) == 2
    assert read_by_removed.status_code == 200
    assert read_by_removed.json()["params"]["reason"] == "Sold produce of others as its own."
    assert (read_by_stranger.status_code, read_by_stranger.json()["code"]) == (403, "not-producer-group-member")


async def test_a_removal_needs_a_member_household_and_a_visible_reason(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=2)
    other_farm = await create_farm(session, coordinators=1)
    first = farm.coordinators[0]

    of_another_group = await move(client, settings, farm.group, first, removal(other_farm.other_household))
    blank = await move(client, settings, farm.group, first, removal(farm.other_household, reason="   "))
    too_long = await move(client, settings, farm.group, first, removal(farm.other_household, reason="x" * 501))
    without = await move(
        client, settings, farm.group, first, {"kind": "remove_household", "household_id": str(farm.other_household.id)}
    )

    assert (of_another_group.status_code, of_another_group.json()["code"]) == (404, "membership-not-found")
    assert [r.status_code for r in (blank, too_long, without)] == [422] * 3
    assert await member_rows(session, other_farm.group.id) == 2


async def test_one_coordinator_deciding_alone_removes_a_household_directly_or_by_motion(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=1)
    (sole,) = farm.coordinators
    second = await create_household(session, await create_user(session))
    await client.post(
        f"/v1/producer-groups/{farm.group.id}/members",
        json={"household_id": str(second.id)},
        headers=as_user(settings, sole),
    )

    direct = await client.delete(
        f"/v1/producer-groups/{farm.group.id}/members/{farm.other_household.id}", headers=as_user(settings, sole)
    )
    moved = await move(client, settings, farm.group, sole, removal(second))

    assert direct.status_code == 204, direct.text
    assert moved.json()["status"] == "carried"
    assert await member_rows(session, farm.group.id) == 1


async def test_only_the_groups_own_coordinators_move_approve_and_read(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=2)
    other_farm = await create_farm(session, coordinators=1)
    consumer_group = await create_group(session, households=1, coordinators=1)
    (consumer_coordinator,) = await coordinator_ids(session, consumer_group)
    first, second = farm.coordinators
    outsider = other_farm.coordinators[0]

    by_outsider = await move(client, settings, farm.group, outsider, removal(farm.other_household))
    by_farmer = await move(client, settings, farm.group, farm.farmer, removal(farm.households[0]))
    moved = await move(client, settings, farm.group, first, {"kind": "end_term", "user_id": str(second.id)})
    motion_id = moved.json()["id"]
    approved_by_outsider = await approve(client, settings, motion_id, outsider)
    approved_by_consumer_coordinator = await approve(client, settings, motion_id, consumer_coordinator)
    read_by_outsider = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, outsider))
    read_by_farmer = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, farm.farmer))
    listed_by_outsider = await client.get(
        f"/v1/producer-groups/{farm.group.id}/motions", headers=as_user(settings, outsider)
    )
    unknown_group = await client.get(
        f"/v1/producer-groups/{consumer_group.id}/motions", headers=as_user(settings, consumer_coordinator)
    )

    assert [r.json()["code"] for r in (by_outsider, by_farmer)] == ["not-producer-coordinator"] * 2
    assert [r.json()["code"] for r in (approved_by_outsider, approved_by_consumer_coordinator)] == [
        "not-producer-coordinator"
    ] * 2
    assert [r.json()["code"] for r in (read_by_outsider, listed_by_outsider)] == ["not-producer-group-member"] * 2
    assert read_by_farmer.status_code == 200
    assert (unknown_group.status_code, unknown_group.json()["code"]) == (404, "producer-group-not-found")


async def test_an_approval_stops_counting_once_its_coordinator_stops_farming_in_the_group(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=4, approval_quorum=3)
    first, second, third, fourth = farm.coordinators
    moved = await move(client, settings, farm.group, first, {"kind": "lower_quorum", "approval_quorum": 2})
    motion_id = moved.json()["id"]
    await approve(client, settings, motion_id, second)
    left = await client.delete(
        f"/v1/producer-groups/{farm.group.id}/members/{farm.households[1].id}", headers=as_user(settings, second)
    )

    third_approval = await approve(client, settings, motion_id, third)
    read = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, first))
    carried = await approve(client, settings, motion_id, fourth)

    assert left.status_code == 204, left.text
    assert second.id not in await current_coordinator_ids(session, farm.group.id)
    # Three coordinators in office, quorum 3: the first and the third count, the second no longer does.
    assert third_approval.json()["status"] == "open"
    assert {a["user_id"]: a["in_office"] for a in read.json()["approvals"]} == {
        str(first.id): True,
        str(second.id): False,
        str(third.id): True,
    }
    assert carried.json()["status"] == "carried"


async def test_the_household_of_the_last_coordinators_stays_until_another_is_appointed(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=1)
    (sole,) = farm.coordinators
    url = f"/v1/producer-groups/{farm.group.id}/members/{farm.households[0].id}"

    left = await client.delete(url, headers=as_user(settings, sole))
    moved = await move(client, settings, farm.group, sole, removal(farm.households[0]))
    appointed = await client.post(
        f"/v1/producer-groups/{farm.group.id}/coordinators",
        json={"user_id": str(farm.farmer.id)},
        headers=as_user(settings, sole),
    )
    left_after_appointing = await client.delete(url, headers=as_user(settings, sole))

    assert (left.status_code, left.json()["code"]) == (409, "last-coordinator")
    assert (moved.status_code, moved.json()["code"]) == (409, "last-coordinator")
    assert appointed.status_code == 201, appointed.text
    assert left_after_appointing.status_code == 204, left_after_appointing.text
    assert await current_coordinator_ids(session, farm.group.id) == {farm.farmer.id}
    ended = await session.scalar(select(ProducerCoordinator).where(ProducerCoordinator.user_id == sole.id))
    assert ended is not None and ended.ended_by == sole.id and ended.ended_at is not None


async def test_a_removal_that_would_leave_no_coordinator_no_longer_applies(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=3)
    first, second, third = farm.coordinators
    moved = await move(client, settings, farm.group, first, removal(farm.households[2]))
    for user in (first, second):
        await client.delete(
            f"/v1/producer-groups/{farm.group.id}/coordinators/{user.id}", headers=as_user(settings, user)
        )

    refused = await approve(client, settings, moved.json()["id"], third)

    assert (refused.status_code, refused.json()["code"]) == (409, "motion-no-longer-applies")
    assert await member_rows(session, farm.group.id) == 4
    assert await current_coordinator_ids(session, farm.group.id) == {third.id}


async def test_a_producer_groups_motions_are_listed_oldest_first_in_pages(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=4)
    first, *others = farm.coordinators
    ids = [
        (await move(client, settings, farm.group, first, {"kind": "end_term", "user_id": str(user.id)})).json()["id"]
        for user in others
    ]
    url = f"/v1/producer-groups/{farm.group.id}/motions"

    first_page = await client.get(url, params={"limit": 2}, headers=as_user(settings, farm.farmer))
    second_page = await client.get(
        url, params={"limit": 2, "cursor": first_page.json()["next_cursor"]}, headers=as_user(settings, farm.farmer)
    )

    assert [m["id"] for m in first_page.json()["data"] + second_page.json()["data"]] == ids
    assert {m["group_kind"] for m in first_page.json()["data"]} == {"producer"}
    assert second_page.json()["has_more"] is False


async def test_two_last_approvals_at_once_carry_a_producer_groups_motion_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        farm = await create_farm(session, coordinators=4, approval_quorum=3)
    first, second, third, fourth = farm.coordinators
    moved = await move(committing_client, settings, farm.group, first, removal(farm.other_household))
    seconded = await approve(committing_client, settings, moved.json()["id"], second)
    await warm_pool(committing_client, 2)

    responses = await asyncio.gather(
        *[approve(committing_client, settings, moved.json()["id"], user) for user in (third, fourth)]
    )

    assert seconded.json()["status"] == "open"
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"motion-not-open"}
    assert [r.json()["status"] for r in responses if r.status_code == 201] == ["carried"]
    async with committing_session_factory() as session:
        assert await member_rows(session, farm.group.id) == 4
        assert await stored_member_count(session, farm.group.id) == 4
        motion = await session.get_one(Motion, UUID(moved.json()["id"]))
        assert motion.status == MotionStatus.carried
        approvals = await session.scalar(select(func.count()).where(MotionApproval.motion_id == motion.id))
        assert approvals == 3


async def test_a_coordinators_term_ends_with_the_household_a_motion_removes(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=3)
    first, second, third = farm.coordinators

    moved = await move(client, settings, farm.group, first, removal(farm.households[2]))
    carried = await approve(client, settings, moved.json()["id"], second)
    read = await client.get(f"/v1/producer-groups/{farm.group.id}", headers=as_user(settings, first))

    assert carried.json()["status"] == "carried"
    assert await current_coordinator_ids(session, farm.group.id) == {first.id, second.id}
    term = await session.scalar(
        select(ProducerCoordinator)
        .where(ProducerCoordinator.user_id == third.id)
        .execution_options(populate_existing=True)
    )
    assert term is not None and term.ended_by == first.id
    assert (read.json()["coordinator_count"], read.json()["member_count"]) == (2, 3)
