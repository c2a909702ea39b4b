"""The order's life: every transition from every status, who may make it, the price floor, the rate
fixed at confirmation, and shipping only once the requested pre-finance is paid."""

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from tests.catalogue.builders import assert_problem, create_admin, create_rate, today
from tests.trade.builders import (
    SETTLEMENT,
    Trade,
    act,
    create_trade,
    order_in,
    place,
    prefinance_body,
    read,
)

STATUSES = [
    "requested",
    "confirmed",
    "prefinance_requested",
    "prefinanced",
    "shipped",
    "delivered",
    "settled",
    "cancelled",
]
# Each transition with the party that may make it and a valid body.
TRANSITIONS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "confirm": ("seller", None),
    "request-prefinance": ("seller", {"percent": 50}),
    "prefinance": ("buyer", prefinance_body("17045.00")),
    "ship": ("seller", None),
    "deliver": ("buyer", None),
    "settle": ("buyer", SETTLEMENT),
    "cancel": ("buyer", None),
}
# The legal moves and where they lead; every other pair is 409.
LEGAL = {
    ("requested", "confirm"): "confirmed",
    ("requested", "cancel"): "cancelled",
    ("confirmed", "request-prefinance"): "prefinance_requested",
    ("confirmed", "ship"): "shipped",
    ("confirmed", "cancel"): "cancelled",
    ("prefinance_requested", "prefinance"): "prefinanced",
    ("prefinance_requested", "cancel"): "cancelled",
    ("prefinanced", "ship"): "shipped",
    ("prefinanced", "cancel"): "cancelled",
    ("shipped", "deliver"): "delivered",
    ("delivered", "settle"): "settled",
}
MATRIX = [(status, transition, LEGAL.get((status, transition))) for status in STATUSES for transition in TRANSITIONS]


@pytest.fixture
async def trade(session: AsyncSession, settings: Settings) -> Trade:
    return await create_trade(session, settings)


@pytest.mark.parametrize(("status", "transition", "leads_to"), MATRIX, ids=[f"{s}-{t}" for s, t, _ in MATRIX])
async def test_every_transition_from_every_status(
    client: AsyncClient, trade: Trade, status: str, transition: str, leads_to: str | None
) -> None:
    order_id = await order_in(client, trade, status)
    who, body = TRANSITIONS[transition]

    response = await act(client, trade, order_id, transition, who, body, key=None)

    if leads_to is not None:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == leads_to
        assert response.json()["history"][-1]["transition"] == transition
        assert (await read(client, trade, order_id))["status"] == leads_to
    else:
        code = "prefinance-unpaid" if (status, transition) == ("prefinance_requested", "ship") else "illegal-transition"
        assert_problem(response, 409, code)
        assert response.json()["current_status"] == status
        assert (await read(client, trade, order_id))["status"] == status


@pytest.mark.parametrize(
    ("transition", "status", "who", "code"),
    [
        ("confirm", "requested", "buyer", "not-seller-member"),
        ("request-prefinance", "confirmed", "buyer", "not-seller-member"),
        ("ship", "confirmed", "buyer", "not-seller-member"),
        ("prefinance", "prefinance_requested", "seller", "not-buyer-member"),
        ("deliver", "shipped", "seller", "not-buyer-member"),
        ("settle", "delivered", "seller", "not-buyer-member"),
    ],
)
async def test_each_transition_is_the_business_of_one_party(
    client: AsyncClient, trade: Trade, transition: str, status: str, who: str, code: str
) -> None:
    order_id = await order_in(client, trade, status)

    response = await act(client, trade, order_id, transition, who, TRANSITIONS[transition][1], key=None)

    assert_problem(response, 403, code)
    assert (await read(client, trade, order_id))["status"] == status


async def test_the_seller_may_cancel_too(client: AsyncClient, trade: Trade) -> None:
    order_id = await order_in(client, trade, "confirmed")

    response = await act(client, trade, order_id, "cancel", "seller", {"note": "The harvest failed."})

    assert response.status_code == 200, response.text
    assert [(event["transition"], event["party"], event["note"]) for event in response.json()["history"]][-1] == (
        "cancel",
        "seller",
        "The harvest failed.",
    )
    assert (response.json()["settlement"], response.json()["transactions"]) == (None, [])


async def test_the_history_says_who_did_what_when(client: AsyncClient, trade: Trade) -> None:
    order_id = await order_in(client, trade, "settled")

    history = (await read(client, trade, order_id, who="seller"))["history"]

    buyer, seller = str(trade.buyer.id), str(trade.seller.id)
    assert [(e["transition"], e["from_status"], e["to_status"], e["party"], e["user_id"]) for e in history] == [
        ("request", None, "requested", "buyer", buyer),
        ("confirm", "requested", "confirmed", "seller", seller),
        ("request-prefinance", "confirmed", "prefinance_requested", "seller", seller),
        ("prefinance", "prefinance_requested", "prefinanced", "buyer", buyer),
        ("ship", "prefinanced", "shipped", "seller", seller),
        ("deliver", "shipped", "delivered", "buyer", buyer),
        ("settle", "delivered", "settled", "buyer", buyer),
    ]
    assert [e["created_at"] for e in history] == sorted(e["created_at"] for e in history)


