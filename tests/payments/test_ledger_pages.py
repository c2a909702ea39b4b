"""The agreement ledger and the household statement, page by page: each row once, in order, in a number
of statements that does not grow with the page; totals and balances stay beside the page and cover it all."""

from datetime import datetime
from typing import TypeVar

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.agreements.models import Agreement, Subscription
from app.core.config import Settings
from app.groups.models import Household
from app.ledger import service as ledger
from app.ledger.models import AccountKind, LedgerAccount, LedgerTransaction
from tests.agreements.builders import Partnership, create_partnership
from tests.agreements.test_subscription_pages import create_agreed_agreement
from tests.agreements.test_subscriptions import member_households
from tests.factories import auth_headers, coordinator_ids, create_group, first_member
from tests.groups.test_router import assert_problem
from tests.paging import FORGED_CURSORS, every_page, moments, page_and_statements

PAYMENT_MINOR = 100_00  # 100.00 THB


@pytest.fixture
async def partnership(session: AsyncSession, settings: Settings) -> Partnership:
    return await create_partnership(session, settings)


@pytest.fixture
async def household(session: AsyncSession, partnership: Partnership) -> Household:
    # From the end of the list: the first households' users coordinate (see create_group).
    return (await member_households(session, partnership))[-1]


@pytest.fixture
async def household_headers(session: AsyncSession, settings: Settings, household: Household) -> dict[str, str]:
    return auth_headers(settings, (await first_member(session, household)).id)


async def record_payments(
    session: AsyncSession, agreement: Agreement, household: Household, at: list[datetime]
) -> list[LedgerTransaction]:
    """The household pays its group 100.00 at each of the given times."""
    paid, fund = [
        await ledger.account(
            session, agreement_id=agreement.id, kind=kind, owner_id=owner_id, currency=agreement.currency
        )
        for kind, owner_id in [
            (AccountKind.household_paid, household.id),
            (AccountKind.group_fund, agreement.consumer_group_id),
        ]
    ]
    transactions = []
    for recorded_at in at:
        transaction = await ledger.post(
            session,
            agreement_id=agreement.id,
            kind="household_to_group",
            legs=[(paid, -PAYMENT_MINOR), (fund, PAYMENT_MINOR)],
            method="cash",
        )
        transaction.created_at = recorded_at
        transactions.append(transaction)
    await session.flush()
    return transactions


async def subscribe_and_pay(
    session: AsyncSession, partnership: Partnership, household: Household, at: list[datetime]
) -> list[Subscription]:
    """For each time, an agreement the household took one share of then, and paid 100.00 for."""
    subscriptions = []
    for subscribed_at in at:
        agreement = await create_agreed_agreement(session, partnership)
        subscription = Subscription(
            agreement_id=agreement.id,
            household_id=household.id,
            shares=1,
            first_share=0,
            amount_due_minor=1_000_00,
            created_at=subscribed_at,
        )
        session.add(subscription)
        agreement.subscribed_shares = 1
        await record_payments(session, agreement, household, [subscribed_at])
        subscriptions.append(subscription)
    return subscriptions


Row = TypeVar("Row", LedgerTransaction, Subscription)


def in_list_order(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (row.created_at, row.id))


def ledger_url(agreement: Agreement) -> str:
    return f"/v1/agreements/{agreement.id}/ledger"


def statement_url(household: Household) -> str:
    return f"/v1/households/{household.id}/statement"


# The agreement ledger


async def test_the_ledger_comes_page_by_page_each_transaction_once_in_the_order_recorded(
    client: AsyncClient, session: AsyncSession, partnership: Partnership, household: Household
) -> None:
    agreement = await create_agreed_agreement(session, partnership)
    transactions = await record_payments(session, agreement, household, moments(5))

    pages = await every_page(client, ledger_url(agreement), partnership.producer, limit=2)

    assert [len(page["data"]) for page in pages] == [2, 2, 1]
    assert [row["id"] for page in pages for row in page["data"]] == [str(t.id) for t in in_list_order(transactions)]
    assert {len(row["entries"]) for page in pages for row in page["data"]} == {2}


async def test_every_ledger_page_carries_the_totals_and_balances_of_all_transactions(
    client: AsyncClient, session: AsyncSession, partnership: Partnership, household: Household
) -> None:
    agreement = await create_agreed_agreement(session, partnership)
    await record_payments(session, agreement, household, moments(5))

    pages = await every_page(client, ledger_url(agreement), partnership.first, limit=2)

    totals = [(page["collected_from_households"], page["received_by_producer"], page["accounts"]) for page in pages]
    assert totals == [totals[0]] * 3
    assert totals[0][:2] == ("500.00", "0.00")
    assert sorted((account["account"], account["balance"]) for account in totals[0][2]) == [
        ("group_fund", "500.00"),
        ("household_paid", "-500.00"),
    ]


async def test_a_ledger_page_costs_as_many_statements_for_thirty_transactions_as_for_three(
    client: AsyncClient, session: AsyncSession, engine: AsyncEngine, partnership: Partnership, household: Household
) -> None:
    agreement = await create_agreed_agreement(session, partnership)
    await record_payments(session, agreement, household, moments(3))
    three, for_three = await page_and_statements(engine, client, ledger_url(agreement), partnership.first)
    await record_payments(session, agreement, household, moments(27))

    thirty, for_thirty = await page_and_statements(engine, client, ledger_url(agreement), partnership.first)

    assert (len(three["data"]), len(thirty["data"])) == (3, 30)
    assert len(for_thirty) == len(for_three), for_thirty


