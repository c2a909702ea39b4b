"""A cancellation's carrying approval racing another approval, a payment or a harvest, with real commits on
separate connections: it is carried once, refunds exactly once, and never refunds more than was paid."""

import asyncio
from uuid import UUID

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agreements.models import Agreement, AgreementStatus
from app.core.config import Settings
from app.harvests.models import Harvest
from tests.cancellations.builders import (
    Parties,
    approve,
    balances,
    create_parties,
    pay,
    proposed,
    refund_transactions,
)
from tests.factories import warm_pool


async def open_for_one_last_approval(client: AsyncClient, parties: Parties, refund: str) -> str:
    """Proposed by the first consumer coordinator and approved by the producers: one more consumer approval
    carries it."""
    cancellation_id = await proposed(client, parties, parties.consumers[0], refund)
    for producer in parties.producers:
        assert (await approve(client, parties, cancellation_id, producer)).status_code == 200
    return cancellation_id


async def stored_status(session_factory: async_sessionmaker[AsyncSession], agreement_id: UUID) -> AgreementStatus:
    async with session_factory() as session:
        return (await session.scalars(select(Agreement.status).where(Agreement.id == agreement_id))).one()


async def test_two_last_approvals_at_once_carry_it_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        parties = await create_parties(session, settings, consumer_coordinators=3)
    for index in range(2):
        assert (await pay(committing_client, parties, "1365.00", parties.household(index))).status_code == 201
    cancellation_id = await open_for_one_last_approval(committing_client, parties, "0")

    await warm_pool(committing_client, 4)
    responses = await asyncio.gather(
        *[approve(committing_client, parties, cancellation_id, user) for user in parties.consumers[1:]]
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    [done] = [r for r in responses if r.status_code == 200]
    [late] = [r for r in responses if r.status_code == 409]
    assert done.json()["status"] == "carried"
    assert late.json()["code"] == "cancellation-not-open"
    async with committing_session_factory() as session:
        assert await refund_transactions(session, parties.agreement_id) == 1
        money = await balances(session, parties.agreement_id)
    assert sum(money.values()) == 0
    assert all(balance == 0 for balance in money.values())  # all 2730.00 the fund held went back


async def test_the_carrying_approval_racing_a_payment_refunds_it_or_refuses_it(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        parties = await create_parties(session, settings)
    araya, boonmee = parties.household(0), parties.household(1)
    assert (await pay(committing_client, parties, "1365.00", araya)).status_code == 201
    assert (await pay(committing_client, parties, "500.00", boonmee)).status_code == 201
    assert (await pay(committing_client, parties, "1000.00")).status_code == 201
    cancellation_id = await open_for_one_last_approval(committing_client, parties, "400.00")

    await warm_pool(committing_client, 4)
    carrying, payment = await asyncio.gather(
        approve(committing_client, parties, cancellation_id, parties.consumers[1]),
        pay(committing_client, parties, "865.00", boonmee),
    )

    assert carrying.status_code == 200, carrying.text
    assert carrying.json()["status"] == "carried"
    assert payment.status_code in (201, 409), payment.text
    if payment.status_code == 409:
        assert payment.json()["code"] == "agreement-not-payable"
    async with committing_session_factory() as session:
        money = await balances(session, parties.agreement_id)
    paid_in = {"araya": 136_500, "boonmee": 50_000 + (86_500 if payment.status_code == 201 else 0)}
    refunds = {r["household_id"]: int(r["amount"].replace(".", "")) for r in carrying.json()["refunds"]}
    assert sum(money.values()) == 0
    assert money[("group_fund", parties.season.consumer_group.id)] == 0
    assert money[("producer_received", parties.season.producer_group.id)] == 100_000 - 40_000
    # Every unit the fund held went back with the refund, and no payer got back more than it paid.
    assert sum(refunds.values()) == sum(paid_in.values()) - 100_000 + 40_000
    for household, paid in ((araya, paid_in["araya"]), (boonmee, paid_in["boonmee"])):
        balance = money[("household_paid", household.id)]
        assert -paid <= balance <= 0
        assert balance == -paid + refunds[str(household.id)]


async def test_the_carrying_approval_racing_a_harvest_checks_the_bound_again(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        parties = await create_parties(session, settings)
    for index in range(3):
        assert (await pay(committing_client, parties, "1365.00", parties.household(index))).status_code == 201
    assert (await pay(committing_client, parties, "4550.00")).json()["agreement_status"] == "active"
    # The whole 4550.00 back, as nothing is delivered yet; a harvest of 40 kg lowers the bound to 2730.00.
    cancellation_id = await open_for_one_last_approval(committing_client, parties, "4550.00")
    season = parties.season

    await warm_pool(committing_client, 4)
    carrying, harvest = await asyncio.gather(
        approve(committing_client, parties, cancellation_id, parties.consumers[1]),
        committing_client.post(f"{parties.url}/harvests", json=season.harvest("40.000"), headers=season.producer),
    )

    outcome = (carrying.status_code, harvest.status_code)
    assert outcome in ((200, 409), (409, 201)), (carrying.text, harvest.text)
    async with committing_session_factory() as session:
        harvests = (await session.scalars(select(Harvest.id).where(Harvest.agreement_id == parties.agreement_id))).all()
        refunds = await refund_transactions(session, parties.agreement_id)
        money = await balances(session, parties.agreement_id)
    if outcome == (200, 409):
        assert harvest.json()["code"] == "agreement-not-active"
        assert (len(harvests), refunds) == (0, 1)
        assert await stored_status(committing_session_factory, parties.agreement_id) == AgreementStatus.cancelled
    else:
        assert carrying.json()["code"] == "cancellation-no-longer-applies"
        assert (len(harvests), refunds) == (1, 0)
        assert await stored_status(committing_session_factory, parties.agreement_id) == AgreementStatus.active
    assert sum(money.values()) == 0
