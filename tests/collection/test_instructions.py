"""Payment instructions: what is left to pay, the reference, the payee's account and the QR code."""

import asyncio
import re
from decimal import Decimal
from uuid import uuid4

import pytest
import segno
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.collection import references
from app.collection.models import PaymentReference
from app.core import emvco, money
from app.core.config import Settings
from tests.factories import auth_headers, create_user
from tests.groups.test_router import assert_problem
from tests.harvests.builders import Season, create_season

PROMPTPAY = {"kind": "qr", "scheme": "promptpay", "proxy_type": "mobile", "proxy_value": "0812345678"}
BANK = {
    "kind": "bank_account",
    "bank_name": "Kasikornbank",
    "account_holder": "Veg Box",
    "account_number": "1234567890",
}


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    return await create_season(session, settings)


def url(season: Season, index: int = 0) -> str:
    return f"/v1/subscriptions/{season.subscriptions[index].id}/payment-instructions"


def agreement_url(season: Season) -> str:
    return f"/v1/agreements/{season.agreement.id}/payment-instructions"


async def add_account(client: AsyncClient, season: Season, body: dict, *, producer: bool = False) -> None:
    if producer:
        path, headers = f"/v1/producer-groups/{season.producer_group.id}/collection-accounts", season.producer
    else:
        path = f"/v1/consumer-groups/{season.consumer_group.id}/collection-accounts"
        headers = season.headers(season.consumer_coordinator)
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text


async def pay_for(client: AsyncClient, season: Season, index: int, amount: str) -> None:
    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/payments",
        json={
            "kind": "household_to_group",
            "household_id": str(season.households[index].id),
            "amount": amount,
            "currency": "THB",
            "method": "promptpay",
        },
        headers={**season.headers(season.consumer_coordinator), "Idempotency-Key": str(uuid4())},
    )
    assert response.status_code == 201, response.text


def due_of(season: Season, index: int = 0) -> Decimal:
    return Decimal(money.to_text(season.subscriptions[index].amount_due_minor, "THB"))


