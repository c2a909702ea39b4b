"""Pickup lists: per station and date, which household takes what home, as JSON or as CSV to print."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import AgreementStatus
from app.core.config import Settings
from app.core.quantity import Unit
from tests.factories import auth_headers, coordinator_ids, create_group, create_user
from tests.harvests.builders import (
    MELONS,
    RICE,
    ItemSpec,
    Season,
    SecondAgreement,
    add_agreement,
    create_season,
    create_station,
    give_absence_row,
    today,
)

EGGS = ItemSpec("Eggs", "Free range", Unit.piece, 600)


@dataclass
class Day:
    season: Season
    eggs: SecondAgreement

    @property
    def url(self) -> str:
        return f"/v1/pickup-stations/{self.season.station.id}/pickup-lists"


async def post_harvest(
    client: AsyncClient, agreement_id: object, body: dict[str, Any], headers: dict[str, str]
) -> None:
    response = await client.post(f"/v1/agreements/{agreement_id}/harvests", json=body, headers=headers)
    assert response.status_code == 201, response.text


@pytest.fixture
async def day(client: AsyncClient, session: AsyncSession, settings: Settings) -> Day:
    """Two rice-and-melon harvests today with Boonmee away (Duangjai takes its share), one egg
    harvest from another producer group, and deliveries elsewhere or on other days that do not count."""
    season = await create_season(session, settings, shares=10, subscribed=(3, 3, 3), items=(RICE, MELONS))
    eggs = await add_agreement(session, season, items=(EGGS,), shares=4, holdings=[(0, 1), (4, 3)])
    await give_absence_row(session, season, season.households[1], today(), season.households[3])
    other_station = await create_station(session, season.consumer_group)
    agreement_id, producer = season.agreement.id, season.producer

    await post_harvest(client, agreement_id, season.harvest("10.000", "7"), producer)
    await post_harvest(client, agreement_id, season.harvest("5.000"), producer)
    egg_line = {"plan_item_id": str(eggs.items[0].id), "quantity": "30"}
    await post_harvest(
        client,
        eggs.agreement.id,
        {**season.harvest(), "lines": [egg_line]},
        auth_headers(settings, eggs.producer_coordinator.id),
    )
    await post_harvest(client, agreement_id, season.harvest("2.000", station=other_station), producer)
    await post_harvest(
        client, agreement_id, season.harvest("3.000", delivered_on=today() - timedelta(days=1)), producer
    )
    return Day(season=season, eggs=eggs)


def household_entry(season: Season, index: int, *items: tuple[str, str | None, str, str]) -> dict[str, Any]:
    return {
        "household_id": str(season.households[index].id),
        "household_name": season.households[index].name,
        "items": [{"crop": crop, "variety": variety, "unit": unit, "quantity": q} for crop, variety, unit, q in items],
    }


async def test_pickup_list_sums_the_days_harvests_per_household(
    client: AsyncClient, session: AsyncSession, day: Day
) -> None:
    season = day.season

    response = await client.get(
        day.url, params={"date": today().isoformat()}, headers=await season.member_headers(session, 10)
    )

    # Rice: 10 kg and 5 kg by shares 3,3,3 (+1 unsubscribed) is 3 + 1.5 kg each; melons 2 each.
    # Eggs: 30 by shares 1 and 3 is 7.5 and 22.5: the equal remainders go to the first, Araya.
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "Accept" in response.headers["vary"].split(", ")  # Origin too: CORS answers vary by it
    assert response.json() == {
        "station": {
            "id": str(season.station.id),
            "group_id": str(season.consumer_group.id),
            "name": "Wat Umong hall",
            "address": "135 Suthep Road, Chiang Mai",
        },
        "date": today().isoformat(),
        "households": [
            household_entry(
                season,
                0,
                ("Eggs", "Free range", "piece", "8"),
                ("Melon", None, "piece", "2"),
                ("Rice", "Hom Mali", "kg", "4.500"),
            ),
            household_entry(season, 2, ("Melon", None, "piece", "2"), ("Rice", "Hom Mali", "kg", "4.500")),
            # Duangjai holds no shares: it takes Boonmee's, who is away today.
            household_entry(season, 3, ("Melon", None, "piece", "2"), ("Rice", "Hom Mali", "kg", "4.500")),
            household_entry(season, 4, ("Eggs", "Free range", "piece", "22")),
        ],
        "surplus": [
            {"crop": "Melon", "variety": None, "unit": "piece", "quantity": "1"},
            {"crop": "Rice", "variety": "Hom Mali", "unit": "kg", "quantity": "1.500"},
        ],
    }


async def test_pickup_list_as_csv_for_printing(client: AsyncClient, session: AsyncSession, day: Day) -> None:
    response = await client.get(
        day.url,
        params={"date": today().isoformat()},
        headers={**day.season.headers(day.season.consumer_coordinator), "Accept": "text/csv"},
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "Accept" in response.headers["vary"].split(", ")  # Origin too: CORS answers vary by it
    assert response.headers["content-disposition"] == f'attachment; filename="pickup-list-{today().isoformat()}.csv"'
    assert response.text == (
        "household,crop,variety,unit,quantity\r\n"
        "Araya,Eggs,Free range,piece,8\r\n"
        "Araya,Melon,,piece,2\r\n"
        "Araya,Rice,Hom Mali,kg,4.500\r\n"
        "Chaiyaporn,Melon,,piece,2\r\n"
        "Chaiyaporn,Rice,Hom Mali,kg,4.500\r\n"
        "Duangjai,Melon,,piece,2\r\n"
        "Duangjai,Rice,Hom Mali,kg,4.500\r\n"
        "Ekachai,Eggs,Free range,piece,22\r\n"
    )


async def test_csv_cells_never_start_a_spreadsheet_formula(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings, shares=1, subscribed=(1,))
    season.households[0].name = '=HYPERLINK("http://evil.example","Araya, ""A""")'
    await session.flush()
    await post_harvest(client, season.agreement.id, season.harvest("1.000"), season.producer)

    response = await client.get(
        f"/v1/pickup-stations/{season.station.id}/pickup-lists",
        params={"date": today().isoformat()},
        headers={**season.headers(season.consumer_coordinator), "Accept": "text/csv"},
    )

    assert response.text == (
        "household,crop,variety,unit,quantity\r\n"
        '"\'=HYPERLINK(""http://evil.example"",""Araya, """"A"""""")",Rice,Hom Mali,kg,1.000\r\n'
    )


