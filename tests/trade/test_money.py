"""Pre-finance under WFTO and Fairtrade terms, the settlement with the pre-finance recovered and the
premium apart, refunds on cancel, and Idempotency-Key retries, all through the double-entry ledger."""

import asyncio

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.ledger.models import LedgerTransaction
from app.trade.models import TradeOrder
from tests.catalogue.builders import assert_problem, create_product
from tests.factories import warm_pool
from tests.trade.builders import (
    SETTLEMENT,
    Trade,
    act,
    balances,
    count,
    create_trade,
    entry_sums,
    order_in,
    place,
    prefinance_body,
    read,
)


@pytest.fixture
async def trade(session: AsyncSession, settings: Settings) -> Trade:
    return await create_trade(session, settings)


async def confirmed_order(client: AsyncClient, trade: Trade, *, terms: str = "wfto") -> str:
    """The default order (34090.00 THB, premium 2757.50) under `terms`, confirmed at the listed prices."""
    order_id: str = (await place(client, trade, terms=terms)).json()["id"]
    assert (await act(client, trade, order_id, "confirm", "seller")).status_code == 200
    return order_id


# Requesting pre-finance


@pytest.mark.parametrize(
    ("terms", "percent", "requested", "minimum_payment"),
    [
        ("fairtrade", 60, "20454.00", "20454.00"),  # the Fairtrade ceiling: exactly what was requested
        ("fairtrade", 1, "340.90", "340.90"),
        ("wfto", 100, "34090.00", "17045.00"),  # WFTO: at least half the order value
        ("wfto", 51, "17385.90", "17045.00"),
        ("wfto", 30, "10227.00", "10227.00"),  # less than half asked: all of it
    ],
)
async def test_the_seller_requests_prefinance_within_its_terms(
    client: AsyncClient, trade: Trade, terms: str, percent: int, requested: str, minimum_payment: str
) -> None:
    order_id = await confirmed_order(client, trade, terms=terms)

    response = await act(client, trade, order_id, "request-prefinance", "seller", {"percent": percent})

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "prefinance_requested"
    assert response.json()["prefinance"] == {
        "requested_percent": percent,
        "requested": requested,
        "minimum_payment": minimum_payment,
        "paid": "0.00",
        "refunded": "0.00",
    }


@pytest.mark.parametrize(
    ("terms", "percent", "code"),
    [
        ("fairtrade", 61, "prefinance-above-ceiling"),
        ("fairtrade", 100, "prefinance-above-ceiling"),
        ("wfto", 101, "validation-failed"),
        ("wfto", 0, "validation-failed"),
        ("wfto", "50", "validation-failed"),  # a number, not a string
    ],
)
async def test_a_request_above_the_ceiling_is_refused(
    client: AsyncClient, trade: Trade, terms: str, percent: object, code: str
) -> None:
    order_id = await confirmed_order(client, trade, terms=terms)

    response = await act(client, trade, order_id, "request-prefinance", "seller", {"percent": percent})

    assert_problem(response, 422, code)
    order = await read(client, trade, order_id)
    assert (order["status"], order["prefinance"]) == ("confirmed", None)


# Paying pre-finance


