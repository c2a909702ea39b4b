"""Synthetic catalogue data for the benchmark, written in bulk through the drivers (asyncpg COPY, sqlite3
executemany), never through the ORM one row at a time. Deterministic: the same seed gives the same rows."""

import random
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from app.core.schemas import ASEAN_COUNTRIES

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()
SELLERS = 500

# Origin countries: the eleven ASEAN members carry three quarters of the listings.
COUNTRY_WEIGHTS = {
    "TH": 20, "VN": 15, "ID": 15, "PH": 8, "LA": 4, "KH": 4, "MY": 3, "MM": 3, "TL": 1.5, "SG": 1, "BN": 0.5,
    "JP": 4, "IN": 5, "BR": 4, "PE": 3, "ET": 3, "KE": 2, "CO": 2, "MX": 2,
}  # fmt: skip
REGIONS = {
    "TH": ["Doi Chaang", "Chiang Rai", "Nan", "Surin"], "VN": ["Dak Lak", "Da Lat", "Son La"],
    "ID": ["Gayo", "Toraja", "Flores", "Kintamani"], "PH": ["Benguet", "Sagada", "Bukidnon"],
    "LA": ["Bolaven", "Phongsaly"], "KH": ["Kampot", "Mondulkiri"], "MY": ["Sabah", "Sarawak"],
    "MM": ["Shan", "Chin"], "TL": ["Ermera", "Maubisse"], "SG": ["Kranji"], "BN": ["Tutong"],
    "JP": ["Uji", "Okinawa"], "IN": ["Kerala", "Assam", "Darjeeling"], "BR": ["Minas Gerais", "Bahia"],
    "PE": ["Cusco", "Cajamarca"], "ET": ["Sidamo", "Yirgacheffe"], "KE": ["Nyeri", "Kericho"],
    "CO": ["Huila", "Narino"], "MX": ["Chiapas", "Oaxaca"],
}  # fmt: skip
NOUNS = {
    "coffee": ["arabica", "robusta", "liberica", "excelsa", "kopi"],
    "tea": ["oolong", "jasmine tea", "green tea", "black tea", "assam tea"],
    "rice": ["jasmine rice", "sticky rice", "red rice", "black rice", "hom mali"],
    "sugar": ["palm sugar", "coconut sugar", "cane sugar", "jaggery"],
    "spices": ["pepper", "cardamom", "cinnamon", "turmeric", "galangal", "star anise"],
    "cocoa": ["cacao nibs", "cocoa beans", "cacao butter"],
    "fruit": ["mango", "durian", "mangosteen", "rambutan", "longan", "banana chips"],
    "vegetables": ["morning glory", "bamboo shoots", "lemongrass", "chili"],
    "handicrafts": ["rattan basket", "bamboo tray", "water hyacinth bag", "coconut bowl"],
    "textiles": ["ikat scarf", "batik cloth", "hemp shirt", "silk weave"],
    "other": ["wild honey", "cashew nuts", "coconut oil", "seaweed"],
}
ADJECTIVES = [
    "Organic", "Wild", "Washed", "Natural", "Honey-processed", "Shade-grown", "Heirloom", "Single-origin",
    "Smallholder", "Hand-picked", "Sun-dried", "Fermented", "Roasted", "Raw", "Fair",
]  # fmt: skip
SYLLABLES = ["ka", "lu", "mi", "ra", "to", "ne", "sa", "pi", "do", "ya", "ba", "ku", "ti", "wo", "ge"]
# A long tail of words for the descriptions, as real text has.
DESCRIPTION_WORDS = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES[:4]]
UNITS = {"handicrafts": "piece", "textiles": "piece"}
# Currency, its share of listings, and a price range in minor units; LAK has no rate to anything.
CURRENCIES = [
    ("THB", 38, 2_000, 200_000), ("VND", 18, 20_000, 2_000_000), ("IDR", 12, 1_500_000, 90_000_000),
    ("PHP", 8, 5_000, 300_000), ("USD", 12, 300, 12_000), ("EUR", 10, 300, 10_000), ("LAK", 2, 20_000, 900_000),
]  # fmt: skip
RATES = [("THB", "USD", "0.028"), ("USD", "VND", "25400"), ("IDR", "USD", "0.000063"), ("PHP", "USD", "0.0175"),
         ("EUR", "USD", "1.08"), ("USD", "THB", "35.7")]  # fmt: skip
