"""Household credit at its group: kept from an overpayment at a coordinator's choice, from a refund, from a
settlement of shares handed on, or paid in; spent on dues; paid out. Always a ledger balance."""

import asyncio
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agreements.models import Agreement
from app.core.config import Settings
from app.groups.models import Household
from app.ledger.models import LedgerEntry, LedgerTransaction
from app.payments.service import lapse_overdue
from tests.agreements.builders import Partnership, agree, create_partnership, today
from tests.agreements.test_subscriptions import member_households
from tests.factories import auth_headers, create_household, create_user, first_member, warm_pool
from tests.groups.test_router import assert_problem
from tests.payments.test_payments import household_headers, pay, subscribed, transaction_count


@pytest.fixture
async def partnership(session: AsyncSession, settings: Settings) -> Partnership:
    return await create_partnership(session, settings)


def credit_url(partnership: Partnership, household: Household | UUID, action: str = "") -> str:
    household_id = household if isinstance(household, UUID) else household.id
    url = f"/v1/consumer-groups/{partnership.consumer_group.id}/households/{household_id}/credit"
    return f"{url}/{action}" if action else url


async def move(
    client: AsyncClient, url: str, headers: dict[str, str], key: str | None = None, **body: object
) -> Response:
    return await client.post(url, json=body, headers={**headers, "Idempotency-Key": key or str(uuid4())})


async def credit(client: AsyncClient, partnership: Partnership, household: Household) -> dict[str, str]:
    response = await client.get(credit_url(partnership, household), headers=partnership.first)
    assert response.status_code == 200, response.text
    return {balance["currency"]: balance["credit"] for balance in response.json()["balances"]}


