"""Products: listing rules (codes, fair-trade prices), public reads, changes, withdrawal, roles."""

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalogue.models import Product, ProductCertification, ProductImage, ProductStatus
from app.core.config import Settings
from app.core.quantity import Unit
from app.core.schemas import ASEAN_COUNTRIES
from tests.catalogue.builders import (
    VALID_GTIN,
    WRONG_CHECK_DIGIT_GTIN,
    Callers,
    assert_problem,
    count,
    create_callers,
    create_organisation,
    create_product,
    create_rate,
    empty_page,
    product_body,
    product_ids,
    today,
)


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    return await create_callers(session, settings)


async def stored_product(session: AsyncSession, product_id: UUID | str) -> Product:
    product = await session.get(Product, UUID(str(product_id)), populate_existing=True)
    assert product is not None
    return product


async def nothing_stored(session: AsyncSession) -> bool:
    return (
        await count(session, Product) == 0
        and await count(session, ProductCertification) == 0
        and await count(session, ProductImage) == 0
    )


# Listing a product


async def test_a_member_lists_a_product_and_reads_it_back_in_decimal_strings(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    body = product_body(callers.organisation.id)

    response = await client.post("/v1/catalogue/products", json=body, headers=callers.headers_for("member"))

    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        **body,
        "id": created["id"],
        "seller": {
            "id": str(callers.organisation.id),
            "name": "Doi Chaang Co-op",
            "kind": "producer_cooperative",
            "country": "TH",
            "region": "Chiang Rai",
            "declarations": {
                "no_child_labour": True,
                "non_discrimination": True,
                "safe_work": True,
                "environmental_practice": False,
            },
            "declared_at": callers.organisation.declared_at.isoformat().replace("+00:00", "Z"),
        },
        "pack_size": "1.000",
        "minimum_order_quantity": "20.500",
        "certifications": [{**body["certifications"][0], "expired": False}],
        "price_breakdown": {
            "price": "250.00",
            "minimum_price": "200.00",
            "premium": "20.00",
            "producer_share": "150.00",
            "producer_share_percent": "60.0",
            "price_paid_at_least": "250.00",
        },
        "display": None,
        "status": "listed",
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
    }
    product = await stored_product(session, created["id"])
    assert (product.price_minor, product.minimum_price_minor, product.premium_minor, product.producer_share_minor) == (
        25_000,
        20_000,
        2_000,
        15_000,
    )
    assert (product.pack_size_base, product.minimum_order_quantity_base) == (1_000, 20_500)
    assert product.created_by == callers.member.id
    assert response.headers["etag"] == (await client.get(f"/v1/catalogue/products/{created['id']}")).headers["etag"]


async def test_a_product_needs_only_the_required_fields(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    body = product_body(
        callers.organisation.id,
        origin_country="DE",
        currency="EUR",
        price="8.40",
        minimum_price="7.00",
        premium="0.80",
        producer_share="5.25",
        ahtn_code=None,
        form_d_criterion=None,
    )
    for optional in (
        "gtin",
        "certifications",
        "available_from",
        "available_to",
        "images",
        "ahtn_code",
        "form_d_criterion",
    ):
        body.pop(optional)

    response = await client.post("/v1/catalogue/products", json=body, headers=callers.headers_for("owner"))

    assert response.status_code == 201, response.text
    created = response.json()
    optional_values = {key: created[key] for key in ("gtin", "certifications", "available_from", "images", "ahtn_code")}
    assert optional_values == {
        "gtin": None,
        "certifications": [],
        "available_from": None,
        "images": [],
        "ahtn_code": None,
    }
    assert created["price_breakdown"]["producer_share_percent"] == "62.5"


@pytest.mark.parametrize(
    ("_case", "gtin"),
    [
        ("GTIN-13", VALID_GTIN),
        ("GTIN-8", "96385074"),
        ("GTIN-12 (UPC-A)", "036000291452"),
        ("GTIN-14", "10614141000415"),
    ],
)
async def test_gtins_with_a_valid_check_digit_are_accepted(
    client: AsyncClient, callers: Callers, _case: str, gtin: str
) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, gtin=gtin),
        headers=callers.headers_for("member"),
    )

    assert response.status_code == 201, response.text
    assert response.json()["gtin"] == gtin