SCHEMES = ["WFTO Guaranteed Fair Trade", "Fairtrade", "organic", "PGS"]
SEARCHES = [
    "organic arabica", "jasmine", "kopi gay", "palm sug", "durian", "wild honey", "rattan", "robusta dak",
    "cardamom", "ikat", "sticky rice", "cacao",
]  # fmt: skip


@dataclass(frozen=True)
class Rows:
    products: list[tuple[Any, ...]]
    certifications: list[tuple[Any, ...]]


PRODUCT_COLUMNS = (
    "id", "seller_id", "name", "description", "category", "origin_country", "origin_region", "unit",
    "pack_size_base", "hs_code", "gtin", "ahtn_code", "form_d_criterion", "available_from", "available_to",
    "minimum_order_quantity_base", "lead_time_days", "currency", "price_minor", "minimum_price_minor",
    "premium_minor", "producer_share_minor", "status", "created_by", "created_at", "updated_at", "withdrawn_at",
)  # fmt: skip
CERTIFICATION_COLUMNS = ("id", "product_id", "position", "scheme", "issuer", "number", "expires_on")
USER_ID = uuid.UUID(int=1)


def seller_ids() -> list[uuid.UUID]:
    return [uuid.UUID(int=1_000 + number) for number in range(SELLERS)]