async def ledger_sums_to_zero(session: AsyncSession) -> None:
    per_transaction = select(LedgerEntry.transaction_id, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
    unbalanced = [
        row
        for row in await session.execute(per_transaction.group_by(LedgerEntry.transaction_id, LedgerEntry.currency))
        if row[2] != 0
    ]
    assert unbalanced == []


async def test_a_coordinator_keeps_an_overpayment_as_the_households_credit(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)  # 6150.00 THB a share
    (household,) = await subscribed(client, session, partnership, agreement["id"], [1])

    refused = await pay(
        client,
        agreement["id"],
        partnership.first,
        kind="household_to_group",
        household_id=str(household.id),
        amount="6200.00",
    )
    by_member = await pay(
        client,
        agreement["id"],
        await household_headers(session, partnership.settings, household),
        kind="household_to_group",
        household_id=str(household.id),
        amount="6200.00",
        excess="credit",
    )
    kept = await pay(
        client,
        agreement["id"],
        partnership.first,
        kind="household_to_group",
        household_id=str(household.id),
        amount="6200.00",
        excess="credit",
    )

    assert_problem(refused, 409, "overpayment")
    assert_problem(by_member, 403, "not-coordinator")
    assert kept.status_code == 201, kept.text
    assert kept.json()["credited"] == "50.00"
    assert [entry["amount"] for entry in kept.json()["transaction"]["entries"]] == ["-6150.00", "6150.00"]
    assert kept.json()["credit_transaction"]["kind"] == "credit_overpayment"
    assert await credit(client, partnership, household) == {"THB": "50.00"}
    member = await household_headers(session, partnership.settings, household)
    statement = (await client.get(f"/v1/households/{household.id}/statement", headers=member)).json()
    assert statement["data"][0]["outstanding"] == "0.00"
    await ledger_sums_to_zero(session)


async def test_nothing_owed_is_refused_even_as_credit_and_a_deposit_records_it(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)
    (household,) = await subscribed(client, session, partnership, agreement["id"], [1])
    payment = {"kind": "household_to_group", "household_id": str(household.id), "excess": "credit"}
    await pay(client, agreement["id"], partnership.first, amount="6150.00", **payment)

    again = await pay(client, agreement["id"], partnership.first, amount="10.00", **payment)
    deposited = await move(
        client,
        credit_url(partnership, household, "deposits"),
        partnership.first,
        amount="10.00",
        currency="THB",
        method="bank_transfer",
        reference="TK duplicate",
    )

    assert_problem(again, 409, "overpayment")
    assert deposited.status_code == 201, deposited.text
    assert deposited.headers["location"] == credit_url(partnership, household)
    assert (deposited.json()["amount"], deposited.json()["credit"]) == ("10.00", "10.00")
    assert deposited.json()["transaction"]["kind"] == "credit_deposit"
    assert deposited.json()["counterpart"] is None


async def test_credit_pays_the_next_dues_and_shows_on_the_agreements_ledger(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)
    (household,) = await subscribed(client, session, partnership, agreement["id"], [1])
    member = await household_headers(session, partnership.settings, household)
    await move(
        client,
        credit_url(partnership, household, "deposits"),
        partnership.first,
        amount="7000.00",
        currency="THB",
        method="cash",
    )

    applied = await move(
        client, credit_url(partnership, household, "applications"), member, agreement_id=agreement["id"]
    )
    nothing_left = await move(
        client, credit_url(partnership, household, "applications"), member, agreement_id=agreement["id"]
    )

    assert applied.status_code == 201, applied.text
    assert (applied.json()["amount"], applied.json()["credit"]) == ("-6150.00", "850.00")
    assert applied.json()["counterpart"]["kind"] == "credit_applied"
    assert_problem(nothing_left, 409, "nothing-to-apply")
    ledger = (await client.get(f"/v1/agreements/{agreement['id']}/ledger", headers=partnership.first)).json()
    assert ledger["collected_from_households"] == "6150.00"
    statement = (await client.get(f"/v1/households/{household.id}/statement", headers=member)).json()
    assert (statement["data"][0]["paid"], statement["data"][0]["outstanding"]) == ("6150.00", "0.00")
    await ledger_sums_to_zero(session)


async def test_applying_more_than_the_credit_or_the_dues_is_refused(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)
    (household,) = await subscribed(client, session, partnership, agreement["id"], [1])
    await move(
        client,
        credit_url(partnership, household, "deposits"),
        partnership.first,
        amount="9000.00",
        currency="THB",
        method="cash",
    )
    url = credit_url(partnership, household, "applications")

    too_much_credit = await move(client, url, partnership.first, agreement_id=agreement["id"], amount="9000.01")
    beyond_dues = await move(client, url, partnership.first, agreement_id=agreement["id"], amount="7000.00")

    assert_problem(too_much_credit, 409, "insufficient-credit")
    assert too_much_credit.json()["credit"] == "9000.00"
    assert_problem(beyond_dues, 409, "overpayment")
    assert await credit(client, partnership, household) == {"THB": "9000.00"}


async def test_credit_is_paid_out_by_the_households_own_hand_and_never_below_zero(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    (household,) = await subscribed(
        client, session, partnership, (await agree(client, partnership, shares=3))["id"], [1]
    )
    member = await household_headers(session, partnership.settings, household)
    await move(
        client,
        credit_url(partnership, household, "deposits"),
        partnership.first,
        amount="300.00",
        currency="THB",
        method="cash",
    )
    body = {"currency": "THB", "method": "cash"}

    by_coordinator = await move(
        client, credit_url(partnership, household, "payouts"), partnership.first, amount="100.00", **body
    )
    too_much = await move(client, credit_url(partnership, household, "payouts"), member, amount="300.01", **body)
    paid_out = await move(client, credit_url(partnership, household, "payouts"), member, amount="300.00", **body)

    assert_problem(by_coordinator, 403, "households-own-credit")
    assert_problem(too_much, 409, "insufficient-credit")
    assert paid_out.status_code == 201, paid_out.text
    assert (paid_out.json()["amount"], paid_out.json()["credit"]) == ("-300.00", "0.00")
    history = (await client.get(credit_url(partnership, household), headers=member)).json()
    assert [transaction["kind"] for transaction in history["data"]] == ["credit_deposit", "credit_payout"]


async def test_a_retried_movement_moves_nothing_twice(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    (household,) = await subscribed(
        client, session, partnership, (await agree(client, partnership, shares=3))["id"], [1]
    )
    body = {"amount": "250.00", "currency": "THB", "method": "cash"}
    url = credit_url(partnership, household, "deposits")

    first = await move(client, url, partnership.first, key="deposit-1", **body)
    retried = await move(client, url, partnership.first, key="deposit-1", **body)
    changed = await move(client, url, partnership.first, key="deposit-1", **{**body, "amount": "1.00"})

    assert (first.status_code, retried.status_code) == (201, 201)
    assert retried.json() == first.json()
    assert retried.headers["location"] == credit_url(partnership, household)
    assert_problem(changed, 422, "idempotency-key-reused")
    assert await credit(client, partnership, household) == {"THB": "250.00"}


async def test_a_lapsed_agreements_refund_may_stay_as_credit_once(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)
    first, second = await subscribed(client, session, partnership, agreement["id"], [1, 1])
    for household in (first, second):
        await pay(
            client,
            agreement["id"],
            partnership.first,
            kind="household_to_group",
            household_id=str(household.id),
            amount="6150.00",
        )
    await session.execute(
        update(Agreement)
        .where(Agreement.id == UUID(agreement["id"]))
        .values(advance_due_on=today() - timedelta(days=1))
    )
    await lapse_overdue(session, today=today())
    refund = await session.scalar(select(LedgerTransaction).where(LedgerTransaction.kind == "lapse_refund"))
    assert refund is not None
    member = await household_headers(session, partnership.settings, first)
    url = credit_url(partnership, first, "kept-refunds")

    by_coordinator = await move(client, url, partnership.first, transaction_id=str(refund.id))
    part = await move(client, url, member, transaction_id=str(refund.id), amount="150.00")
    rest = await move(client, url, member, transaction_id=str(refund.id))
    more = await move(client, url, member, transaction_id=str(refund.id), amount="0.01")
    not_a_refund = await move(client, url, member, transaction_id=str(uuid4()))
    by_other_household = await move(
        client, url, await household_headers(session, partnership.settings, second), transaction_id=str(refund.id)
    )

    assert_problem(by_coordinator, 403, "households-own-credit")
    assert part.status_code == 201, part.text
    assert (part.json()["amount"], rest.json()["amount"], rest.json()["credit"]) == ("150.00", "6000.00", "6150.00")
    assert rest.json()["counterpart"]["id"] == str(refund.id)
    assert_problem(more, 409, "refund-not-that-large")
    assert more.json()["available"] == "0.00"
    assert_problem(not_a_refund, 404, "refund-not-found")
    assert_problem(by_other_household, 404, "household-not-found")


async def test_shares_handed_on_are_settled_through_the_group_as_credit(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)
    (former,) = await subscribed(client, session, partnership, agreement["id"], [1])
    await pay(
        client,
        agreement["id"],
        partnership.first,
        kind="household_to_group",
        household_id=str(former.id),
        amount="4000.00",
    )
    newcomer = await _member_household_without_shares(client, session, partnership)
    await _hand_on(client, session, partnership, agreement["id"], former, newcomer)
    url = credit_url(partnership, former, "handed-on-settlements")
    body = {"agreement_id": agreement["id"], "method": "cash"}

    too_much = await move(client, url, partnership.first, amount="4000.01", **body)
    by_newcomer = await move(
        client, url, await household_headers(session, partnership.settings, newcomer), amount="1.00", **body
    )
    not_handed_on = await move(
        client, credit_url(partnership, newcomer, "handed-on-settlements"), partnership.first, amount="1.00", **body
    )
    settled = await move(client, url, partnership.first, amount="4000.00", **body)

    assert_problem(too_much, 409, "settlement-too-large")
    assert_problem(by_newcomer, 403, "not-coordinator")
    assert_problem(not_handed_on, 404, "shares-not-handed-on")
    assert settled.status_code == 201, settled.text
    assert (settled.json()["amount"], settled.json()["credit"]) == ("4000.00", "4000.00")
    assert settled.json()["counterpart"]["kind"] == "handed_on_settled"
    # The newcomer owes what it owed before: the former holder's payment now counts as its own.
    newcomer_member = await household_headers(session, partnership.settings, newcomer)
    statement = (await client.get(f"/v1/households/{newcomer.id}/statement", headers=newcomer_member)).json()
    line = statement["data"][0]
    assert (line["paid"], line["paid_by_former_holders"], line["outstanding"]) == ("4000.00", "0.00", "2150.00")
    await ledger_sums_to_zero(session)


async def _member_household_without_shares(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> Household:
    user = await create_user(session)
    household = await create_household(session, user)
    joined = await client.post(
        f"/v1/consumer-groups/{partnership.consumer_group.id}/memberships",
        json={"household_id": str(household.id)},
        headers=auth_headers(partnership.settings, user.id),
    )
    assert joined.status_code in (200, 201), joined.text
    return household


async def _hand_on(
    client: AsyncClient,
    session: AsyncSession,
    partnership: Partnership,
    agreement_id: str,
    former: Household,
    to: Household,
) -> None:
    subscriptions = (await client.get(f"/v1/agreements/{agreement_id}/subscriptions", headers=partnership.first)).json()
    subscription_id = next(s["id"] for s in subscriptions["data"] if s["household_id"] == str(former.id))
    offered = await client.post(
        f"/v1/subscriptions/{subscription_id}/transfers",
        json={"household_id": str(to.id)},
        headers=await household_headers(session, partnership.settings, former),
    )
    assert offered.status_code == 201, offered.text
    accepted = await client.post(
        f"/v1/subscription-transfers/{offered.json()['id']}/acceptances",
        headers=await household_headers(session, partnership.settings, to),
    )
    assert accepted.status_code == 200, accepted.text


async def test_credit_is_private_to_the_household_and_its_groups_coordinators(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    first, second = await subscribed(
        client, session, partnership, (await agree(client, partnership, shares=3))["id"], [1, 1]
    )
    outsider = auth_headers(partnership.settings, (await create_user(session)).id)

    by_other_household = await client.get(
        credit_url(partnership, first), headers=await household_headers(session, partnership.settings, second)
    )
    by_outsider = await client.get(credit_url(partnership, first), headers=outsider)
    group_total_by_member = await client.get(
        f"/v1/consumer-groups/{partnership.consumer_group.id}/credit",
        headers=await household_headers(session, partnership.settings, first),
    )
    deposit_for_stranger = await move(
        client,
        credit_url(partnership, (await create_household(session, await create_user(session))).id, "deposits"),
        partnership.first,
        amount="1.00",
        currency="THB",
        method="cash",
    )

    assert_problem(by_other_household, 404, "household-not-found")
    assert_problem(by_outsider, 404, "household-not-found")
    assert_problem(group_total_by_member, 403, "not-coordinator")
    assert_problem(deposit_for_stranger, 404, "household-not-found")
    assert await transaction_count(session) == 0


async def test_the_group_sees_every_households_credit_and_the_total(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    first, second = await subscribed(
        client, session, partnership, (await agree(client, partnership, shares=3))["id"], [1, 1]
    )
    for household, amount in ((first, "10.00"), (second, "32.50")):
        await move(
            client,
            credit_url(partnership, household, "deposits"),
            partnership.first,
            amount=amount,
            currency="THB",
            method="cash",
        )

    response = await client.get(
        f"/v1/consumer-groups/{partnership.consumer_group.id}/credit", headers=partnership.first
    )

    assert response.status_code == 200, response.text
    assert sorted(line["credit"] for line in response.json()["households"]) == ["10.00", "32.50"]
    assert response.json()["totals"] == [{"currency": "THB", "credit": "42.50"}]


async def test_movements_at_once_never_spend_the_same_credit_twice(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        partnership = await create_partnership(session, settings)
        [household, *_] = await member_households(session, partnership)
        member = auth_headers(settings, (await first_member(session, household)).id)
    agreement = await agree(committing_client, partnership, shares=3)
    await committing_client.post(
        f"/v1/agreements/{agreement['id']}/subscriptions",
        json={"household_id": str(household.id), "shares": 1},
        headers=member,
    )
    deposited = await move(
        committing_client,
        credit_url(partnership, household, "deposits"),
        partnership.first,
        amount="300.00",
        currency="THB",
        method="cash",
    )
    assert deposited.status_code == 201, deposited.text
    payout = {"amount": "200.00", "currency": "THB", "method": "cash"}
    await warm_pool(committing_client, 10)

    responses = await asyncio.gather(
        *[move(committing_client, credit_url(partnership, household, "payouts"), member, **payout) for _ in range(3)],
        move(
            committing_client,
            credit_url(partnership, household, "applications"),
            member,
            agreement_id=agreement["id"],
            amount="200.00",
        ),
    )

    assert sorted(response.status_code for response in responses) == [201, 409, 409, 409]
    assert {response.json()["code"] for response in responses if response.status_code == 409} == {"insufficient-credit"}
    assert (await committing_client.get(credit_url(partnership, household), headers=member)).json()["balances"] == [
        {"currency": "THB", "credit": "100.00"}
    ]
