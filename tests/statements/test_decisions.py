"""Deciding statement lines: confirming records the payment in the ledger once per line; a line can be
re-assigned, kept as credit, dismissed and restored; every matched line of an import confirmed at once."""

from typing import Any
from uuid import uuid4

import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import AgreementStatus
from app.collection.models import PayerKind
from app.core import money
from app.core.config import Settings
from tests.factories import auth_headers, create_user
from tests.groups.test_router import assert_problem
from tests.harvests.builders import Season, create_season, today
from tests.statements.builders import due_text, give_reference, lines_of, statement, transactions_of, upload


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    return await create_season(session, settings)


async def uploaded(
    client: AsyncClient, session: AsyncSession, season: Season, *, amount_0: str | None = None
) -> list[dict[str, Any]]:
    """Araya's payment matched by reference, Boonmee's suggested by name, Chaiyaporn's amount without a
    name, and the bank's interest: the queue, in the statement's order."""
    reference = await give_reference(session, season.agreement.id, PayerKind.household, season.households[0].id)
    content = statement(
        "camt053.xml",
        amount_0=amount_0 or due_text(season, 0),
        reference_0=reference,
        amount_1="100.00",
        amount_foreign=due_text(season, 2),
        reference_foreign="no reference",
    )
    response = await upload(client, season, content)
    assert response.status_code == 201, response.text
    return await lines_of(client, season)


async def confirm(
    client: AsyncClient, season: Season, line: dict[str, Any], body: dict[str, Any] | None = None, **kwargs: Any
) -> Response:
    headers = kwargs.get("headers") or season.headers(season.consumer_coordinator)
    return await client.post(
        f"/v1/statement-lines/{line['id']}/confirmations",
        json=body or {},
        headers={**headers, "Idempotency-Key": kwargs.get("key") or str(uuid4())},
    )


async def test_confirming_a_matched_line_records_the_households_payment_once(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    araya, *_ = await uploaded(client, session, season)

    first = await confirm(client, season, araya)
    again = await confirm(client, season, araya)

    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["status"], body["confirmed_as"], body["decided_by"]) == (
        "confirmed",
        "payment",
        str(season.consumer_coordinator.id),
    )
    assert again.json() == body
    assert await transactions_of(session, season.agreement.id, "household_to_group") == 1
    ledger = await client.get(
        f"/v1/agreements/{season.agreement.id}/ledger", headers=season.headers(season.consumer_coordinator)
    )
    [transaction] = ledger.json()["data"]
    assert transaction["id"] == body["ledger_transaction_id"]
    assert (transaction["method"], transaction["reference"]) == (
        "bank_transfer",
        f"{araya['reference']} / KB2611020001",
    )
    queue = await lines_of(client, season)
    assert araya["id"] not in [line["id"] for line in queue]