@pytest.mark.parametrize(
    ("_case", "gtin"),
    [
        ("GTIN-13, last digit changed", WRONG_CHECK_DIGIT_GTIN),
        ("GTIN-8", "96385075"),
        ("GTIN-12", "036000291453"),
        ("GTIN-14", "10614141000416"),
    ],
)
async def test_a_gtin_with_a_wrong_check_digit_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, gtin: str
) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, gtin=gtin),
        headers=callers.headers_for("member"),
    )

    assert_problem(response, 422, "invalid-gtin")
    assert response.json()["gtin"] == gtin
    assert await nothing_stored(session)


@pytest.mark.parametrize(
    ("_case", "changes"),
    [
        ("GTIN of 9 digits", {"gtin": "400638133"}),
        ("GTIN of 10 digits", {"gtin": "4006381333"}),
        ("GTIN with a letter", {"gtin": "400638133393X"}),
        ("GTIN of 15 digits", {"gtin": "400638133393100"}),
        ("HS code of 5 digits", {"hs_code": "09011"}),
        ("HS code of 8 digits", {"hs_code": "09011110"}),
        ("HS code with a dot", {"hs_code": "0901.11"}),
        ("HS code as a number", {"hs_code": 90111}),
        ("AHTN of 6 digits", {"ahtn_code": "090111"}),
        ("AHTN with dots", {"ahtn_code": "0901.11.10"}),
        ("unknown Form D criterion", {"form_d_criterion": "RVC"}),
        ("Form D regional value content below 40%", {"form_d_criterion": "RVC 35%"}),
        ("Form D criterion in lower case", {"form_d_criterion": "wo"}),
        ("unknown category", {"category": "timber"}),
        ("unknown unit", {"unit": "sack"}),
        ("unknown origin country", {"origin_country": "XX"}),
        ("unknown currency", {"currency": "XYZ"}),
        ("a metal, not a currency", {"currency": "XAU"}),
        ("price as a number", {"price": 250}),
        ("negative premium", {"premium": "-1.00"}),
        ("lead time above a year", {"lead_time_days": 366}),
        ("negative lead time", {"lead_time_days": -1}),
        ("lead time as a string", {"lead_time_days": "14"}),
        ("lead time as a float", {"lead_time_days": 14.0}),
        ("eleven images", {"images": [f"https://example.org/{n}.jpg" for n in range(11)]}),
        ("an http image", {"images": ["http://example.org/coffee.jpg"]}),
        ("an image URL past 500 characters", {"images": ["https://example.org/" + "a" * 481]}),
        ("an image that is no URL", {"images": ["https://"]}),
        ("availability not a date", {"available_from": "next week"}),
        ("quantity with four decimals", {"pack_size": "1.0001"}),
        ("certification without expiry", {"certifications": [{"scheme": "organic", "issuer": "ACT", "number": "1"}]}),
        ("NUL in the description", {"description": "Arabica\x00"}),
        ("unknown field", {"price_minor": 25000}),
    ],
)
async def test_an_invalid_listing_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, changes: dict[str, Any]
) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, **changes),
        headers=callers.headers_for("member"),
    )

    assert_problem(response, 422, "validation-failed")
    assert await nothing_stored(session)


async def test_an_image_url_of_500_characters_is_accepted(client: AsyncClient, callers: Callers) -> None:
    url = "https://example.org/" + "a" * 480

    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, images=[url] * 10),
        headers=callers.headers_for("member"),
    )

    assert response.status_code == 201, response.text
    assert response.json()["images"] == [url] * 10