async def test_without_a_collection_account_the_instructions_say_so_and_there_is_no_code(
    client: AsyncClient, season: Season
) -> None:
    coordinator = season.headers(season.consumer_coordinator)

    response = await client.get(url(season), headers=coordinator)
    image = await client.get(url(season), headers={**coordinator, "Accept": "image/svg+xml"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["collection_account"], body["qr_payload"], body["qr_unavailable"]) == (
        None,
        None,
        "no_collection_account",
    )
    assert Decimal(body["amount_due"]) == due_of(season)
    assert season.agreement.advance_due_on is not None
    assert body["due_on"] == season.agreement.advance_due_on.isoformat()
    assert_problem(image, 409, "payment-qr-unavailable")
    assert image.json()["reason"] == "no_collection_account"


async def test_a_partly_paid_subscription_asks_for_the_rest_in_its_code(client: AsyncClient, season: Season) -> None:
    await add_account(client, season, {**PROMPTPAY, "merchant_name": "Veg Box", "merchant_city": "Chiang Mai"})
    await pay_for(client, season, 0, "100.00")

    body = (await client.get(url(season), headers=season.headers(season.consumer_coordinator))).json()

    rest = due_of(season) - Decimal("100.00")
    assert (Decimal(body["paid"]), Decimal(body["amount_due"])) == (Decimal("100.00"), rest)
    assert body["payer"] == {"kind": "household", "id": str(season.households[0].id)}
    assert body["payee"] == {"kind": "consumer_group", "id": str(season.consumer_group.id)}
    assert body["collection_account"]["scheme"] == "promptpay"
    assert body["qr_unavailable"] is None
    payload = emvco.parse(body["qr_payload"])
    assert payload == emvco.Payload(
        account=emvco.promptpay(emvco.PROMPTPAY_MOBILE, "0812345678"),
        currency="THB",
        country="TH",
        amount_minor=int(rest * 100),
        merchant_name="Veg Box",
        merchant_city="Chiang Mai",
        additional=((emvco.REFERENCE_LABEL, body["reference"]),),
    )


async def test_a_fully_paid_subscription_has_nothing_due_and_no_code(client: AsyncClient, season: Season) -> None:
    await add_account(client, season, PROMPTPAY)
    await pay_for(client, season, 0, str(due_of(season)))
    coordinator = season.headers(season.consumer_coordinator)

    body = (await client.get(url(season), headers=coordinator)).json()
    image = await client.get(url(season), headers={**coordinator, "Accept": "image/png"})

    assert Decimal(body["amount_due"]) == 0
    assert (body["qr_payload"], body["qr_unavailable"]) == (None, "nothing_due")
    assert_problem(image, 409, "payment-qr-unavailable")


async def test_a_bank_account_is_named_but_gives_no_code(client: AsyncClient, season: Season) -> None:
    await add_account(client, season, BANK)

    body = (await client.get(url(season), headers=season.headers(season.consumer_coordinator))).json()

    assert body["collection_account"]["account_number"] == "1234567890"
    assert (body["qr_payload"], body["qr_unavailable"]) == (None, "not_a_qr_account")


async def test_references_are_one_per_payer_and_agreement_and_stay_the_same(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    coordinator = season.headers(season.consumer_coordinator)

    first = [(await client.get(url(season, index), headers=coordinator)).json()["reference"] for index in (0, 1)]
    again = [(await client.get(url(season, index), headers=coordinator)).json()["reference"] for index in (0, 1)]
    group = (await client.get(agreement_url(season), headers=coordinator)).json()["reference"]
    member = (await client.get(url(season, 1), headers=await season.member_headers(session, 1))).json()["reference"]

    assert first == again
    assert member == first[1]
    assert len({*first, group}) == 3
    assert all(references.is_valid(reference) for reference in [*first, group])
    assert references.is_valid(first[0].lower()[:5] + "-" + first[0][5:])
    stored = await session.scalar(
        select(func.count()).select_from(PaymentReference).where(PaymentReference.agreement_id == season.agreement.id)
    )
    assert stored == 3


def test_a_reference_with_one_character_changed_or_two_swapped_is_not_valid() -> None:
    reference = references.new_reference()
    changed = reference[:5] + ("A" if reference[5] != "A" else "B") + reference[6:]
    swapped = reference[:4] + reference[5] + reference[4] + reference[6:]

    assert references.is_valid(reference)
    assert not references.is_valid(changed)
    assert reference[4] == reference[5] or not references.is_valid(swapped)
    assert references.find_in(f"veg box share {reference.lower()} thanks") == reference


async def test_the_code_comes_as_svg_or_png(client: AsyncClient, season: Season) -> None:
    await add_account(client, season, PROMPTPAY)
    coordinator = season.headers(season.consumer_coordinator)
    payload = (await client.get(url(season), headers=coordinator)).json()["qr_payload"]

    svg = await client.get(url(season), headers={**coordinator, "Accept": "image/svg+xml"})
    png = await client.get(url(season), headers={**coordinator, "Accept": "image/png"})

    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "Accept" in svg.headers["vary"]
    drawn = re.search(r' d="([^"]+)"', svg.text)
    expected = segno.make_qr(payload, error="m", boost_error=False).svg_inline(scale=4)
    assert drawn is not None
    assert drawn.group(1) == re.search(r' d="([^"]+)"', expected).group(1)  # type: ignore[union-attr]
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("accept", ["application/json", "application/json, image/png;q=0.5", "*/*", "text/html"])
async def test_json_is_the_default_answer(client: AsyncClient, season: Season, accept: str) -> None:
    await add_account(client, season, PROMPTPAY)

    response = await client.get(url(season), headers={**season.headers(season.consumer_coordinator), "Accept": accept})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


async def test_only_the_households_members_and_the_groups_coordinators_read_a_subscriptions_instructions(
    client: AsyncClient, session: AsyncSession, season: Season, settings: Settings
) -> None:
    other = await create_season(session, settings)
    stranger = auth_headers(settings, (await create_user(session)).id)

    own = await client.get(url(season, 1), headers=await season.member_headers(session, 1))
    neighbour = await client.get(url(season, 1), headers=await season.member_headers(session, 2))
    outsider = await client.get(url(season, 1), headers=other.headers(other.consumer_coordinator))
    producer = await client.get(url(season, 1), headers=season.producer)

    assert own.status_code == 200
    for response in (neighbour, outsider, producer, await client.get(url(season, 1), headers=stranger)):
        assert_problem(response, 404, "subscription-not-found")
    missing = f"/v1/subscriptions/{uuid4()}/payment-instructions"
    assert_problem(await client.get(missing, headers=stranger), 404, "subscription-not-found")


async def test_the_group_pays_the_producer_group_the_rest_of_the_price(client: AsyncClient, season: Season) -> None:
    await add_account(client, season, {**PROMPTPAY, "proxy_value": "0899999999"}, producer=True)
    await add_account(client, season, BANK)  # the consumer group's own: not where it pays

    body = (await client.get(agreement_url(season), headers=season.headers(season.consumer_coordinator))).json()

    total = season.agreement.total_price_minor
    assert body["payee"] == {"kind": "producer_group", "id": str(season.producer_group.id)}
    assert body["payer"] == {"kind": "consumer_group", "id": str(season.consumer_group.id)}
    assert body["subscription_id"] is None
    assert Decimal(body["amount_due"]) == Decimal(money.to_text(total, "THB"))
    payload = emvco.parse(body["qr_payload"])
    assert payload.amount_minor == total
    assert emvco.sub_field(payload.account.fields, emvco.PROMPTPAY_MOBILE) == "0066899999999"


async def test_a_scheme_that_moves_another_currency_gives_no_code(client: AsyncClient, season: Season) -> None:
    vietqr = {
        "kind": "qr",
        "scheme": "vietqr",
        "proxy_type": "bank_account",
        "proxy_value": "12345",
        "bank_bin": "970415",
    }
    await add_account(client, season, vietqr, producer=True)

    body = (await client.get(agreement_url(season), headers=season.headers(season.consumer_coordinator))).json()

    assert (body["qr_payload"], body["qr_unavailable"]) == (None, "currency_not_carried")


async def test_only_the_consumer_groups_coordinators_read_the_agreements_instructions(
    client: AsyncClient, session: AsyncSession, season: Season, settings: Settings
) -> None:
    other = await create_season(session, settings)

    assert_problem(await client.get(agreement_url(season), headers=season.producer), 403, "not-coordinator")
    member = await season.member_headers(session, 1)
    assert_problem(await client.get(agreement_url(season), headers=member), 403, "not-coordinator")
    outsider = other.headers(other.consumer_coordinator)
    assert_problem(await client.get(agreement_url(season), headers=outsider), 404, "agreement-not-found")


async def test_two_first_reads_at_once_give_one_reference(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        season = await create_season(session, settings)
    headers = season.headers(season.consumer_coordinator)

    responses = await asyncio.gather(*[committing_client.get(url(season), headers=headers) for _ in range(4)])

    assert [response.status_code for response in responses] == [200] * 4
    assert len({response.json()["reference"] for response in responses}) == 1
    async with committing_session_factory() as session:
        stored = await session.scalar(select(func.count()).select_from(PaymentReference))
        assert stored == 1