def generate(first: int, count: int, *, seed: int = 2026) -> Rows:
    """Products number `first` to `first + count - 1`; the same numbers always give the same rows."""
    products: list[tuple[Any, ...]] = []
    certifications: list[tuple[Any, ...]] = []
    sellers = seller_ids()
    countries, country_weights = zip(*COUNTRY_WEIGHTS.items(), strict=True)
    currencies = [c[0] for c in CURRENCIES]
    currency_weights = [c[1] for c in CURRENCIES]
    price_ranges = {c[0]: (c[2], c[3]) for c in CURRENCIES}
    for number in range(first, first + count):
        rng = random.Random(seed * 1_000_003 + number)  # noqa: S311 - synthetic data, not secrets
        category = rng.choice(list(NOUNS))
        country = rng.choices(countries, country_weights)[0]
        region = rng.choice(REGIONS[country])
        noun = rng.choice(NOUNS[category])
        name = f"{rng.choice(ADJECTIVES)} {noun} {region}"
        description = " ".join([*rng.sample(DESCRIPTION_WORDS, 12), noun, "from", region]).capitalize() + "."
        currency = rng.choices(currencies, currency_weights)[0]
        low, high = price_ranges[currency]
        # Rounded prices, so that many products share one (ties for the keyset cursors).
        step = max(1, low // 4)
        price = rng.randrange(low, high, step)
        created_at = NOW - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        product_id = uuid.UUID(int=10**9 + number)
        withdrawn = rng.random() < 0.03
        products.append(
            (
                product_id, rng.choice(sellers), name, description, category, country, region,
                UNITS.get(category, "kg"), 1_000 if UNITS.get(category, "kg") == "kg" else 1, "090111", None,
                "09011110" if country in ASEAN_COUNTRIES and rng.random() < 0.3 else None,
                None, None, None, 1_000, rng.randrange(0, 60), currency, price, price * 4 // 5, price // 20,
                price * 3 // 5, "withdrawn" if withdrawn else "listed", USER_ID, created_at, created_at,
                created_at + timedelta(days=1) if withdrawn else None,
            )
        )  # fmt: skip
        for position in range(rng.choices([0, 1, 2], [40, 45, 15])[0]):
            # One certificate in six has expired: it must not count as certified.
            expired = rng.random() < 1 / 6
            expires_on = TODAY + timedelta(days=rng.randrange(-400, 0) if expired else rng.randrange(0, 700))
            certifications.append(
                (uuid.UUID(int=2 * 10**9 + number * 4 + position), product_id, position, rng.choice(SCHEMES),
                 "Certifier", f"C-{number}-{position}", expires_on)
            )  # fmt: skip
    return Rows(products, certifications)


def _organisations() -> list[tuple[Any, ...]]:
    return [
        (seller_id, f"Co-operative {number}", "producer_cooperative", "TH", None, None, None, True, True, True, True,
         NOW, USER_ID, NOW, NOW)
        for number, seller_id in enumerate(seller_ids())
    ]  # fmt: skip


ORGANISATION_COLUMNS = (
    "id", "name", "kind", "country", "region", "producer_group_id", "consumer_group_id", "declares_no_child_labour",
    "declares_non_discrimination", "declares_safe_work", "declares_environmental_practice", "declared_at",
    "created_by", "created_at", "updated_at",
)  # fmt: skip
USER_COLUMNS = ("id", "email", "display_name", "password_hash", "is_admin", "created_at")
RATE_COLUMNS = ("id", "base", "quote", "rate_text", "source", "as_of", "recorded_by", "created_at")


def _base_rows() -> dict[str, tuple[Sequence[str], list[tuple[Any, ...]]]]:
    user = (USER_ID, "bench@example.org", "Benchmark", "not-a-hash", True, NOW)
    rates = [
        (uuid.UUID(int=500 + number), base, quote, rate, "Benchmark reference", TODAY, USER_ID, NOW)
        for number, (base, quote, rate) in enumerate(RATES)
    ]
    return {
        "user_account": (USER_COLUMNS, [user]),
        "trading_organisation": (ORGANISATION_COLUMNS, _organisations()),
        "exchange_rate": (RATE_COLUMNS, rates),
    }


def _batches(first: int, count: int, size: int = 20_000) -> Iterator[Rows]:
    for start in range(first, first + count, size):
        yield generate(start, min(size, first + count - start))


async def seed_postgresql(dsn: str, *, first: int, count: int) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            if first == 0:
                for table, (columns, records) in _base_rows().items():
                    await connection.copy_records_to_table(table, records=records, columns=columns)
            for batch in _batches(first, count):
                await connection.copy_records_to_table("product", records=batch.products, columns=PRODUCT_COLUMNS)
                await connection.copy_records_to_table(
                    "product_certification", records=batch.certifications, columns=CERTIFICATION_COLUMNS
                )
        # As autovacuum would after a bulk load: moves the GIN index's pending list into the index (a search
        # scans that list linearly until then) and fills the visibility map for index-only scans.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def _sqlite_value(value: Any) -> Any:
    # How SQLAlchemy stores these types on SQLite: Uuid as 32 hex digits, UtcDateTime as naive UTC text.
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _insert_sqlite(
    connection: sqlite3.Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
    connection.executemany(statement, ([_sqlite_value(v) for v in row] for row in rows))


def seed_sqlite(path: str, *, first: int, count: int) -> None:
    connection = sqlite3.connect(path)
    try:
        with connection:  # one transaction; the FTS5 triggers index each listed product as it goes in
            if first == 0:
                for table, (columns, records) in _base_rows().items():
                    _insert_sqlite(connection, table, columns, records)
            for batch in _batches(first, count):
                _insert_sqlite(connection, "product", PRODUCT_COLUMNS, batch.products)
                _insert_sqlite(connection, "product_certification", CERTIFICATION_COLUMNS, batch.certifications)
        # Merge the FTS5 segments a bulk load leaves behind, as a maintenance job would.
        connection.execute("INSERT INTO product_fts (product_fts) VALUES ('optimize')")
        connection.execute("ANALYZE")
    finally:
        connection.close()
