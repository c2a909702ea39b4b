"""Uploading statements: each format read, its credit lines matched by reference, suggested by name or
amount, or left unmatched; a repeated or overlapping upload adds nothing; a bad file records nothing."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.collection.models import PayerKind
from app.core.config import Settings
from app.statements.models import StatementImport
from tests.factories import auth_headers, create_group, create_user
from tests.groups.test_router import assert_problem
from tests.harvests.builders import Season, create_season
from tests.statements.builders import (
    CSV_MAPPING,
    due_text,
    give_reference,
    imports_path,
    lines_of,
    statement,
    stored_lines,
    upload,
)


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    return await create_season(session, settings)


async def camt_for(session: AsyncSession, season: Season, **overrides: object) -> bytes:
    """Araya pays by her reference, Boonmee names himself only, someone quotes another group's reference,
    the bank pays interest and takes a fee."""
    reference = await give_reference(session, season.agreement.id, PayerKind.household, season.households[0].id)
    other = await create_season(session, season.settings)
    foreign = await give_reference(session, other.agreement.id, PayerKind.household, other.households[0].id)
    values: dict[str, object] = {
        "amount_0": due_text(season, 0),
        "reference_0": reference,
        "amount_1": "100.00",
        "amount_foreign": due_text(season, 2),
        "reference_foreign": foreign,
    }
    return statement("camt053.xml", **(values | overrides))


def counts(body: dict[str, Any]) -> dict[str, int]:
    fields = ("lines_read", "credits", "debits", "duplicates", "matched", "suggested", "unmatched")
    return {field: body[field] for field in fields}


async def test_a_camt053_statement_is_matched_line_by_line(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    content = await camt_for(session, season)

    response = await upload(client, season, content)

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"/v1/statement-imports/{body['id']}"
    assert counts(body) == {
        "lines_read": 5,
        "credits": 4,
        "debits": 1,
        "duplicates": 0,
        "matched": 1,
        "suggested": 2,
        "unmatched": 1,
    }
    assert (body["format"], body["file_name"], body["payee"]["kind"]) == ("camt053", "statement", "consumer_group")
    araya, boonmee, foreign, interest = await lines_of(client, season)
    assert (araya["status"], araya["payer"]["payer_id"], araya["payer"]["payer_name"]) == (
        "matched",
        str(season.households[0].id),
        "Araya",
    )
    assert araya["payer"]["agreement_id"] == str(season.agreement.id)
    assert (boonmee["status"], [s["payer_name"] for s in boonmee["suggestions"]]) == ("suggested", ["Boonmee"])
    assert boonmee["suggestions"][0]["reasons"] == ["name"]
    # Another group's reference is no match here; its amount is what three households owe, so they are
    # suggested, by amount alone.
    assert foreign["status"] == "suggested" and foreign["payer"] is None
    assert {s["payer_name"] for s in foreign["suggestions"]} == {"Araya", "Boonmee", "Chaiyaporn"}
    assert all(s["reasons"] == ["amount"] for s in foreign["suggestions"])
    assert (interest["status"], interest["suggestions"], interest["amount"]) == ("unmatched", [], "12.34")


async def test_an_amount_that_many_households_owe_suggests_nobody(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings, subscribed=(1, 1, 1, 1, 1))
    content = await camt_for(session, season, amount_foreign=due_text(season, 0))

    await upload(client, season, content)

    foreign = (await lines_of(client, season))[2]
    assert (foreign["status"], foreign["suggestions"]) == ("unmatched", [])


async def test_a_repeated_upload_adds_no_line(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    content = await camt_for(session, season)
    await upload(client, season, content)

    again = await upload(client, season, content)

    assert again.status_code == 201, again.text
    assert counts(again.json()) | {"lines_read": 0} == {
        "lines_read": 0,
        "credits": 4,
        "debits": 1,
        "duplicates": 4,
        "matched": 0,
        "suggested": 0,
        "unmatched": 0,
    }
    assert await stored_lines(session) == 4


async def test_an_overlapping_statement_in_another_format_skips_what_the_bank_id_names(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    await upload(client, season, await camt_for(session, season))
    reference = (await lines_of(client, season))[0]["reference"]
    mt940 = statement("mt940.sta", amount_0=due_text(season, 0, comma=True), reference_0=reference, closing="1,00")

    response = await upload(client, season, mt940, "application/x-mt940")

    assert response.status_code == 201, response.text
    # Araya's transfer carries the same bank id (KB2611020001); the MT940's interest line carries none.
    assert (response.json()["duplicates"], response.json()["unmatched"]) == (1, 1)


async def test_a_csv_is_read_by_the_groups_saved_mapping(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    coordinator = season.headers(season.consumer_coordinator)
    mapping_path = f"/v1/consumer-groups/{season.consumer_group.id}/statement-mapping"
    reference = await give_reference(session, season.agreement.id, PayerKind.household, season.households[0].id)
    content = statement("bank.csv", amount_0=due_text(season, 0, comma=True), reference_0=reference)

    missing = await upload(client, season, content, "text/csv")
    saved = await client.put(mapping_path, json=CSV_MAPPING, headers=coordinator)
    read = await client.get(mapping_path, headers=coordinator)
    response = await upload(client, season, content, "text/csv; charset=utf-8")

    assert_problem(missing, 409, "statement-mapping-missing")
    assert saved.status_code == 200, saved.text
    assert read.json() == saved.json()
    assert read.json() | {"updated_at": None} == CSV_MAPPING | {
        "payee_kind": "consumer_group",
        "payee_id": str(season.consumer_group.id),
        "updated_by": str(season.consumer_coordinator.id),
        "updated_at": None,
        "amount_column": None,
        "currency_column": None,
    }
    assert response.status_code == 201, response.text
    assert counts(response.json()) == {
        "lines_read": 3,
        "credits": 2,
        "debits": 1,
        "duplicates": 0,
        "matched": 1,
        "suggested": 0,
        "unmatched": 1,
    }


async def test_a_mapping_is_the_groups_coordinators_to_save(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    member = await season.member_headers(session, 1)
    path = f"/v1/consumer-groups/{season.consumer_group.id}/statement-mapping"

    saved = await client.put(path, json=CSV_MAPPING, headers=member)
    read = await client.get(path, headers=season.headers(season.consumer_coordinator))
    bad = await client.put(
        path, json=CSV_MAPPING | {"currency": None}, headers=season.headers(season.consumer_coordinator)
    )

    assert_problem(saved, 403, "not-coordinator")
    assert_problem(read, 409, "statement-mapping-missing")
    assert_problem(bad, 422, "validation-failed")


@pytest.mark.parametrize(
    ("_case", "content", "content_type", "at"),
    [
        ("camt.053 with a bad amount", None, "application/xml", (38, "Amt")),
        (
            "MT940 with a bad statement line",
            b":20:X\n:25:A/1\n:60F:C261101THB0,00\n:61:261102C5NTRF\n-",
            "text/plain",
            (4, ":61:"),
        ),
    ],
)
async def test_a_malformed_file_is_refused_at_its_line_and_field_and_records_nothing(
    client: AsyncClient,
    session: AsyncSession,
    season: Season,
    _case: str,
    content: bytes | None,
    content_type: str,
    at: tuple[int, str],
) -> None:
    body = content if content is not None else await camt_for(session, season, amount_1="12,3x")

    response = await upload(client, season, body, content_type)

    assert_problem(response, 422, "statement-malformed")
    assert (response.json()["line"], response.json()["field"]) == at
    assert await stored_lines(session) == 0
    assert await session.scalar(select(func.count()).select_from(StatementImport)) == 0


async def test_a_statement_over_the_size_limit_is_413_while_one_over_the_general_body_limit_is_read(
    client: AsyncClient, session: AsyncSession, season: Season, settings: Settings
) -> None:
    assert settings.max_request_bytes < 2_000_000 < settings.statement_max_bytes
    large_but_allowed = b"<!-- " + b"x" * 2_000_000 + b" -->\n<rss/>"
    too_large = b"x" * (settings.statement_max_bytes + 1)

    read = await upload(client, season, large_but_allowed)
    refused = await upload(client, season, too_large)

    assert_problem(read, 422, "statement-malformed")  # read whole, and found to be no camt.053
    assert_problem(refused, 413, "statement-too-large")
    assert await stored_lines(session) == 0


async def test_a_file_of_an_unknown_type_is_415(client: AsyncClient, season: Season) -> None:
    response = await upload(client, season, b"%PDF-1.7", "application/pdf")

    assert_problem(response, 415, "statement-format-unknown")


async def test_only_the_payees_coordinators_upload_and_read(
    client: AsyncClient, session: AsyncSession, season: Season, settings: Settings
) -> None:
    content = await camt_for(session, season)
    member = await season.member_headers(session, 1)
    outsider_group = await create_group(session, households=1)
    outsider = auth_headers(settings, (await create_user(session)).id)
    created = (await upload(client, season, content)).json()

    by_member = await upload(client, season, content, headers=member)
    member_lists = await client.get(imports_path(season), headers=member)
    member_reads = await client.get(f"/v1/statement-imports/{created['id']}", headers=member)
    outsider_reads = await client.get(f"/v1/statement-imports/{created['id']}", headers=outsider)
    other_group = await client.get(
        f"/v1/consumer-groups/{outsider_group.id}/statement-imports",
        headers=season.headers(season.consumer_coordinator),
    )

    assert_problem(by_member, 403, "not-coordinator")
    assert_problem(member_lists, 403, "not-coordinator")
    assert_problem(member_reads, 404, "statement-import-not-found")
    assert_problem(outsider_reads, 404, "statement-import-not-found")
    assert_problem(other_group, 403, "not-coordinator")
    listed = await client.get(imports_path(season), headers=season.headers(season.consumer_coordinator))
    assert [row["id"] for row in listed.json()["data"]] == [created["id"]]


async def test_a_producer_groups_statement_is_matched_to_the_consumer_groups_that_pay_it(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings)
    payer = season.consumer_group.id
    reference = await give_reference(session, season.agreement.id, PayerKind.consumer_group, payer)
    household_reference = await give_reference(
        session, season.agreement.id, PayerKind.household, season.households[0].id
    )
    content = statement(
        "camt053.xml",
        amount_0="4550.00",
        reference_0=reference,
        amount_1="10.00",
        amount_foreign="10.00",
        reference_foreign=household_reference,
    )

    response = await upload(client, season, content, producer=True)

    assert response.status_code == 201, response.text
    first, _, households_reference, _ = await lines_of(client, season, producer=True)
    assert (first["status"], first["payer"]["payer_kind"], first["payer"]["payer_id"]) == (
        "matched",
        "consumer_group",
        str(payer),
    )
    # A household's reference is for paying its consumer group, not the producer group.
    assert households_reference["status"] == "unmatched"


async def test_the_format_may_be_named_when_the_content_type_does_not_say(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    content = await camt_for(session, season)

    response = await client.post(
        imports_path(season),
        content=content,
        params={"format": "camt053"},
        headers={**season.headers(season.consumer_coordinator), "Content-Type": "application/octet-stream"},
    )

    assert response.status_code == 201, response.text
    assert (response.json()["format"], response.json()["credits"]) == ("camt053", 4)