@pytest.mark.parametrize(
    "criterion", ["WO", "PE", "RVC 40%", "CTH", "CTSH", "CC", "RVC 40% + CTSH", "RVC 45%", "RVC 99%"]
)
async def test_every_form_d_criterion_is_accepted_for_an_asean_origin(
    client: AsyncClient, callers: Callers, criterion: str
) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, form_d_criterion=criterion),
        headers=callers.headers_for("member"),
    )

    assert response.status_code == 201, response.text
    assert response.json()["form_d_criterion"] == criterion


@pytest.mark.parametrize("origin", sorted(ASEAN_COUNTRIES))
async def test_ahtn_codes_are_accepted_from_every_asean_member(
    client: AsyncClient, callers: Callers, origin: str
) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, origin_country=origin),
        headers=callers.headers_for("member"),
    )

    assert response.status_code == 201, response.text
    assert (response.json()["origin_country"], response.json()["ahtn_code"]) == (origin, "09011110")


async def test_an_ahtn_code_outside_the_hs_code_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, hs_code="090111", ahtn_code="09012100"),
        headers=callers.headers_for("member"),
    )

    assert_problem(response, 422, "ahtn-not-under-hs-code")
    assert await nothing_stored(session)


@pytest.mark.parametrize(
    ("_case", "changes", "field"),
    [
        ("AHTN code from Brazil", {"origin_country": "BR", "form_d_criterion": None}, "ahtn_code"),
        ("Form D criterion from Ethiopia", {"origin_country": "ET", "ahtn_code": None}, "form_d_criterion"),
        ("both from China", {"origin_country": "CN"}, "ahtn_code"),
    ],
)
async def test_asean_codes_are_refused_for_other_origins(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, changes: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, **changes),
        headers=callers.headers_for("member"),
    )

    assert_problem(response, 422, "not-asean-origin")
    assert response.json()["field"] == field
    assert await nothing_stored(session)


async def test_a_product_from_outside_asean_lists_without_asean_codes(client: AsyncClient, callers: Callers) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, origin_country="ET", ahtn_code=None, form_d_criterion=None),
        headers=callers.headers_for("member"),
    )

    assert response.status_code == 201, response.text


# Fair-trade prices


async def test_a_price_below_the_minimum_price_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, price="199.99", minimum_price="200.00", producer_share="100.00"),
        headers=callers.headers_for("member"),
    )

    assert_problem(response, 422, "price-below-minimum")
    assert response.json()["minimum_price"] == "200.00"
    assert response.json()["currency"] == "THB"
    assert await nothing_stored(session)


async def test_a_price_equal_to_the_minimum_price_is_accepted(client: AsyncClient, callers: Callers) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, price="200.00", minimum_price="200.00"),
        headers=callers.headers_for("member"),
    )

    assert response.status_code == 201, response.text
    assert response.json()["price_breakdown"]["price_paid_at_least"] == "200.00"


async def test_the_premium_is_stated_apart_and_never_netted_into_the_price(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, price="200.00", minimum_price="200.00", premium="35.50"),
        headers=callers.headers_for("member"),
    )

    breakdown = response.json()["price_breakdown"]
    assert (breakdown["price"], breakdown["premium"], breakdown["price_paid_at_least"]) == ("200.00", "35.50", "200.00")
    product = await stored_product(session, response.json()["id"])
    assert (product.price_minor, product.premium_minor) == (20_000, 3_550)


