from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import Settings
from app.core.http import etag_for
from app.core.quantity import Unit
from app.plans.models import PlanItem, PlanStatus
from app.plans.schemas import PlanRead
from tests.factories import auth_headers, create_user
from tests.plans.builders import (
    PlanCallers,
    assert_problem,
    create_plan,
    create_plan_callers,
    in_list_order,
    item_count,
    plan_count,
    plan_item,
    stored_state,
)
from tests.producers.builders import create_producer_group


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> PlanCallers:
    return await create_plan_callers(session, settings)


def rice(**changes: Any) -> dict[str, Any]:
    return {
        "crop": "Jasmine rice",
        "variety": "Hom Mali 105",
        "unit": "kg",
        "max_quantity": "12.5",
        "harvest_from": "2027-09-01",
        "harvest_to": "2027-10-15",
        **changes,
    }


def mango(**changes: Any) -> dict[str, Any]:
    return {
        "crop": "Mango",
        "unit": "piece",
        "max_quantity": "300",
        "harvest_from": "2027-05-01",
        "harvest_to": "2027-06-30",
        **changes,
    }


def plan_body(**changes: Any) -> dict[str, Any]:
    return {
        "season_name": "Rainy season 2027",
        "season_starts_on": "2027-05-01",
        "season_ends_on": "2027-10-31",
        "currency": "THB",
        "items": [rice(), mango()],
        **changes,
    }


def recent(timestamp: str) -> bool:
    return abs(datetime.fromisoformat(timestamp) - datetime.now(UTC)) < timedelta(minutes=1)


def ids(response_body: dict[str, Any]) -> list[str]:
    return [plan["id"] for plan in response_body["data"]]


# Drafting a plan


async def test_a_coordinator_drafts_a_plan(client: AsyncClient, session: AsyncSession, callers: PlanCallers) -> None:
    group = callers.group

    response = await client.post(
        f"/v1/producer-groups/{group.id}/production-plans", json=plan_body(), headers=callers.headers_for("coordinator")
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "producer_group_id": str(group.id),
        "producer_group_name": group.name,
        "country": "TH",
        "region": "Chiang Mai",
        "season_name": "Rainy season 2027",
        "season_starts_on": "2027-05-01",
        "season_ends_on": "2027-10-31",
        "currency": "THB",
        "status": "draft",
        "created_at": created["created_at"],
        "published_at": None,
        "closed_at": None,
        "items": [
            {
                "id": created["items"][0]["id"],
                "crop": "Jasmine rice",
                "variety": "Hom Mali 105",
                "unit": "kg",
                "max_quantity": "12.500",
                "committed_quantity": "0.000",
                "remaining_quantity": "12.500",
                "harvest_from": "2027-09-01",
                "harvest_to": "2027-10-15",
            },
            {
                "id": created["items"][1]["id"],
                "crop": "Mango",
                "variety": None,
                "unit": "piece",
                "max_quantity": "300",
                "committed_quantity": "0",
                "remaining_quantity": "300",
                "harvest_from": "2027-05-01",
                "harvest_to": "2027-06-30",
            },
        ],
    }
    assert recent(created["created_at"])
    assert response.headers["etag"] == etag_for(PlanRead.model_validate(created))
    stored = (await session.execute(select(PlanItem).order_by(PlanItem.position))).scalars().all()
    assert [
        (str(item.plan_id), str(item.id), item.position, item.unit, item.max_quantity_base, item.committed_base)
        for item in stored
    ] == [
        (created["id"], created["items"][0]["id"], 0, Unit.kg, 12_500, 0),
        (created["id"], created["items"][1]["id"], 1, Unit.piece, 300, 0),
    ]


async def test_the_same_crop_in_another_variety_or_unit_is_another_item(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    items = [rice(), rice(variety="Riceberry"), rice(variety=None), rice(variety=None, unit="box", max_quantity="40")]

    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/production-plans",
        json=plan_body(items=items),
        headers=callers.headers_for("coordinator"),
    )

    assert response.status_code == 201, response.text
    assert [(item["variety"], item["unit"], item["max_quantity"]) for item in response.json()["items"]] == [
        ("Hom Mali 105", "kg", "12.500"),
        ("Riceberry", "kg", "12.500"),
        (None, "kg", "12.500"),
        (None, "box", "40"),
    ]
    assert await item_count(session) == 4