@pytest.mark.parametrize(
    ("_case", "terms", "percent", "amount", "status", "code"),
    [
        ("Fairtrade: exactly the 60% requested", "fairtrade", 60, "20454.00", 200, None),
        ("Fairtrade: a unit less than requested", "fairtrade", 60, "20453.99", 422, "prefinance-below-minimum"),
        ("Fairtrade: a unit more than requested", "fairtrade", 60, "20454.01", 422, "prefinance-above-request"),
        ("WFTO: half the value of a 100% request", "wfto", 100, "17045.00", 200, None),
        ("WFTO: a unit under half the value", "wfto", 100, "17044.99", 422, "prefinance-below-minimum"),
        ("WFTO: all that was requested", "wfto", 100, "34090.00", 200, None),
        ("WFTO: between half and the request", "wfto", 80, "20000.00", 200, None),
        ("WFTO: more than requested", "wfto", 80, "27272.01", 422, "prefinance-above-request"),
        ("WFTO: a request under half is paid in full", "wfto", 30, "10227.00", 200, None),
        ("WFTO: less than a request under half", "wfto", 30, "10226.99", 422, "prefinance-below-minimum"),
    ],
)
async def test_the_buyer_pays_prefinance_as_the_terms_require(
    client: AsyncClient,
    session: AsyncSession,
    trade: Trade,
    _case: str,
    terms: str,
    percent: int,
    amount: str,
    status: int,
    code: str | None,
) -> None:
    order_id = await confirmed_order(client, trade, terms=terms)
    await act(client, trade, order_id, "request-prefinance", "seller", {"percent": percent})

    response = await act(client, trade, order_id, "prefinance", "buyer", prefinance_body(amount), key=None)

    order = await read(client, trade, order_id)
    if code is None:
        assert response.status_code == status, response.text
        assert (order["status"], order["prefinance"]["paid"]) == ("prefinanced", amount)
        [transaction] = order["transactions"]
        assert (transaction["kind"], transaction["method"], transaction["reference"]) == (
            "prefinance",
            "bank_transfer",
            "LC-2027-001",
        )
        assert [(e["account"], e["owner_id"], e["amount"]) for e in transaction["entries"]] == [
            ("buyer_paid", str(trade.buyer_org.id), f"-{amount}"),
            ("prefinance_outstanding", str(trade.seller_org.id), amount),
        ]
    else:
        assert_problem(response, status, code)
        assert (order["status"], order["prefinance"]["paid"], order["transactions"]) == (
            "prefinance_requested",
            "0.00",
            [],
        )
        assert await count(session, LedgerTransaction) == 0


@pytest.mark.parametrize(
    ("_case", "body", "status", "code"),
    [
        ("another currency", prefinance_body("17045", currency="VND"), 422, "currency-mismatch"),
        ("zero", prefinance_body("0"), 422, "invalid-amount"),
        ("more decimals than THB has", prefinance_body("17045.001"), 422, "invalid-amount"),
        ("a float", {**prefinance_body("0"), "amount": 17045.0}, 422, "validation-failed"),
        ("no method", {"amount": "17045.00", "currency": "THB"}, 422, "validation-failed"),
    ],
)
async def test_a_prefinance_payment_that_is_not_valid_is_refused(
    client: AsyncClient, session: AsyncSession, trade: Trade, _case: str, body: dict, status: int, code: str
) -> None:
    order_id = await order_in(client, trade, "prefinance_requested")

    response = await act(client, trade, order_id, "prefinance", "buyer", body, key=None)

    assert_problem(response, status, code)
    assert await count(session, LedgerTransaction) == 0


# Settlement


async def test_settlement_recovers_the_prefinance_and_pays_the_premium_apart(client: AsyncClient, trade: Trade) -> None:
    order_id = (await place(client, trade)).json()["id"]
    coffee_at_260 = {"unit_prices": [{"product_id": str(trade.coffee.id), "unit_price": "260.00"}]}
    await act(client, trade, order_id, "confirm", "seller", coffee_at_260)  # 26000.00 + 9090.00 = 35090.00
    await act(client, trade, order_id, "request-prefinance", "seller", {"percent": 80})  # 28072.00
    await act(client, trade, order_id, "prefinance", "buyer", prefinance_body("20000.00"), key=None)
    await act(client, trade, order_id, "ship", "seller")
    delivered = (await act(client, trade, order_id, "deliver", "buyer")).json()

    response = await act(client, trade, order_id, "settle", "buyer", SETTLEMENT, key=None)

    order = response.json()
    buyer, seller = str(trade.buyer_org.id), str(trade.seller_org.id)
    assert response.status_code == 200, response.text
    assert delivered["settlement"] == {**order["settlement"], "settled": False}
    assert order["settlement"] == {
        "order_value": "35090.00",
        "prefinance_recovered": "20000.00",
        "order_value_less_prefinance": "15090.00",
        "premium": "2757.50",
        "amount_due_at_settlement": "17847.50",
        "settled": True,
    }
    assert [
        (t["kind"], [(e["account"], e["owner_id"], e["amount"]) for e in t["entries"]]) for t in order["transactions"]
    ] == [
        ("prefinance", [("buyer_paid", buyer, "-20000.00"), ("prefinance_outstanding", seller, "20000.00")]),
        (
            "settlement",
            [
                ("buyer_paid", buyer, "-15090.00"),
                ("prefinance_outstanding", seller, "-20000.00"),  # the pre-finance, recovered
                ("seller_received", seller, "35090.00"),
            ],
        ),
        ("fair_trade_premium", [("buyer_paid", buyer, "-2757.50"), ("premium_fund", seller, "2757.50")]),
    ]
    assert entry_sums(order) == [0, 0, 0]
    assert balances(order) == {
        "buyer_paid": "-37847.50",
        "prefinance_outstanding": "0.00",
        "seller_received": "35090.00",
        "premium_fund": "2757.50",
    }
    assert sum(int(balance.replace(".", "")) for balance in balances(order).values()) == 0
    assert await read(client, trade, order_id, who="seller") == order


