"""Browsing and searching the catalogue: full text, filters, prices across currencies, sorts, and
keyset cursors that neither repeat nor skip a product, on SQLite (FTS5) and PostgreSQL (GIN)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.catalogue.models import (
    Product,
    ProductCategory,
    ProductCertification,
    ProductStatus,
    TradingOrganisation,
)
from app.catalogue.search import index, query
from app.catalogue.search.schemas import ProductSearch, ProductSort, ProductSummaryRead
from app.core.config import Settings
from app.core.quantity import Unit
from app.core.schemas import Page
from app.main import create_app
from tests.catalogue.builders import assert_problem, create_organisation, create_rate, today
from tests.factories import create_user

URL = "/v1/catalogue/products"
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Shop:
    user: User
    seller: TradingOrganisation
    other_seller: TradingOrganisation


@pytest.fixture
async def shop(session: AsyncSession) -> Shop:
    user = await create_user(session, display_name="Ploy")
    seller = await create_organisation(session, owner=user, name="Doi Chaang Co-op")
    other_seller = await create_organisation(session, owner=user, name="Hanoi Traders", country="VN")
    return Shop(user=user, seller=seller, other_seller=other_seller)


async def add_product(
    session: AsyncSession,
    shop: Shop,
    *,
    name: str = "Arabica beans",
    description: str = "Shade-grown in the hills.",
    category: ProductCategory = ProductCategory.coffee,
    origin_country: str = "TH",
    currency: str = "THB",
    price_minor: int = 25_000,
    minutes: int = 0,
    certifications: tuple[tuple[str, int], ...] = (),
    seller: TradingOrganisation | None = None,
) -> Product:
    """A listed product created `minutes` after START; certifications as (scheme, days until expiry)."""
    product = Product(
        seller_id=(seller or shop.seller).id,
        name=name,
        description=description,
        category=category,
        origin_country=origin_country,
        origin_region="Somewhere",
        unit=Unit.kg,
        pack_size_base=1_000,
        hs_code="090111",
        minimum_order_quantity_base=1_000,
        lead_time_days=7,
        currency=currency,
        price_minor=price_minor,
        minimum_price_minor=price_minor,
        premium_minor=0,
        producer_share_minor=0,
        status=ProductStatus.listed,
        created_by=shop.user.id,
        created_at=START + timedelta(minutes=minutes),
        certifications=[
            ProductCertification(
                position=position, scheme=scheme, issuer="Issuer", number=f"N-{position}", expires_on=today() + days
            )
            for position, (scheme, days) in enumerate((s, timedelta(days=d)) for s, d in certifications)
        ],
    )
    session.add(product)
    await session.flush()
    return product


def product_row(shop: Shop, *, name: str) -> dict[str, Any]:
    """A listed product's columns, for bulk inserts."""
    return {
        "id": uuid4(),
        "seller_id": shop.seller.id,
        "name": name,
        "description": "Grown by families.",
        "category": ProductCategory.rice,
        "origin_country": "TH",
        "origin_region": "Isan",
        "unit": Unit.kg,
        "pack_size_base": 1_000,
        "hs_code": "100630",
        "minimum_order_quantity_base": 1_000,
        "lead_time_days": 7,
        "currency": "THB",
        "price_minor": 5_000,
        "minimum_price_minor": 5_000,
        "premium_minor": 0,
        "producer_share_minor": 0,
        "status": ProductStatus.listed,
        "created_by": shop.user.id,
        "created_at": START,
        "updated_at": START,
    }