async def test_harvest_windows_may_span_the_whole_season_of_one_day(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    body = plan_body(
        season_starts_on="2027-06-01",
        season_ends_on="2027-06-01",
        items=[rice(harvest_from="2027-06-01", harvest_to="2027-06-01")],
    )

    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/production-plans",
        json=body,
        headers=callers.headers_for("coordinator"),
    )

    assert response.status_code == 201, response.text
    assert await plan_count(session) == 1


async def test_the_largest_quantity_a_plan_takes_is_stored_exactly(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    # 999999999999.999 kg is 999999999999999 g: within a BIGINT, and so is any sum of agreed quantities,
    # which never passes it.
    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/production-plans",
        json=plan_body(items=[rice(max_quantity="999999999999.999")]),
        headers=callers.headers_for("coordinator"),
    )

    assert response.status_code == 201, response.text
    assert response.json()["items"][0]["max_quantity"] == "999999999999.999"
    stored = await session.scalar(
        select(PlanItem.max_quantity_base).where(PlanItem.plan_id == UUID(response.json()["id"]))
    )
    assert stored == 999_999_999_999_999


async def test_a_plan_holds_up_to_100_items(client: AsyncClient, session: AsyncSession, callers: PlanCallers) -> None:
    items = [rice(crop=f"Crop {number}", max_quantity="0.001") for number in range(100)]

    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/production-plans",
        json=plan_body(items=items),
        headers=callers.headers_for("coordinator"),
    )

    assert response.status_code == 201, response.text
    assert [item["crop"] for item in response.json()["items"]] == [f"Crop {number}" for number in range(100)]
    assert await item_count(session) == 100


@pytest.mark.parametrize(
    ("_case", "body", "code", "loc"),
    [
        (
            "season ends before it starts",
            plan_body(season_starts_on="2027-11-01"),
            "season-out-of-order",
            ["body", "season_ends_on"],
        ),
        (
            "harvest ends before it starts",
            plan_body(items=[rice(harvest_from="2027-10-16")]),
            "harvest-window-out-of-order",
            ["body", "items", 0, "harvest_to"],
        ),
        (
            "harvest starts before the season",
            plan_body(items=[rice(harvest_from="2027-04-30")]),
            "harvest-window-outside-season",
            ["body", "items", 0, "harvest_from"],
        ),
        (
            "second item's harvest ends after the season",
            plan_body(items=[rice(), mango(harvest_to="2027-11-01")]),
            "harvest-window-outside-season",
            ["body", "items", 1, "harvest_to"],
        ),
        (
            "half a piece",
            plan_body(items=[rice(), mango(max_quantity="2.5")]),
            "invalid-quantity",
            ["body", "items", 1, "max_quantity"],
        ),
        (
            "a fraction of a gram",
            plan_body(items=[rice(unit="g", max_quantity="100.5")]),
            "invalid-quantity",
            ["body", "items", 0, "max_quantity"],
        ),
        (
            "nothing to grow",
            plan_body(items=[rice(max_quantity="0.000")]),
            "invalid-quantity",
            ["body", "items", 0, "max_quantity"],
        ),
        (
            "the same crop, variety and unit twice, in other case",
            plan_body(items=[rice(), mango(), rice(crop="JASMINE rice", variety="hom mali 105", max_quantity="1")]),
            "duplicate-plan-item",
            ["body", "items", 2],
        ),
        (
            "the same crop without variety twice",
            plan_body(items=[mango(), mango(max_quantity="5")]),
            "duplicate-plan-item",
            ["body", "items", 1],
        ),
    ],
)
async def test_a_plan_breaking_a_rule_is_refused(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    body: dict[str, Any],
    code: str,
    loc: list[str | int],
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/production-plans",
        json=body,
        headers=callers.headers_for("coordinator"),
    )

    assert_problem(response, 422, code)
    assert [issue["loc"] for issue in response.json()["errors"]] == [loc]
    assert await plan_count(session) == 0
    assert await item_count(session) == 0