async def test_without_prefinance_the_whole_value_is_paid_at_settlement(client: AsyncClient, trade: Trade) -> None:
    order_id = await confirmed_order(client, trade)
    await act(client, trade, order_id, "ship", "seller")
    await act(client, trade, order_id, "deliver", "buyer")

    order = (await act(client, trade, order_id, "settle", "buyer", SETTLEMENT, key=None)).json()

    assert order["settlement"] == {
        "order_value": "34090.00",
        "prefinance_recovered": "0.00",
        "order_value_less_prefinance": "34090.00",
        "premium": "2757.50",
        "amount_due_at_settlement": "36847.50",
        "settled": True,
    }
    assert [[e["account"] for e in t["entries"]] for t in order["transactions"]] == [
        ["buyer_paid", "seller_received"],
        ["buyer_paid", "premium_fund"],
    ]
    assert entry_sums(order) == [0, 0]
    assert balances(order) == {"buyer_paid": "-36847.50", "seller_received": "34090.00", "premium_fund": "2757.50"}


async def test_no_premium_transaction_when_the_products_carry_no_premium(
    client: AsyncClient, session: AsyncSession, trade: Trade
) -> None:
    plain = await create_product(session, trade.seller_org, created_by=trade.seller, premium_minor=0)
    order_id = (await place(client, trade, lines=[{"product_id": str(plain.id), "quantity": "20"}])).json()["id"]
    for transition, who in (("confirm", "seller"), ("ship", "seller"), ("deliver", "buyer")):
        await act(client, trade, order_id, transition, who)

    order = (await act(client, trade, order_id, "settle", "buyer", SETTLEMENT, key=None)).json()

    assert [t["kind"] for t in order["transactions"]] == ["settlement"]
    assert order["settlement"]["premium"] == "0.00"


# Cancel and refund


async def test_cancelling_after_prefinance_refunds_it_through_the_ledger(
    client: AsyncClient, session: AsyncSession, trade: Trade
) -> None:
    order_id = await order_in(client, trade, "prefinanced")  # 17045.00 paid

    without_key = await act(client, trade, order_id, "cancel", "seller")
    cancelled = await act(client, trade, order_id, "cancel", "seller", {"note": "Frost"}, key="cancel-1")
    retry = await act(client, trade, order_id, "cancel", "seller", {"note": "Frost"}, key="cancel-1")

    assert_problem(without_key, 400, "idempotency-key-missing")
    order = cancelled.json()
    assert cancelled.status_code == 200, cancelled.text
    assert retry.json() == order
    assert order["status"] == "cancelled"
    assert order["prefinance"]["paid"] == order["prefinance"]["refunded"] == "17045.00"
    assert order["settlement"] is None
    assert [(t["kind"], [(e["account"], e["amount"]) for e in t["entries"]]) for t in order["transactions"]] == [
        ("prefinance", [("buyer_paid", "-17045.00"), ("prefinance_outstanding", "17045.00")]),
        ("prefinance_refund", [("prefinance_outstanding", "-17045.00"), ("buyer_paid", "17045.00")]),
    ]
    assert entry_sums(order) == [0, 0]
    assert balances(order) == {"buyer_paid": "0.00", "prefinance_outstanding": "0.00"}
    assert await count(session, LedgerTransaction) == 2