async def test_another_groups_coordinator_sees_no_ledger_even_with_a_cursor(
    client: AsyncClient, session: AsyncSession, partnership: Partnership, household: Household
) -> None:
    agreement = await create_agreed_agreement(session, partnership)
    await record_payments(session, agreement, household, moments(3))
    [other_coordinator_id] = await coordinator_ids(session, await create_group(session))
    outsider = auth_headers(partnership.settings, other_coordinator_id)
    first = await client.get(ledger_url(agreement), params={"limit": 1}, headers=partnership.first)

    refused = await client.get(ledger_url(agreement), headers=outsider)
    later = await client.get(ledger_url(agreement), params={"cursor": first.json()["next_cursor"]}, headers=outsider)

    assert first.status_code == 200
    assert_problem(refused, 404, "agreement-not-found")
    assert_problem(later, 404, "agreement-not-found")


# The household statement


async def test_the_statement_comes_page_by_page_each_agreement_once_in_the_order_subscribed(
    client: AsyncClient,
    session: AsyncSession,
    partnership: Partnership,
    household: Household,
    household_headers: dict[str, str],
) -> None:
    subscriptions = await subscribe_and_pay(session, partnership, household, moments(5))

    pages = await every_page(client, statement_url(household), household_headers, limit=2)

    lines = [line for page in pages for line in page["data"]]
    assert [len(page["data"]) for page in pages] == [2, 2, 1]
    assert {page["household_id"] for page in pages} == {str(household.id)}
    assert [line["agreement_id"] for line in lines] == [str(s.agreement_id) for s in in_list_order(subscriptions)]
    assert {(line["amount_due"], line["paid"], line["outstanding"]) for line in lines} == {
        ("1000.00", "100.00", "900.00")
    }
    assert {len(line["transactions"]) for line in lines} == {1}


async def test_a_statement_page_costs_as_many_statements_for_thirty_agreements_as_for_three(
    client: AsyncClient,
    session: AsyncSession,
    engine: AsyncEngine,
    partnership: Partnership,
    household: Household,
    household_headers: dict[str, str],
) -> None:
    await subscribe_and_pay(session, partnership, household, moments(3))
    three, for_three = await page_and_statements(engine, client, statement_url(household), household_headers)
    await subscribe_and_pay(session, partnership, household, moments(27))

    thirty, for_thirty = await page_and_statements(engine, client, statement_url(household), household_headers)

    assert (len(three["data"]), len(thirty["data"])) == (3, 30)
    assert len(for_thirty) == len(for_three), for_thirty


async def test_an_agreement_not_yet_paid_shows_nothing_paid_and_reading_records_nothing(
    client: AsyncClient,
    session: AsyncSession,
    partnership: Partnership,
    household: Household,
    household_headers: dict[str, str],
) -> None:
    agreement = await create_agreed_agreement(session, partnership)
    session.add(
        Subscription(agreement_id=agreement.id, household_id=household.id, shares=2, first_share=0, amount_due_minor=5)
    )
    agreement.subscribed_shares = 2
    await session.flush()
    accounts_before = await session.scalar(select(func.count()).select_from(LedgerAccount))

    response = await client.get(statement_url(household), headers=household_headers)

    [line] = response.json()["data"]
    assert (line["shares"], line["amount_due"], line["paid"], line["transactions"]) == (2, "0.05", "0.00", [])
    assert await session.scalar(select(func.count()).select_from(LedgerAccount)) == accounts_before


async def test_the_households_group_coordinator_sees_no_statement_even_with_a_cursor(
    client: AsyncClient,
    session: AsyncSession,
    partnership: Partnership,
    household: Household,
    household_headers: dict[str, str],
) -> None:
    await subscribe_and_pay(session, partnership, household, moments(3))
    first = await client.get(statement_url(household), params={"limit": 1}, headers=household_headers)

    refused = await client.get(statement_url(household), headers=partnership.first)
    later = await client.get(
        statement_url(household), params={"cursor": first.json()["next_cursor"]}, headers=partnership.first
    )

    assert first.status_code == 200
    assert_problem(refused, 404, "household-not-found")
    assert_problem(later, 404, "household-not-found")


# Both


@pytest.mark.parametrize("which", ["ledger", "statement"])
async def test_a_page_of_more_than_100_is_refused(
    client: AsyncClient,
    session: AsyncSession,
    partnership: Partnership,
    household: Household,
    household_headers: dict[str, str],
    which: str,
) -> None:
    agreement = await create_agreed_agreement(session, partnership)
    url, headers = (
        (ledger_url(agreement), partnership.first)
        if which == "ledger"
        else (statement_url(household), household_headers)
    )

    response = await client.get(url, params={"limit": 101}, headers=headers)

    assert_problem(response, 422, "validation-failed")


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
@pytest.mark.parametrize("which", ["ledger", "statement"])
async def test_a_forged_cursor_is_refused(
    client: AsyncClient,
    session: AsyncSession,
    partnership: Partnership,
    household: Household,
    household_headers: dict[str, str],
    which: str,
    cursor: str,
) -> None:
    agreement = await create_agreed_agreement(session, partnership)
    url, headers = (
        (ledger_url(agreement), partnership.first)
        if which == "ledger"
        else (statement_url(household), household_headers)
    )

    response = await client.get(url, params={"cursor": cursor}, headers=headers)

    assert_problem(response, 422, "invalid-cursor")
