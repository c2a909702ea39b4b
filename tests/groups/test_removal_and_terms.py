"""A consumer group removes a household only by motion, with a reason its people can read; and a
coordinator's term ends once they no longer belong to a member household of the group, whichever way
they left it, unless the group would be left without a coordinator."""

from uuid import UUID

from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core.config import Settings
from app.groups.models import (
    ConsumerGroup,
    Coordinator,
    GroupStatus,
    Household,
    HouseholdMember,
    Membership,
    WaitingListEntry,
)
from app.producers.models import ProducerCoordinator
from tests.factories import (
    auth_headers,
    coordinator_ids,
    create_group,
    create_household,
    create_user,
    member_count,
)
from tests.producers.builders import create_producer_group, current_coordinator_ids


def as_user(settings: Settings, user_id: UUID) -> dict[str, str]:
    return auth_headers(settings, user_id)


async def move(
    client: AsyncClient, settings: Settings, group: ConsumerGroup, mover: UUID, body: dict[str, object]
) -> Response:
    return await client.post(f"/v1/consumer-groups/{group.id}/motions", json=body, headers=as_user(settings, mover))


async def approve(client: AsyncClient, settings: Settings, motion_id: str, user_id: UUID) -> Response:
    return await client.post(f"/v1/motions/{motion_id}/approvals", headers=as_user(settings, user_id))


def removal(household_id: UUID, reason: str = "Never came to a pickup this season.") -> dict[str, object]:
    return {"kind": "remove_household", "household_id": str(household_id), "reason": reason}


async def household_of(session: AsyncSession, group: ConsumerGroup, user_id: UUID) -> Household:
    """The member household of the group the user eats in."""
    statement = (
        select(Household)
        .join(Membership, Membership.household_id == Household.id)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(Membership.group_id == group.id, HouseholdMember.user_id == user_id)
    )
    household = await session.scalar(statement)
    assert household is not None
    return household


async def a_household_without_coordinators(session: AsyncSession, group: ConsumerGroup) -> Household:
    coordinators = await coordinator_ids(session, group)
    with_coordinators = select(HouseholdMember.household_id).where(HouseholdMember.user_id.in_(coordinators))
    statement = (
        select(Household)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.group_id == group.id, Household.id.not_in(with_coordinators))
    )
    household = await session.scalar(statement.order_by(Household.created_at, Household.id).limit(1))
    assert household is not None
    return household


async def term_of(session: AsyncSession, group: ConsumerGroup, user_id: UUID) -> Coordinator:
    statement = select(Coordinator).where(Coordinator.group_id == group.id, Coordinator.user_id == user_id)
    term = await session.scalar(statement.execution_options(populate_existing=True))
    assert term is not None
    return term


async def add_member(session: AsyncSession, household: Household) -> User:
    user = await create_user(session)
    session.add(HouseholdMember(household_id=household.id, user_id=user.id))
    await session.flush()
    return user


# Removal by motion


async def test_a_household_removed_by_motion_leaves_as_if_it_left_and_reads_why(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=15, coordinators=2)
    first, second = await coordinator_ids(session, group)
    household = await a_household_without_coordinators(session, group)
    removed_member = await add_member(session, household)
    stranger = await create_user(session)

    moved = await move(client, settings, group, first, removal(household.id))
    motion_id = moved.json()["id"]
    carried = await approve(client, settings, motion_id, second)
    read_by_removed = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, removed_member.id))
    read_by_stranger = await client.get(f"/v1/motions/{motion_id}", headers=as_user(settings, stranger.id))
    read_group = await client.get(f"/v1/consumer-groups/{group.id}", headers=as_user(settings, first))

    assert moved.status_code == 201, moved.text
    assert (moved.json()["group_kind"], moved.json()["status"]) == ("consumer", "open")
    assert carried.json()["status"] == "carried"
    assert await member_count(session, group.id) == 14
    assert (read_group.json()["member_count"], read_group.json()["status"]) == (14, GroupStatus.forming)
    assert read_by_removed.status_code == 200, read_by_removed.text
    assert read_by_removed.json()["params"] == {
        "household_id": str(household.id),
        "reason": "Never came to a pickup this season.",
    }
    assert (read_by_stranger.status_code, read_by_stranger.json()["code"]) == (403, "not-group-member")


async def test_the_first_household_waiting_takes_the_place_of_one_removed(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=150, coordinators=1)
    (sole,) = await coordinator_ids(session, group)
    household = await a_household_without_coordinators(session, group)
    waiting = await create_household(session)
    session.add(WaitingListEntry(group_id=group.id, household_id=waiting.id))
    await session.flush()

    moved = await move(client, settings, group, sole, removal(household.id))

    assert moved.json()["status"] == "carried", moved.text
    assert await member_count(session, group.id) == 150
    members = set((await session.scalars(select(Membership.household_id).where(Membership.group_id == group.id))).all())
    assert waiting.id in members and household.id not in members


