"""Browse and search listed products: what each parameter means, which order applies, and the page.

- `q`: every word must be in the name or the description; the last word also matches as a prefix.
  Words are runs of letters, marks and digits; case is ignored, diacritics are not (cà ≠ ca).
- Filters narrow together (AND). `certified`/`certification` count certificates not expired today (UTC).
- Prices in `price_currency` (default: `currency`): a product's price there is its price converted
  with the stored rate the product page shows, rounded as the product page rounds; products whose
  currency has no stored rate to it are left out of price bounds and price sorts.
- Orders: newest (default), relevance (default with `q`: name hits, then newest), price_asc/price_desc
  (converted price, then price and id). Every order is a keyset: see cursor.py."""

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.catalogue.search import cursor, query
from app.catalogue.search.errors import (
    PriceNeedsCurrency,
    PriceRangeEmpty,
    RelevanceNeedsSearch,
    SearchNeedsWords,
    TooManySearchWords,
)
from app.catalogue.search.prices import RateTable, rates_into
from app.catalogue.search.schemas import PRICE_SORTS, ProductSearch, ProductSort, ProductSummaryRead
from app.core import money
from app.core.db import utc_now
from app.core.pagination import InvalidCursor
from app.core.schemas import Page, in_utc

MAX_WORDS = 8
MAX_PRICE_KEY = Decimal("1e60")


def search_words(text: str) -> tuple[str, ...]:
    """The words of a search text: maximal runs of letters, marks and digits (Unicode categories L, M, N),
    as SQLite's unicode61 tokenizer cuts them; everything else separates words."""
    words: list[str] = []
    current: list[str] = []
    for character in unicodedata.normalize("NFC", text):
        if unicodedata.category(character)[0] in "LMN":
            current.append(character)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return tuple(words)


async def search_products(connection: AsyncConnection, search: ProductSearch) -> Page[ProductSummaryRead]:
    words = _words(search.q)
    sort = search.sort or (ProductSort.relevance if words else ProductSort.newest)
    if sort == ProductSort.relevance and not words:
        raise RelevanceNeedsSearch("sort=relevance ranks the matches of `q`; send `q` or another sort.")
    price_currency = search.price_currency or search.currency
    bounded = search.min_price is not None or search.max_price is not None
    if (bounded or sort in PRICE_SORTS) and price_currency is None:
        raise PriceNeedsCurrency("Send `price_currency` (or `currency`): prices are compared in one currency.")

    meaning = cursor.fingerprint(
        sort,
        words=words if sort == ProductSort.relevance else (),
        price_currency=price_currency if sort in PRICE_SORTS else None,
    )
    position = cursor.decode(search.cursor, sort, meaning, key_length=_KEY_LENGTH[sort]) if search.cursor else None
    # Every page of one walk converts with the rates recorded until its first page (cursor.py); never
    # with those of a later moment than now, whatever a cursor says.
    rates_at = min(position.rates_at, utc_now()) if position else utc_now()

    price_rates = None
    price_ranges = None
    if price_currency is not None and (bounded or sort in PRICE_SORTS):
        price_rates = await rates_into(connection, price_currency, recorded_until=rates_at)
        if bounded:
            price_ranges = _price_ranges(price_rates, search.min_price, search.max_price)
    display_rates = None
    if search.currency is not None:
        display_rates = (
            price_rates
            if price_rates is not None and price_rates.target == search.currency
            else await rates_into(connection, search.currency, recorded_until=rates_at)
        )

    price_factors = None
    if price_rates is not None and sort in PRICE_SORTS:
        price_factors = {currency: price_rates.factor(currency) for currency in price_rates.currencies()}
    dialect = connection.dialect.name
    prepared = query.prepare(
        dialect,
        query.Search(
            sort=sort,
            limit=search.limit,
            today=utc_now().date(),
            words=words,
            country=search.country,
            asean=search.asean,
            category=search.category,
            certified=search.certified,
            certification=search.certification,
            seller_id=search.seller_id,
            price_ranges=price_ranges,
            price_factors=price_factors,
            after=_after(sort, position.key, dialect) if position else None,
        ),
    )
    rows: Sequence[query.SearchRow] = (await connection.execute(*prepared)).all() if prepared is not None else ()

    page_rows = rows[: search.limit]
    next_cursor = None
    if len(rows) > search.limit:
        next_cursor = cursor.encode(sort, meaning, rates_at, _cursor_key(sort, page_rows[-1]))
    return Page[ProductSummaryRead](
        data=[_summary(row, display_rates) for row in page_rows],
        has_more=next_cursor is not None,
        next_cursor=next_cursor,
    )


