"""Networks, their members and roles, and their monitoring programmes, over HTTP."""

from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.networks.models import MonitoringProgramme, Network, NetworkMember, NetworkRole
from tests.factories import auth_headers, create_user
from tests.networks.builders import Monitoring, add_member, assert_problem, create_monitoring, create_network


@pytest.fixture
async def monitoring(session: AsyncSession, settings: Settings) -> Monitoring:
    return await create_monitoring(session, settings)


async def count(session: AsyncSession, model: type[Network] | type[NetworkMember] | type[MonitoringProgramme]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# Networks


async def test_a_founder_becomes_the_networks_first_coordinator(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    founder = await create_user(session, display_name="Ratana")
    headers = auth_headers(settings, founder.id)

    response = await client.post(
        "/v1/networks",
        json={"kind": "csa_network", "name": "Thai CSA Network", "country": "TH", "description": "Teikei groups."},
        headers=headers,
    )
    members = await client.get(f"/v1/networks/{response.json()['id']}/members", headers=headers)

    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/networks/{response.json()['id']}"
    assert {key: response.json()[key] for key in ("kind", "name", "country")} == {
        "kind": "csa_network",
        "name": "Thai CSA Network",
        "country": "TH",
    }
    assert [(m["user_id"], m["role"], m["display_name"]) for m in members.json()["data"]] == [
        (str(founder.id), "coordinator", "Ratana")
    ]


async def test_a_regional_network_has_no_country(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    founder = await create_user(session)

    response = await client.post(
        "/v1/networks",
        json={"kind": "university", "name": "ASEAN CBE research programme"},
        headers=auth_headers(settings, founder.id),
    )

    assert response.status_code == 201, response.text
    assert response.json()["country"] is None


@pytest.mark.parametrize(("_case", "country"), [("outside ASEAN", "JP"), ("no country at all", "XX")])
async def test_a_network_outside_asean_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, country: str
) -> None:
    founder = await create_user(session)
    before = await count(session, Network)

    response = await client.post(
        "/v1/networks",
        json={"kind": "csa_network", "name": "Elsewhere", "country": country},
        headers=auth_headers(settings, founder.id),
    )

    assert_problem(response, 422, "validation-failed")
    assert await count(session, Network) == before


async def test_the_directory_filters_by_country_and_kind(client: AsyncClient, monitoring: Monitoring) -> None:
    headers = monitoring.headers(monitoring.trainer)

    thai = await client.get("/v1/networks", params={"country": "TH"}, headers=headers)
    universities = await client.get("/v1/networks", params={"kind": "university"}, headers=headers)
    one = await client.get(f"/v1/networks/{monitoring.network.id}", headers=headers)
    missing = await client.get(f"/v1/networks/{uuid4()}", headers=headers)
    anonymous = await client.get("/v1/networks")

    assert [network["id"] for network in thai.json()["data"]] == [str(monitoring.network.id)]
    assert universities.json()["data"] == []
    assert one.status_code == 200 and one.headers["etag"]
    assert_problem(missing, 404, "network-not-found")
    assert_problem(anonymous, 401, "not-authenticated")


# Members


async def test_a_coordinator_adds_a_member_with_a_role(
    client: AsyncClient, session: AsyncSession, monitoring: Monitoring
) -> None:
    newcomer = await create_user(session, display_name="Dao")

    response = await client.post(
        f"/v1/networks/{monitoring.network.id}/members",
        json={"user_id": str(newcomer.id), "role": "analyst"},
        headers=monitoring.headers(monitoring.coordinator),
    )

    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/networks/{monitoring.network.id}/members"
    assert (response.json()["role"], response.json()["display_name"]) == ("analyst", "Dao")


@pytest.mark.parametrize(
    ("_case", "caller", "status", "code"),
    [
        ("an analyst", "analyst", 403, "not-network-coordinator"),
        ("a trainer", "trainer", 403, "not-network-coordinator"),
        ("another network's coordinator", "outsider", 403, "not-network-coordinator"),
    ],
)
async def test_only_coordinators_add_members(
    client: AsyncClient, session: AsyncSession, monitoring: Monitoring, _case: str, caller: str, status: int, code: str
) -> None:
    newcomer = await create_user(session)
    before = await count(session, NetworkMember)

    response = await client.post(
        f"/v1/networks/{monitoring.network.id}/members",
        json={"user_id": str(newcomer.id), "role": "coordinator"},
        headers=monitoring.headers(getattr(monitoring, caller)),
    )

    assert_problem(response, status, code)
    assert await count(session, NetworkMember) == before


async def test_a_member_is_added_once_and_must_exist(
    client: AsyncClient, session: AsyncSession, monitoring: Monitoring
) -> None:
    url = f"/v1/networks/{monitoring.network.id}/members"
    headers = monitoring.headers(monitoring.coordinator)
    before = await count(session, NetworkMember)

    again = await client.post(url, json={"user_id": str(monitoring.analyst.id), "role": "trainer"}, headers=headers)
    unknown = await client.post(url, json={"user_id": str(uuid4()), "role": "trainer"}, headers=headers)

    assert_problem(again, 409, "already-network-member")
    assert_problem(unknown, 404, "user-not-found")
    assert await count(session, NetworkMember) == before


@pytest.mark.parametrize(("_case", "caller", "status"), [("member", "trainer", 200), ("outsider", "outsider", 403)])
async def test_the_member_list_is_for_members(
    client: AsyncClient, monitoring: Monitoring, _case: str, caller: str, status: int
) -> None:
    response = await client.get(
        f"/v1/networks/{monitoring.network.id}/members", headers=monitoring.headers(getattr(monitoring, caller))
    )

    assert response.status_code == status
    if status == 200:
        assert [member["role"] for member in response.json()["data"]] == ["coordinator", "analyst", "trainer"]


async def test_a_coordinator_changes_a_role_but_the_last_coordinator_keeps_theirs(
    client: AsyncClient, session: AsyncSession, monitoring: Monitoring
) -> None:
    base = f"/v1/networks/{monitoring.network.id}/members"
    headers = monitoring.headers(monitoring.coordinator)

    promoted = await client.patch(f"{base}/{monitoring.analyst.id}", json={"role": "coordinator"}, headers=headers)
    stepped_aside = await client.patch(f"{base}/{monitoring.coordinator.id}", json={"role": "trainer"}, headers=headers)
    last = await client.patch(
        f"{base}/{monitoring.analyst.id}", json={"role": "analyst"}, headers=monitoring.headers(monitoring.analyst)
    )

    assert (promoted.status_code, promoted.json()["role"]) == (200, "coordinator")
    assert (stepped_aside.status_code, stepped_aside.json()["role"]) == (200, "trainer")
    assert_problem(last, 409, "last-network-coordinator")
    stored = await session.scalar(
        select(NetworkMember.role).where(
            NetworkMember.network_id == monitoring.network.id, NetworkMember.user_id == monitoring.analyst.id
        )
    )
    assert stored == NetworkRole.coordinator


async def test_members_leave_and_are_removed_but_the_last_coordinator_stays(
    client: AsyncClient, session: AsyncSession, monitoring: Monitoring
) -> None:
    base = f"/v1/networks/{monitoring.network.id}/members"

    left = await client.delete(f"{base}/{monitoring.trainer.id}", headers=monitoring.headers(monitoring.trainer))
    not_theirs = await client.delete(
        f"{base}/{monitoring.coordinator.id}", headers=monitoring.headers(monitoring.analyst)
    )
    removed = await client.delete(f"{base}/{monitoring.analyst.id}", headers=monitoring.headers(monitoring.coordinator))
    gone = await client.delete(f"{base}/{monitoring.analyst.id}", headers=monitoring.headers(monitoring.coordinator))
    last = await client.delete(
        f"{base}/{monitoring.coordinator.id}", headers=monitoring.headers(monitoring.coordinator)
    )

    assert (left.status_code, removed.status_code) == (204, 204)
    assert_problem(not_theirs, 403, "not-network-coordinator")
    assert_problem(gone, 404, "network-member-not-found")
    assert_problem(last, 409, "last-network-coordinator")
    roles = (
        await session.scalars(select(NetworkMember.role).where(NetworkMember.network_id == monitoring.network.id))
    ).all()
    assert list(roles) == [NetworkRole.coordinator]


async def test_a_coordinator_may_leave_once_another_coordinates(
    client: AsyncClient, session: AsyncSession, monitoring: Monitoring
) -> None:
    await add_member(session, monitoring.network, await create_user(session), NetworkRole.coordinator)

    response = await client.delete(
        f"/v1/networks/{monitoring.network.id}/members/{monitoring.coordinator.id}",
        headers=monitoring.headers(monitoring.coordinator),
    )

    assert response.status_code == 204


# Programmes


async def test_a_coordinator_starts_a_programme_that_anyone_signed_in_reads(
    client: AsyncClient, monitoring: Monitoring
) -> None:
    created = await client.post(
        f"/v1/networks/{monitoring.network.id}/programmes",
        json={"name": "Summit 2027", "description": "Three CBEs per country.", "starts_on": "2027-01-01"},
        headers=monitoring.headers(monitoring.coordinator),
    )
    listed = await client.get(
        f"/v1/networks/{monitoring.network.id}/programmes", headers=monitoring.headers(monitoring.outsider)
    )
    read = await client.get(created.headers["location"], headers=monitoring.headers(monitoring.outsider))

    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/v1/programmes/{created.json()['id']}"
    assert (created.json()["starts_on"], created.json()["ends_on"]) == ("2027-01-01", None)
    assert [p["name"] for p in listed.json()["data"]] == [monitoring.programme.name, "Summit 2027"]
    assert read.json() == created.json()


@pytest.mark.parametrize(
    ("_case", "caller", "body", "status", "code"),
    [
        ("an analyst", "analyst", {"name": "P", "starts_on": "2027-01-01"}, 403, "not-network-coordinator"),
        (
            "ending before it starts",
            "coordinator",
            {"name": "P", "starts_on": "2027-01-01", "ends_on": "2026-12-31"},
            422,
            "validation-failed",
        ),
    ],
)
async def test_a_programme_is_refused(
    client: AsyncClient,
    session: AsyncSession,
    monitoring: Monitoring,
    _case: str,
    caller: str,
    body: dict[str, str],
    status: int,
    code: str,
) -> None:
    before = await count(session, MonitoringProgramme)

    response = await client.post(
        f"/v1/networks/{monitoring.network.id}/programmes",
        json=body,
        headers=monitoring.headers(getattr(monitoring, caller)),
    )

    assert_problem(response, status, code)
    assert await count(session, MonitoringProgramme) == before


async def test_an_unknown_programme_is_not_found(client: AsyncClient, monitoring: Monitoring) -> None:
    response = await client.get(f"/v1/programmes/{uuid4()}", headers=monitoring.headers(monitoring.coordinator))

    assert_problem(response, 404, "programme-not-found")


async def test_a_second_network_is_separate(client: AsyncClient, session: AsyncSession, monitoring: Monitoring) -> None:
    other = await create_network(session, coordinator=monitoring.outsider, country="PH")

    response = await client.get(f"/v1/networks/{other.id}/members", headers=monitoring.headers(monitoring.coordinator))

    assert_problem(response, 403, "not-network-member")