async def test_the_same_transfer_uploaded_again_after_confirming_records_nothing(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    araya, *_ = await uploaded(client, session, season)
    await confirm(client, season, araya)
    content = statement(
        "camt053.xml",
        amount_0=due_text(season, 0),
        reference_0=araya["reference"],
        amount_1="100.00",
        amount_foreign=due_text(season, 2),
        reference_foreign="no reference",
    )

    again = await upload(client, season, content)

    assert again.json()["duplicates"] == 4
    assert await transactions_of(session, season.agreement.id, "household_to_group") == 1


async def test_a_suggested_line_is_confirmed_to_the_payer_the_treasurer_names(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    _, boonmee, chaiyaporn, _ = await uploaded(client, session, season)
    [suggestion] = boonmee["suggestions"]

    without_payer = await confirm(client, season, boonmee)
    named = await confirm(
        client, season, boonmee, {"agreement_id": suggestion["agreement_id"], "payer_id": suggestion["payer_id"]}
    )
    reassigned = await confirm(
        client,
        season,
        chaiyaporn,
        {"agreement_id": str(season.agreement.id), "payer_id": str(season.households[2].id)},
    )

    assert_problem(without_payer, 422, "statement-line-payer-needed")
    assert named.status_code == 200, named.text
    assert named.json()["payer"]["payer_name"] == "Boonmee"
    assert reassigned.json()["payer"]["payer_id"] == str(season.households[2].id)
    assert await transactions_of(session, season.agreement.id, "household_to_group") == 2


async def test_a_line_is_not_assigned_to_another_groups_agreement_nor_to_a_household_without_shares(
    client: AsyncClient, session: AsyncSession, season: Season, settings: Settings
) -> None:
    _, boonmee, *_ = await uploaded(client, session, season)
    other = await create_season(session, settings)

    foreign = await confirm(
        client, season, boonmee, {"agreement_id": str(other.agreement.id), "payer_id": str(other.households[0].id)}
    )
    unsubscribed = await confirm(
        client, season, boonmee, {"agreement_id": str(season.agreement.id), "payer_id": str(season.households[9].id)}
    )

    assert_problem(foreign, 422, "statement-line-not-assignable")
    assert_problem(unsubscribed, 409, "no-subscription")
    assert await transactions_of(session, other.agreement.id, "household_to_group") == 0
    assert await transactions_of(session, season.agreement.id, "household_to_group") == 0


async def test_more_than_is_owed_is_refused_unless_the_excess_is_kept_as_credit(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    owed = season.subscriptions[0].amount_due_minor
    araya, *_ = await uploaded(client, session, season, amount_0=money.to_text(owed + 50_000, "THB"))

    refused = await confirm(client, season, araya)
    credited = await confirm(client, season, araya, {"excess": "credit"})

    assert_problem(refused, 409, "overpayment")
    assert credited.status_code == 200, credited.text
    assert credited.json()["credit_transaction_id"] is not None
    assert await transactions_of(session, season.agreement.id, "household_to_group") == 1


async def test_a_line_from_a_household_that_owes_nothing_is_kept_as_its_credit(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    _, boonmee, *_ = await uploaded(client, session, season)

    response = await confirm(client, season, boonmee, {"as_credit": True, "payer_id": str(season.households[5].id)})

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["confirmed_as"], body["credited_household_id"], body["payer"]) == (
        "credit",
        str(season.households[5].id),
        None,
    )
    assert body["ledger_transaction_id"] is not None
    assert await transactions_of(session, season.agreement.id, "household_to_group") == 0


async def test_a_dismissed_line_leaves_the_queue_and_can_be_put_back(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    araya, *_, interest = await uploaded(client, session, season)
    coordinator = season.headers(season.consumer_coordinator)
    path = f"/v1/statement-lines/{interest['id']}/dismissal"

    dismissed = await client.post(path, json={"reason": "Interest paid by the bank"}, headers=coordinator)
    queue = await lines_of(client, season)
    confirming_it = await confirm(
        client, season, interest, {"as_credit": True, "payer_id": str(season.households[0].id)}
    )
    restored = await client.delete(path, headers=coordinator)
    await confirm(client, season, araya)
    dismissing_a_confirmed = await client.post(
        f"/v1/statement-lines/{araya['id']}/dismissal", json={}, headers=coordinator
    )

    assert (dismissed.json()["status"], dismissed.json()["dismissal_reason"]) == (
        "dismissed",
        "Interest paid by the bank",
    )
    assert interest["id"] not in [line["id"] for line in queue]
    assert [line["id"] for line in await lines_of(client, season, status="dismissed")] == []
    assert_problem(confirming_it, 409, "statement-line-already-decided")
    assert (restored.json()["status"], restored.json()["dismissal_reason"]) == ("unmatched", None)
    assert_problem(dismissing_a_confirmed, 409, "statement-line-already-decided")


async def test_every_matched_line_of_an_import_is_confirmed_in_one_call(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    araya, *_ = await uploaded(client, session, season)
    path = f"/v1/statement-imports/{araya['import_id']}/confirmations"
    coordinator = season.headers(season.consumer_coordinator)

    first = await client.post(path, headers={**coordinator, "Idempotency-Key": str(uuid4())})
    again = await client.post(path, headers={**coordinator, "Idempotency-Key": str(uuid4())})

    assert first.status_code == 200, first.text
    assert [line["id"] for line in first.json()["confirmed"]] == [araya["id"]]
    assert again.json() == {"import_id": araya["import_id"], "confirmed": [], "not_confirmed": []}
    assert await transactions_of(session, season.agreement.id, "household_to_group") == 1


async def test_a_line_that_cannot_be_recorded_waits_on_when_confirming_all(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    owed = season.subscriptions[0].amount_due_minor
    araya, *_ = await uploaded(client, session, season, amount_0=money.to_text(owed + 1, "THB"))

    response = await client.post(
        f"/v1/statement-imports/{araya['import_id']}/confirmations",
        headers={**season.headers(season.consumer_coordinator), "Idempotency-Key": str(uuid4())},
    )

    assert response.json()["confirmed"] == []
    [problem] = response.json()["not_confirmed"]
    assert (problem["line_id"], problem["code"]) == (araya["id"], "overpayment")
    assert (await lines_of(client, season))[0]["status"] == "matched"


async def test_another_groups_coordinator_or_a_stranger_learns_nothing_of_a_line(
    client: AsyncClient, session: AsyncSession, season: Season, settings: Settings
) -> None:
    araya, *_ = await uploaded(client, session, season)
    other = await create_season(session, settings)
    other_coordinator = other.headers(other.consumer_coordinator)
    stranger = auth_headers(settings, (await create_user(session)).id)

    confirmed = [await confirm(client, season, araya, headers=headers) for headers in (other_coordinator, stranger)]
    read = await client.get(f"/v1/statement-lines/{araya['id']}", headers=other_coordinator)
    dismissed = await client.post(f"/v1/statement-lines/{araya['id']}/dismissal", json={}, headers=stranger)
    listed = await client.get(
        f"/v1/consumer-groups/{season.consumer_group.id}/statement-lines", headers=other_coordinator
    )

    for answer in (*confirmed, read, dismissed):
        assert_problem(answer, 404, "statement-line-not-found")
    assert_problem(listed, 403, "not-coordinator")
    assert await transactions_of(session, season.agreement.id, "household_to_group") == 0


async def test_a_members_household_cannot_confirm_its_own_line(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    _, boonmee, *_ = await uploaded(client, session, season)
    boonmee_member = await season.member_headers(session, 1)

    response = await confirm(
        client,
        season,
        boonmee,
        {"agreement_id": str(season.agreement.id), "payer_id": str(season.households[1].id)},
        headers=boonmee_member,
    )

    assert_problem(response, 404, "statement-line-not-found")
    assert await transactions_of(session, season.agreement.id, "household_to_group") == 0


async def test_a_producer_group_confirms_a_consumer_groups_advance_payment(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings, status=AgreementStatus.agreed)
    season.agreement.advance_due_on = today().replace(year=today().year + 1)
    await session.flush()
    reference = await give_reference(session, season.agreement.id, PayerKind.consumer_group, season.consumer_group.id)
    total = money.to_text(season.agreement.total_price_minor, "THB")
    content = statement(
        "camt053.xml",
        amount_0=total,
        reference_0=reference,
        amount_1="1.00",
        amount_foreign="1.00",
        reference_foreign="x",
    )
    await upload(client, season, content, producer=True)
    first, *_ = await lines_of(client, season, producer=True)

    response = await client.post(
        f"/v1/statement-lines/{first['id']}/confirmations",
        json={},
        headers={**season.producer, "Idempotency-Key": str(uuid4())},
    )

    assert response.status_code == 200, response.text
    assert await transactions_of(session, season.agreement.id, "group_to_producer") == 1


async def test_a_producer_group_keeps_no_credit(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    season = await create_season(session, settings)
    content = statement(
        "camt053.xml", amount_0="1.00", reference_0="x", amount_1="1.00", amount_foreign="2.00", reference_foreign="y"
    )
    await upload(client, season, content, producer=True)
    first, *_ = await lines_of(client, season, producer=True)

    response = await client.post(
        f"/v1/statement-lines/{first['id']}/confirmations",
        json={"as_credit": True, "payer_id": str(season.households[0].id)},
        headers={**season.producer, "Idempotency-Key": str(uuid4())},
    )

    assert_problem(response, 422, "statement-line-not-assignable")