@pytest.mark.parametrize(
    ("_case", "changes", "status", "code"),
    [
        ("producers' share above the price", {"producer_share": "250.01"}, 422, "producer-share-above-price"),
        ("price of zero", {"price": "0", "minimum_price": "0", "producer_share": "0"}, 422, "price-not-positive"),
        ("more decimals than THB has", {"price": "250.001"}, 422, "invalid-amount"),
        ("decimals in VND", {"currency": "VND", "price": "250000.5"}, 422, "invalid-amount"),
        (
            "available to before from",
            {"available_from": "2027-06-30", "available_to": "2027-06-29"},
            422,
            "availability-not-valid",
        ),
        ("pack size of zero", {"pack_size": "0"}, 422, "quantity-not-positive"),
        ("minimum order of zero", {"minimum_order_quantity": "0.000"}, 422, "quantity-not-positive"),
        ("grams in pieces", {"unit": "piece", "pack_size": "1.5"}, 422, "invalid-quantity"),
    ],
)
async def test_a_listing_that_breaks_a_catalogue_rule_is_refused(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    changes: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = await client.post(
        "/v1/catalogue/products",
        json=product_body(callers.organisation.id, **changes),
        headers=callers.headers_for("member"),
    )

    assert_problem(response, status, code)
    assert await nothing_stored(session)


@pytest.mark.parametrize(
    ("_case", "currency", "amounts", "breakdown"),
    [
        (
            "one third, rounded down",
            "THB",
            {"price": "3.00", "minimum_price": "1.00", "producer_share": "1.00"},
            {"producer_share_percent": "33.3", "price_paid_at_least": "3.00"},
        ),
        (
            "two thirds, rounded up",
            "THB",
            {"price": "3.00", "minimum_price": "1.00", "producer_share": "2.00"},
            {"producer_share_percent": "66.7", "price_paid_at_least": "3.00"},
        ),
        (
            "exact half of a tenth, to even below",
            "VND",
            {"price": "16", "minimum_price": "16", "premium": "0", "producer_share": "1"},
            {"producer_share_percent": "6.2", "price_paid_at_least": "16"},
        ),
        (
            "exact half of a tenth, to even above",
            "VND",
            {"price": "16", "minimum_price": "16", "premium": "0", "producer_share": "3"},
            {"producer_share_percent": "18.8", "price_paid_at_least": "16"},
        ),
        (
            "all of it",
            "BHD",
            {"price": "1.250", "minimum_price": "1.000", "premium": "0.125", "producer_share": "1.250"},
            {"producer_share_percent": "100.0", "price_paid_at_least": "1.250"},
        ),
    ],
)
async def test_the_price_breakdown_shows_the_producers_share_in_percent(
    client: AsyncClient, callers: Callers, _case: str, currency: str, amounts: dict[str, str], breakdown: dict[str, str]
) -> None:
    body = product_body(callers.organisation.id, currency=currency, **amounts)

    response = await client.post("/v1/catalogue/products", json=body, headers=callers.headers_for("member"))

    assert response.status_code == 201, response.text
    assert response.json()["price_breakdown"] == {
        "price": body["price"],
        "minimum_price": body["minimum_price"],
        "premium": body["premium"],
        "producer_share": body["producer_share"],
        **breakdown,
    }


# Who may list


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("member of another organisation", "outsider", 403, "not-organisation-member"),
        ("member", "member", 201, None),
        ("owner", "owner", 201, None),
    ],
)
async def test_only_members_of_the_seller_list_products(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
    code: str | None,
) -> None:
    response = await client.post(
        "/v1/catalogue/products", json=product_body(callers.organisation.id), headers=callers.headers_for(caller)
    )

    if code is None:
        assert response.status_code == expected_status, response.text
        assert await count(session, Product) == 1
    else:
        assert_problem(response, expected_status, code)
        assert await nothing_stored(session)