# Shipping waits for the pre-finance requested


async def test_the_order_ships_only_once_the_requested_prefinance_is_paid(client: AsyncClient, trade: Trade) -> None:
    order_id = await order_in(client, trade, "prefinance_requested")

    too_early = await act(client, trade, order_id, "ship", "seller")
    await act(client, trade, order_id, "prefinance", "buyer", prefinance_body("17045.00"), key=None)
    after_payment = await act(client, trade, order_id, "ship", "seller")

    assert_problem(too_early, 409, "prefinance-unpaid")
    assert after_payment.status_code == 200, after_payment.text
    assert after_payment.json()["status"] == "shipped"


# The price floor


async def test_the_seller_confirms_prices_agreed_through_dialogue_never_below_the_minimum(
    client: AsyncClient, trade: Trade
) -> None:
    order_id = (await place(client, trade)).json()["id"]

    response = await act(
        client,
        trade,
        order_id,
        "confirm",
        "seller",
        {"unit_prices": [{"product_id": str(trade.coffee.id), "unit_price": "200.00"}]},
    )

    order = response.json()
    assert response.status_code == 200, response.text
    assert [(line["agreed_price"], line["unit_price"], line["value"], line["premium"]) for line in order["lines"]] == [
        ("200.00", "200.00", "20000.00", "2000.00"),  # at the minimum: allowed
        (None, "180.00", "9090.00", "757.50"),  # not negotiated: the listed price stands
    ]
    assert (order["order_value"], order["premium"], order["exchange_rate"]) == ("29090.00", "2757.50", None)
    assert order["confirmed_at"] is not None


@pytest.mark.parametrize(
    ("_case", "unit_prices", "status", "code"),
    [
        ("one minor unit below the minimum", [("coffee", "199.99")], 422, "price-below-minimum"),
        ("zero", [("tea", "0")], 422, "price-not-positive"),
        ("more decimals than THB has", [("coffee", "250.001")], 422, "invalid-amount"),
        ("a product not in the order", [("other", "250.00")], 422, "product-not-in-order"),
        ("a product twice", [("coffee", "250.00"), ("coffee", "260.00")], 422, "duplicate-product"),
        ("a number, not a decimal string", [("coffee", 250)], 422, "validation-failed"),
    ],
)
async def test_a_confirmation_below_the_floor_or_otherwise_wrong_is_refused(
    client: AsyncClient, trade: Trade, _case: str, unit_prices: list[tuple[str, Any]], status: int, code: str
) -> None:
    order_id = (await place(client, trade)).json()["id"]
    products = {
        "coffee": str(trade.coffee.id),
        "tea": str(trade.tea.id),
        "other": "00000000-0000-4000-8000-000000000000",
    }
    body = {"unit_prices": [{"product_id": products[name], "unit_price": price} for name, price in unit_prices]}

    response = await act(client, trade, order_id, "confirm", "seller", body)

    assert_problem(response, status, code)
    order = await read(client, trade, order_id)
    assert (order["status"], order["order_value"]) == ("requested", None)
    assert [line["unit_price"] for line in order["lines"]] == [None, None]


async def test_below_minimum_names_the_product_and_its_minimum(client: AsyncClient, trade: Trade) -> None:
    order_id = (await place(client, trade)).json()["id"]

    response = await act(
        client,
        trade,
        order_id,
        "confirm",
        "seller",
        {"unit_prices": [{"product_id": str(trade.tea.id), "unit_price": "149.99"}]},
    )

    assert_problem(response, 422, "price-below-minimum")
    assert (response.json()["product_id"], response.json()["minimum_price"]) == (str(trade.tea.id), "150.00")


# The exchange rate, fixed at confirmation


