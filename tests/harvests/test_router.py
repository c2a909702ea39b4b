"""Recording deliveries: accepted in full, allocated at once by shares, never past the agreed quantity."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import AgreementStatus
from app.core.config import Settings
from app.groups.models import Membership
from tests.factories import create_group, create_user
from tests.harvests.builders import (
    MELONS,
    NOTHING_STORED,
    RICE,
    Season,
    Stored,
    create_season,
    create_station,
    stored_for,
    today,
)

PROBLEM = "application/problem+json"


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    return await create_season(session, settings, shares=10, subscribed=(3, 3, 3), items=(RICE, MELONS))


async def test_harvest_is_allocated_by_shares_exactly(client: AsyncClient, season: Season) -> None:
    araya, boonmee, chaiyaporn = (household.id for household in season.households[:3])

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.000", "7"), headers=season.producer
    )

    body = response.json()
    rice, melons = (str(item.id) for item in season.items)
    assert response.status_code == 201
    assert response.headers["location"] == f"/v1/harvests/{body['id']}"
    assert body["agreement_id"] == str(season.agreement.id)
    assert body["delivered_on"] == today().isoformat()
    assert body["pickup_station_id"] == str(season.station.id)
    assert body["carried_by_user_id"] == str(season.producer_coordinator.id)
    assert body["lines"] == [
        {"plan_item_id": rice, "crop": "Rice", "variety": "Hom Mali", "unit": "kg", "quantity": "10.000"},
        {"plan_item_id": melons, "crop": "Melon", "variety": None, "unit": "piece", "quantity": "7"},
    ]
    # Shares 3, 3, 3 and 1 unsubscribed: 10 kg is 3 kg each and 1 kg surplus; 7 melons are 2.1 each
    # and 0.7 unsubscribed, so the one melon left over goes to the largest remainder, the surplus.
    assert [
        (allocation["household_id"], allocation["share_holder_id"], allocation["plan_item_id"], allocation["quantity"])
        for allocation in body["allocations"]
    ] == [
        (str(araya), str(araya), rice, "3.000"),
        (str(boonmee), str(boonmee), rice, "3.000"),
        (str(chaiyaporn), str(chaiyaporn), rice, "3.000"),
        (str(araya), str(araya), melons, "2"),
        (str(boonmee), str(boonmee), melons, "2"),
        (str(chaiyaporn), str(chaiyaporn), melons, "2"),
    ]
    assert [
        (surplus["plan_item_id"], surplus["quantity"], surplus["handed_over_by_id"], surplus["use"], surplus["note"])
        for surplus in body["surplus"]
    ] == [(rice, "1.000", None, "undecided", None), (melons, "1", None, "undecided", None)]


async def test_remainder_grams_go_by_largest_remainder_then_share_order(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings, shares=10, subscribed=(3, 3, 3), items=(RICE,))

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.001"), headers=season.producer
    )

    # 10 001 g by 3/10: 3000.3 g each and 1000.1 g unsubscribed; the one gram left over goes to the
    # first of the three equal remainders in share order.
    body = response.json()
    assert response.status_code == 201
    assert [allocation["quantity"] for allocation in body["allocations"]] == ["3.001", "3.000", "3.000"]
    assert [surplus["quantity"] for surplus in body["surplus"]] == ["1.000"]


async def test_fully_subscribed_harvest_leaves_no_surplus(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings, shares=3, subscribed=(1, 2), items=(RICE,))

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("0.100"), headers=season.producer
    )

    body = response.json()
    assert response.status_code == 201
    assert [allocation["quantity"] for allocation in body["allocations"]] == ["0.033", "0.067"]
    assert body["surplus"] == []


async def test_share_order_is_first_share_not_insertion_order(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings, shares=2, subscribed=(1, 1), items=(MELONS,))
    first, second = season.subscriptions
    first.first_share, second.first_share = 1, 0
    await session.flush()

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("3"), headers=season.producer
    )

    # Equal remainders: the holder of share 0 (the second household) gets the piece left over.
    assert [(a["household_id"], a["quantity"]) for a in response.json()["allocations"]] == [
        (str(season.households[1].id), "2"),
        (str(season.households[0].id), "1"),
    ]


async def test_household_that_left_the_group_keeps_its_allocation(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    leaver = season.households[1]
    left = await client.delete(
        f"/v1/consumer-groups/{season.consumer_group.id}/memberships/{leaver.id}",
        headers=await season.member_headers(session, 1),
    )

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.000"), headers=season.producer
    )

    assert left.status_code == 204
    assert response.status_code == 201
    assert (str(leaver.id), "3.000") in [(a["household_id"], a["quantity"]) for a in response.json()["allocations"]]


async def test_delivery_past_the_agreed_quantity_is_refused_and_nothing_stored(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.000", "41"), headers=season.producer
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "/problems/delivery-exceeds-agreement",
        "code": "delivery-exceeds-agreement",
        "title": "The delivery would take an item past its agreed quantity",
        "status": 409,
        "detail": "Melon: 40 piece agreed, 0 piece already delivered, 41 piece offered; at most 40 piece more can "
        "be delivered.",
        "plan_item_id": str(season.items[1].id),
        "crop": "Melon",
        "variety": None,
        "unit": "piece",
        "agreed": "40",
        "already_delivered": "0",
        "offered": "41",
        "remaining": "40",
    }
    assert await stored_for(session, season.agreement.id) == NOTHING_STORED


async def test_cumulative_deliveries_past_the_agreed_quantity_are_refused(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    url = f"/v1/agreements/{season.agreement.id}/harvests"
    first = await client.post(url, json=season.harvest("60.000"), headers=season.producer)

    second = await client.post(url, json=season.harvest("40.001"), headers=season.producer)
    exact = await client.post(url, json=season.harvest("40.000"), headers=season.producer)

    assert first.status_code == 201
    assert second.status_code == 409
    assert {key: second.json()[key] for key in ("code", "crop", "agreed", "already_delivered", "offered")} == {
        "code": "delivery-exceeds-agreement",
        "crop": "Rice",
        "agreed": "100.000",
        "already_delivered": "60.000",
        "offered": "40.001",
    }
    assert exact.status_code == 201
    assert await stored_for(session, season.agreement.id) == Stored(harvests=2, lines=2, allocations=6, surplus=2)


@pytest.mark.parametrize(
    "agreement_status",
    [AgreementStatus.proposed, AgreementStatus.agreed, AgreementStatus.completed, AgreementStatus.lapsed],
)
async def test_harvest_on_an_agreement_that_is_not_active_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings, agreement_status: AgreementStatus
) -> None:
    season = await create_season(session, settings, status=agreement_status)

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("1.000"), headers=season.producer
    )

    assert response.status_code == 409
    assert response.json()["code"] == "agreement-not-active"
    assert response.json()["status"] == 409
    assert await stored_for(session, season.agreement.id) == NOTHING_STORED


async def test_outsider_carrier_is_refused(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    transporter = await create_user(session, display_name="Express Logistics")

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("1.000", carried_by=transporter),
        headers=season.producer,
    )

    assert response.status_code == 409
    assert response.json()["code"] == "carrier-not-a-member"
    assert response.json()["carried_by_user_id"] == str(transporter.id)
    assert await stored_for(session, season.agreement.id) == NOTHING_STORED


async def test_former_member_carrier_is_refused(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    former = await season.member(session, 14)
    await session.execute(
        delete(Membership).where(
            Membership.group_id == season.consumer_group.id, Membership.household_id == season.households[14].id
        )
    )

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("1.000", carried_by=former),
        headers=season.producer,
    )

    assert response.status_code == 409
    assert response.json()["code"] == "carrier-not-a-member"


@pytest.mark.parametrize("carrier", ["consumer member", "farmer", "unknown user id"])
async def test_carrier_from_either_group_is_accepted(
    client: AsyncClient, session: AsyncSession, season: Season, carrier: str
) -> None:
    users = {"consumer member": (await season.member(session, 7)).id, "farmer": season.farmer.id}
    carried_by = users.get(carrier, uuid4())

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("1.000", carried_by=carried_by),
        headers=season.producer,
    )

    if carrier == "unknown user id":
        assert response.status_code == 409
        assert response.json()["code"] == "carrier-not-a-member"
    else:
        assert response.status_code == 201
        assert response.json()["carried_by_user_id"] == str(carried_by)


async def test_station_of_another_group_is_refused(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    elsewhere = await create_station(session, await create_group(session, households=1))

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("1.000", station=elsewhere),
        headers=season.producer,
    )

    assert response.status_code == 422
    assert response.json()["code"] == "pickup-station-not-of-consumer-group"
    assert await stored_for(session, season.agreement.id) == NOTHING_STORED


async def test_second_station_of_the_group_is_accepted(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    other = await create_station(session, season.consumer_group, "Nimman market corner")

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("1.000", station=other),
        headers=season.producer,
    )

    assert response.status_code == 201
    assert response.json()["pickup_station_id"] == str(other.id)


@pytest.mark.parametrize(
    ("_case", "lines", "expected_status", "expected_code"),
    [
        ("item outside the agreement", [{"plan_item_id": "random", "quantity": "1.000"}], 422, "item-not-in-agreement"),
        ("fraction of a piece", [{"plan_item_id": "melons", "quantity": "1.5"}], 422, "invalid-quantity"),
        ("grams below one", [{"plan_item_id": "rice", "quantity": "0.0005"}], 422, "validation-failed"),
        ("zero", [{"plan_item_id": "rice", "quantity": "0.000"}], 422, "quantity-not-positive"),
        ("negative", [{"plan_item_id": "rice", "quantity": "-1"}], 422, "validation-failed"),
        ("number, not string", [{"plan_item_id": "rice", "quantity": 1.5}], 422, "validation-failed"),
        (
            "same item twice",
            [{"plan_item_id": "rice", "quantity": "1.000"}, {"plan_item_id": "rice", "quantity": "2.000"}],
            422,
            "validation-failed",
        ),
        ("no lines", [], 422, "validation-failed"),
    ],
)
async def test_invalid_lines_are_refused(
    client: AsyncClient,
    session: AsyncSession,
    season: Season,
    _case: str,
    lines: list[dict[str, object]],
    expected_status: int,
    expected_code: str,
) -> None:
    ids = {"rice": str(season.items[0].id), "melons": str(season.items[1].id), "random": str(uuid4())}
    body = {**season.harvest(), "lines": [{**line, "plan_item_id": ids[str(line["plan_item_id"])]} for line in lines]}

    response = await client.post(f"/v1/agreements/{season.agreement.id}/harvests", json=body, headers=season.producer)

    assert response.status_code == expected_status
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == expected_code
    assert await stored_for(session, season.agreement.id) == NOTHING_STORED


@pytest.mark.parametrize("delivered_on", [0, "1767225600", "2026-02-30", None])
async def test_delivery_date_must_be_a_calendar_day(
    client: AsyncClient, session: AsyncSession, season: Season, delivered_on: object
) -> None:
    body = {**season.harvest("1.000"), "delivered_on": delivered_on}

    response = await client.post(f"/v1/agreements/{season.agreement.id}/harvests", json=body, headers=season.producer)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "delivered_on"]
    assert await stored_for(session, season.agreement.id) == NOTHING_STORED


async def test_delivery_dated_after_tomorrow_is_refused(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    tomorrow = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("1.000", delivered_on=today() + timedelta(days=1)),
        headers=season.producer,
    )
    later = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("1.000", delivered_on=today() + timedelta(days=2)),
        headers=season.producer,
    )

    # Tomorrow in UTC may already be today in Bangkok or Manila; the day after may not.
    assert tomorrow.status_code == 201
    assert later.status_code == 422
    assert later.json()["code"] == "delivered-on-in-future"
    assert (await stored_for(session, season.agreement.id)).harvests == 1


SEASON_STARTS = today() - timedelta(days=200)
SEASON_ENDS = today() - timedelta(days=100)  # so that 60 days after it is still in the past


@pytest.mark.parametrize(
    ("_case", "delivered_on", "expected_status", "expected_code"),
    [
        ("the season's first day", SEASON_STARTS, 201, None),
        ("the day before the season", SEASON_STARTS - timedelta(days=1), 422, "harvest-date-outside-season"),
        ("the season's last day", SEASON_ENDS, 201, None),
        ("60 days after the season", SEASON_ENDS + timedelta(days=60), 201, None),
        ("61 days after the season", SEASON_ENDS + timedelta(days=61), 422, "harvest-date-outside-season"),
        ("year 1", date(1, 1, 1), 422, "harvest-date-outside-season"),
        ("year 9999", date(9999, 12, 31), 422, "delivered-on-in-future"),
    ],
)
async def test_delivery_is_dated_within_the_season_and_60_days_after(
    client: AsyncClient,
    session: AsyncSession,
    season: Season,
    _case: str,
    delivered_on: date,
    expected_status: int,
    expected_code: str | None,
) -> None:
    season.plan.season_starts_on, season.plan.season_ends_on = SEASON_STARTS, SEASON_ENDS
    await session.flush()

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("1.000", delivered_on=delivered_on),
        headers=season.producer,
    )

    assert response.status_code == expected_status, response.text
    if expected_code is None:
        assert response.json()["delivered_on"] == delivered_on.isoformat()
        assert (await stored_for(session, season.agreement.id)).harvests == 1
    else:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == expected_code
        assert await stored_for(session, season.agreement.id) == NOTHING_STORED


async def test_a_season_ending_in_year_9999_takes_todays_delivery(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    season.plan.season_ends_on = date(9999, 12, 31)
    await session.flush()

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("1.000"), headers=season.producer
    )

    assert response.status_code == 201, response.text
    assert (await stored_for(session, season.agreement.id)).harvests == 1


async def test_unknown_agreement_reads_not_found(client: AsyncClient, season: Season) -> None:
    response = await client.post(
        f"/v1/agreements/{uuid4()}/harvests", json=season.harvest("1.0"), headers=season.producer
    )

    assert response.status_code == 404
    assert response.json()["code"] == "agreement-not-found"


async def test_harvest_reads_back_as_recorded(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    recorded = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.000", "7"), headers=season.producer
    )

    response = await client.get(
        f"/v1/harvests/{recorded.json()['id']}", headers=await season.member_headers(session, 4)
    )

    assert response.status_code == 200
    assert response.json() == recorded.json()
    assert response.headers["etag"].startswith('"')


async def test_agreement_harvests_are_listed_in_recording_order(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    url = f"/v1/agreements/{season.agreement.id}/harvests"
    ids = [(await client.post(url, json=season.harvest(q), headers=season.producer)).json()["id"] for q in "123"]

    first = await client.get(url, params={"limit": 2}, headers=season.headers(season.consumer_coordinator))
    rest = await client.get(
        url, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=season.headers(season.farmer)
    )

    assert [harvest["id"] for harvest in first.json()["data"]] == ids[:2]
    assert first.json()["has_more"] is True
    assert [harvest["id"] for harvest in rest.json()["data"]] == ids[2:]
    assert rest.json()["has_more"] is False
