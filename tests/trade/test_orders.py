"""Placing trade orders, reading and listing them, and who may see them."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalogue.models import ProductStatus
from app.core.config import Settings
from app.trade.models import TradeOrder
from tests.catalogue.builders import assert_problem, create_organisation, create_product
from tests.factories import create_user
from tests.trade.builders import (
    SETTLEMENT,
    STEPS,
    Trade,
    act,
    count,
    create_trade,
    order_in,
    place,
    prefinance_body,
    read,
)


@pytest.fixture
async def trade(session: AsyncSession, settings: Settings) -> Trade:
    return await create_trade(session, settings)


async def test_a_buyer_member_places_an_order_that_waits_for_the_seller(client: AsyncClient, trade: Trade) -> None:
    response = await place(client, trade, note="First harvest, please.")

    order = response.json()
    assert response.status_code == 201, response.text
    assert (order["status"], order["terms"], order["currency"], order["product_currency"]) == (
        "requested",
        "wfto",
        "THB",
        "THB",
    )
    assert (order["buyer_id"], order["seller_id"]) == (str(trade.buyer_org.id), str(trade.seller_org.id))
    assert order["lines"] == [
        {
            "product_id": str(trade.coffee.id),
            "product_name": "Arabica",
            "unit": "kg",
            "quantity": "100.000",
            "list_price": "250.00",
            "minimum_price": "200.00",
            "premium_per_unit": "20.00",
            "agreed_price": None,
            "unit_price": None,
            "value": None,
            "premium": None,
        },
        {
            "product_id": str(trade.tea.id),
            "product_name": "Oolong",
            "unit": "kg",
            "quantity": "50.500",
            "list_price": "180.00",
            "minimum_price": "150.00",
            "premium_per_unit": "15.00",
            "agreed_price": None,
            "unit_price": None,
            "value": None,
            "premium": None,
        },
    ]
    assert (order["order_value"], order["premium"], order["exchange_rate"]) == (None, None, None)
    assert (order["prefinance"], order["settlement"], order["transactions"]) == (None, None, [])
    assert [
        (event["transition"], event["from_status"], event["to_status"], event["party"]) for event in order["history"]
    ] == [("request", None, "requested", "buyer")]
    assert order["history"][0]["user_id"] == str(trade.buyer.id)
    assert order["history"][0]["note"] == "First harvest, please."


async def test_the_order_is_in_the_buyers_currency_when_asked(client: AsyncClient, trade: Trade) -> None:
    response = await place(client, trade, currency="VND")

    assert response.status_code == 201, response.text
    assert (response.json()["currency"], response.json()["product_currency"]) == ("VND", "THB")


@pytest.mark.parametrize(
    ("_case", "change", "status", "code"),
    [
        ("the buyer orders from itself", "self", 422, "buyer-is-seller"),
        ("a product of another seller", "foreign product", 422, "product-not-from-seller"),
        ("products in two currencies", "two currencies", 422, "mixed-currencies"),
        ("less than the minimum order quantity", "too little", 422, "below-minimum-order-quantity"),
        ("a product twice", "twice", 422, "duplicate-product"),
        ("a withdrawn product", "withdrawn", 404, "product-not-found"),
        ("finer than a gram", "too precise", 422, "validation-failed"),
        ("no lines", "no lines", 422, "validation-failed"),
        ("an unknown currency", "unknown currency", 422, "validation-failed"),
        ("an unknown seller", "unknown seller", 404, "trading-organisation-not-found"),
        ("for an organisation the caller is not in", "not member", 403, "not-organisation-member"),
        ("without an Idempotency-Key", "no key", 400, "idempotency-key-missing"),
    ],
)
async def test_orders_that_break_a_rule_are_refused_and_nothing_is_stored(
    client: AsyncClient, session: AsyncSession, trade: Trade, _case: str, change: str, status: int, code: str
) -> None:
    coffee_line = {"product_id": str(trade.coffee.id), "quantity": "20"}
    changes: dict[str, Any] = {}
    who, key = "buyer", None
    if change == "self":
        changes["seller_id"] = str(trade.buyer_org.id)
    elif change == "foreign product":
        foreign = await create_product(session, trade.outsider_org, created_by=trade.outsider)
        changes["lines"] = [coffee_line, {"product_id": str(foreign.id), "quantity": "20"}]
    elif change == "two currencies":
        dong = await create_product(
            session,
            trade.seller_org,
            created_by=trade.seller,
            currency="VND",
            price_minor=90_000,
            minimum_price_minor=80_000,
            premium_minor=5_000,
            producer_share_minor=50_000,
        )
        changes["lines"] = [coffee_line, {"product_id": str(dong.id), "quantity": "20"}]
    elif change == "too little":
        changes["lines"] = [{"product_id": str(trade.coffee.id), "quantity": "19.999"}]
    elif change == "twice":
        changes["lines"] = [coffee_line, coffee_line]
    elif change == "withdrawn":
        gone = await create_product(session, trade.seller_org, created_by=trade.seller, status=ProductStatus.withdrawn)
        changes["lines"] = [{"product_id": str(gone.id), "quantity": "20"}]
    elif change == "too precise":
        changes["lines"] = [{"product_id": str(trade.coffee.id), "quantity": "20.0001"}]
    elif change == "no lines":
        changes["lines"] = []
    elif change == "unknown currency":
        changes["currency"] = "XYZ"
    elif change == "unknown seller":
        changes["seller_id"] = "00000000-0000-4000-8000-000000000000"
    elif change == "not member":
        who = "outsider"
    elif change == "no key":
        key = ""

    response = await place(client, trade, who=who, key=key, **changes)

    assert_problem(response, status, code)
    assert await count(session, TradeOrder) == 0


async def test_the_minimum_order_quantity_is_enough(client: AsyncClient, trade: Trade) -> None:
    response = await place(client, trade, lines=[{"product_id": str(trade.coffee.id), "quantity": "20"}])

    assert response.status_code == 201, response.text


async def test_a_retried_order_is_placed_once(client: AsyncClient, session: AsyncSession, trade: Trade) -> None:
    first = await place(client, trade, key="order-1")
    retry = await place(client, trade, key="order-1")
    other_body = await place(client, trade, key="order-1", terms="fairtrade")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert_problem(other_body, 422, "idempotency-key-reused")
    assert await count(session, TradeOrder) == 1


# Privacy: only the two parties see an order


async def test_only_members_of_the_two_parties_read_an_order(client: AsyncClient, trade: Trade) -> None:
    order_id = (await place(client, trade)).json()["id"]

    by_buyer = await client.get(f"/v1/trade-orders/{order_id}", headers=trade.headers("buyer"))
    by_seller = await client.get(f"/v1/trade-orders/{order_id}", headers=trade.headers("seller"))
    by_outsider = await client.get(f"/v1/trade-orders/{order_id}", headers=trade.headers("outsider"))
    anonymous = await client.get(f"/v1/trade-orders/{order_id}")

    assert (by_buyer.status_code, by_seller.status_code) == (200, 200)
    assert by_buyer.json() == by_seller.json()
    assert by_buyer.headers["etag"].startswith('"')
    assert_problem(by_outsider, 404, "trade-order-not-found")
    assert_problem(anonymous, 401, "not-authenticated")


@pytest.mark.parametrize(
    ("transition", "state"), [(step[0], status) for status, step in STEPS.items()] + [("cancel", "requested")]
)
async def test_a_third_organisation_gets_404_on_every_transition_and_changes_nothing(
    client: AsyncClient, trade: Trade, transition: str, state: str
) -> None:
    previous = {
        "confirmed": "requested",
        "prefinance_requested": "confirmed",
        "prefinanced": "prefinance_requested",
        "shipped": "prefinanced",
        "delivered": "shipped",
        "settled": "delivered",
    }
    order_id = await order_in(client, trade, previous.get(state, "requested"))
    body = {
        "confirm": None,
        "request-prefinance": {"percent": 50},
        "prefinance": prefinance_body("17045.00"),
        "settle": SETTLEMENT,
    }.get(transition)
    before = await read(client, trade, order_id)

    by_outsider = await act(client, trade, order_id, transition, "outsider", body, key=None)
    anonymous = await act(client, trade, order_id, transition, None, body, key=None)

    assert_problem(by_outsider, 404, "trade-order-not-found")
    assert_problem(anonymous, 401, "not-authenticated")
    assert await read(client, trade, order_id) == before


async def test_anonymous_callers_cannot_place_or_list_orders(client: AsyncClient, trade: Trade) -> None:
    placed = await place(client, trade, who=None)
    listed = await client.get("/v1/trade-orders")

    assert_problem(placed, 401, "not-authenticated")
    assert_problem(listed, 401, "not-authenticated")


async def test_the_list_shows_the_callers_organisations_orders_by_role_and_status(
    client: AsyncClient, session: AsyncSession, trade: Trade
) -> None:
    bought = await order_in(client, trade, "requested")
    confirmed = await order_in(client, trade, "confirmed")
    # The seller also buys, from a third organisation: it appears under role=buyer for the seller.
    other_seller = await create_organisation(session, owner=await create_user(session))
    tea_elsewhere = await create_product(session, other_seller, created_by=trade.seller)
    sold_to_seller = await client.post(
        "/v1/trade-orders",
        json={
            "buyer_id": str(trade.seller_org.id),
            "seller_id": str(other_seller.id),
            "terms": "fairtrade",
            "lines": [{"product_id": str(tea_elsewhere.id), "quantity": "20"}],
        },
        headers={**trade.headers("seller"), "Idempotency-Key": "seller-buys"},
    )

    async def ids(who: str, **params: str) -> list[str]:
        response = await client.get("/v1/trade-orders", params=params, headers=trade.headers(who))
        assert response.status_code == 200, response.text
        return [order["id"] for order in response.json()["data"]]

    assert sold_to_seller.status_code == 201, sold_to_seller.text
    assert await ids("buyer") == [bought, confirmed]
    assert await ids("seller") == [bought, confirmed, sold_to_seller.json()["id"]]
    assert await ids("seller", role="seller") == [bought, confirmed]
    assert await ids("seller", role="buyer") == [sold_to_seller.json()["id"]]
    assert await ids("buyer", status="confirmed") == [confirmed]
    assert await ids("outsider") == []


async def test_the_list_pages_with_a_cursor(client: AsyncClient, trade: Trade) -> None:
    placed = [await order_in(client, trade, "requested") for _ in range(3)]

    first = await client.get("/v1/trade-orders", params={"limit": 2}, headers=trade.headers("buyer"))
    second = await client.get(
        "/v1/trade-orders", params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=trade.headers("buyer")
    )

    assert [order["id"] for order in first.json()["data"]] == placed[:2]
    assert first.json()["has_more"] is True
    assert [order["id"] for order in second.json()["data"]] == placed[2:]
    assert (second.json()["has_more"], second.json()["next_cursor"]) == (False, None)
    assert first.json()["data"][0]["order_value"] is None