@pytest.mark.parametrize(
    ("_case", "body"),
    [
        ("no items", plan_body(items=[])),
        ("101 items", plan_body(items=[rice(crop=f"Crop {number}") for number in range(101)])),
        ("unknown unit", plan_body(items=[rice(unit="sack")])),
        ("unknown currency", plan_body(currency="XYZ")),
        ("lower-case currency", plan_body(currency="thb")),
        ("quantity as a JSON number", plan_body(items=[rice(max_quantity=12.5)])),
        ("negative quantity", plan_body(items=[rice(max_quantity="-1")])),
        ("more decimals than any unit has", plan_body(items=[rice(max_quantity="1.2345")])),
        ("more than 12 digits of kg", plan_body(items=[rice(max_quantity="1000000000000")])),
        ("NUL byte in the crop", plan_body(items=[rice(crop="Rice\x00")])),
        ("crop over 100 characters", plan_body(items=[rice(crop="r" * 101)])),
        ("blank crop", plan_body(items=[rice(crop="   ")])),
        ("blank season name", plan_body(season_name="  ")),
        ("a crop of zero-width characters", plan_body(items=[rice(crop="\u200b\u200d")])),
        ("a season name of a byte-order mark", plan_body(season_name="\ufeff")),
        ("not a date", plan_body(season_starts_on="01/05/2027")),
        ("a date as a number", plan_body(season_starts_on=0)),
        ("a date as a timestamp", plan_body(items=[rice(harvest_to="1819411200")])),
        ("missing harvest window", plan_body(items=[{k: v for k, v in rice().items() if k != "harvest_to"}])),
        ("unknown item field", plan_body(items=[rice(committed_quantity="1")])),
        ("unknown plan field", plan_body(status="published")),
    ],
)
async def test_an_invalid_plan_is_refused(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers, _case: str, body: dict[str, Any]
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/production-plans",
        json=body,
        headers=callers.headers_for("coordinator"),
    )

    assert_problem(response, 422, "validation-failed")
    assert await plan_count(session) == 0
    assert await item_count(session) == 0


async def test_a_plan_for_an_unknown_producer_group_is_refused(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{uuid4()}/production-plans", json=plan_body(), headers=callers.headers_for("coordinator")
    )

    assert_problem(response, 404, "producer-group-not-found")
    assert await plan_count(session) == 0


# Publishing and closing