async def search(client: AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get(URL, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def ids(client: AsyncClient, **params: Any) -> list[UUID]:
    return [UUID(product["id"]) for product in (await search(client, limit=100, **params))["data"]]


async def walk(client: AsyncClient, limit: int, cursor: str | None = None, **params: Any) -> list[UUID]:
    """Every page of a search (from `cursor` on), following next_cursor; checks has_more on the way."""
    seen: list[UUID] = []
    for _ in range(100):
        page = await search(client, limit=limit, **params, **({"cursor": cursor} if cursor else {}))
        seen += [UUID(product["id"]) for product in page["data"]]
        assert page["has_more"] is (page["next_cursor"] is not None)
        if not page["has_more"]:
            return seen
        assert len(page["data"]) == limit
        cursor = page["next_cursor"]
    raise AssertionError("the walk did not end")


def newest_first(products: list[Product]) -> list[UUID]:
    return [p.id for p in sorted(products, key=lambda p: (p.created_at, p.id), reverse=True)]


# Full text


async def test_a_name_hit_ranks_above_a_description_hit(client: AsyncClient, session: AsyncSession, shop: Shop) -> None:
    in_name = await add_product(session, shop, name="Robusta coffee", description="Dark roast.", minutes=1)
    in_description = await add_product(
        session, shop, name="Jasmine tea", description="Grown between coffee trees.", minutes=2
    )
    await add_product(session, shop, name="Palm sugar", description="From Kampot.", minutes=3)

    relevance = await ids(client, q="coffee")
    newest = await ids(client, q="coffee", sort="newest")

    assert relevance == [in_name.id, in_description.id]
    assert newest == [in_description.id, in_name.id]


async def test_every_word_must_match_and_the_last_also_as_a_prefix(
    client: AsyncClient, session: AsyncSession, shop: Shop
) -> None:
    organic_coffee = await add_product(session, shop, name="Organic coffee", minutes=1)
    await add_product(session, shop, name="Coffee", description="Washed.", minutes=2)
    await add_product(session, shop, name="Organic tea", description="Green.", minutes=3)
    split = await add_product(session, shop, name="Organic rice", description="Tastes of coffee.", minutes=4)

    assert await ids(client, q="organic cof") == [organic_coffee.id, split.id]
    assert await ids(client, q="cof organic") == []  # only the last word is a prefix
    assert await ids(client, q="ORGANIC, coffee!") == [organic_coffee.id, split.id]


async def test_words_of_south_east_asian_languages_are_found_as_written(
    client: AsyncClient, session: AsyncSession, shop: Shop
) -> None:
    vietnamese = await add_product(session, shop, name="Cà phê Đà Lạt", origin_country="VN", minutes=1)
    thai = await add_product(session, shop, name="กาแฟอาราบิก้า ดอยช้าง", minutes=2)
    indonesian = await add_product(session, shop, name="Kopi Gayo", description="Kopi arabika dari Aceh.", minutes=3)

    assert await ids(client, q="cà PHÊ") == [vietnamese.id]
    assert await ids(client, q="ca phe") == []  # diacritics are kept on both databases
    assert await ids(client, q="กาแฟ") == [thai.id]  # Thai has no spaces: a prefix of the run
    assert await ids(client, q="arabika") == [indonesian.id]  # no English stemming


async def test_the_index_follows_renames_and_withdrawals(
    client: AsyncClient, session: AsyncSession, shop: Shop
) -> None:
    renamed = await add_product(session, shop, name="Cacao nibs", minutes=1)
    withdrawn = await add_product(session, shop, name="Cacao butter", minutes=2)
    relisted = await add_product(session, shop, name="Cacao powder", minutes=3)

    renamed.name = "Cocoa nibs"
    withdrawn.status = ProductStatus.withdrawn
    relisted.status = ProductStatus.withdrawn
    await session.flush()
    relisted.status = ProductStatus.listed
    await session.flush()

    assert await ids(client, q="cacao") == [relisted.id]
    assert await ids(client, q="cocoa") == [renamed.id]


async def explain(session: AsyncSession, sql: str) -> list[Any]:
    # Through the driver as written: text() would read the tsquery weight ':A' as a bind parameter.
    connection = await session.connection()
    return list((await connection.exec_driver_sql(sql)).all())


async def test_the_full_text_query_uses_the_index(session: AsyncSession, shop: Shop) -> None:
    # Enough rows that walking every listed product costs more than looking the words up.
    rows = [product_row(shop, name=f"Organic coffee {n}" if n % 500 == 0 else f"Rice {n}") for n in range(2_000)]
    await session.execute(insert(Product), rows)
    dialect = session.get_bind().dialect
    prepared = query.prepare(
        dialect.name, query.Search(sort=ProductSort.relevance, limit=20, today=today(), words=("organic", "cof"))
    )
    assert prepared is not None
    statement = prepared[0].params(prepared[1])
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    if dialect.name == "postgresql":
        # Statistics for the planner (rolled back with the test); and a handful of rows costs less to scan
        # than to look up, so seq scans are ruled out to make the planner show its index path.
        await session.execute(text("ANALYZE product"))
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(row[0] for row in await explain(session, f"EXPLAIN {sql}"))
        assert f"Bitmap Index Scan on {index.SEARCH_VECTOR_INDEX}" in plan, plan
    else:
        plan = "\n".join(row[-1] for row in await explain(session, f"EXPLAIN QUERY PLAN {sql}"))
        assert f"{index.FTS_TABLE} VIRTUAL TABLE INDEX" in plan


async def test_a_country_and_a_category_are_browsed_along_their_own_index(session: AsyncSession, shop: Shop) -> None:
    countries, categories = ("TH", "VN", "ID", "PH"), (ProductCategory.rice, ProductCategory.coffee)
    rows = [
        product_row(shop, name=f"Product {n}")
        | {"origin_country": countries[n % 4], "category": categories[n // 4 % 2], "created_at": START + timedelta(n)}
        for n in range(2_000)
    ]
    await session.execute(insert(Product), rows)
    dialect = session.get_bind().dialect
    prepared = query.prepare(
        dialect.name,
        query.Search(sort=ProductSort.newest, limit=20, today=today(), country="VN", category=ProductCategory.coffee),
    )
    assert prepared is not None
    statement = prepared[0].params(prepared[1])
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    if dialect.name == "postgresql":
        await session.execute(text("ANALYZE product"))
        plan = "\n".join(row[0] for row in await explain(session, f"EXPLAIN {sql}"))
    else:
        await session.execute(text("ANALYZE"))
        plan = "\n".join(row[-1] for row in await explain(session, f"EXPLAIN QUERY PLAN {sql}"))
    assert index.COUNTRY_CATEGORY_INDEX in plan, plan


# Filters


@pytest.fixture
async def assorted(session: AsyncSession, shop: Shop) -> dict[str, Product]:
    specs: dict[str, dict[str, Any]] = {
        "thai coffee": {"origin_country": "TH", "certifications": (("WFTO", 30),)},
        "thai tea": {"origin_country": "TH", "category": ProductCategory.tea},
        "vietnamese coffee": {"origin_country": "VN", "seller": shop.other_seller},
        "japanese tea": {"origin_country": "JP", "category": ProductCategory.tea, "certifications": (("PGS", 0),)},
        "brazilian coffee": {"origin_country": "BR", "certifications": (("organic", -1), ("PGS", 365))},
        "expired": {"origin_country": "LA", "certifications": (("WFTO", -1),)},
    }
    return {
        name: await add_product(session, shop, name=name.title(), minutes=minutes, **spec)
        for minutes, (name, spec) in enumerate(specs.items())
    }


@pytest.mark.parametrize(
    ("_case", "params", "expected"),
    [
        ("country", {"country": "TH"}, {"thai coffee", "thai tea"}),
        ("asean origin", {"asean": "true"}, {"thai coffee", "thai tea", "vietnamese coffee", "expired"}),
        ("asean and a country outside", {"asean": "true", "country": "JP"}, set()),
        ("category", {"category": "tea"}, {"thai tea", "japanese tea"}),
        ("seller", {"seller_id": "other"}, {"vietnamese coffee"}),
        (
            "certified, expiring today counts",
            {"certified": "true"},
            {"thai coffee", "japanese tea", "brazilian coffee"},
        ),
        ("scheme as written", {"certification": "PGS"}, {"japanese tea", "brazilian coffee"}),
        ("scheme whose certificate expired", {"certification": "organic"}, set()),
        ("filters together", {"category": "coffee", "certified": "true", "asean": "true"}, {"thai coffee"}),
    ],
)
async def test_each_filter_narrows_the_list(
    client: AsyncClient,
    shop: Shop,
    assorted: dict[str, Product],
    _case: str,
    params: dict[str, str],
    expected: set[str],
) -> None:
    if params.get("seller_id") == "other":
        params = {**params, "seller_id": str(shop.other_seller.id)}

    found = await ids(client, **params)

    assert found == newest_first([assorted[name] for name in expected])


async def test_a_summary_shows_the_seller_and_whether_a_certificate_is_valid_today(
    client: AsyncClient, assorted: dict[str, Product]
) -> None:
    page = await search(client, q="expired")
    everything = await search(client, limit=100)

    product = assorted["expired"]
    assert page == {
        "data": [
            {
                "id": str(product.id),
                "name": "Expired",
                "category": "coffee",
                "origin_country": "LA",
                "seller_id": str(product.seller_id),
                "seller_name": "Doi Chaang Co-op",
                "unit": "kg",
                "price": "250.00",
                "currency": "THB",
                "certified": False,
                "display": None,
                "created_at": product.created_at.isoformat().replace("+00:00", "Z"),
            }
        ],
        "has_more": False,
        "next_cursor": None,
    }
    assert {p["name"] for p in everything["data"] if p["certified"]} == {
        "Thai Coffee",
        "Japanese Tea",
        "Brazilian Coffee",
    }
    Page[ProductSummaryRead].model_validate(everything)


# Prices across currencies

# 1 THB = 0.028 USD is stored as such; USD to VND only as 1 USD = 25000 VND, so VND → USD is its inverse.
RATES = (("THB", "USD", "0.028"), ("USD", "VND", "25000"))


@pytest.fixture
async def priced(session: AsyncSession, shop: Shop) -> dict[str, Product]:
    for base, quote, rate in RATES:
        await create_rate(session, base, quote, rate, recorded_by=shop.user, source="Central bank")
    prices = {
        "THB 250.00": ("THB", 25_000),  # 7.00 USD
        "THB 400.00": ("THB", 40_000),  # 11.20 USD
        "VND 150000": ("VND", 150_000),  # 6.00 USD
        "VND 400000": ("VND", 400_000),  # 16.00 USD
        "USD 9.99": ("USD", 999),
        "EUR 5.00": ("EUR", 500),  # no rate to USD
    }
    return {
        name: await add_product(session, shop, name=name, currency=currency, price_minor=price, minutes=minutes)
        for minutes, (name, (currency, price)) in enumerate(prices.items())
    }


async def test_a_price_range_in_one_currency_covers_products_in_others(
    client: AsyncClient, priced: dict[str, Product]
) -> None:
    found = await ids(client, min_price="6.50", max_price="12.00", price_currency="USD")
    from_only = await ids(client, min_price="10", price_currency="USD")

    assert found == newest_first([priced["THB 250.00"], priced["THB 400.00"], priced["USD 9.99"]])
    assert from_only == newest_first([priced["THB 400.00"], priced["VND 400000"]])


async def test_price_sorts_compare_converted_prices_and_leave_out_currencies_without_a_rate(
    client: AsyncClient, priced: dict[str, Product]
) -> None:
    cheapest_first = await ids(client, sort="price_asc", price_currency="USD")
    dearest_first = await ids(client, sort="price_desc", currency="USD")

    expected = [priced[name].id for name in ("VND 150000", "THB 250.00", "USD 9.99", "THB 400.00", "VND 400000")]
    assert cheapest_first == expected
    assert dearest_first == expected[::-1]


async def test_display_prices_show_the_rate_and_match_the_product_page(
    client: AsyncClient, priced: dict[str, Product]
) -> None:
    page = await search(client, currency="USD", sort="price_asc")
    detail = (await client.get(f"{URL}/{priced['VND 150000'].id}", params={"currency": "USD"})).json()

    displays = {p["name"]: p["display"] for p in page["data"]}
    assert displays["THB 250.00"] == {
        "currency": "USD",
        "price": "7.00",
        "rate": "0.028",
        "rate_source": "Central bank",
        "rate_as_of": today().isoformat(),
        "rate_inverted": False,
    }
    assert displays["USD 9.99"] is None
    assert displays["VND 150000"]["price"] == detail["display"]["price"] == "6.00"
    assert displays["VND 150000"]["rate"] == detail["display"]["rate"] == "0.00004"
    assert displays["VND 150000"]["rate_inverted"] is True
    eur = (await search(client, currency="USD", q="EUR"))["data"]
    assert [p["display"] for p in eur] == [None]  # listed, but no rate to show it with


# Pagination


@pytest.fixture
async def ties(session: AsyncSession, shop: Shop) -> list[Product]:
    """Thirteen products with many ties: shared creation times, prices, and prices equal once converted."""
    await create_rate(session, "THB", "USD", "0.5", recorded_by=shop.user)
    specs = [
        # (name, currency, price_minor, minutes)
        ("Coffee one", "USD", 100, 0),
        ("Coffee two", "USD", 100, 0),
        ("Coffee three", "THB", 200, 0),  # 1.00 USD too
        ("Coffee four", "THB", 200, 1),
        ("Tea with coffee", "USD", 100, 1),
        ("Coffee five", "USD", 300, 1),
        ("Coffee six", "THB", 600, 2),  # 3.00 USD
        ("Rice", "USD", 100, 2),
        ("Coffee seven", "USD", 50, 2),
        ("Coffee eight", "THB", 100, 3),  # 0.50 USD
        ("Coffee nine", "USD", 100, 3),
        ("Sugar", "THB", 200, 3),
        ("Coffee ten", "USD", 100, 3),
    ]
    return [
        await add_product(session, shop, name=name, currency=currency, price_minor=price, minutes=minutes)
        for name, currency, price, minutes in specs
    ]


def _converted(product: Product) -> Fraction:
    return Fraction(product.price_minor) * (Fraction(1, 2) if product.currency == "THB" else 1)


def _hits(product: Product) -> int:
    return int("coffee" in product.name.lower().split())


ORDERS = {
    "newest": ({}, lambda p: (p.created_at, p.id), True),
    "relevance": ({"q": "coffee"}, lambda p: (_hits(p), p.created_at, p.id), True),
    "price_asc": ({"price_currency": "USD"}, lambda p: (_converted(p), p.price_minor, p.id), False),
    "price_desc": ({"price_currency": "USD"}, lambda p: (_converted(p), p.price_minor, p.id), True),
}


@pytest.mark.parametrize("sort", list(ORDERS))
@pytest.mark.parametrize("limit", [1, 2, 5])
async def test_walking_the_pages_shows_each_product_once_in_the_full_order(
    client: AsyncClient, ties: list[Product], sort: str, limit: int
) -> None:
    params, key, descending = ORDERS[sort]
    matching = [p for p in ties if sort != "relevance" or "coffee" in p.name.lower()]

    walked = await walk(client, limit, sort=sort, **params)
    full = await ids(client, sort=sort, **params)

    assert walked == full == [p.id for p in sorted(matching, key=key, reverse=descending)]


@pytest.mark.parametrize("sort", list(ORDERS))
async def test_products_listed_during_a_walk_do_not_shift_the_pages(
    client: AsyncClient, session: AsyncSession, shop: Shop, ties: list[Product], sort: str
) -> None:
    params, key, descending = ORDERS[sort]
    first = await search(client, limit=4, sort=sort, **params)
    # Newer, older, cheaper, dearer and tied with what was shown; and a newer rate that would make every
    # THB product four times dearer: the walk keeps converting with the rates of its first page.
    for minutes, price in ((-5, 100), (10, 100), (1, 1), (3, 10_000), (0, 200)):
        await add_product(session, shop, name="Coffee late", currency="USD", price_minor=price, minutes=minutes)
    await create_rate(session, "THB", "USD", "2", recorded_by=shop.user, as_of=today() + timedelta(days=1))

    rest = await walk(client, 4, sort=sort, cursor=first["next_cursor"], **params)

    walked = [UUID(p["id"]) for p in first["data"]] + rest
    matching = [p for p in ties if sort != "relevance" or _hits(p)]
    assert len(walked) == len(set(walked))
    assert [i for i in walked if i in {p.id for p in ties}] == [
        p.id for p in sorted(matching, key=key, reverse=descending)
    ]


# Refusals


async def test_a_tampered_or_foreign_cursor_is_refused(client: AsyncClient, ties: list[Product]) -> None:
    newest = await search(client, limit=2)
    by_price = await search(client, limit=2, sort="price_asc", price_currency="USD")
    by_relevance = await search(client, limit=2, q="coffee")

    responses = [
        await client.get(URL, params={"cursor": "bm90LWEtY3Vyc29y"}),
        await client.get(URL, params={"cursor": newest["next_cursor"][:-8]}),
        await client.get(URL, params={"cursor": newest["next_cursor"], "sort": "price_asc", "price_currency": "USD"}),
        await client.get(URL, params={"cursor": by_price["next_cursor"]}),
        await client.get(URL, params={"cursor": by_price["next_cursor"], "sort": "price_asc", "price_currency": "THB"}),
        await client.get(URL, params={"cursor": by_relevance["next_cursor"], "q": "tea"}),
    ]

    for response in responses:
        assert_problem(response, 422, "invalid-cursor")


@pytest.mark.parametrize(
    ("_case", "params", "code"),
    [
        ("relevance without words", {"sort": "relevance"}, "relevance-needs-search"),
        ("no word in q", {"q": "?!-"}, "search-needs-words"),
        ("too many words", {"q": "a b c d e f g h i"}, "too-many-search-words"),
        ("price sort without currency", {"sort": "price_desc"}, "price-needs-currency"),
        ("bound without currency", {"min_price": "1.00"}, "price-needs-currency"),
        ("bounds crossed", {"min_price": "2", "max_price": "1", "price_currency": "THB"}, "price-range-empty"),
        ("more decimals than the currency", {"min_price": "1.5", "price_currency": "VND"}, "invalid-amount"),
        ("unknown sort", {"sort": "cheapest"}, "validation-failed"),
        ("limit above 100", {"limit": "101"}, "validation-failed"),
    ],
)
async def test_a_search_that_cannot_be_answered_is_refused(
    client: AsyncClient, _case: str, params: dict[str, str], code: str
) -> None:
    response = await client.get(URL, params=params)

    assert_problem(response, 422, code)


async def test_an_invalid_parameter_is_named_in_the_problem(client: AsyncClient) -> None:
    response = await client.get(URL, params={"limit": "0", "country": "thailand"})

    assert_problem(response, 422, "validation-failed")
    assert {tuple(error["loc"]) for error in response.json()["errors"]} == {("query", "limit"), ("query", "country")}


async def test_a_repeated_parameter_counts_once_by_its_last_value(
    client: AsyncClient, assorted: dict[str, Product]
) -> None:
    response = await client.get(f"{URL}?country=VN&country=TH")

    assert response.status_code == 200
    assert {product["name"] for product in response.json()["data"]} == {"Thai Coffee", "Thai Tea"}


def test_every_search_parameter_is_documented(settings: Settings) -> None:
    document = create_app(settings).openapi()
    operation = document["paths"][URL]["get"]
    documented = {parameter["name"]: parameter for parameter in operation["parameters"]}

    assert set(documented) == set(ProductSearch.model_fields)
    assert all(parameter["in"] == "query" and not parameter["required"] for parameter in documented.values())
    # An enum is its one named component: clients get one type, not a copy per parameter.
    assert documented["sort"]["schema"]["$ref"] == "#/components/schemas/ProductSort"
    assert document["components"]["schemas"]["ProductSort"]["enum"] == [sort.value for sort in ProductSort]
    assert documented["limit"]["schema"] == {
        "default": 20,
        "description": "Page size, 1 to 100.",
        "format": "int32",
        "maximum": 100,
        "minimum": 1,
        "title": "Limit",
        "type": "integer",
    }
