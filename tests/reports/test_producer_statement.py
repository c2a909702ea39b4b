"""The producer group's statement: every payment it received and gave back across its agreements and the
trade orders of the organisation that sells for it, oldest first, page by page, with totals per currency."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.agreements.models import Agreement, AgreementStatus
from app.catalogue.models import TradingOrganisation, TradingOrganisationKind
from app.core.config import Settings
from app.ledger import service as ledger
from app.ledger.models import AccountKind, LedgerAccount
from app.trade.models import TradeOrder, TradeOrderStatus, TradeTerms
from tests.catalogue.builders import create_organisation
from tests.factories import auth_headers, create_user
from tests.groups.test_router import assert_problem
from tests.harvests.builders import Season, create_season, today
from tests.paging import every_page, page_and_statements
from tests.payments.test_payments import pay


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    season = await create_season(session, settings, status=AgreementStatus.agreed)
    season.agreement.advance_due_on = today() + timedelta(days=10)
    await session.flush()
    return season


def statement_url(producer_group_id: UUID) -> str:
    return f"/v1/producer-groups/{producer_group_id}/statement"


async def group_pays_producer(session: AsyncSession, agreement: Agreement, amount: int) -> None:
    own, received = [
        await ledger.account(session, agreement_id=agreement.id, kind=kind, owner_id=owner, currency="THB")
        for kind, owner in [
            (AccountKind.group_own, agreement.consumer_group_id),
            (AccountKind.producer_received, agreement.producer_group_id),
        ]
    ]
    await ledger.post(
        session, agreement_id=agreement.id, kind="group_to_producer", legs=[(own, -amount), (received, amount)]
    )


async def cancelled_with_refund(session: AsyncSession, agreement: Agreement, refund: int) -> None:
    own, received = [
        await ledger.account(session, agreement_id=agreement.id, kind=kind, owner_id=owner, currency="THB")
        for kind, owner in [
            (AccountKind.group_own, agreement.consumer_group_id),
            (AccountKind.producer_received, agreement.producer_group_id),
        ]
    ]
    await ledger.post(
        session, agreement_id=agreement.id, kind="cancellation_refund", legs=[(received, -refund), (own, refund)]
    )
    agreement.status = AgreementStatus.cancelled
    await session.flush()


async def usd_order(
    session: AsyncSession, buyer: TradingOrganisation, seller: TradingOrganisation, *, prefinance: int, value: int
) -> TradeOrder:
    """An order in USD, pre-financed and, when it has a value, settled with a premium of 50.00 on top."""
    order = TradeOrder(
        buyer_id=buyer.id,
        seller_id=seller.id,
        terms=TradeTerms.wfto,
        status=TradeOrderStatus.settled if value else TradeOrderStatus.prefinanced,
        currency="USD",
        product_currency="USD",
        prefinance_paid_minor=prefinance,
        created_by=buyer.created_by,
    )
    session.add(order)
    await session.flush()

    async def account(kind: AccountKind, owner: UUID) -> LedgerAccount:
        return await ledger.account(session, trade_order_id=order.id, kind=kind, owner_id=owner, currency="USD")

    paid = await account(AccountKind.buyer_paid, buyer.id)
    outstanding = await account(AccountKind.prefinance_outstanding, seller.id)
    await ledger.post(
        session, trade_order_id=order.id, kind="prefinance", legs=[(paid, -prefinance), (outstanding, prefinance)]
    )
    if value:
        received = await account(AccountKind.seller_received, seller.id)
        fund = await account(AccountKind.premium_fund, seller.id)
        legs = [(paid, -(value - prefinance)), (outstanding, -prefinance), (received, value)]
        await ledger.post(session, trade_order_id=order.id, kind="settlement", legs=legs)
        await ledger.post(
            session, trade_order_id=order.id, kind="fair_trade_premium", legs=[(paid, -50_00), (fund, 50_00)]
        )
    return order


@dataclass
class Received:
    season: Season
    cancelled: Agreement
    seller: TradingOrganisation
    settled: TradeOrder
    prefinanced: TradeOrder


async def received_across_agreements_and_orders(
    client: AsyncClient, session: AsyncSession, settings: Settings, season: Season
) -> Received:
    """Agreement one: the consumer group paid 1000.00 THB. Agreement two: paid 500.00 THB, then cancelled
    with 200.00 given back. The producer group's co-op sold two orders in USD: one pre-financed 300.00 and
    settled at 1000.00 with a premium of 50.00, one pre-financed 100.00 and not yet shipped. Around them,
    money that is not the group's: another producer group's agreement, and the co-op's purchases."""
    response = await pay(
        client,
        str(season.agreement.id),
        season.headers(season.consumer_coordinator),
        kind="group_to_producer",
        amount="1000.00",
    )
    assert response.status_code == 201, response.text
    second = (await create_season(session, settings, status=AgreementStatus.agreed)).agreement
    second.producer_group_id = season.producer_group.id
    await session.flush()
    await group_pays_producer(session, second, 500_00)
    await cancelled_with_refund(session, second, 200_00)
    other = (await create_season(session, settings, status=AgreementStatus.agreed)).agreement
    await group_pays_producer(session, other, 999_00)

    importer = await create_user(session)
    buyer = await create_organisation(session, owner=importer, kind=TradingOrganisationKind.importer, country="SG")
    seller = await create_organisation(
        session, owner=season.producer_coordinator, producer_group_id=season.producer_group.id
    )
    settled = await usd_order(session, buyer, seller, prefinance=300_00, value=1000_00)
    prefinanced = await usd_order(session, buyer, seller, prefinance=100_00, value=0)
    await usd_order(session, seller, buyer, prefinance=70_00, value=0)  # the co-op buying: not received
    return Received(season, second, seller, settled, prefinanced)


