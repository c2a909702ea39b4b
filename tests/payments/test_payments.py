import asyncio
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agreements.models import Agreement
from app.core.config import Settings
from app.groups.models import Household
from app.ledger.models import LedgerEntry, LedgerTransaction
from app.payments.service import lapse_overdue
from app.plans.models import PlanItem
from tests.agreements.builders import Partnership, agree, create_partnership, today
from tests.agreements.test_subscriptions import member_households
from tests.factories import auth_headers, create_user, first_member, warm_pool
from tests.groups.test_router import assert_problem


@pytest.fixture
async def partnership(session: AsyncSession, settings: Settings) -> Partnership:
    return await create_partnership(session, settings)


async def pay(client: AsyncClient, agreement_id: str, headers: dict, key: str | None = None, **body):
    payload = {"currency": "THB", "method": "cash", **body}
    key_header = {"Idempotency-Key": key or str(uuid4())} if key != "" else {}
    return await client.post(f"/v1/agreements/{agreement_id}/payments", json=payload, headers={**headers, **key_header})


async def transaction_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0)


async def household_headers(session: AsyncSession, settings: Settings, household: Household) -> dict[str, str]:
    return auth_headers(settings, (await first_member(session, household)).id)


async def subscribed(
    client: AsyncClient, session: AsyncSession, partnership: Partnership, agreement_id: str, counts: list[int]
):
    # From the end of the list: the first households created have the coordinators (see create_group).
    households = (await member_households(session, partnership))[-len(counts) :]
    for household, shares in zip(households, counts, strict=True):
        response = await client.post(
            f"/v1/agreements/{agreement_id}/subscriptions",
            json={"household_id": str(household.id), "shares": shares},
            headers=await household_headers(session, partnership.settings, household),
        )
        assert response.status_code == 201
    return households


async def test_households_pay_the_group_the_group_pays_the_producer_and_the_agreement_turns_active(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)  # 18450.00 THB, 6150.00 a share
    first, second = await subscribed(client, session, partnership, agreement["id"], [1, 2])
    settings = partnership.settings

    paid_first = await pay(
        client,
        agreement["id"],
        await household_headers(session, settings, first),
        kind="household_to_group",
        household_id=str(first.id),
        amount="6150.00",
    )
    paid_second = await pay(
        client,
        agreement["id"],
        partnership.second,  # a coordinator records cash received
        kind="household_to_group",
        household_id=str(second.id),
        amount="12300",
    )
    partly = await pay(client, agreement["id"], partnership.first, kind="group_to_producer", amount="10000.00")
    rest = await pay(client, agreement["id"], partnership.first, kind="group_to_producer", amount="8450.00")
    ledger = await client.get(f"/v1/agreements/{agreement['id']}/ledger", headers=partnership.producer)

    assert [r.status_code for r in (paid_first, paid_second, partly, rest)] == [201] * 4
    assert paid_first.json()["transaction"]["entries"] == [
        {"account": "household_paid", "owner_id": str(first.id), "amount": "-6150.00"},
        {"account": "group_fund", "owner_id": str(partnership.consumer_group.id), "amount": "6150.00"},
    ]
    assert partly.json()["agreement_status"] == "agreed"
    assert rest.json()["agreement_status"] == "active"
    body = ledger.json()
    assert (body["status"], body["collected_from_households"], body["received_by_producer"]) == (
        "active",
        "18450.00",
        "18450.00",
    )
    assert (body["outstanding_to_producer"], body["paid_from_group_funds"]) == ("0.00", "0.00")
    assert len(body["data"]) == 4
    for transaction in body["data"]:
        assert sum(float(entry["amount"]) for entry in transaction["entries"]) == 0


async def test_the_group_pays_for_shares_nobody_took_from_its_own_money(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)
    [household] = await subscribed(client, session, partnership, agreement["id"], [2])
    await pay(
        client,
        agreement["id"],
        partnership.first,
        kind="household_to_group",
        household_id=str(household.id),
        amount="12300.00",
    )

    response = await pay(client, agreement["id"], partnership.first, kind="group_to_producer", amount="18450.00")

    assert [(e["account"], e["amount"]) for e in response.json()["transaction"]["entries"]] == [
        ("group_fund", "-12300.00"),
        ("group_own", "-6150.00"),
        ("producer_received", "18450.00"),
    ]
    assert response.json()["agreement_status"] == "active"


