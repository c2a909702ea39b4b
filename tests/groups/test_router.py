from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.groups.models import MAX_HOUSEHOLDS, MIN_ACTIVE_HOUSEHOLDS, Coordinator, WaitingListEntry
from tests.factories import (
    auth_headers,
    coordinator_ids,
    create_group,
    create_household,
    create_user,
    first_member,
    member_count,
)

GROUP = {"name": "Bangkok Green Families", "legal_form": "association", "country": "TH", "region": "Bangkok"}


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def test_founder_of_a_group_is_its_first_coordinator(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    founder = await create_user(session)

    response = await client.post("/v1/consumer-groups", json=GROUP, headers=auth_headers(settings, founder.id))

    assert response.status_code == 201
    body = response.json()
    assert body | {"id": None, "created_at": None} == {
        **GROUP,
        "id": None,
        "created_at": None,
        "status": "forming",
        "member_count": 0,
        "coordinator_count": 1,
        "approval_quorum": 1,
        "admission": "by_approval",
    }
    terms = (await session.scalars(select(Coordinator.user_id).where(Coordinator.group_id == UUID(body["id"])))).all()
    assert [str(user_id) for user_id in terms] == [str(founder.id)]


@pytest.mark.parametrize("country", ["XX", "th", "THA", ""])
async def test_group_country_must_be_an_iso_code(
    client: AsyncClient, session: AsyncSession, settings: Settings, country: str
) -> None:
    founder = await create_user(session)

    response = await client.post(
        "/v1/consumer-groups", json={**GROUP, "country": country}, headers=auth_headers(settings, founder.id)
    )

    assert_problem(response, 422, "validation-failed")
    assert response.json()["errors"][0]["loc"] == ["body", "country"]


async def test_groups_are_listed_by_country_and_status_page_by_page(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    thai = [await create_group(session, country="TH") for _ in range(3)]
    await create_group(session, country="VN")
    active_thai = await create_group(session, country="TH", households=MIN_ACTIVE_HOUSEHOLDS)
    headers = auth_headers(settings, (await create_user(session)).id)

    first = await client.get("/v1/consumer-groups", params={"country": "TH", "limit": 2}, headers=headers)
    second = await client.get(
        "/v1/consumer-groups",
        params={"country": "TH", "limit": 2, "cursor": first.json()["next_cursor"]},
        headers=headers,
    )
    active = await client.get("/v1/consumer-groups", params={"status": "active"}, headers=headers)

    ids = [group["id"] for group in first.json()["data"] + second.json()["data"]]
    assert first.json()["has_more"] is True
    assert second.json()["has_more"] is False
    assert second.json()["next_cursor"] is None
    assert ids == [str(group.id) for group in [*thai, active_thai]]
    assert [group["id"] for group in active.json()["data"]] == [str(active_thai.id)]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WyJ4IiwgInkiXQ=="])
async def test_a_forged_cursor_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings, cursor: str
) -> None:
    headers = auth_headers(settings, (await create_user(session)).id)

    response = await client.get("/v1/consumer-groups", params={"cursor": cursor}, headers=headers)

    assert_problem(response, 422, "invalid-cursor")


async def test_limit_above_100_is_refused(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    headers = auth_headers(settings, (await create_user(session)).id)

    response = await client.get("/v1/consumer-groups", params={"limit": 101}, headers=headers)

    assert_problem(response, 422, "validation-failed")


async def test_fifteenth_household_makes_the_group_active(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=MIN_ACTIVE_HOUSEHOLDS - 1)
    household = await create_household(session)
    owner = await first_member(session, household)

    response = await client.post(
        f"/v1/consumer-groups/{group.id}/memberships",
        json={"household_id": str(household.id)},
        headers=auth_headers(settings, owner.id),
    )
    profile = await client.get(f"/v1/consumer-groups/{group.id}", headers=auth_headers(settings, owner.id))

    assert response.status_code == 201
    assert response.json()["household_name"] == household.name
    assert profile.json()["status"] == "active"
    assert profile.json()["member_count"] == MIN_ACTIVE_HOUSEHOLDS


async def test_151st_household_is_refused(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    group = await create_group(session, households=MAX_HOUSEHOLDS)
    newcomer = await create_household(session)

    response = await client.post(
        f"/v1/consumer-groups/{group.id}/memberships",
        json={"household_id": str(newcomer.id)},
        headers=auth_headers(settings, (await first_member(session, newcomer)).id),
    )

    assert_problem(response, 409, "group-full")
    assert await member_count(session, group.id) == MAX_HOUSEHOLDS


async def test_joining_twice_is_refused(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    group = await create_group(session)
    household = await create_household(session)
    headers = auth_headers(settings, (await first_member(session, household)).id)
    url = f"/v1/consumer-groups/{group.id}/memberships"

    await client.post(url, json={"household_id": str(household.id)}, headers=headers)
    response = await client.post(url, json={"household_id": str(household.id)}, headers=headers)

    assert_problem(response, 409, "already-member")
    assert await member_count(session, group.id) == 1


async def test_nobody_joins_with_someone_elses_household(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session)
    household = await create_household(session)
    stranger = await create_user(session)

    response = await client.post(
        f"/v1/consumer-groups/{group.id}/memberships",
        json={"household_id": str(household.id)},
        headers=auth_headers(settings, stranger.id),
    )

    assert_problem(response, 404, "household-not-found")
    assert await member_count(session, group.id) == 0


async def test_joining_a_group_that_does_not_exist_is_not_found(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    household = await create_household(session)

    response = await client.post(
        f"/v1/consumer-groups/{uuid4()}/memberships",
        json={"household_id": str(household.id)},
        headers=auth_headers(settings, (await first_member(session, household)).id),
    )

    assert_problem(response, 404, "group-not-found")


async def test_leaving_below_fifteen_makes_the_group_forming_again(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=MIN_ACTIVE_HOUSEHOLDS - 1)
    household = await create_household(session)
    headers = auth_headers(settings, (await first_member(session, household)).id)
    await client.post(
        f"/v1/consumer-groups/{group.id}/memberships", json={"household_id": str(household.id)}, headers=headers
    )

    response = await client.delete(f"/v1/consumer-groups/{group.id}/memberships/{household.id}", headers=headers)
    again = await client.delete(f"/v1/consumer-groups/{group.id}/memberships/{household.id}", headers=headers)
    profile = await client.get(f"/v1/consumer-groups/{group.id}", headers=headers)

    assert response.status_code == 204
    assert_problem(again, 404, "membership-not-found")
    assert profile.json()["status"] == "forming"
    assert profile.json()["member_count"] == MIN_ACTIVE_HOUSEHOLDS - 1


async def test_refused_households_wait_and_are_admitted_first_come_first_served(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=MAX_HOUSEHOLDS)
    first, second = await create_household(session), await create_household(session)
    first_headers = auth_headers(settings, (await first_member(session, first)).id)
    second_headers = auth_headers(settings, (await first_member(session, second)).id)
    url = f"/v1/consumer-groups/{group.id}/waiting-list"
    leaving_household = await _any_member_household(session, group.id)
    leaver = await first_member(session, leaving_household)

    first_wait = await client.post(url, json={"household_id": str(first.id)}, headers=first_headers)
    second_wait = await client.post(url, json={"household_id": str(second.id)}, headers=second_headers)
    leaving = await client.delete(
        f"/v1/consumer-groups/{group.id}/memberships/{leaving_household.id}",
        headers=auth_headers(settings, leaver.id),
    )
    first_view = await client.get(f"/v1/households/{first.id}/memberships", headers=first_headers)
    second_view = await client.get(f"/v1/households/{second.id}/memberships", headers=second_headers)

    assert (first_wait.status_code, first_wait.json()["position"]) == (201, 1)
    assert (second_wait.status_code, second_wait.json()["position"]) == (201, 2)
    assert leaving.status_code == 204
    assert [m["group_id"] for m in first_view.json()["memberships"]] == [str(group.id)]
    assert first_view.json()["waiting"] == []
    assert second_view.json()["memberships"] == []
    assert [w["position"] for w in second_view.json()["waiting"]] == [1]
    assert await member_count(session, group.id) == MAX_HOUSEHOLDS


async def _any_member_household(session: AsyncSession, group_id):
    from app.groups.models import Household, Membership

    statement = select(Household).join(Membership, Membership.household_id == Household.id)
    return (await session.scalars(statement.where(Membership.group_id == group_id).limit(1))).one()


async def test_a_group_with_room_has_no_waiting_list(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=3)
    household = await create_household(session)

    response = await client.post(
        f"/v1/consumer-groups/{group.id}/waiting-list",
        json={"household_id": str(household.id)},
        headers=auth_headers(settings, (await first_member(session, household)).id),
    )

    assert_problem(response, 409, "group-has-room")
    assert await session.scalar(select(func.count()).select_from(WaitingListEntry)) == 0


async def test_a_household_can_stop_waiting(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    group = await create_group(session, households=MAX_HOUSEHOLDS)
    household = await create_household(session)
    headers = auth_headers(settings, (await first_member(session, household)).id)
    await client.post(
        f"/v1/consumer-groups/{group.id}/waiting-list", json={"household_id": str(household.id)}, headers=headers
    )

    response = await client.delete(f"/v1/consumer-groups/{group.id}/waiting-list/{household.id}", headers=headers)
    again = await client.delete(f"/v1/consumer-groups/{group.id}/waiting-list/{household.id}", headers=headers)

    assert response.status_code == 204
    assert_problem(again, 404, "waiting-list-entry-not-found")


async def test_second_coordinator_raises_the_quorum_to_two_and_rotation_keeps_history(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=MIN_ACTIVE_HOUSEHOLDS, coordinators=1)
    [founder_id] = await coordinator_ids(session, group)
    member = await first_member(session, await _household_not_coordinating(session, group.id, founder_id))
    founder = auth_headers(settings, founder_id)

    appointed = await client.post(
        f"/v1/consumer-groups/{group.id}/coordinators", json={"user_id": str(member.id)}, headers=founder
    )
    with_two = await client.get(f"/v1/consumer-groups/{group.id}", headers=founder)
    ended = await client.delete(f"/v1/consumer-groups/{group.id}/coordinators/{founder_id}", headers=founder)
    last = await client.delete(
        f"/v1/consumer-groups/{group.id}/coordinators/{member.id}", headers=auth_headers(settings, member.id)
    )
    history = await client.get(
        f"/v1/consumer-groups/{group.id}/coordinators", headers=auth_headers(settings, member.id)
    )

    assert appointed.status_code == 201
    assert appointed.json()["appointed_by"] == str(founder_id)
    assert (with_two.json()["coordinator_count"], with_two.json()["approval_quorum"]) == (2, 2)
    assert ended.status_code == 200
    assert ended.json()["ended_by"] == str(founder_id)
    assert_problem(last, 409, "last-coordinator")
    assert [(term["user_id"], term["ended_at"] is None) for term in history.json()["data"]] == [
        (str(founder_id), False),
        (str(member.id), True),
    ]


async def _household_not_coordinating(session: AsyncSession, group_id, coordinator_id):
    from app.groups.models import Household, HouseholdMember, Membership

    statement = (
        select(Household)
        .join(Membership, Membership.household_id == Household.id)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(Membership.group_id == group_id, HouseholdMember.user_id != coordinator_id)
    )
    return (await session.scalars(statement.limit(1))).one()


async def test_only_members_become_coordinators(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    group = await create_group(session, households=2)
    [founder_id] = await coordinator_ids(session, group)
    outsider = await create_user(session)

    response = await client.post(
        f"/v1/consumer-groups/{group.id}/coordinators",
        json={"user_id": str(outsider.id)},
        headers=auth_headers(settings, founder_id),
    )

    assert_problem(response, 409, "coordinator-must-be-member")
    assert await coordinator_ids(session, group) == [founder_id]


async def test_a_member_who_is_not_coordinator_cannot_appoint(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2)
    [founder_id] = await coordinator_ids(session, group)
    member = await first_member(session, await _household_not_coordinating(session, group.id, founder_id))

    response = await client.post(
        f"/v1/consumer-groups/{group.id}/coordinators",
        json={"user_id": str(member.id)},
        headers=auth_headers(settings, member.id),
    )

    assert_problem(response, 403, "not-coordinator")
    assert await coordinator_ids(session, group) == [founder_id]


async def test_quorum_update_needs_a_fresh_etag_and_stays_within_the_coordinators(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=MIN_ACTIVE_HOUSEHOLDS, coordinators=3)
    [coordinator_id, *_] = await coordinator_ids(session, group)
    headers = auth_headers(settings, coordinator_id)
    url = f"/v1/consumer-groups/{group.id}"
    etag = (await client.get(url, headers=headers)).headers["etag"]

    too_high = await client.patch(url, json={"approval_quorum": 4}, headers={**headers, "If-Match": etag})
    updated = await client.patch(url, json={"approval_quorum": 3}, headers={**headers, "If-Match": etag})
    stale = await client.patch(url, json={"approval_quorum": 1}, headers={**headers, "If-Match": etag})

    assert_problem(too_high, 409, "quorum-above-coordinators")
    assert updated.status_code == 200
    assert updated.json()["approval_quorum"] == 3
    assert updated.headers["etag"] != etag
    assert_problem(stale, 412, "precondition-failed")
    assert (await client.get(url, headers=headers)).json()["approval_quorum"] == 3


async def test_coordinators_add_pickup_stations_that_members_see(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2)
    [coordinator_id] = await coordinator_ids(session, group)
    member = await first_member(session, await _household_not_coordinating(session, group.id, coordinator_id))
    station = {"name": "Temple hall", "address": "12 Soi Wat, Chiang Mai", "latitude": 18.79, "longitude": 98.98}
    url = f"/v1/consumer-groups/{group.id}/pickup-stations"

    created = await client.post(url, json=station, headers=auth_headers(settings, coordinator_id))
    by_member = await client.post(url, json=station, headers=auth_headers(settings, member.id))
    half_coordinates = await client.post(
        url, json={**station, "longitude": None}, headers=auth_headers(settings, coordinator_id)
    )
    listed = await client.get(url, headers=auth_headers(settings, member.id))

    assert created.status_code == 201
    assert_problem(by_member, 403, "not-coordinator")
    assert_problem(half_coordinates, 422, "validation-failed")
    stations = listed.json()["data"]
    assert [(s["name"], s["latitude"], s["longitude"]) for s in stations] == [("Temple hall", 18.79, 98.98)]


async def test_households_hold_several_users_and_users_several_households(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    grandmother, grandson = await create_user(session), await create_user(session)
    her_headers = auth_headers(settings, grandmother.id)
    own = await client.post("/v1/households", json={"name": "Nguyen family"}, headers=her_headers)
    other = await create_household(session, grandson)
    await client.post(
        f"/v1/households/{other.id}/members",
        json={"user_id": str(grandmother.id)},
        headers=auth_headers(settings, grandson.id),
    )

    added = await client.post(
        f"/v1/households/{own.json()['id']}/members", json={"user_id": str(grandson.id)}, headers=her_headers
    )
    twice = await client.post(
        f"/v1/households/{own.json()['id']}/members", json={"user_id": str(grandson.id)}, headers=her_headers
    )
    mine = await client.get("/v1/me/households", headers=her_headers)

    assert own.status_code == 201
    assert [m["user_id"] for m in added.json()["members"]] == [str(grandmother.id), str(grandson.id)]
    assert_problem(twice, 409, "already-household-member")
    assert sorted(h["id"] for h in mine.json()["data"]) == sorted([own.json()["id"], str(other.id)])


async def test_adding_an_unknown_user_to_a_household_is_not_found(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    household = await create_household(session)

    response = await client.post(
        f"/v1/households/{household.id}/members",
        json={"user_id": str(uuid4())},
        headers=auth_headers(settings, (await first_member(session, household)).id),
    )

    assert_problem(response, 404, "user-not-found")
