"""Governance motions: lowering the quorum or ending a coordinator's term needs the quorum it protects."""

import asyncio
from uuid import UUID

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.groups.models import ConsumerGroup, Coordinator, Household, HouseholdMember, Membership
from tests.factories import auth_headers, coordinator_ids, create_group, create_user, first_member, warm_pool


def as_user(settings: Settings, user_id: UUID) -> dict[str, str]:
    return auth_headers(settings, user_id)


async def move(
    client: AsyncClient, settings: Settings, group: ConsumerGroup, mover: UUID, body: dict[str, object]
) -> Response:
    return await client.post(f"/v1/consumer-groups/{group.id}/motions", json=body, headers=as_user(settings, mover))


async def approve(client: AsyncClient, settings: Settings, motion_id: str, user_id: UUID) -> Response:
    return await client.post(f"/v1/motions/{motion_id}/approvals", headers=as_user(settings, user_id))


async def test_lowering_the_quorum_carries_once_the_quorum_approves(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=3, coordinators=3)
    group.approval_quorum = 3
    await session.flush()
    first, second, third = await coordinator_ids(session, group)

    moved = await move(client, settings, group, first, {"kind": "lower_quorum", "approval_quorum": 2})
    seconded = await approve(client, settings, moved.json()["id"], second)
    carried = await approve(client, settings, moved.json()["id"], third)
    read = await client.get(f"/v1/consumer-groups/{group.id}", headers=as_user(settings, first))

    assert moved.status_code == 201, moved.text
    assert (moved.json()["status"], moved.json()["params"], moved.json()["moved_by"]) == (
        "open",
        {"approval_quorum": 2},
        str(first),
    )
    assert [a["user_id"] for a in moved.json()["approvals"]] == [str(first)]
    assert seconded.json()["status"] == "open"
    assert carried.status_code == 201, carried.text
    assert carried.json()["status"] == "carried"
    assert carried.json()["carried_at"] is not None
    assert read.json()["approval_quorum"] == 2


async def test_ending_a_term_carries_with_the_default_quorum_of_two(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=3, coordinators=3)
    first, second, third = await coordinator_ids(session, group)

    moved = await move(client, settings, group, first, {"kind": "end_term", "user_id": str(third)})
    carried = await approve(client, settings, moved.json()["id"], second)

    assert moved.json()["status"] == "open"
    assert carried.json()["status"] == "carried"
    assert carried.json()["params"] == {"user_id": str(third)}
    assert await coordinator_ids(session, group) == [first, second]
    ended = await session.scalar(select(Coordinator).where(Coordinator.user_id == third))
    assert ended is not None and ended.ended_by == first


async def test_a_motion_lowering_nothing_or_ending_no_term_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, coordinators=2)
    first, _ = await coordinator_ids(session, group)
    stranger = await create_user(session)

    not_lower = await move(client, settings, group, first, {"kind": "lower_quorum", "approval_quorum": 2})
    zero = await move(client, settings, group, first, {"kind": "lower_quorum", "approval_quorum": 0})
    no_term = await move(client, settings, group, first, {"kind": "end_term", "user_id": str(stranger.id)})
    own = await move(client, settings, group, first, {"kind": "end_term", "user_id": str(first)})

    assert (not_lower.status_code, not_lower.json()["code"]) == (409, "quorum-not-lowered")
    assert zero.status_code == 422
    assert (no_term.status_code, no_term.json()["code"]) == (404, "coordinator-not-found")
    assert (own.status_code, own.json()["code"]) == (409, "own-term-needs-no-motion")


async def test_only_coordinators_in_office_of_the_group_move_and_approve(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=3, coordinators=2)
    other_group = await create_group(session, households=1, coordinators=1)
    first, second = await coordinator_ids(session, group)
    (outsider,) = await coordinator_ids(session, other_group)
    member = await create_user(session)
    membership = await session.scalar(
        select(Membership).where(Membership.group_id == group.id).order_by(Membership.created_at.desc())
    )
    assert membership is not None
    session.add(HouseholdMember(household_id=membership.household_id, user_id=member.id))
    await session.flush()

    by_member = await move(client, settings, group, member.id, {"kind": "end_term", "user_id": str(second)})
    by_outsider = await move(client, settings, group, outsider, {"kind": "end_term", "user_id": str(second)})
    moved = await move(client, settings, group, first, {"kind": "end_term", "user_id": str(second)})
    motion_id = moved.json()["id"]
    approved_by_member = await approve(client, settings, motion_id, member.id)
    approved_by_outsider = await approve(client, settings, motion_id, outsider)
    repeated = await approve(client, settings, motion_id, first)
    read_by_member = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, member.id))
    read_by_outsider = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, outsider))
    listed_by_outsider = await client.get(
        f"/v1/consumer-groups/{group.id}/motions", headers=as_user(settings, outsider)
    )
    missing = await client.get(f"/v1/motions/{group.id}", headers=as_user(settings, first))

    assert [r.json()["code"] for r in (by_member, by_outsider)] == ["not-coordinator"] * 2
    assert [r.json()["code"] for r in (approved_by_member, approved_by_outsider)] == ["not-coordinator"] * 2
    assert (repeated.status_code, repeated.json()["code"]) == (409, "motion-already-approved")
    assert read_by_member.status_code == 200
    assert [r.json()["code"] for r in (read_by_outsider, listed_by_outsider)] == ["not-group-member"] * 2
    assert (missing.status_code, missing.json()["code"]) == (404, "motion-not-found")