async def test_a_removal_of_a_household_not_in_the_group_or_of_its_last_coordinator_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, coordinators=1)
    other_group = await create_group(session, households=1, coordinators=1)
    (sole,) = await coordinator_ids(session, group)

    (other_coordinator,) = await coordinator_ids(session, other_group)
    of_other_group = await household_of(session, other_group, other_coordinator)
    own = await household_of(session, group, sole)
    another = await a_household_without_coordinators(session, group)

    not_member = await move(client, settings, group, sole, removal(of_other_group.id))
    of_last = await move(client, settings, group, sole, removal(own.id))
    blank = await move(client, settings, group, sole, removal(another.id, reason=" "))

    assert (not_member.status_code, not_member.json()["code"]) == (404, "membership-not-found")
    assert (of_last.status_code, of_last.json()["code"]) == (409, "last-coordinator")
    assert blank.status_code == 422
    assert await member_count(session, group.id) == 2


# Terms end with membership


async def test_a_coordinators_term_ends_when_their_household_leaves(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=3, coordinators=2)
    first, second = await coordinator_ids(session, group)
    household = await household_of(session, group, second)

    left = await client.delete(
        f"/v1/consumer-groups/{group.id}/memberships/{household.id}", headers=as_user(settings, second)
    )

    assert left.status_code == 204, left.text
    assert await coordinator_ids(session, group) == [first]
    term = await term_of(session, group, second)
    assert term.ended_at is not None and term.ended_by == second


async def test_the_household_of_the_last_coordinator_stays_until_another_is_appointed(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, coordinators=1)
    (sole,) = await coordinator_ids(session, group)
    household = await household_of(session, group, sole)
    url = f"/v1/consumer-groups/{group.id}/memberships/{household.id}"

    refused = await client.delete(url, headers=as_user(settings, sole))
    still = await member_count(session, group.id)

    assert (refused.status_code, refused.json()["code"]) == (409, "last-coordinator")
    assert "appoint another coordinator first" in refused.json()["detail"]
    assert still == 2
    assert await coordinator_ids(session, group) == [sole]


async def test_a_founder_who_never_belonged_keeps_coordinating(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, coordinators=1)
    (member_coordinator,) = await coordinator_ids(session, group)
    founder = await create_user(session)
    session.add(Coordinator(group_id=group.id, user_id=founder.id, appointed_by=founder.id))
    await session.flush()
    household = await household_of(session, group, member_coordinator)

    left = await client.delete(
        f"/v1/consumer-groups/{group.id}/memberships/{household.id}", headers=as_user(settings, member_coordinator)
    )

    assert left.status_code == 204, left.text
    assert await coordinator_ids(session, group) == [founder.id]


async def test_a_coordinators_terms_end_when_they_leave_their_household_in_both_kinds_of_group(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=3, coordinators=2)
    first, second = await coordinator_ids(session, group)
    household = await household_of(session, group, second)
    housemate = await add_member(session, household)
    stays = await create_user(session)
    farm = await create_producer_group(
        session,
        coordinators=[await session.get_one(User, second), stays],
        households=[household, await create_household(session, stays)],
    )

    removed = await client.delete(
        f"/v1/households/{household.id}/members/{second}", headers=as_user(settings, housemate.id)
    )

    assert removed.status_code == 204, removed.text
    assert await coordinator_ids(session, group) == [first]
    assert (await term_of(session, group, second)).ended_by == housemate.id
    assert await current_coordinator_ids(session, farm.id) == {stays.id}
    producer_term = await session.scalar(
        select(ProducerCoordinator)
        .where(ProducerCoordinator.producer_group_id == farm.id, ProducerCoordinator.user_id == second)
        .execution_options(populate_existing=True)
    )
    assert producer_term is not None and producer_term.ended_by == housemate.id


async def test_the_last_coordinator_does_not_leave_their_household_while_it_is_in_the_group(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, coordinators=1)
    (sole,) = await coordinator_ids(session, group)
    household = await household_of(session, group, sole)
    housemate = await add_member(session, household)

    refused = await client.delete(f"/v1/households/{household.id}/members/{sole}", headers=as_user(settings, sole))
    other_leaves = await client.delete(
        f"/v1/households/{household.id}/members/{housemate.id}", headers=as_user(settings, housemate.id)
    )

    assert (refused.status_code, refused.json()["code"]) == (409, "last-coordinator")
    assert other_leaves.status_code == 204, other_leaves.text
    assert await coordinator_ids(session, group) == [sole]


async def test_a_removed_households_coordinator_stops_coordinating_and_approving(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=5, coordinators=4)
    group.approval_quorum = 3
    await session.flush()
    first, second, third, fourth = await coordinator_ids(session, group)
    lowering = await move(client, settings, group, second, {"kind": "lower_quorum", "approval_quorum": 2})
    removing = await move(client, settings, group, first, removal((await household_of(session, group, second)).id))
    await approve(client, settings, removing.json()["id"], third)
    removed = await approve(client, settings, removing.json()["id"], fourth)

    read = await client.get(f"/v1/motions/{lowering.json()['id']}", headers=as_user(settings, first))
    by_third = await approve(client, settings, lowering.json()["id"], third)
    by_fourth = await approve(client, settings, lowering.json()["id"], fourth)
    carried = await approve(client, settings, lowering.json()["id"], first)

    assert removed.json()["status"] == "carried"
    assert await coordinator_ids(session, group) == [first, third, fourth]
    assert (await term_of(session, group, second)).ended_by == first
    assert {a["user_id"]: a["in_office"] for a in read.json()["approvals"]} == {str(second): False}
    # Three coordinators in office, quorum 3: the second's approval no longer counts.
    assert [r.json()["status"] for r in (by_third, by_fourth, carried)] == ["open", "open", "carried"]