async def test_no_cancel_after_shipment(client: AsyncClient, session: AsyncSession, trade: Trade) -> None:
    order_id = await order_in(client, trade, "shipped")

    response = await act(client, trade, order_id, "cancel", "buyer", key=None)

    assert_problem(response, 409, "illegal-transition")
    assert response.json()["current_status"] == "shipped"
    assert await count(session, LedgerTransaction) == 1  # the pre-finance, kept


# Idempotency-Key


@pytest.mark.parametrize(
    ("transition", "status", "body"),
    [("prefinance", "prefinance_requested", prefinance_body("17045.00")), ("settle", "delivered", SETTLEMENT)],
)
async def test_money_moving_transitions_need_a_key_and_replay_a_retry(
    client: AsyncClient, session: AsyncSession, trade: Trade, transition: str, status: str, body: dict
) -> None:
    order_id = await order_in(client, trade, status)
    before = await count(session, LedgerTransaction)

    without_key = await act(client, trade, order_id, transition, "buyer", body)
    first = await act(client, trade, order_id, transition, "buyer", body, key="pay-1")
    retry = await act(client, trade, order_id, transition, "buyer", body, key="pay-1")
    other_body = await act(client, trade, order_id, transition, "buyer", {**body, "reference": "other"}, key="pay-1")

    assert_problem(without_key, 400, "idempotency-key-missing")
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert_problem(other_body, 422, "idempotency-key-reused")
    # Each transaction of the order once: the retry and the refused reuse recorded nothing.
    assert await count(session, LedgerTransaction) == len(first.json()["transactions"]) > before


async def test_a_key_belongs_to_its_order_and_transition(client: AsyncClient, trade: Trade) -> None:
    first_order = await order_in(client, trade, "prefinance_requested")
    second_order = await order_in(client, trade, "prefinance_requested")
    body = prefinance_body("17045.00")

    first = await act(client, trade, first_order, "prefinance", "buyer", body, key="same-key")
    second = await act(client, trade, second_order, "prefinance", "buyer", body, key="same-key")

    assert (first.status_code, second.status_code) == (200, 200)
    assert "idempotent-replayed" not in second.headers
    assert second.json()["id"] == second_order
    assert first.json()["transactions"][0]["id"] != second.json()["transactions"][0]["id"]


@pytest.mark.parametrize(
    ("transition", "status", "body"),
    [
        ("prefinance", "prefinance_requested", prefinance_body("17045.00")),
        ("settle", "delivered", SETTLEMENT),
        ("cancel", "prefinanced", None),
    ],
)
async def test_concurrent_retries_move_the_money_once(
    committing_client: AsyncClient,
    committing_session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    transition: str,
    status: str,
    body: dict | None,
) -> None:
    async with committing_session_factory.begin() as session:
        trade = await create_trade(session, settings)
    order_id = await order_in(committing_client, trade, status)
    await warm_pool(committing_client, 10)
    responses = await asyncio.gather(
        *[act(committing_client, trade, order_id, transition, "buyer", body, key="same-retry") for _ in range(6)]
    )

    assert [r.status_code for r in responses] == [200] * 6, [r.text for r in responses]
    assert len({r.json()["transactions"][-1]["id"] for r in responses}) == 1
    async with committing_session_factory() as session:
        kinds = (await session.scalars(select(LedgerTransaction.kind).order_by(LedgerTransaction.created_at))).all()
        assert len(kinds) == len(responses[0].json()["transactions"])
        assert len(set(kinds)) == len(kinds)  # no kind twice: nothing recorded again


async def test_concurrent_retries_place_the_order_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        trade = await create_trade(session, settings)
    await warm_pool(committing_client, 10)
    responses = await asyncio.gather(*[place(committing_client, trade, key="same-order") for _ in range(6)])

    assert [r.status_code for r in responses] == [201] * 6
    assert len({r.json()["id"] for r in responses}) == 1
    async with committing_session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(TradeOrder)) == 1
