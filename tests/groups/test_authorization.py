"""Who may read and change a consumer group's private data: every private route, every kind of caller."""

from dataclasses import dataclass
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.groups.models import ConsumerGroup, Household, Membership
from tests.factories import auth_headers, coordinator_ids, create_group, create_household, create_user, first_member


@dataclass
class Callers:
    group: ConsumerGroup
    household: Household
    ids: dict[str, UUID]
    settings: Settings

    def headers_for(self, caller: str | None) -> dict[str, str]:
        return {} if caller is None else auth_headers(self.settings, self.ids[caller])


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    group = await create_group(session, households=3, coordinators=1)
    [coordinator_id] = await coordinator_ids(session, group)
    household = await create_household(session)
    session.add(Membership(group_id=group.id, household_id=household.id))
    group.member_count += 1
    other_group = await create_group(session, households=2)
    [other_coordinator_id] = await coordinator_ids(session, other_group)
    await session.flush()
    return Callers(
        group=group,
        household=household,
        settings=settings,
        ids={
            "coordinator": coordinator_id,
            "member": (await first_member(session, household)).id,
            "coordinator of another group": other_coordinator_id,
            "stranger": (await create_user(session)).id,
        },
    )


PRIVATE_READS = ["memberships", "waiting-list", "coordinators", "pickup-stations"]


@pytest.mark.parametrize("resource", PRIVATE_READS)
@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("stranger", "stranger", 403),
        ("coordinator of another group", "coordinator of another group", 403),
        ("member", "member", 200),
        ("coordinator", "coordinator", 200),
    ],
)
async def test_private_group_data_is_for_the_group_alone(
    client: AsyncClient, callers: Callers, resource: str, _case: str, caller: str | None, expected_status: int
) -> None:
    response = await client.get(
        f"/v1/consumer-groups/{callers.group.id}/{resource}", headers=callers.headers_for(caller)
    )

    assert response.status_code == expected_status
    if expected_status != 200:
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("coordinator of another group", "coordinator of another group", 404),
        ("coordinator of its group", "coordinator", 404),
        ("its member", "member", 200),
    ],
)
@pytest.mark.parametrize("path", ["", "/memberships"])
async def test_a_household_is_seen_by_its_members_only(
    client: AsyncClient, callers: Callers, path: str, _case: str, caller: str | None, expected_status: int
) -> None:
    response = await client.get(f"/v1/households/{callers.household.id}{path}", headers=callers.headers_for(caller))

    assert response.status_code == expected_status


@pytest.mark.parametrize(
    ("_case", "method", "path", "body"),
    [
        ("rename", "PATCH", "", {"name": "Taken over"}),
        ("appoint", "POST", "/coordinators", {"user_id": "<member>"}),
        ("station", "POST", "/pickup-stations", {"name": "Mine", "address": "Elsewhere"}),
        ("rotate", "DELETE", "/coordinators/<coordinator>", None),
    ],
)
@pytest.mark.parametrize(
    ("caller", "expected_status"), [("member", 403), ("coordinator of another group", 403), (None, 401)]
)
async def test_coordinator_actions_refuse_everyone_else(
    client: AsyncClient,
    callers: Callers,
    _case: str,
    method: str,
    path: str,
    body: dict | None,
    caller: str | None,
    expected_status: int,
) -> None:
    path = path.replace("<coordinator>", str(callers.ids["coordinator"]))
    if body and body.get("user_id") == "<member>":
        body = {"user_id": str(callers.ids["member"])}
    url = f"/v1/consumer-groups/{callers.group.id}{path}"

    response = await client.request(method, url, json=body, headers=callers.headers_for(caller))
    after = await client.get(f"/v1/consumer-groups/{callers.group.id}", headers=callers.headers_for("coordinator"))

    assert response.status_code == expected_status
    assert response.headers["content-type"] == "application/problem+json"
    assert after.json()["name"] == callers.group.name
    assert after.json()["coordinator_count"] == 1


@pytest.mark.parametrize("caller", ["coordinator", "coordinator of another group", "stranger"])
async def test_only_the_households_own_members_take_it_out_of_a_group(
    client: AsyncClient, callers: Callers, caller: str
) -> None:
    response = await client.delete(
        f"/v1/consumer-groups/{callers.group.id}/memberships/{callers.household.id}",
        headers=callers.headers_for(caller),
    )
    after = await client.get(f"/v1/consumer-groups/{callers.group.id}", headers=callers.headers_for("member"))

    assert response.status_code == 404
    assert after.json()["member_count"] == 4


@pytest.mark.parametrize(
    ("_case", "method", "path", "body"),
    [
        ("add a user", "POST", "/v1/households/{household}/members", {"user_id": "{stranger}"}),
        ("join", "POST", "/v1/consumer-groups/{group}/memberships", {"household_id": "{household}"}),
        ("leave", "DELETE", "/v1/consumer-groups/{group}/memberships/{household}", None),
        ("wait", "POST", "/v1/consumer-groups/{group}/waiting-list", {"household_id": "{household}"}),
        ("stop waiting", "DELETE", "/v1/consumer-groups/{group}/waiting-list/{household}", None),
    ],
)
async def test_nobody_acts_for_a_household_they_do_not_belong_to(
    client: AsyncClient, callers: Callers, _case: str, method: str, path: str, body: dict | None
) -> None:
    values = {
        "household": str(callers.household.id),
        "group": str(callers.group.id),
        "stranger": str(callers.ids["stranger"]),
    }
    url = path.format(**values)
    payload = {key: value.format(**values) for key, value in body.items()} if body else None

    response = await client.request(method, url, json=payload, headers=callers.headers_for("stranger"))
    household = await client.get(f"/v1/households/{callers.household.id}", headers=callers.headers_for("member"))
    groups = await client.get(
        f"/v1/households/{callers.household.id}/memberships", headers=callers.headers_for("member")
    )

    assert response.status_code == 404
    assert response.json()["code"] == "household-not-found"
    assert [member["user_id"] for member in household.json()["members"]] == [str(callers.ids["member"])]
    assert [membership["group_id"] for membership in groups.json()["memberships"]] == [str(callers.group.id)]