async def test_the_statement_shows_every_receipt_across_agreements_and_orders_with_totals_per_currency(
    client: AsyncClient, session: AsyncSession, settings: Settings, season: Season
) -> None:
    received = await received_across_agreements_and_orders(client, session, settings, season)

    pages = await every_page(client, statement_url(season.producer_group.id), season.producer, limit=3)

    entries = [entry for page in pages for entry in page["data"]]
    assert [len(page["data"]) for page in pages] == [3, 3, 2]
    assert len({entry["id"] for entry in entries}) == 8
    assert [entry["recorded_at"] for entry in entries] == sorted(entry["recorded_at"] for entry in entries)
    agreement, cancelled = str(season.agreement.id), str(received.cancelled.id)
    settled, prefinanced = str(received.settled.id), str(received.prefinanced.id)
    assert sorted(
        (
            entry["agreement_id"] or entry["trade_order_id"],
            entry["kind"],
            entry["account"],
            entry["amount"],
            entry["currency"],
        )
        for entry in entries
    ) == sorted(
        [
            (agreement, "group_to_producer", "producer_received", "1000.00", "THB"),
            (cancelled, "group_to_producer", "producer_received", "500.00", "THB"),
            (cancelled, "cancellation_refund", "producer_received", "-200.00", "THB"),
            (settled, "prefinance", "prefinance_outstanding", "300.00", "USD"),
            (settled, "settlement", "prefinance_outstanding", "-300.00", "USD"),
            (settled, "settlement", "seller_received", "1000.00", "USD"),
            (settled, "fair_trade_premium", "premium_fund", "50.00", "USD"),
            (prefinanced, "prefinance", "prefinance_outstanding", "100.00", "USD"),
        ]
    )
    assert {page["trading_organisation_id"] for page in pages} == {str(received.seller.id)}
    assert all(page["totals"] == pages[0]["totals"] for page in pages)
    assert pages[0]["totals"] == [
        {
            "currency": "THB",
            "advance_payments_received": "1500.00",
            "advance_payments_refunded": "200.00",
            "prefinance_received": "0.00",
            "prefinance_outstanding": "0.00",
            "goods_received": "0.00",
            "premium_received": "0.00",
            "net_received": "1300.00",
        },
        {
            "currency": "USD",
            "advance_payments_received": "0.00",
            "advance_payments_refunded": "0.00",
            "prefinance_received": "400.00",
            "prefinance_outstanding": "100.00",
            "goods_received": "1000.00",
            "premium_received": "50.00",
            "net_received": "1150.00",
        },
    ]


async def test_a_group_that_received_nothing_has_an_empty_statement(client: AsyncClient, season: Season) -> None:
    response = await client.get(statement_url(season.producer_group.id), headers=season.producer)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": [],
        "has_more": False,
        "next_cursor": None,
        "producer_group_id": str(season.producer_group.id),
        "trading_organisation_id": None,
        "totals": [],
    }


async def test_a_statement_page_costs_as_many_statements_for_thirty_entries_as_for_three(
    client: AsyncClient, session: AsyncSession, engine: AsyncEngine, settings: Settings, season: Season
) -> None:
    received = await received_across_agreements_and_orders(client, session, settings, season)
    url = statement_url(season.producer_group.id)
    eight, for_eight = await page_and_statements(engine, client, url, season.producer)
    for _ in range(10):
        await group_pays_producer(session, season.agreement, 10_00)
        buyer = await session.get_one(TradingOrganisation, received.settled.buyer_id)
        await usd_order(session, buyer, received.seller, prefinance=5_00, value=0)

    many, for_many = await page_and_statements(engine, client, url, season.producer)

    assert (len(eight["data"]), len(many["data"])) == (8, 28)
    assert len(for_many) == len(for_eight), for_many


async def test_only_the_producer_groups_coordinators_read_its_statement(
    client: AsyncClient, session: AsyncSession, settings: Settings, season: Season
) -> None:
    other_season = await create_season(session, settings)
    stranger = await create_user(session)
    url = statement_url(season.producer_group.id)

    farmer = await client.get(url, headers=season.headers(season.farmer))
    consumer = await client.get(url, headers=season.headers(season.consumer_coordinator))
    other_producer = await client.get(url, headers=other_season.producer)
    outsider = await client.get(url, headers=auth_headers(settings, stranger.id))
    anonymous = await client.get(url)
    unknown = await client.get(statement_url(uuid4()), headers=season.producer)

    for refused in (farmer, consumer, other_producer, outsider):
        assert_problem(refused, 403, "not-producer-coordinator")
    assert anonymous.status_code == 401
    assert_problem(unknown, 404, "producer-group-not-found")