@pytest.mark.parametrize(
    ("_case", "kind", "amount", "outstanding"),
    [
        ("a household pays more than its shares", "household_to_group", "6150.01", "6150.00"),
        ("the group pays the producer more than the total", "group_to_producer", "18450.01", "18450.00"),
    ],
)
async def test_overpayment_is_refused_and_nothing_is_recorded(
    client: AsyncClient,
    session: AsyncSession,
    partnership: Partnership,
    _case: str,
    kind: str,
    amount: str,
    outstanding: str,
) -> None:
    agreement = await agree(client, partnership, shares=3)
    [household] = await subscribed(client, session, partnership, agreement["id"], [1])
    before = await transaction_count(session)
    extra = {"household_id": str(household.id)} if kind == "household_to_group" else {}

    response = await pay(client, agreement["id"], partnership.first, kind=kind, amount=amount, **extra)

    assert_problem(response, 409, "overpayment")
    assert response.json()["outstanding"] == outstanding
    assert await transaction_count(session) == before


@pytest.mark.parametrize(
    ("_case", "body", "status", "code"),
    [
        ("another currency", {"currency": "VND", "amount": "1000"}, 422, "currency-mismatch"),
        ("more decimals than THB has", {"amount": "10.001"}, 422, "invalid-amount"),
        ("zero", {"amount": "0"}, 422, "invalid-amount"),
        ("a float", {"amount": 10.5}, 422, "validation-failed"),
        ("no household", {"household_id": None}, 422, "validation-failed"),
        ("an unknown currency", {"currency": "XYZ"}, 422, "validation-failed"),
    ],
)
async def test_payments_that_are_not_valid_are_refused(
    client: AsyncClient, session: AsyncSession, partnership: Partnership, _case: str, body: dict, status: int, code: str
) -> None:
    agreement = await agree(client, partnership, shares=3)
    [household] = await subscribed(client, session, partnership, agreement["id"], [1])
    payment = {"kind": "household_to_group", "household_id": str(household.id), "amount": "100.00", **body}
    before = await transaction_count(session)

    response = await pay(client, agreement["id"], partnership.first, **payment)

    assert_problem(response, status, code)
    assert await transaction_count(session) == before


async def test_a_retry_with_the_same_key_replays_and_records_nothing_new(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)
    [household] = await subscribed(client, session, partnership, agreement["id"], [1])
    body = {"kind": "household_to_group", "household_id": str(household.id), "amount": "100.00"}

    first = await pay(client, agreement["id"], partnership.first, key="pay-1", **body)
    retry = await pay(client, agreement["id"], partnership.first, key="pay-1", **body)
    other_body = await pay(client, agreement["id"], partnership.first, key="pay-1", **{**body, "amount": "200.00"})
    without_key = await pay(client, agreement["id"], partnership.first, key="", **body)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert_problem(other_body, 422, "idempotency-key-reused")
    assert_problem(without_key, 400, "idempotency-key-missing")
    assert await transaction_count(session) == 1


async def test_a_key_is_its_callers_alone(client: AsyncClient, session: AsyncSession, partnership: Partnership) -> None:
    agreement = await agree(client, partnership, shares=3)
    [household] = await subscribed(client, session, partnership, agreement["id"], [1])
    body = {"kind": "household_to_group", "household_id": str(household.id), "amount": "100.00"}

    by_first = await pay(client, agreement["id"], partnership.first, key="shared-key", **body)
    by_second = await pay(client, agreement["id"], partnership.second, key="shared-key", **body)

    assert (by_first.status_code, by_second.status_code) == (201, 201)
    assert by_first.json()["transaction"]["id"] != by_second.json()["transaction"]["id"]


async def test_concurrent_retries_record_the_payment_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        partnership = await create_partnership(session, settings)
        [household, *_] = await member_households(session, partnership)
    agreement = await agree(committing_client, partnership, shares=3)
    await committing_client.post(
        f"/v1/agreements/{agreement['id']}/subscriptions",
        json={"household_id": str(household.id), "shares": 1},
        headers=auth_headers(settings, (await _member(committing_session_factory, household)).id),
    )
    body = {"kind": "household_to_group", "household_id": str(household.id), "amount": "6150.00"}
    await warm_pool(committing_client, 10)
    responses = await asyncio.gather(
        *[pay(committing_client, agreement["id"], partnership.first, key="same-retry", **body) for _ in range(6)]
    )

    assert [r.status_code for r in responses] == [201] * 6
    assert len({r.json()["transaction"]["id"] for r in responses}) == 1
    async with committing_session_factory() as session:
        assert await transaction_count(session) == 1


async def _member(session_factory: async_sessionmaker[AsyncSession], household: Household):
    async with session_factory() as session:
        return await first_member(session, household)


async def test_nobody_pays_for_a_household_they_neither_belong_to_nor_coordinate(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)
    first, second = await subscribed(client, session, partnership, agreement["id"], [1, 1])

    response = await pay(
        client,
        agreement["id"],
        await household_headers(session, partnership.settings, second),
        kind="household_to_group",
        household_id=str(first.id),
        amount="100.00",
    )
    by_member = await pay(
        client,
        agreement["id"],
        await household_headers(session, partnership.settings, second),
        kind="group_to_producer",
        amount="100.00",
    )

    assert_problem(response, 403, "not-permitted-to-pay")
    assert_problem(by_member, 403, "not-coordinator")
    assert await transaction_count(session) == 0