async def test_an_approval_stops_counting_once_its_coordinators_term_ends(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=4, coordinators=4)
    group.approval_quorum = 3
    await session.flush()
    first, second, third, fourth = await coordinator_ids(session, group)
    moved = await move(client, settings, group, first, {"kind": "lower_quorum", "approval_quorum": 2})
    motion_id = moved.json()["id"]
    await approve(client, settings, motion_id, second)
    stepped_down = await client.delete(
        f"/v1/consumer-groups/{group.id}/coordinators/{second}", headers=as_user(settings, second)
    )

    third_approval = await approve(client, settings, motion_id, third)
    read = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, first))
    carried = await approve(client, settings, motion_id, fourth)
    again = await approve(client, settings, motion_id, third)

    assert stepped_down.status_code == 200, stepped_down.text
    # Three coordinators in office, quorum 3: the first and the third count, the second no longer does.
    assert third_approval.json()["status"] == "open"
    assert {a["user_id"]: a["in_office"] for a in read.json()["approvals"]} == {
        str(first): True,
        str(second): False,
        str(third): True,
    }
    assert carried.json()["status"] == "carried"
    assert (again.status_code, again.json()["code"]) == (409, "motion-not-open")


async def test_a_motion_whose_term_already_ended_is_refused_and_stays_open(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=3, coordinators=3)
    first, second, third = await coordinator_ids(session, group)
    moved = await move(client, settings, group, first, {"kind": "end_term", "user_id": str(third)})
    motion_id = moved.json()["id"]
    await client.delete(f"/v1/consumer-groups/{group.id}/coordinators/{third}", headers=as_user(settings, third))

    refused = await approve(client, settings, motion_id, second)
    read = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, first))

    assert (refused.status_code, refused.json()["code"]) == (409, "motion-no-longer-applies")
    assert read.json()["status"] == "open"
    assert [a["user_id"] for a in read.json()["approvals"]] == [str(first)]


async def test_a_groups_motions_are_listed_oldest_first_in_pages(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=4, coordinators=4)
    first, second, third, fourth = await coordinator_ids(session, group)
    household_member = await first_member(session, await _a_member_household(session, group))
    ids = [
        (await move(client, settings, group, first, {"kind": "end_term", "user_id": str(user)})).json()["id"]
        for user in (second, third, fourth)
    ]

    first_page = await client.get(
        f"/v1/consumer-groups/{group.id}/motions", params={"limit": 2}, headers=as_user(settings, household_member.id)
    )
    second_page = await client.get(
        f"/v1/consumer-groups/{group.id}/motions",
        params={"limit": 2, "cursor": first_page.json()["next_cursor"]},
        headers=as_user(settings, household_member.id),
    )

    assert [m["id"] for m in first_page.json()["data"] + second_page.json()["data"]] == ids
    assert second_page.json()["has_more"] is False


async def _a_member_household(session: AsyncSession, group: ConsumerGroup) -> Household:
    statement = select(Household).join(Membership, Membership.household_id == Household.id)
    household = await session.scalar(statement.where(Membership.group_id == group.id).limit(1))
    assert household is not None
    return household


async def test_two_last_approvals_at_once_carry_the_motion_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        group = await create_group(session, households=4, coordinators=4)
        first, second, third, fourth = await coordinator_ids(session, group)
    moved = await move(committing_client, settings, group, first, {"kind": "end_term", "user_id": str(fourth)})
    await warm_pool(committing_client, 2)

    responses = await asyncio.gather(
        *[approve(committing_client, settings, moved.json()["id"], user) for user in (second, third)]
    )

    assert sorted(r.status_code for r in responses) == [201, 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"motion-not-open"}
    assert [r.json()["status"] for r in responses if r.status_code == 201] == ["carried"]
    async with committing_session_factory() as session:
        ended = await session.scalar(
            select(func.count()).where(Coordinator.user_id == fourth, Coordinator.ended_at.is_not(None))
        )
        assert ended == 1
        assert await coordinator_ids(session, group) == [first, second, third]
