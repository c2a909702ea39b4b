"""Surplus stays with the consumer group; its coordinators record what became of it, and nothing is lost."""

from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.harvests.models import Surplus, SurplusUse
from tests.factories import create_user
from tests.harvests.builders import Season, create_season


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    return await create_season(session, settings, shares=10, subscribed=(3, 3, 3))


async def record_surplus(client: AsyncClient, season: Season) -> str:
    recorded = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.000"), headers=season.producer
    )
    [surplus] = recorded.json()["surplus"]
    return str(surplus["id"])


async def stored_use(session: AsyncSession, surplus_id: str) -> tuple[SurplusUse, str | None]:
    row = (await session.execute(select(Surplus.use, Surplus.note).where(Surplus.id == UUID(surplus_id)))).one()
    return row[0], row[1]


async def test_coordinator_records_what_the_group_did_with_the_surplus(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    surplus_id = await record_surplus(client, season)

    response = await client.patch(
        f"/v1/surplus/{surplus_id}",
        json={"use": "sold", "note": "Sold at the Sunday market for 120 THB"},
        headers=season.headers(season.consumer_coordinator),
    )

    body = response.json()
    assert response.status_code == 200
    assert {
        key: body[key] for key in ("id", "plan_item_id", "unit", "quantity", "handed_over_by_id", "use", "note")
    } == {
        "id": surplus_id,
        "plan_item_id": str(season.items[0].id),
        "unit": "kg",
        "quantity": "1.000",
        "handed_over_by_id": None,
        "use": "sold",
        "note": "Sold at the Sunday market for 120 THB",
    }
    assert body["decided_by_user_id"] == str(season.consumer_coordinator.id)
    assert body["decided_at"] is not None
    assert response.headers["etag"].startswith('"')
    assert await stored_use(session, surplus_id) == (SurplusUse.sold, "Sold at the Sunday market for 120 THB")


async def test_stored_surplus_may_later_be_given_but_a_final_use_stays(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    surplus_id = await record_surplus(client, season)
    headers = season.headers(season.consumer_coordinator)

    stored = await client.patch(f"/v1/surplus/{surplus_id}", json={"use": "stored"}, headers=headers)
    stored_again = await client.patch(f"/v1/surplus/{surplus_id}", json={"use": "stored"}, headers=headers)
    given = await client.patch(
        f"/v1/surplus/{surplus_id}", json={"use": "given", "note": "To the temple kitchen"}, headers=headers
    )
    sold_after_given = await client.patch(f"/v1/surplus/{surplus_id}", json={"use": "sold"}, headers=headers)

    assert [stored.status_code, stored_again.status_code, given.status_code] == [200, 409, 200]
    assert stored_again.json()["code"] == "surplus-already-decided"
    assert sold_after_given.status_code == 409
    assert sold_after_given.json()["code"] == "surplus-already-decided"
    assert await stored_use(session, surplus_id) == (SurplusUse.given, "To the temple kitchen")


async def test_stale_if_match_is_refused(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    surplus_id = await record_surplus(client, season)
    headers = season.headers(season.consumer_coordinator)
    read = await client.get(f"/v1/surplus/{surplus_id}", headers=headers)
    await client.patch(f"/v1/surplus/{surplus_id}", json={"use": "stored"}, headers=headers)

    response = await client.patch(
        f"/v1/surplus/{surplus_id}", json={"use": "sold"}, headers={**headers, "If-Match": read.headers["etag"]}
    )

    assert response.status_code == 412
    assert await stored_use(session, surplus_id) == (SurplusUse.stored, None)


@pytest.mark.parametrize(
    ("_case", "body"),
    [
        ("undecided is not a decision", {"use": "undecided"}),
        ("unknown use", {"use": "thrown away"}),
        ("deleting is not a use", {"use": None}),
        ("note too long", {"use": "given", "note": "x" * 501}),
    ],
)
async def test_invalid_decisions_are_refused(
    client: AsyncClient, session: AsyncSession, season: Season, _case: str, body: dict[str, object]
) -> None:
    surplus_id = await record_surplus(client, season)

    response = await client.patch(
        f"/v1/surplus/{surplus_id}", json=body, headers=season.headers(season.consumer_coordinator)
    )

    assert response.status_code == 422
    assert await stored_use(session, surplus_id) == (SurplusUse.undecided, None)


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "expected_code"),
    [
        ("consumer member", "member", 403, "not-coordinator"),
        ("producer coordinator", "producer", 403, "not-coordinator"),
        ("stranger", "stranger", 404, "surplus-not-found"),
    ],
)
async def test_only_consumer_coordinators_decide_on_surplus(
    client: AsyncClient,
    session: AsyncSession,
    season: Season,
    _case: str,
    caller: str,
    expected_status: int,
    expected_code: str,
) -> None:
    surplus_id = await record_surplus(client, season)
    users = {
        "member": await season.member(session, 8),
        "producer": season.producer_coordinator,
        "stranger": await create_user(session),
    }

    response = await client.patch(
        f"/v1/surplus/{surplus_id}", json={"use": "sold"}, headers=season.headers(users[caller])
    )

    assert response.status_code == expected_status
    assert response.json()["code"] == expected_code
    assert await stored_use(session, surplus_id) == (SurplusUse.undecided, None)


async def test_surplus_has_no_delete(client: AsyncClient, season: Season) -> None:
    surplus_id = await record_surplus(client, season)

    response = await client.delete(f"/v1/surplus/{surplus_id}", headers=season.headers(season.consumer_coordinator))

    assert response.status_code == 405