@pytest.mark.parametrize(
    ("accept", "expected_type"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/csv, application/json", "text/csv; charset=utf-8"),
        ("application/json, text/csv", "application/json"),
        ("text/csv;q=0.5, application/json", "application/json"),
        ("application/json;q=0.2, text/csv;q=0.9", "text/csv; charset=utf-8"),
        ("text/csv;q=0, */*", "application/json"),
        ("text/html", "application/json"),
    ],
)
async def test_media_type_follows_the_accept_header(
    client: AsyncClient, session: AsyncSession, settings: Settings, accept: str | None, expected_type: str
) -> None:
    season = await create_season(session, settings)
    headers = season.headers(season.consumer_coordinator)

    response = await client.get(
        f"/v1/pickup-stations/{season.station.id}/pickup-lists",
        params={"date": today().isoformat()},
        headers=headers if accept is None else {**headers, "Accept": accept},
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == expected_type


async def test_day_without_deliveries_has_an_empty_list(client: AsyncClient, session: AsyncSession, day: Day) -> None:
    tomorrow = (today() + timedelta(days=1)).isoformat()

    as_json = await client.get(
        day.url, params={"date": tomorrow}, headers=day.season.headers(day.season.consumer_coordinator)
    )
    as_csv = await client.get(
        day.url,
        params={"date": tomorrow},
        headers={**day.season.headers(day.season.consumer_coordinator), "Accept": "text/csv"},
    )

    assert (as_json.json()["households"], as_json.json()["surplus"]) == ([], [])
    assert as_csv.text == "household,crop,variety,unit,quantity\r\n"


@pytest.mark.parametrize("on_date", ["0001-01-01", "9999-12-31"])
async def test_pickup_list_at_either_end_of_the_calendar_is_empty(
    client: AsyncClient, session: AsyncSession, settings: Settings, on_date: str
) -> None:
    season = await create_season(session, settings)

    as_json = await client.get(
        f"/v1/pickup-stations/{season.station.id}/pickup-lists",
        params={"date": on_date},
        headers=season.headers(season.consumer_coordinator),
    )
    as_csv = await client.get(
        f"/v1/pickup-stations/{season.station.id}/pickup-lists",
        params={"date": on_date},
        headers={**season.headers(season.consumer_coordinator), "Accept": "text/csv"},
    )

    assert as_json.status_code == 200, as_json.text
    assert (as_json.json()["date"], as_json.json()["households"], as_json.json()["surplus"]) == (on_date, [], [])
    assert as_csv.headers["content-disposition"] == f'attachment; filename="pickup-list-{on_date}.csv"'


async def test_producer_coordinator_sees_only_its_own_deliveries(
    client: AsyncClient, session: AsyncSession, day: Day
) -> None:
    response = await client.get(
        day.url,
        params={"date": today().isoformat()},
        headers=day.season.headers(day.eggs.producer_coordinator),
    )

    assert response.status_code == 200
    assert response.json()["households"] == [
        household_entry(day.season, 0, ("Eggs", "Free range", "piece", "8")),
        household_entry(day.season, 4, ("Eggs", "Free range", "piece", "22")),
    ]
    assert response.json()["surplus"] == []


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("consumer member", "member", 200),
        ("consumer coordinator", "coordinator", 200),
        ("coordinator of a producer group delivering here", "producer", 200),
        ("farmer of that producer group", "farmer", 404),
        ("coordinator of a producer group still negotiating", "negotiating producer", 404),
        ("coordinator of another consumer group", "other coordinator", 404),
        ("stranger", "stranger", 404),
    ],
)
async def test_pickup_lists_are_for_the_group_and_its_producers(
    client: AsyncClient,
    session: AsyncSession,
    settings: Settings,
    _case: str,
    caller: str | None,
    expected_status: int,
) -> None:
    season = await create_season(session, settings)
    negotiating = await add_agreement(
        session, season, items=(EGGS,), shares=2, holdings=[], status=AgreementStatus.proposed
    )
    other_group = await create_group(session, households=1, coordinators=1)
    users = {
        "member": (await season.member(session, 11)).id,
        "coordinator": season.consumer_coordinator.id,
        "producer": season.producer_coordinator.id,
        "farmer": season.farmer.id,
        "negotiating producer": negotiating.producer_coordinator.id,
        "other coordinator": (await coordinator_ids(session, other_group))[0],
        "stranger": (await create_user(session)).id,
    }

    response = await client.get(
        f"/v1/pickup-stations/{season.station.id}/pickup-lists",
        params={"date": today().isoformat()},
        headers={} if caller is None else auth_headers(settings, users[caller]),
    )

    assert response.status_code == expected_status
    if expected_status == 404:
        assert response.json()["code"] == "pickup-station-not-found"


@pytest.mark.parametrize(
    ("_case", "params"),
    [
        ("missing", {}),
        ("a timestamp", {"date": "0"}),
        ("not a day", {"date": "2026-02-30"}),
        ("text", {"date": "today"}),
    ],
)
async def test_date_must_be_a_calendar_day(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, params: dict[str, str]
) -> None:
    season = await create_season(session, settings)

    response = await client.get(
        f"/v1/pickup-stations/{season.station.id}/pickup-lists",
        params=params,
        headers=season.headers(season.consumer_coordinator),
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "date"]
