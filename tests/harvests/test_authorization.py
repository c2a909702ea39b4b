"""Who may record and read harvests: the producer group's coordinators record; both groups read;
anyone else reads not found."""

from dataclasses import dataclass
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from tests.factories import auth_headers, coordinator_ids, create_group, create_user, first_member
from tests.harvests.builders import NOTHING_STORED, Season, create_season, stored_for
from tests.producers import builders as producer_builders


@dataclass
class Callers:
    season: Season
    ids: dict[str, UUID]

    def headers_for(self, caller: str | None) -> dict[str, str]:
        return {} if caller is None else auth_headers(self.season.settings, self.ids[caller])


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    season = await create_season(session, settings)
    other_group = await create_group(session, households=2)
    [other_consumer_coordinator] = await coordinator_ids(session, other_group)
    other_producer_coordinator = await create_user(session)
    await producer_builders.create_producer_group(session, coordinators=[other_producer_coordinator])
    return Callers(
        season=season,
        ids={
            "producer coordinator": season.producer_coordinator.id,
            "farmer": season.farmer.id,
            "consumer coordinator": season.consumer_coordinator.id,
            "consumer member": (await season.member(session, 9)).id,
            "share holder": (await season.member(session, 1)).id,
            "coordinator of another consumer group": other_consumer_coordinator,
            "coordinator of another producer group": other_producer_coordinator.id,
            "stranger": (await create_user(session)).id,
        },
    )


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "expected_code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("stranger", "stranger", 404, "agreement-not-found"),
        ("coordinator of another producer group", "coordinator of another producer group", 404, "agreement-not-found"),
        ("coordinator of another consumer group", "coordinator of another consumer group", 404, "agreement-not-found"),
        ("consumer coordinator", "consumer coordinator", 403, "not-producer-coordinator"),
        ("consumer member", "consumer member", 403, "not-producer-coordinator"),
        ("farmer of the producer group", "farmer", 403, "not-producer-coordinator"),
    ],
)
async def test_only_the_producer_coordinators_record_a_harvest(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
    expected_code: str,
) -> None:
    season = callers.season

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("1.000"),
        headers=callers.headers_for(caller),
    )

    assert response.status_code == expected_status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == expected_code
    assert await stored_for(session, season.agreement.id) == NOTHING_STORED


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("stranger", "stranger", 404),
        ("coordinator of another consumer group", "coordinator of another consumer group", 404),
        ("coordinator of another producer group", "coordinator of another producer group", 404),
        ("consumer member", "consumer member", 200),
        ("consumer coordinator", "consumer coordinator", 200),
        ("farmer of the producer group", "farmer", 200),
        ("producer coordinator", "producer coordinator", 200),
    ],
)
@pytest.mark.parametrize("resource", ["harvest", "harvest list", "surplus"])
async def test_harvests_are_for_the_two_groups_alone(
    client: AsyncClient,
    callers: Callers,
    resource: str,
    _case: str,
    caller: str | None,
    expected_status: int,
) -> None:
    season = callers.season
    recorded = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.000"), headers=season.producer
    )
    urls = {
        "harvest": f"/v1/harvests/{recorded.json()['id']}",
        "harvest list": f"/v1/agreements/{season.agreement.id}/harvests",
        "surplus": f"/v1/surplus/{recorded.json()['surplus'][0]['id']}",
    }

    response = await client.get(urls[resource], headers=callers.headers_for(caller))

    assert response.status_code == expected_status
    if expected_status == 404:
        assert response.json()["code"] in {"harvest-not-found", "agreement-not-found", "surplus-not-found"}


async def test_household_that_left_the_group_still_reads_its_harvests(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    season = callers.season
    leaver_headers = callers.headers_for("share holder")
    await client.delete(
        f"/v1/consumer-groups/{season.consumer_group.id}/memberships/{season.households[1].id}", headers=leaver_headers
    )
    recorded = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.000"), headers=season.producer
    )

    response = await client.get(f"/v1/harvests/{recorded.json()['id']}", headers=leaver_headers)

    assert response.status_code == 200
    assert str(season.households[1].id) in {a["household_id"] for a in response.json()["allocations"]}


async def test_former_household_without_shares_reads_not_found(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    season = callers.season
    leaver = await first_member(session, season.households[12])
    headers = auth_headers(season.settings, leaver.id)
    await client.delete(
        f"/v1/consumer-groups/{season.consumer_group.id}/memberships/{season.households[12].id}", headers=headers
    )
    recorded = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.000"), headers=season.producer
    )

    response = await client.get(f"/v1/harvests/{recorded.json()['id']}", headers=headers)

    assert response.status_code == 404