@pytest.mark.parametrize("path", ["ledger", "payments"])
async def test_an_agreements_money_is_private_to_its_groups(
    client: AsyncClient, session: AsyncSession, partnership: Partnership, path: str
) -> None:
    agreement = await agree(client, partnership, shares=3)
    outsider = auth_headers(partnership.settings, (await create_user(session)).id)

    if path == "ledger":
        response = await client.get(f"/v1/agreements/{agreement['id']}/ledger", headers=outsider)
    else:
        response = await pay(client, agreement["id"], outsider, kind="group_to_producer", amount="1.00")

    assert_problem(response, 404, "agreement-not-found")


async def test_an_unpaid_agreement_lapses_at_its_due_date_and_every_payer_is_refunded(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3, rice="500.000")
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
    await pay(client, agreement["id"], partnership.first, kind="group_to_producer", amount="15000.00")
    agreement_id = UUID(agreement["id"])
    await session.execute(
        update(Agreement).where(Agreement.id == agreement_id).values(advance_due_on=today() - timedelta(days=1))
    )

    shown_before_job = await client.get(f"/v1/agreements/{agreement_id}", headers=partnership.first)
    refused = await pay(client, agreement["id"], partnership.first, kind="group_to_producer", amount="3450.00")
    lapsed = await lapse_overdue(session, today=today())
    again = await lapse_overdue(session, today=today())
    ledger = (await client.get(f"/v1/agreements/{agreement_id}/ledger", headers=partnership.first)).json()
    statement = (
        await client.get(
            f"/v1/households/{first.id}/statement",
            headers=await household_headers(session, partnership.settings, first),
        )
    ).json()

    assert shown_before_job.json()["status"] == "lapsed"
    assert_problem(refused, 409, "agreement-not-payable")
    assert (lapsed, again) == ([agreement_id], [])
    assert ledger["status"] == "lapsed"
    assert {account["balance"] for account in ledger["accounts"]} == {"0.00"}
    refund = ledger["data"][-1]
    assert refund["kind"] == "lapse_refund"
    # The fund held nothing (all was forwarded), so the refund passes through it without an entry of its own.
    assert sorted((e["account"], e["amount"]) for e in refund["entries"]) == [
        ("group_own", "2700.00"),
        ("household_paid", "6150.00"),
        ("household_paid", "6150.00"),
        ("producer_received", "-15000.00"),
    ]
    assert (statement["data"][0]["paid"], statement["data"][0]["status"]) == ("0.00", "lapsed")
    assert [t["kind"] for t in statement["data"][0]["transactions"]] == ["household_to_group", "lapse_refund"]
    assert await session.scalar(select(PlanItem.committed_base).where(PlanItem.id == partnership.items[0].id)) == 0
    assert await session.scalar(select(func.sum(LedgerEntry.amount_minor))) == 0


async def test_shares_handed_on_keep_what_was_paid_for_them(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    """The new holder owes only what the former one left unpaid: the group never collects a share twice."""
    agreement = await agree(client, partnership, shares=3)  # 6150.00 THB a share
    first, second = await subscribed(client, session, partnership, agreement["id"], [1, 2])
    [newcomer] = [h for h in await member_households(session, partnership) if h.id not in (first.id, second.id)][:1]
    settings = partnership.settings
    first_headers, newcomer_headers = (
        await household_headers(session, settings, first),
        await household_headers(session, settings, newcomer),
    )
    paid = await pay(
        client, agreement["id"], first_headers, kind="household_to_group", household_id=str(first.id), amount="4000.00"
    )
    [subscription] = [
        s
        for s in (
            await client.get(f"/v1/agreements/{agreement['id']}/subscriptions", headers=partnership.first)
        ).json()["data"]
        if s["household_id"] == str(first.id)
    ]
    offered = await client.post(
        f"/v1/subscriptions/{subscription['id']}/transfers",
        json={"household_id": str(newcomer.id)},
        headers=first_headers,
    )
    accepted = await client.post(
        f"/v1/subscription-transfers/{offered.json()['id']}/acceptances", headers=newcomer_headers
    )
    before = await transaction_count(session)

    too_much = await pay(
        client,
        agreement["id"],
        newcomer_headers,
        kind="household_to_group",
        household_id=str(newcomer.id),
        amount="6150.00",
    )
    rest = await pay(
        client,
        agreement["id"],
        newcomer_headers,
        kind="household_to_group",
        household_id=str(newcomer.id),
        amount="2150.00",
    )

    assert (paid.status_code, offered.status_code, accepted.status_code) == (201, 201, 200)
    assert_problem(too_much, 409, "overpayment")
    assert too_much.json()["outstanding"] == "2150.00"
    assert rest.status_code == 201, rest.text
    assert await transaction_count(session) == before + 1