async def test_an_unknown_seller_is_not_found(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    response = await client.post(
        "/v1/catalogue/products", json=product_body(uuid4()), headers=callers.headers_for("member")
    )

    assert_problem(response, 404, "trading-organisation-not-found")
    assert await nothing_stored(session)


# Public reads


async def test_anyone_reads_a_product_without_logging_in(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)

    response = await client.get(f"/v1/catalogue/products/{product.id}")

    assert response.status_code == 200, response.text
    assert response.json()["id"] == str(product.id)
    assert response.json()["seller"]["name"] == "Doi Chaang Co-op"
    assert response.json()["display"] is None
    assert response.headers["etag"].startswith('"')


async def test_certificates_past_their_expiry_are_shown_expired(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(
        session,
        callers.organisation,
        created_by=callers.member,
        certifications=(
            ("WFTO Guaranteed Fair Trade", today() - timedelta(days=1)),
            ("organic", today()),
            ("PGS", today() + timedelta(days=1)),
        ),
    )

    response = await client.get(f"/v1/catalogue/products/{product.id}")

    assert [(c["scheme"], c["expires_on"], c["expired"]) for c in response.json()["certifications"]] == [
        ("WFTO Guaranteed Fair Trade", (today() - timedelta(days=1)).isoformat(), True),
        ("organic", today().isoformat(), False),
        ("PGS", (today() + timedelta(days=1)).isoformat(), False),
    ]


async def test_an_unknown_product_is_not_found(client: AsyncClient) -> None:
    response = await client.get(f"/v1/catalogue/products/{uuid4()}")

    assert_problem(response, 404, "product-not-found")


async def test_products_are_listed_newest_first_page_by_page_without_login(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    products = [await create_product(session, callers.organisation, created_by=callers.member) for _ in range(3)]
    expected = [str(p.id) for p in sorted(products, key=lambda p: (p.created_at, p.id), reverse=True)]

    first = await client.get("/v1/catalogue/products", params={"limit": 2})
    second = await client.get("/v1/catalogue/products", params={"limit": 2, "cursor": first.json()["next_cursor"]})

    assert first.status_code == second.status_code == 200
    assert product_ids(first.json()) == expected[:2]
    assert first.json()["has_more"] is True
    assert product_ids(second.json()) == expected[2:]
    assert (second.json()["has_more"], second.json()["next_cursor"]) == (False, None)


async def test_products_are_filtered_by_seller(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    ours = await create_product(session, callers.organisation, created_by=callers.member)
    other_seller = await create_organisation(session, owner=callers.outsider)
    await create_product(session, other_seller, created_by=callers.outsider)

    response = await client.get("/v1/catalogue/products", params={"seller_id": str(callers.organisation.id)})
    nobody = await client.get("/v1/catalogue/products", params={"seller_id": str(uuid4())})

    assert product_ids(response.json()) == [str(ours.id)]
    assert nobody.json() == empty_page()


async def test_a_tampered_cursor_is_refused(client: AsyncClient) -> None:
    response = await client.get("/v1/catalogue/products", params={"cursor": "bm90LWEtY3Vyc29y"})

    assert_problem(response, 422, "invalid-cursor")


# Changing and withdrawing


async def test_a_member_changes_the_price_with_if_match(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)
    url = f"/v1/catalogue/products/{product.id}"
    etag = (await client.get(url)).headers["etag"]

    response = await client.patch(
        url,
        json={"price": "260.00", "producer_share": "170.00", "gtin": VALID_GTIN},
        headers={**callers.headers_for("member"), "If-Match": etag},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["price"], body["producer_share"], body["minimum_price"], body["gtin"]) == (
        "260.00",
        "170.00",
        "200.00",
        VALID_GTIN,
    )
    assert body["price_breakdown"]["producer_share_percent"] == "65.4"
    assert response.headers["etag"] != etag
    assert response.headers["etag"] == (await client.get(url)).headers["etag"]
    assert (await stored_product(session, product.id)).price_minor == 26_000


async def test_a_price_change_below_the_minimum_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)

    response = await client.patch(
        f"/v1/catalogue/products/{product.id}", json={"price": "199.99"}, headers=callers.headers_for("member")
    )

    assert_problem(response, 422, "price-below-minimum")
    assert (await stored_product(session, product.id)).price_minor == 25_000


async def test_raising_the_minimum_above_the_price_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)

    response = await client.patch(
        f"/v1/catalogue/products/{product.id}", json={"minimum_price": "250.01"}, headers=callers.headers_for("member")
    )

    assert_problem(response, 422, "price-below-minimum")
    assert (await stored_product(session, product.id)).minimum_price_minor == 20_000


@pytest.mark.parametrize(
    ("_case", "changes", "code"),
    [
        ("a new currency without its amounts", {"currency": "USD", "price": "7.50"}, "currency-change-needs-amounts"),
        ("a new unit without its quantities", {"unit": "g", "pack_size": "1000"}, "unit-change-needs-quantities"),
        ("a wrong GTIN", {"gtin": WRONG_CHECK_DIGIT_GTIN}, "invalid-gtin"),
        ("an AHTN code for a Thai product moved to Kenya", {"origin_country": "KE"}, "not-asean-origin"),
        ("an AHTN code off a new HS code", {"hs_code": "090121"}, "ahtn-not-under-hs-code"),
        (
            "availability ending before it starts",
            {"available_from": "2027-02-01", "available_to": "2027-01-31"},
            "availability-not-valid",
        ),
    ],
)
async def test_a_change_that_breaks_a_listing_rule_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, changes: dict[str, Any], code: str
) -> None:
    created = await client.post(
        "/v1/catalogue/products", json=product_body(callers.organisation.id), headers=callers.headers_for("member")
    )
    url = f"/v1/catalogue/products/{created.json()['id']}"

    response = await client.patch(url, json=changes, headers=callers.headers_for("member"))

    assert_problem(response, 422, code)
    assert (await client.get(url)).json() == created.json()


async def test_a_new_currency_comes_with_all_its_amounts(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)

    response = await client.patch(
        f"/v1/catalogue/products/{product.id}",
        json={
            "currency": "VND",
            "price": "180000",
            "minimum_price": "150000",
            "premium": "15000",
            "producer_share": "120000",
        },
        headers=callers.headers_for("member"),
    )

    assert response.status_code == 200, response.text
    stored = await stored_product(session, product.id)
    assert (stored.currency, stored.price_minor, stored.premium_minor) == ("VND", 180_000, 15_000)


async def test_a_new_unit_comes_with_its_quantities(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)

    response = await client.patch(
        f"/v1/catalogue/products/{product.id}",
        json={"unit": "box", "pack_size": "1", "minimum_order_quantity": "12"},
        headers=callers.headers_for("member"),
    )

    assert response.status_code == 200, response.text
    assert (response.json()["unit"], response.json()["pack_size"], response.json()["minimum_order_quantity"]) == (
        "box",
        "1",
        "12",
    )


async def test_lists_are_replaced_whole_and_optional_fields_cleared(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    created = await client.post(
        "/v1/catalogue/products", json=product_body(callers.organisation.id), headers=callers.headers_for("member")
    )
    certification = {"scheme": "organic", "issuer": "ACT", "number": "ACT-1", "expires_on": "2020-01-01"}

    response = await client.patch(
        f"/v1/catalogue/products/{created.json()['id']}",
        json={
            "certifications": [certification],
            "images": ["https://example.org/b.jpg", "https://example.org/a.jpg"],
            "gtin": None,
            "ahtn_code": None,
            "available_to": None,
        },
        headers=callers.headers_for("member"),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["certifications"] == [{**certification, "expired": True}]
    assert body["images"] == ["https://example.org/b.jpg", "https://example.org/a.jpg"]
    assert (body["gtin"], body["ahtn_code"], body["available_from"], body["available_to"]) == (
        None,
        None,
        "2027-01-01",
        None,
    )
    assert await count(session, ProductCertification) == 1
    assert await count(session, ProductImage) == 2


@pytest.mark.parametrize(
    ("_case", "changes"),
    [
        ("null name", {"name": None}),
        ("null price", {"price": None}),
        ("null unit", {"unit": None}),
        ("seller", {"seller_id": str(uuid4())}),
    ],
)
async def test_a_change_cannot_clear_a_required_field_or_move_the_product(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, changes: dict[str, Any]
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)

    response = await client.patch(
        f"/v1/catalogue/products/{product.id}", json=changes, headers=callers.headers_for("member")
    )

    assert_problem(response, 422, "validation-failed")
    stored = await stored_product(session, product.id)
    assert (stored.name, stored.price_minor, stored.unit, stored.seller_id) == (
        product.name,
        25_000,
        Unit.kg,
        callers.organisation.id,
    )


async def test_a_stale_if_match_is_refused(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)
    url = f"/v1/catalogue/products/{product.id}"
    stale = (await client.get(url)).headers["etag"]
    await client.patch(url, json={"price": "270.00"}, headers=callers.headers_for("owner"))

    response = await client.patch(
        url, json={"price": "280.00"}, headers={**callers.headers_for("member"), "If-Match": stale}
    )

    assert_problem(response, 412, "precondition-failed")
    assert (await stored_product(session, product.id)).price_minor == 27_000


async def test_the_etag_of_a_product_does_not_depend_on_the_display_currency(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)
    await create_rate(session, "THB", "USD", "0.028", recorded_by=callers.owner)
    url = f"/v1/catalogue/products/{product.id}"

    plain = await client.get(url)
    in_dollars = await client.get(url, params={"currency": "USD"})
    change = await client.patch(
        url, json={"name": "Renamed"}, headers={**callers.headers_for("member"), "If-Match": in_dollars.headers["etag"]}
    )

    assert in_dollars.json()["display"] is not None
    assert in_dollars.headers["etag"] == plain.headers["etag"]
    assert change.status_code == 200


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("member of another organisation", "outsider", 403, "not-organisation-member"),
        ("member", "member", 200, None),
    ],
)
async def test_only_members_of_the_seller_change_a_product(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
    code: str | None,
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)

    response = await client.patch(
        f"/v1/catalogue/products/{product.id}", json={"price": "300.00"}, headers=callers.headers_for(caller)
    )

    if code is None:
        assert response.status_code == expected_status
        assert (await stored_product(session, product.id)).price_minor == 30_000
    else:
        assert_problem(response, expected_status, code)
        assert (await stored_product(session, product.id)).price_minor == 25_000


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("member of another organisation", "outsider", 403, "not-organisation-member"),
        ("member", "member", 204, None),
    ],
)
async def test_only_members_of_the_seller_withdraw_a_product(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
    code: str | None,
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)

    response = await client.delete(f"/v1/catalogue/products/{product.id}", headers=callers.headers_for(caller))

    stored = await stored_product(session, product.id)
    if code is None:
        assert response.status_code == expected_status
        assert stored.status == ProductStatus.withdrawn
        assert stored.withdrawn_at is not None
    else:
        assert_problem(response, expected_status, code)
        assert (stored.status, stored.withdrawn_at) == (ProductStatus.listed, None)


async def test_a_withdrawn_product_is_hidden_from_every_read(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)
    url = f"/v1/catalogue/products/{product.id}"

    withdrawn = await client.delete(url, headers=callers.headers_for("member"))
    read = await client.get(url)
    listed = await client.get("/v1/catalogue/products")
    changed = await client.patch(url, json={"price": "300.00"}, headers=callers.headers_for("member"))
    withdrawn_again = await client.delete(url, headers=callers.headers_for("member"))

    assert withdrawn.status_code == 204
    assert_problem(read, 404, "product-not-found")
    assert listed.json() == empty_page()
    assert_problem(changed, 404, "product-not-found")
    assert_problem(withdrawn_again, 404, "product-not-found")
    assert await count(session, Product) == 1  # kept, for the orders that may name it
    assert [p.id for p in (await session.scalars(select(Product))).all()] == [product.id]
