"""Exchange rates: recorded by administrators, read by anyone, applied to product prices for display."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalogue.models import ExchangeRate
from app.catalogue.search import cursor as search_cursor
from app.catalogue.search.schemas import ProductSort
from app.core.config import Settings
from tests.catalogue.builders import (
    Callers,
    assert_problem,
    count,
    create_admin,
    create_callers,
    create_product,
    create_rate,
    empty_page,
    today,
)
from tests.factories import auth_headers, create_user


def rate_body(**changes: Any) -> dict[str, Any]:
    return {
        "base": "THB",
        "quote": "VND",
        "rate": "712.345",
        "source": "State Bank of Vietnam",
        "as_of": "2027-03-01",
        **changes,
    }


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    return await create_callers(session, settings)


# Recording rates


async def test_an_administrator_records_a_rate_as_text(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_admin(session)

    response = await client.post(
        "/v1/exchange-rates", json=rate_body(rate="0.000041234567"), headers=auth_headers(settings, admin.id)
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "base": "THB",
        "quote": "VND",
        "rate": "0.000041234567",
        "source": "State Bank of Vietnam",
        "as_of": "2027-03-01",
        "created_at": created["created_at"],
    }
    stored = await session.get(ExchangeRate, UUID(created["id"]))
    assert stored is not None
    assert (stored.rate_text, stored.recorded_by) == ("0.000041234567", admin.id)


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("a user who is no administrator", "user", 403, "not-administrator"),
        ("administrator", "admin", 201, None),
    ],
)
async def test_only_administrators_record_rates(
    client: AsyncClient,
    session: AsyncSession,
    settings: Settings,
    _case: str,
    caller: str | None,
    expected_status: int,
    code: str | None,
) -> None:
    users = {"user": await create_user(session), "admin": await create_admin(session)}
    headers = auth_headers(settings, users[caller].id) if caller else {}

    response = await client.post("/v1/exchange-rates", json=rate_body(), headers=headers)

    if code is None:
        assert response.status_code == expected_status
        assert await count(session, ExchangeRate) == 1
    else:
        assert_problem(response, expected_status, code)
        assert await count(session, ExchangeRate) == 0


async def test_a_second_rate_for_the_same_source_and_day_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_admin(session)
    headers = auth_headers(settings, admin.id)
    await client.post("/v1/exchange-rates", json=rate_body(), headers=headers)

    duplicate = await client.post("/v1/exchange-rates", json=rate_body(rate="700"), headers=headers)
    other_source = await client.post("/v1/exchange-rates", json=rate_body(source="Bank of Thailand"), headers=headers)
    other_day = await client.post("/v1/exchange-rates", json=rate_body(as_of="2027-03-02"), headers=headers)
    opposite_pair = await client.post(
        "/v1/exchange-rates", json=rate_body(base="VND", quote="THB", rate="0.0014"), headers=headers
    )

    assert_problem(duplicate, 409, "exchange-rate-exists")
    assert (other_source.status_code, other_day.status_code, opposite_pair.status_code) == (201, 201, 201)
    assert await count(session, ExchangeRate) == 4


@pytest.mark.parametrize(
    ("_case", "changes"),
    [
        ("rate of zero", {"rate": "0"}),
        ("rate of zero with decimals", {"rate": "0.000000000000"}),
        ("negative rate", {"rate": "-712.345"}),
        ("rate as a JSON number", {"rate": 712.345}),
        ("rate with 13 decimals", {"rate": "0.0000412345678"}),
        ("rate in exponent notation", {"rate": "7.12345E2"}),
        ("rate with a leading zero", {"rate": "0712.345"}),
        ("rate with a comma", {"rate": "712,345"}),
        ("same currency twice", {"quote": "THB"}),
        ("unknown currency", {"quote": "XXX"}),
        ("lower-case currency", {"base": "thb"}),
        ("day as a timestamp", {"as_of": 1_800_000_000}),
        ("no source", {"source": ""}),
        ("unknown field", {"inverse": "0.0014"}),
    ],
)
async def test_an_invalid_rate_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, changes: dict[str, Any]
) -> None:
    admin = await create_admin(session)

    response = await client.post(
        "/v1/exchange-rates", json=rate_body(**changes), headers=auth_headers(settings, admin.id)
    )

    assert_problem(response, 422, "validation-failed")
    assert await count(session, ExchangeRate) == 0


async def test_anyone_lists_rates_newest_first_by_pair(client: AsyncClient, session: AsyncSession) -> None:
    admin = await create_admin(session)
    rates = [
        await create_rate(session, "THB", "VND", "700", recorded_by=admin, as_of=today() - timedelta(days=2)),
        await create_rate(session, "THB", "VND", "712.345", recorded_by=admin, as_of=today() - timedelta(days=1)),
        await create_rate(session, "USD", "VND", "25000", recorded_by=admin),
    ]
    newest_first = [str(r.id) for r in sorted(rates, key=lambda r: (r.created_at, r.id), reverse=True)]

    everything = await client.get("/v1/exchange-rates", params={"limit": 2})
    rest = await client.get("/v1/exchange-rates", params={"limit": 2, "cursor": everything.json()["next_cursor"]})
    baht = await client.get("/v1/exchange-rates", params={"base": "THB", "quote": "VND"})
    dong = await client.get("/v1/exchange-rates", params={"quote": "VND", "base": "USD"})
    none = await client.get("/v1/exchange-rates", params={"base": "VND"})

    assert [r["id"] for r in everything.json()["data"]] == newest_first[:2]
    assert everything.json()["has_more"] is True
    assert [r["id"] for r in rest.json()["data"]] == newest_first[2:]
    assert [r["rate"] for r in baht.json()["data"]] == ["712.345", "700"]
    assert [r["id"] for r in dong.json()["data"]] == [str(rates[2].id)]
    assert none.json() == empty_page()


# Prices shown in a buyer's currency


async def test_prices_are_converted_with_the_newest_rate_and_show_it(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(
        session,
        callers.organisation,
        created_by=callers.member,
        price_minor=25_000,
        minimum_price_minor=20_000,
        premium_minor=2_050,
        producer_share_minor=15_000,
    )
    admin = await create_admin(session)
    await create_rate(session, "THB", "VND", "700", recorded_by=admin, as_of=today() - timedelta(days=7))
    await create_rate(session, "THB", "VND", "712.345", recorded_by=admin, as_of=today() - timedelta(days=1))

    response = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": "VND"})

    assert response.status_code == 200, response.text
    # 250.00 THB × 712.345 = 178086.25 → 178086 dong; 20.50 × 712.345 = 14603.0725 → 14603.
    assert response.json()["display"] == {
        "currency": "VND",
        "price": "178086",
        "minimum_price": "142469",
        "premium": "14603",
        "producer_share": "106852",
        "rate": "712.345",
        "rate_source": "Bank of Thailand",
        "rate_as_of": (today() - timedelta(days=1)).isoformat(),
        "rate_inverted": False,
    }
    assert (response.json()["currency"], response.json()["price"]) == ("THB", "250.00")


async def test_only_the_opposite_pair_is_used_inverted(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(
        session,
        callers.organisation,
        created_by=callers.member,
        currency="VND",
        price_minor=180_000,
        minimum_price_minor=150_000,
        premium_minor=15_000,
        producer_share_minor=120_000,
    )
    await create_rate(session, "THB", "VND", "800", recorded_by=callers.owner, source="Bank of Thailand")

    response = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": "THB"})

    assert response.status_code == 200, response.text
    assert response.json()["display"] == {
        "currency": "THB",
        "price": "225.00",
        "minimum_price": "187.50",
        "premium": "18.75",
        "producer_share": "150.00",
        "rate": "0.00125",
        "rate_source": "Bank of Thailand",
        "rate_as_of": today().isoformat(),
        "rate_inverted": True,
    }


async def test_an_inverse_rate_is_kept_to_28_significant_digits(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member, currency="VND")
    await create_rate(session, "THB", "VND", "712.345", recorded_by=callers.owner)

    response = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": "THB"})

    # 1 / 712.345 to 28 significant digits (the 28th is a 0, dropped); 25000 VND × that = 35.0953… → 35.10 THB.
    assert response.json()["display"]["rate"] == "0.00140381416308109132513037924"
    assert response.json()["display"]["price"] == "35.10"


async def test_a_stored_direct_rate_wins_over_a_newer_opposite_one(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)
    await create_rate(session, "THB", "USD", "0.028", recorded_by=callers.owner, as_of=today() - timedelta(days=30))
    await create_rate(session, "USD", "THB", "40", recorded_by=callers.owner)

    response = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": "USD"})

    assert (response.json()["display"]["rate"], response.json()["display"]["rate_inverted"]) == ("0.028", False)
    assert response.json()["display"]["price"] == "7.00"


async def test_among_sources_of_one_day_the_last_recorded_rate_is_used(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)
    await create_rate(session, "THB", "JPY", "4.1", recorded_by=callers.owner, source="Bank of Japan")
    await create_rate(session, "THB", "JPY", "4.3", recorded_by=callers.owner, source="Bank of Thailand")

    response = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": "JPY"})

    display = response.json()["display"]
    assert (display["rate"], display["rate_source"], display["price"]) == ("4.3", "Bank of Thailand", "1075")


@pytest.mark.parametrize(
    ("_case", "currency", "rate", "price_minor", "expected"),
    [
        ("whole yen, exact half rounds to even (down)", "JPY", "0.5", 100_100, "500"),  # 1001 × 0.5 = 500.5
        ("whole yen, exact half rounds to even (up)", "JPY", "0.5", 100_300, "502"),  # 1003 × 0.5 = 501.5
        ("whole dong", "VND", "712.345", 100, "712"),  # 1 THB
        ("three-decimal dinar", "BHD", "0.0109", 25_000, "2.725"),  # 250 × 0.0109
        ("three-decimal dinar, exact half to even (down)", "BHD", "0.002", 25, "0.000"),  # 0.5 fils
        ("three-decimal dinar, exact half to even (up)", "BHD", "0.002", 75, "0.002"),  # 1.5 fils
        ("four-decimal unidad de fomento", "CLF", "0.000671", 25_000, "0.1678"),  # 0.16775 → even
    ],
)
async def test_converted_prices_are_rounded_half_even_to_the_target_minor_unit(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    currency: str,
    rate: str,
    price_minor: int,
    expected: str,
) -> None:
    product = await create_product(
        session,
        callers.organisation,
        created_by=callers.member,
        price_minor=price_minor,
        minimum_price_minor=1,
        producer_share_minor=1,
    )
    await create_rate(session, "THB", currency, rate, recorded_by=callers.owner)

    response = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": currency})

    assert response.status_code == 200, response.text
    assert response.json()["display"]["price"] == expected


async def test_without_a_stored_rate_no_price_is_guessed(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)
    await create_rate(session, "USD", "VND", "25000", recorded_by=callers.owner)

    response = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": "VND"})

    assert_problem(response, 422, "no-exchange-rate")
    assert (response.json()["base"], response.json()["quote"]) == ("THB", "VND")


async def test_the_products_own_currency_needs_no_conversion(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)

    response = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": "THB"})

    assert response.status_code == 200
    assert response.json()["display"] is None


@pytest.mark.parametrize("currency", ["XXX", "thb", "XAU", "BAHT"])
async def test_an_unknown_display_currency_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers, currency: str
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)

    response = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": currency})

    assert_problem(response, 422, "validation-failed")


# A rate applies from its own day


async def test_a_rate_dated_ahead_is_stored_but_converts_nothing_before_its_day(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member, price_minor=25_000)
    admin = await create_admin(session)
    await create_rate(session, "THB", "VND", "700", recorded_by=admin, as_of=today() - timedelta(days=1))

    ahead = await client.post(
        "/v1/exchange-rates",
        json=rate_body(rate="800", as_of=(today() + timedelta(days=30)).isoformat()),
        headers=auth_headers(callers.settings, admin.id),
    )
    detail = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": "VND"})
    found = await client.get("/v1/catalogue/products", params={"currency": "VND"})
    # 250.00 THB is 175000 VND at 700 and 200000 at 800: a bound between the two tells which rate was used.
    bounded = await client.get("/v1/catalogue/products", params={"price_currency": "VND", "max_price": "190000"})
    listed = await client.get("/v1/exchange-rates", params={"base": "THB", "quote": "VND"})

    assert ahead.status_code == 201, ahead.text
    assert detail.status_code == 200, detail.text
    assert (detail.json()["display"]["price"], detail.json()["display"]["rate"]) == ("175000", "700")
    assert detail.json()["display"]["rate_as_of"] == (today() - timedelta(days=1)).isoformat()
    assert [(p["id"], p["display"]["price"], p["display"]["rate"]) for p in found.json()["data"]] == [
        (str(product.id), "175000", "700")
    ]
    assert [p["id"] for p in bounded.json()["data"]] == [str(product.id)]
    assert [r["rate"] for r in listed.json()["data"]] == ["800", "700"]


async def test_with_only_a_rate_dated_ahead_there_is_no_rate_yet(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)
    admin = await create_admin(session)
    await create_rate(session, "THB", "VND", "800", recorded_by=admin, as_of=today() + timedelta(days=30))
    await create_rate(session, "VND", "THB", "0.00125", recorded_by=admin, as_of=today() + timedelta(days=1))

    detail = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": "VND"})
    found = await client.get("/v1/catalogue/products", params={"currency": "VND"})

    assert_problem(detail, 422, "no-exchange-rate")
    assert [(p["id"], p["display"]) for p in found.json()["data"]] == [(str(product.id), None)]


async def test_a_rate_applies_from_its_own_day(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)
    admin = await create_admin(session)
    await create_rate(session, "THB", "VND", "700", recorded_by=admin, as_of=today() - timedelta(days=1))
    await create_rate(session, "THB", "VND", "712.345", recorded_by=admin, as_of=today())

    detail = await client.get(f"/v1/catalogue/products/{product.id}", params={"currency": "VND"})

    assert detail.status_code == 200, detail.text
    assert (detail.json()["display"]["rate"], detail.json()["display"]["rate_as_of"]) == (
        "712.345",
        today().isoformat(),
    )


async def test_a_search_cursor_from_a_later_moment_converts_with_the_rates_in_force_now(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member, price_minor=25_000)
    admin = await create_admin(session)
    await create_rate(session, "THB", "VND", "700", recorded_by=admin, as_of=today() - timedelta(days=1))
    await create_rate(session, "THB", "VND", "800", recorded_by=admin, as_of=today() + timedelta(days=30))
    later = datetime.now(UTC) + timedelta(days=365)
    meaning = search_cursor.fingerprint(ProductSort.newest, words=(), price_currency=None)
    cursor = search_cursor.encode(ProductSort.newest, meaning, later, (later.isoformat(), str(uuid4())))

    response = await client.get("/v1/catalogue/products", params={"currency": "VND", "cursor": cursor})

    assert response.status_code == 200, response.text
    assert [(p["id"], p["display"]["rate"]) for p in response.json()["data"]] == [(str(product.id), "700")]