async def test_the_rate_is_fixed_at_confirmation_and_a_newer_rate_changes_nothing(
    client: AsyncClient, session: AsyncSession, trade: Trade
) -> None:
    admin = await create_admin(session)
    await create_rate(session, "THB", "VND", "712.345", recorded_by=admin, as_of=today() - timedelta(days=1))
    order_id = (await place(client, trade, currency="VND")).json()["id"]

    confirmed = await act(client, trade, order_id, "confirm", "seller")
    await create_rate(session, "THB", "VND", "800", recorded_by=admin, as_of=today())
    await act(client, trade, order_id, "request-prefinance", "seller", {"percent": 40})
    later = await read(client, trade, order_id)

    order = confirmed.json()
    assert confirmed.status_code == 200, confirmed.text
    assert order["exchange_rate"] == {
        "base": "THB",
        "quote": "VND",
        "rate": "712.345",
        "source": "Bank of Thailand",
        "as_of": (today() - timedelta(days=1)).isoformat(),
        "inverted": False,
    }
    # 25000.00 THB × 712.345 = 17808625 VND; 9090.00 × 712.345 = 6475216.05 → 6475216 (half-even, VND has no
    # minor unit). Premiums: 2000.00 × 712.345 = 1424690; 757.50 × 712.345 = 539601.3375 → 539601.
    assert [(line["value"], line["premium"]) for line in order["lines"]] == [
        ("17808625", "1424690"),
        ("6475216", "539601"),
    ]
    assert (order["order_value"], order["premium"]) == ("24283841", "1964291")
    assert later["exchange_rate"] == order["exchange_rate"]
    assert (later["order_value"], later["premium"]) == ("24283841", "1964291")
    assert later["prefinance"]["requested"] == "9713536"  # 40% of 24283841 = 9713536.4, rounded down


@pytest.mark.parametrize(
    ("_case", "coffee_kg"),
    [
        # 250.00 THB × 999999999999.999 kg is 2.5e16 minor units: past the money cap, within a BIGINT.
        ("a line past the money cap", "999999999999.999"),
        # 250.00 THB × 4e10 kg is exactly the cap; its premium of 20.00 THB a kg takes the order past it.
        ("a line at the cap with its premium", "40000000000"),
    ],
)
async def test_an_order_worth_more_than_the_money_cap_cannot_be_confirmed(
    client: AsyncClient, trade: Trade, _case: str, coffee_kg: str
) -> None:
    lines = [{"product_id": str(trade.coffee.id), "quantity": coffee_kg}]
    order_id = (await place(client, trade, lines=lines)).json()["id"]

    response = await act(client, trade, order_id, "confirm", "seller")

    assert_problem(response, 422, "amount-too-large")
    order = await read(client, trade, order_id)
    assert (order["status"], order["order_value"]) == ("requested", None)


async def test_a_rate_dated_ahead_is_not_fixed_on_an_order_confirmed_today(
    client: AsyncClient, session: AsyncSession, trade: Trade
) -> None:
    admin = await create_admin(session)
    await create_rate(session, "THB", "VND", "712.345", recorded_by=admin, as_of=today() - timedelta(days=1))
    await create_rate(session, "THB", "VND", "800", recorded_by=admin, as_of=today() + timedelta(days=30))
    order_id = (await place(client, trade, currency="VND")).json()["id"]

    confirmed = await act(client, trade, order_id, "confirm", "seller")

    assert confirmed.status_code == 200, confirmed.text
    rate = confirmed.json()["exchange_rate"]
    assert (rate["rate"], rate["as_of"]) == ("712.345", (today() - timedelta(days=1)).isoformat())
    assert confirmed.json()["order_value"] == "24283841"


async def test_with_only_a_rate_dated_ahead_the_order_cannot_be_confirmed(
    client: AsyncClient, session: AsyncSession, trade: Trade
) -> None:
    admin = await create_admin(session)
    await create_rate(session, "THB", "VND", "800", recorded_by=admin, as_of=today() + timedelta(days=30))
    order_id = (await place(client, trade, currency="VND")).json()["id"]

    response = await act(client, trade, order_id, "confirm", "seller")

    assert_problem(response, 422, "no-exchange-rate")
    order = await read(client, trade, order_id)
    assert (order["status"], order["exchange_rate"], order["order_value"]) == ("requested", None, None)


async def test_without_a_stored_rate_the_order_cannot_be_confirmed(client: AsyncClient, trade: Trade) -> None:
    order_id = (await place(client, trade, currency="PHP")).json()["id"]

    response = await act(client, trade, order_id, "confirm", "seller")

    assert_problem(response, 422, "no-exchange-rate")
    order = await read(client, trade, order_id)
    assert (order["status"], order["exchange_rate"], order["order_value"]) == ("requested", None, None)


async def test_half_a_minor_unit_rounds_to_even(client: AsyncClient, session: AsyncSession, trade: Trade) -> None:
    admin = await create_admin(session)
    await create_rate(session, "THB", "VND", "0.5", recorded_by=admin)
    lines = [
        {"product_id": str(trade.coffee.id), "quantity": "20.012"},  # 5003.00 THB = 2501.5 VND
        {"product_id": str(trade.tea.id), "quantity": "20.05"},  # 3609.00 THB = 1804.5 VND
    ]
    order_id = (await place(client, trade, currency="VND", lines=lines)).json()["id"]

    order = (await act(client, trade, order_id, "confirm", "seller")).json()

    # Ties go to the even neighbour; premiums 400.24 THB = 200.12 VND and 300.75 THB = 150.375 VND.
    assert [(line["value"], line["premium"]) for line in order["lines"]] == [("2502", "200"), ("1804", "150")]
    assert (order["order_value"], order["premium"]) == ("4306", "350")