async def test_a_coordinator_publishes_a_draft(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    plan = await create_plan(session, callers.group, status=PlanStatus.draft)

    response = await client.post(
        f"/v1/production-plans/{plan.id}/publish", headers=callers.headers_for("co_coordinator")
    )

    assert response.status_code == 200, response.text
    published = response.json()
    assert (published["id"], published["status"], published["closed_at"]) == (str(plan.id), "published", None)
    assert recent(published["published_at"])
    assert response.headers["etag"] == etag_for(PlanRead.model_validate(published))
    status, published_at, closed_at = await stored_state(session, plan.id)
    assert (status, published_at, closed_at) == (
        PlanStatus.published,
        datetime.fromisoformat(published["published_at"]),
        None,
    )


async def test_a_coordinator_closes_a_published_plan(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    plan = await create_plan(session, callers.group, status=PlanStatus.published)

    response = await client.post(f"/v1/production-plans/{plan.id}/close", headers=callers.headers_for("coordinator"))

    assert response.status_code == 200, response.text
    closed = response.json()
    assert closed["status"] == "closed"
    assert datetime.fromisoformat(closed["published_at"]) == plan.published_at
    assert recent(closed["closed_at"])
    assert await stored_state(session, plan.id) == (
        PlanStatus.closed,
        plan.published_at,
        datetime.fromisoformat(closed["closed_at"]),
    )


@pytest.mark.parametrize(
    ("_case", "action", "status", "code"),
    [
        ("publish a published plan", "publish", PlanStatus.published, "plan-not-draft"),
        ("publish a closed plan", "publish", PlanStatus.closed, "plan-not-draft"),
        ("close a draft", "close", PlanStatus.draft, "plan-not-published"),
        ("close a closed plan", "close", PlanStatus.closed, "plan-not-published"),
    ],
)
async def test_an_illegal_transition_is_refused_and_changes_nothing(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    action: str,
    status: PlanStatus,
    code: str,
) -> None:
    plan = await create_plan(session, callers.group, status=status)
    before = await stored_state(session, plan.id)

    response = await client.post(f"/v1/production-plans/{plan.id}/{action}", headers=callers.headers_for("coordinator"))

    assert_problem(response, 409, code)
    assert response.json()["plan_status"] == status
    assert await stored_state(session, plan.id) == before
    assert before[0] == status


@pytest.mark.parametrize("action", ["publish", "close"])
async def test_transitions_of_an_unknown_plan_are_refused(
    client: AsyncClient, callers: PlanCallers, action: str
) -> None:
    response = await client.post(f"/v1/production-plans/{uuid4()}/{action}", headers=callers.headers_for("coordinator"))

    assert_problem(response, 404, "plan-not-found")


async def test_a_plan_goes_from_draft_to_the_list_and_out_of_it(client: AsyncClient, callers: PlanCallers) -> None:
    coordinator = callers.headers_for("coordinator")
    consumer = callers.headers_for("consumer")
    created = await client.post(
        f"/v1/producer-groups/{callers.group.id}/production-plans", json=plan_body(), headers=coordinator
    )
    plan_id = created.json()["id"]

    while_draft = await client.get("/v1/production-plans", headers=consumer)
    await client.post(f"/v1/production-plans/{plan_id}/publish", headers=coordinator)
    while_published = await client.get("/v1/production-plans", headers=consumer)
    await client.post(f"/v1/production-plans/{plan_id}/close", headers=coordinator)
    after_closing = await client.get("/v1/production-plans", headers=consumer)
    closed = await client.get(f"/v1/production-plans/{plan_id}", headers=consumer)

    assert ids(while_draft.json()) == []
    assert ids(while_published.json()) == [plan_id]
    assert ids(after_closing.json()) == []
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"


# Reading a plan


async def test_a_plan_shows_what_agreements_have_not_yet_taken(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    plan = await create_plan(
        session,
        callers.group,
        items=[
            plan_item("Jasmine rice", max_quantity_base=12_500, committed_base=4_250),
            plan_item("Mango", unit=Unit.piece, max_quantity_base=300, committed_base=300),
            plan_item("Lemongrass", unit=Unit.bunch, max_quantity_base=80),
        ],
    )
    expected = [
        ("Jasmine rice", "12.500", "4.250", "8.250"),
        ("Mango", "300", "300", "0"),
        ("Lemongrass", "80", "0", "80"),
    ]

    read = await client.get(f"/v1/production-plans/{plan.id}", headers=callers.headers_for("consumer"))
    listed = await client.get("/v1/production-plans", headers=callers.headers_for("consumer"))

    assert read.status_code == listed.status_code == 200
    assert [
        (item["crop"], item["max_quantity"], item["committed_quantity"], item["remaining_quantity"])
        for item in read.json()["items"]
    ] == expected
    assert listed.json()["data"] == [read.json()]


async def test_a_plan_is_read_with_an_etag_that_follows_its_changes(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    plan = await create_plan(session, callers.group)
    url = f"/v1/production-plans/{plan.id}"
    headers = callers.headers_for("consumer")

    first = await client.get(url, headers=headers)
    again = await client.get(url, headers=headers)
    await session.execute(update(PlanItem).where(PlanItem.plan_id == plan.id).values(committed_base=1_000))
    after_an_agreement = await client.get(url, headers=headers)

    assert first.status_code == 200
    assert first.headers["etag"] == again.headers["etag"] == etag_for(PlanRead.model_validate(first.json()))
    assert after_an_agreement.json()["items"][0]["committed_quantity"] == "1.000"
    assert after_an_agreement.headers["etag"] != first.headers["etag"]


async def test_an_unknown_plan_is_not_found(client: AsyncClient, callers: PlanCallers) -> None:
    response = await client.get(f"/v1/production-plans/{uuid4()}", headers=callers.headers_for("coordinator"))

    assert_problem(response, 404, "plan-not-found")


# Browsing published plans


async def test_only_published_plans_are_listed(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    await create_plan(session, callers.group, status=PlanStatus.draft)
    published = await create_plan(session, callers.group, status=PlanStatus.published)
    await create_plan(session, callers.group, status=PlanStatus.closed)

    response = await client.get("/v1/production-plans", headers=callers.headers_for("coordinator"))

    assert response.status_code == 200
    assert response.json() == {"data": [response.json()["data"][0]], "has_more": False, "next_cursor": None}
    assert ids(response.json()) == [str(published.id)]


@pytest.mark.parametrize(
    ("_case", "country", "expected"), [("Vietnam", "VN", "vietnamese"), ("Thailand", "TH", "thai")]
)
async def test_plans_are_filtered_by_country(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers, _case: str, country: str, expected: str
) -> None:
    plans = {
        "thai": await create_plan(session, await create_producer_group(session, coordinators=[], country="TH")),
        "vietnamese": await create_plan(session, await create_producer_group(session, coordinators=[], country="VN")),
    }

    response = await client.get(
        "/v1/production-plans", params={"country": country}, headers=callers.headers_for("consumer")
    )

    assert response.status_code == 200
    assert ids(response.json()) == [str(plans[expected].id)]
    assert response.json()["data"][0]["country"] == country


@pytest.mark.parametrize(
    ("_case", "region", "expected"),
    [
        ("exact", "Nan", ["nan"]),
        ("other case", "CHIANG mai", ["chiang_mai"]),
        ("a prefix is no match", "Chiang", []),
        ("unknown region", "Isan", []),
    ],
)
async def test_plans_are_filtered_by_region(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    region: str,
    expected: list[str],
) -> None:
    nan_group = await create_producer_group(session, coordinators=[])
    nan_group.region = "Nan"
    plans = {
        "chiang_mai": await create_plan(session, await create_producer_group(session, coordinators=[])),
        "nan": await create_plan(session, nan_group),
    }

    response = await client.get(
        "/v1/production-plans", params={"region": region}, headers=callers.headers_for("consumer")
    )

    assert response.status_code == 200
    assert ids(response.json()) == [str(plans[name].id) for name in expected]


@pytest.mark.parametrize(
    ("_case", "crop", "expected"),
    [
        ("the second item's crop", "Mango", ["rice_and_mango"]),
        ("other case", "jasmine RICE", ["rice_and_mango"]),
        ("crop of the other plan", "Coffee", ["coffee"]),
        ("a part of a name is no match", "rice", []),
    ],
)
async def test_plans_are_filtered_by_crop(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    crop: str,
    expected: list[str],
) -> None:
    plans = {
        "rice_and_mango": await create_plan(
            session, callers.group, items=[plan_item("Jasmine rice"), plan_item("Mango", unit=Unit.piece)]
        ),
        "coffee": await create_plan(session, callers.group, items=[plan_item("Coffee")]),
    }

    response = await client.get("/v1/production-plans", params={"crop": crop}, headers=callers.headers_for("consumer"))

    assert response.status_code == 200
    assert ids(response.json()) == [str(plans[name].id) for name in expected]


SEASONS = {
    "dry": (date(2027, 1, 1), date(2027, 3, 31)),
    "hot": (date(2027, 4, 1), date(2027, 6, 30)),
    "rainy": (date(2027, 7, 1), date(2027, 9, 30)),
}


@pytest.mark.parametrize(
    ("_case", "params", "expected"),
    [
        ("inside one season", {"season_from": "2027-02-01", "season_to": "2027-02-10"}, ["dry"]),
        ("across two seasons", {"season_from": "2027-03-15", "season_to": "2027-04-10"}, ["dry", "hot"]),
        ("a season's last day", {"season_from": "2027-03-31", "season_to": "2027-03-31"}, ["dry"]),
        ("from a season's first day on", {"season_from": "2027-07-01", "season_to": "2027-12-31"}, ["rainy"]),
        ("around every season", {"season_from": "2026-12-01", "season_to": "2027-12-31"}, ["dry", "hot", "rainy"]),
        ("between no seasons", {"season_from": "2027-10-01", "season_to": "2028-03-31"}, []),
        ("only a start", {"season_from": "2027-06-30"}, ["hot", "rainy"]),
        ("only an end", {"season_to": "2027-04-01"}, ["dry", "hot"]),
        ("the whole calendar", {"season_from": "0001-01-01", "season_to": "9999-12-31"}, ["dry", "hot", "rainy"]),
        ("only year 1", {"season_to": "0001-01-01"}, []),
        ("only year 9999", {"season_from": "9999-12-31"}, []),
    ],
)
async def test_plans_are_filtered_by_season_overlap(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    params: dict[str, str],
    expected: list[str],
) -> None:
    plans = {
        name: await create_plan(
            session,
            callers.group,
            season_starts_on=starts_on,
            season_ends_on=ends_on,
            items=[plan_item(harvest_from=starts_on, harvest_to=ends_on)],
        )
        for name, (starts_on, ends_on) in SEASONS.items()
    }

    response = await client.get("/v1/production-plans", params=params, headers=callers.headers_for("consumer"))

    assert response.status_code == 200
    assert ids(response.json()) == in_list_order([plans[name] for name in expected])


async def test_plans_are_filtered_by_producer_group_and_filters_combine(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    other_group = await create_producer_group(session, coordinators=[])
    ours = await create_plan(session, callers.group, items=[plan_item("Mango")])
    await create_plan(session, callers.group, items=[plan_item("Coffee")])
    await create_plan(session, other_group, items=[plan_item("Mango")])
    headers = callers.headers_for("consumer")

    by_group = await client.get(
        "/v1/production-plans", params={"producer_group_id": str(other_group.id)}, headers=headers
    )
    combined = await client.get(
        "/v1/production-plans",
        params={"producer_group_id": str(callers.group.id), "crop": "mango", "country": "TH", "region": "chiang mai"},
        headers=headers,
    )

    assert [plan["producer_group_id"] for plan in by_group.json()["data"]] == [str(other_group.id)]
    assert ids(combined.json()) == [str(ours.id)]


async def test_a_season_filter_that_ends_before_it_starts_is_refused(client: AsyncClient, callers: PlanCallers) -> None:
    response = await client.get(
        "/v1/production-plans",
        params={"season_from": "2027-05-01", "season_to": "2027-04-30"},
        headers=callers.headers_for("consumer"),
    )

    assert_problem(response, 422, "season-filter-out-of-order")


@pytest.mark.parametrize(
    ("_case", "params"),
    [
        ("lower-case country", {"country": "th"}),
        ("unknown country", {"country": "XX"}),
        ("not a date", {"season_from": "May 2027"}),
        ("a date as a timestamp", {"season_to": "0"}),
        ("a date without leading zeros", {"season_from": "2027-5-1"}),
        ("NUL byte in the crop", {"crop": "Rice\x00"}),
        ("blank region", {"region": " "}),
        ("a page of nothing", {"limit": 0}),
        ("a page over 100", {"limit": 101}),
    ],
)
async def test_invalid_filters_are_refused(
    client: AsyncClient, callers: PlanCallers, _case: str, params: dict[str, Any]
) -> None:
    response = await client.get("/v1/production-plans", params=params, headers=callers.headers_for("consumer"))

    assert_problem(response, 422, "validation-failed")


async def test_a_tampered_cursor_is_refused(client: AsyncClient, callers: PlanCallers) -> None:
    response = await client.get(
        "/v1/production-plans", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=callers.headers_for("consumer")
    )

    assert_problem(response, 422, "invalid-cursor")


async def test_plans_are_listed_page_by_page_without_duplicates_or_gaps(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    other_group = await create_producer_group(session, coordinators=[], country="VN")
    plans = [await create_plan(session, group) for group in (callers.group, other_group) * 2]
    await create_plan(session, callers.group, status=PlanStatus.draft)
    headers = callers.headers_for("consumer")

    pages = [await client.get("/v1/production-plans", params={"limit": 2}, headers=headers)]
    # A plan published while the client pages through sorts last: it comes on the last page, nothing shifts.
    late = await create_plan(session, other_group)
    while pages[-1].json()["next_cursor"]:
        cursor = pages[-1].json()["next_cursor"]
        pages.append(await client.get("/v1/production-plans", params={"limit": 2, "cursor": cursor}, headers=headers))

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert [len(page.json()["data"]) for page in pages] == [2, 2, 1]
    assert [page.json()["has_more"] for page in pages] == [True, True, False]
    assert [plan_id for page in pages for plan_id in ids(page.json())] == [*in_list_order(plans), str(late.id)]


async def test_a_page_of_plans_costs_two_queries_whatever_its_size(
    client: AsyncClient, session: AsyncSession, engine: AsyncEngine, callers: PlanCallers
) -> None:
    for _ in range(3):
        await create_plan(session, callers.group, items=[plan_item("Jasmine rice"), plan_item("Mango")])
    statements: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        response = await client.get("/v1/production-plans", headers=callers.headers_for("consumer"))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)

    assert response.status_code == 200
    assert [len(plan["items"]) for plan in response.json()["data"]] == [2, 2, 2]
    plan_queries = [statement for statement in statements if "production_plan" in statement or "plan_item" in statement]
    assert len(plan_queries) == 2, plan_queries


# A producer group's own plans


async def test_a_producer_group_lists_its_own_plans_in_every_status(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers
) -> None:
    plans = [await create_plan(session, callers.group, status=status) for status in PlanStatus]
    await create_plan(session, await create_producer_group(session, coordinators=[]))

    response = await client.get(
        f"/v1/producer-groups/{callers.group.id}/production-plans", headers=callers.headers_for("member")
    )

    assert response.status_code == 200
    assert ids(response.json()) == in_list_order(plans)
    assert [plan["status"] for plan in response.json()["data"]] == [
        plan.status for plan in sorted(plans, key=lambda plan: (plan.created_at, plan.id))
    ]


@pytest.mark.parametrize(
    ("_case", "caller", "status", "expected"),
    [
        ("coordinator's drafts", "coordinator", "draft", [PlanStatus.draft]),
        ("member's closed plans", "member", "closed", [PlanStatus.closed]),
        ("drafts for another group", "outsider", "draft", []),
        ("published for another group", "consumer", "published", [PlanStatus.published]),
    ],
)
async def test_a_producer_groups_plans_are_filtered_by_status(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    caller: str,
    status: str,
    expected: list[PlanStatus],
) -> None:
    for plan_status in PlanStatus:
        await create_plan(session, callers.group, status=plan_status)

    response = await client.get(
        f"/v1/producer-groups/{callers.group.id}/production-plans",
        params={"status": status},
        headers=callers.headers_for(caller),
    )

    assert response.status_code == 200
    assert [plan["status"] for plan in response.json()["data"]] == expected


async def test_plans_of_an_unknown_producer_group_are_not_found(client: AsyncClient, callers: PlanCallers) -> None:
    response = await client.get(
        f"/v1/producer-groups/{uuid4()}/production-plans", headers=callers.headers_for("consumer")
    )

    assert_problem(response, 404, "producer-group-not-found")


async def test_a_user_without_any_group_may_browse(
    client: AsyncClient, session: AsyncSession, settings: Settings, callers: PlanCallers
) -> None:
    published = await create_plan(session, callers.group)
    newcomer = await create_user(session)

    response = await client.get("/v1/production-plans", headers=auth_headers(settings, newcomer.id))

    assert response.status_code == 200
    assert ids(response.json()) == [str(published.id)]
