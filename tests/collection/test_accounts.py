"""Collection accounts: coordinators record them, members read them, one is the default."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from tests.factories import auth_headers, create_user
from tests.groups.test_router import assert_problem
from tests.harvests.builders import Season, create_season
from tests.producers.builders import create_producer_group

PROMPTPAY = {
    "kind": "qr",
    "scheme": "promptpay",
    "proxy_type": "mobile",
    "proxy_value": "081-234-5678",
    "merchant_name": "Chiang Mai Veg Box",
    "merchant_city": "Chiang Mai",
}
BANK = {
    "kind": "bank_account",
    "bank_name": "Kasikornbank",
    "account_holder": "Chiang Mai Veg Box Association",
    "account_number": "123-4-56789-0",
    "swift_bic": "KASITHBK",
}


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    return await create_season(session, settings)


def group_url(season: Season) -> str:
    return f"/v1/consumer-groups/{season.consumer_group.id}/collection-accounts"


def producer_url(season: Season) -> str:
    return f"/v1/producer-groups/{season.producer_group.id}/collection-accounts"


async def test_a_coordinator_records_accounts_and_the_first_is_the_default(client: AsyncClient, season: Season) -> None:
    coordinator = season.headers(season.consumer_coordinator)

    first = await client.post(group_url(season), json=BANK, headers=coordinator)
    second = await client.post(group_url(season), json=PROMPTPAY, headers=coordinator)

    assert first.status_code == 201, first.text
    assert first.headers["location"] == group_url(season)
    assert first.json()["default"] is True
    assert second.json()["default"] is False
    assert second.json()["proxy_value"] == "0066812345678"
    listed = await client.get(group_url(season), headers=coordinator)
    assert [(row["kind"], row["default"]) for row in listed.json()["data"]] == [("bank_account", True), ("qr", False)]


async def test_a_new_default_replaces_the_old_one(client: AsyncClient, season: Season) -> None:
    coordinator = season.headers(season.consumer_coordinator)
    await client.post(group_url(season), json=BANK, headers=coordinator)

    await client.post(group_url(season), json={**PROMPTPAY, "default": True}, headers=coordinator)

    listed = (await client.get(group_url(season), headers=coordinator)).json()["data"]
    assert [row["default"] for row in listed] == [False, True]


async def test_members_read_the_accounts_and_may_not_record_one(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    await client.post(group_url(season), json=BANK, headers=season.headers(season.consumer_coordinator))
    member = await season.member_headers(session, 1)

    listed = await client.get(group_url(season), headers=member)
    refused = await client.post(group_url(season), json=PROMPTPAY, headers=member)

    assert listed.status_code == 200
    assert len(listed.json()["data"]) == 1
    assert_problem(refused, 403, "not-coordinator")


async def test_another_groups_coordinator_neither_reads_nor_records(
    client: AsyncClient, session: AsyncSession, season: Season, settings: Settings
) -> None:
    other = await create_season(session, settings)
    outsider = other.headers(other.consumer_coordinator)

    assert_problem(await client.get(group_url(season), headers=outsider), 403, "not-group-member")
    assert_problem(await client.post(group_url(season), json=BANK, headers=outsider), 403, "not-coordinator")
    assert_problem(await client.get(producer_url(season), headers=outsider), 403, "not-producer-group-member")
    assert_problem(
        await client.post(producer_url(season), json=BANK, headers=outsider), 403, "not-producer-coordinator"
    )


async def test_a_producer_group_records_its_account_and_its_farmers_read_it(
    client: AsyncClient, season: Season
) -> None:
    vietqr = {"kind": "qr", "scheme": "vietqr", "proxy_type": "bank_account", "proxy_value": "0011001932418"}

    created = await client.post(producer_url(season), json={**vietqr, "bank_bin": "970415"}, headers=season.producer)
    read = await client.get(producer_url(season), headers=season.headers(season.farmer))

    assert created.status_code == 201, created.text
    assert created.json()["payee_kind"] == "producer_group"
    assert [row["id"] for row in read.json()["data"]] == [created.json()["id"]]
    consumer = season.headers(season.consumer_coordinator)
    assert_problem(
        await client.post(producer_url(season), json=BANK, headers=consumer), 403, "not-producer-coordinator"
    )


async def test_an_unknown_group_is_404(client: AsyncClient, season: Season, session: AsyncSession) -> None:
    headers = season.headers(season.consumer_coordinator)
    missing = "00000000-0000-4000-8000-000000000000"

    assert_problem(
        await client.get(f"/v1/consumer-groups/{missing}/collection-accounts", headers=headers), 404, "group-not-found"
    )
    assert_problem(
        await client.post(f"/v1/producer-groups/{missing}/collection-accounts", json=BANK, headers=headers),
        404,
        "producer-group-not-found",
    )


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "bank_account", "bank_name": "Kasikornbank"},  # holder and number missing
        {**BANK, "scheme": "promptpay"},  # a QR field on a bank account
        {"kind": "qr", "scheme": "promptpay", "proxy_type": "mobile"},  # no value
        {**PROMPTPAY, "proxy_value": "021234567"},  # a Bangkok landline
        {**PROMPTPAY, "proxy_value": "08123456"},  # too short
        {**PROMPTPAY, "proxy_value": "08l2345678"},  # a letter
        {**PROMPTPAY, "proxy_type": "national_id", "proxy_value": "1101700230705"},  # wrong check digit
        {**PROMPTPAY, "proxy_type": "e_wallet", "proxy_value": "1234"},
        {**PROMPTPAY, "proxy_type": "bank_account"},
        {**PROMPTPAY, "bank_bin": "970415"},
        {"kind": "qr", "scheme": "vietqr", "proxy_type": "bank_account", "proxy_value": "0011001932418"},  # no BIN
        {"kind": "qr", "scheme": "vietqr", "proxy_type": "mobile", "proxy_value": "0011", "bank_bin": "970415"},
    ],
)
async def test_an_account_its_scheme_would_refuse_is_422(client: AsyncClient, season: Season, body: dict) -> None:
    response = await client.post(group_url(season), json=body, headers=season.headers(season.consumer_coordinator))

    assert_problem(response, 422, "invalid-collection-account")


@pytest.mark.parametrize(
    "body",
    [
        {**PROMPTPAY, "merchant_name": "x" * 26},
        {**PROMPTPAY, "merchant_city": "Nakhon Ratchasima"},
        {**PROMPTPAY, "merchant_name": "ผักเชียงใหม่"},
        {**BANK, "swift_bic": "KASI"},
        {**PROMPTPAY, "kind": "cash"},
    ],
)
async def test_fields_a_payment_code_cannot_carry_are_422(client: AsyncClient, season: Season, body: dict) -> None:
    response = await client.post(group_url(season), json=body, headers=season.headers(season.consumer_coordinator))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_thai_national_id_is_checked_and_kept_as_digits(client: AsyncClient, season: Season) -> None:
    body = {**PROMPTPAY, "proxy_type": "national_id", "proxy_value": "1-1017-00230-70-8"}

    response = await client.post(group_url(season), json=body, headers=season.headers(season.consumer_coordinator))

    assert response.status_code == 201, response.text
    assert response.json()["proxy_value"] == "1101700230708"


async def test_a_user_of_no_group_sees_nothing(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    stranger = auth_headers(season.settings, (await create_user(session)).id)
    lone_group = await create_producer_group(session, coordinators=[await create_user(session)])

    assert_problem(await client.get(group_url(season), headers=stranger), 403, "not-group-member")
    assert_problem(
        await client.get(f"/v1/producer-groups/{lone_group.id}/collection-accounts", headers=stranger),
        403,
        "not-producer-group-member",
    )
