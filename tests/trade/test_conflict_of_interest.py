"""No one sits on both sides of a trade order: an owner or member of the buyer never acts for the seller,
nor the other way round; and two organisations that share a member place no order with each other."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.catalogue.models import MemberRole, TradingOrganisation, TradingOrganisationMember
from app.core.config import Settings
from app.ledger.models import LedgerTransaction
from app.trade.models import TradeOrder
from tests.catalogue.builders import assert_problem
from tests.factories import auth_headers, create_user
from tests.trade.builders import (
    SETTLEMENT,
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


async def join(session: AsyncSession, organisation: TradingOrganisation, user: User) -> None:
    session.add(
        TradingOrganisationMember(
            trading_organisation_id=organisation.id, user_id=user.id, role=MemberRole.member, added_by=user.id
        )
    )
    await session.flush()


# Each transition, the status it is made from, the party that makes it, and a valid body.
TRANSITIONS: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("confirm", "requested", "seller", None),
    ("request-prefinance", "confirmed", "seller", {"percent": 50}),
    ("prefinance", "prefinance_requested", "buyer", prefinance_body("17045.00")),
    ("ship", "confirmed", "seller", None),
    ("deliver", "shipped", "buyer", None),
    ("settle", "delivered", "buyer", SETTLEMENT),
    ("cancel", "requested", "buyer", None),
    ("cancel", "requested", "seller", None),
]


@pytest.mark.parametrize(("transition", "status", "who", "body"), TRANSITIONS)
async def test_a_member_of_both_organisations_makes_no_transition(
    client: AsyncClient,
    session: AsyncSession,
    trade: Trade,
    transition: str,
    status: str,
    who: str,
    body: dict[str, Any] | None,
) -> None:
    order_id = await order_in(client, trade, status)
    other = trade.buyer_org if who == "seller" else trade.seller_org
    await join(session, other, getattr(trade, who))
    before = await read(client, trade, order_id)
    transactions = await count(session, LedgerTransaction)

    refused = await act(client, trade, order_id, transition, who, body, key=None)

    assert_problem(refused, 409, "conflict-of-interest")
    if transition == "cancel":
        # Open to both parties: a caller on both sides is refused whichever party it would act for.
        assert refused.json()["acting_for"] in ("buyer", "seller")
    else:
        assert other.name in refused.json()["detail"]
        assert refused.json()["acting_for"] == who
    after = await read(client, trade, order_id)
    assert (after["status"], len(after["history"])) == (status, len(before["history"]))
    assert await count(session, LedgerTransaction) == transactions


async def test_an_ordinary_member_still_acts_beside_one_on_both_sides(
    client: AsyncClient, session: AsyncSession, trade: Trade
) -> None:
    order_id = await order_in(client, trade, "requested")
    await join(session, trade.buyer_org, trade.seller)
    colleague = await create_user(session, display_name="Nok (co-op)")
    await join(session, trade.seller_org, colleague)

    refused = await act(client, trade, order_id, "confirm", "seller")
    confirmed = await client.post(
        f"/v1/trade-orders/{order_id}/confirm", json=None, headers=auth_headers(trade.settings, colleague.id)
    )

    assert_problem(refused, 409, "conflict-of-interest")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"


async def test_a_member_of_both_organisations_places_no_order(
    client: AsyncClient, session: AsyncSession, trade: Trade
) -> None:
    await join(session, trade.seller_org, trade.buyer)

    refused = await place(client, trade)

    assert_problem(refused, 409, "conflict-of-interest")
    assert trade.seller_org.name in refused.json()["detail"]
    assert await count(session, TradeOrder) == 0


async def test_organisations_that_share_a_member_trade_no_order(
    client: AsyncClient, session: AsyncSession, trade: Trade
) -> None:
    shared = await create_user(session, display_name="Mali (both)")
    await join(session, trade.buyer_org, shared)
    await join(session, trade.seller_org, shared)

    refused = await place(client, trade)

    assert_problem(refused, 409, "conflict-of-interest")
    assert "Mali (both)" in refused.json()["detail"]
    assert await count(session, TradeOrder) == 0


async def test_ordinary_members_still_place_an_order(client: AsyncClient, session: AsyncSession, trade: Trade) -> None:
    placed = await place(client, trade)

    assert placed.status_code == 201, placed.text
    assert await count(session, TradeOrder) == 1