def _words(q: str | None) -> tuple[str, ...]:
    if q is None:
        return ()
    words = search_words(q)
    if not words:
        raise SearchNeedsWords("`q` has no letters or digits to search for; leave it out to browse.")
    if len(words) > MAX_WORDS:
        raise TooManySearchWords(f"Search with at most {MAX_WORDS} words; `q` has {len(words)}.")
    return words


def _price_ranges(rates: RateTable, min_price: str | None, max_price: str | None) -> dict[str, tuple[int, int]]:
    low = None if min_price is None else money.to_minor(min_price, rates.target)
    high = None if max_price is None else money.to_minor(max_price, rates.target)
    if low is not None and high is not None and low > high:
        raise PriceRangeEmpty(f"min_price {min_price} is above max_price {max_price}.")
    ranges = {currency: rates.minor_range(currency, low, high) for currency in rates.currencies()}
    return {currency: price_range for currency, price_range in ranges.items() if price_range is not None}


# Cursor keys: what the last row of a page holds of its order, as JSON values.

_KEY_LENGTH = {ProductSort.newest: 2, ProductSort.relevance: 3, ProductSort.price_asc: 3, ProductSort.price_desc: 3}


def _cursor_key(sort: ProductSort, row: query.SearchRow) -> tuple[Any, ...]:
    time_and_id = (row.created_at.isoformat(), str(row.id))
    if sort == ProductSort.newest:
        return time_and_id
    if sort == ProductSort.relevance:
        return (int(row.relevance), *time_and_id)
    # repr() of a float and str() of a Decimal read back to exactly the same number.
    price_key = repr(row.price_key) if isinstance(row.price_key, float) else str(row.price_key)
    return (price_key, row.price_minor, str(row.id))


def _after(sort: ProductSort, key: tuple[Any, ...], dialect: str) -> tuple[Any, ...]:
    """The cursor's key as the query binds it; anything a cursor of ours cannot hold is refused."""
    if sort in PRICE_SORTS:
        return _price_key(key, dialect)
    if sort == ProductSort.relevance:
        return (_integer(key[0]), *_time_and_id(key[1:]))
    return _time_and_id(key)


def _time_and_id(key: tuple[Any, ...]) -> tuple[datetime, UUID]:
    try:
        return in_utc(datetime.fromisoformat(key[0])), UUID(key[1])
    except (TypeError, ValueError, AttributeError) as error:
        raise InvalidCursor(cursor.INVALID) from error


def _integer(value: Any) -> int:
    if type(value) is not int or not 0 <= value <= MAX_WORDS:
        raise InvalidCursor(cursor.INVALID)
    return value


def _price_key(key: tuple[Any, ...], dialect: str) -> tuple[Decimal | float, int, UUID]:
    text, price_minor, product_id = key
    try:
        price_key: Decimal | float = Decimal(text) if dialect == "postgresql" else float(text)
        # A key is at most a BIGINT price times a rate and a power of ten; anything larger is forged.
        valid = isinstance(text, str) and 0 <= Decimal(text) < MAX_PRICE_KEY and type(price_minor) is int
        parsed_id = UUID(product_id)
    except (TypeError, ValueError, ArithmeticError, AttributeError) as error:
        raise InvalidCursor(cursor.INVALID) from error
    if not valid or not 0 <= price_minor < 2**63:
        raise InvalidCursor(cursor.INVALID)
    return price_key, price_minor, parsed_id


def _summary(row: query.SearchRow, display_rates: RateTable | None) -> dict[str, Any]:
    # By position: reading a Row's columns by name costs half a microsecond each, a tenth of a page's time.
    summary = dict(zip(query.SUMMARY_FIELDS, row, strict=False))
    price_minor, currency = summary.pop("price_minor"), summary["currency"]
    summary["price"] = money.to_text(price_minor, currency)
    summary["display"] = display_rates.display(price_minor, currency) if display_rates is not None else None
    return summary
