"""The search's SQL: the columns of a summary, the filters, the full-text match and the three orders,
each a keyset over an index. Rules live in service.py.

A statement is built once per shape (which filters, which order, how many words, which currencies)
and cached; each request binds its values. Building a select costs more than running it on a hot path.

Full text: FTS5 `product_fts` on SQLite, the GIN-indexed `product.search_vector` on PostgreSQL (see
index.py); neither is in the ORM models, so they are named here as literal SQL."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Numeric,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    tuple_,
    union_all,
)

from app.catalogue.models import Product, ProductCategory, ProductCertification, ProductStatus, TradingOrganisation
from app.catalogue.search import index
from app.catalogue.search.prices import BIGINT_MAX
from app.catalogue.search.schemas import ProductSort
from app.core.schemas import ASEAN_COUNTRIES

SearchRow = Row[Any]
# A select of any number of columns (Select is generic over its columns' types).
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class Search:
    """One page of a search, as service.py decided it."""

    sort: ProductSort
    limit: int
    today: date
    words: tuple[str, ...] = ()
    country: str | None = None
    asean: bool = False
    category: ProductCategory | None = None
    certified: bool = False
    certification: str | None = None
    seller_id: UUID | None = None
    # Per currency, the range of price_minor within the asked bounds; None: no bounds.
    price_ranges: dict[str, tuple[int, int]] | None = None
    # Price sorts: minor units of the price currency per minor unit of each currency that has a rate.
    price_factors: dict[str, Decimal] | None = None
    # The cursor's key: (created_at, id), (relevance, created_at, id) or (price key, price_minor, id).
    after: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Shape:
    """What a statement looks like, apart from its values: the key of the statement cache."""

    dialect: str
    sort: ProductSort
    words: int
    country: bool
    asean: bool
    category: bool
    certified: bool
    certification: bool
    seller: bool
    # Non-price sorts: the currencies with a price range (None: no bounds). Price sorts: one run each.
    currencies: tuple[str, ...] | None
    after: bool


def prepare(dialect: str, search: Search) -> tuple[AnySelect, dict[str, Any]] | None:
    """The statement and its values; None when nothing can match (no currency has a price in range)."""
    price_sort = search.sort in (ProductSort.price_asc, ProductSort.price_desc)
    values: dict[str, Any] = {"today": search.today, "page_size": search.limit + 1}
    currencies: tuple[str, ...] | None = None
    if price_sort:
        assert search.price_factors is not None
        runs = _price_runs(dialect, search)
        if not runs:
            return None
        currencies = tuple(currency for currency, _, _ in runs)
        for number, (_, (low, high), factor) in enumerate(runs):
            values |= {f"low_{number}": low, f"high_{number}": high, f"factor_{number}": factor}
    elif search.price_ranges is not None:
        if not search.price_ranges:
            return None
        currencies = tuple(sorted(search.price_ranges))
        for number, currency in enumerate(currencies):
            values[f"low_{number}"], values[f"high_{number}"] = search.price_ranges[currency]
    shape = Shape(
        dialect=dialect,
        sort=search.sort,
        words=len(search.words),
        country=search.country is not None,
        asean=search.asean,
        category=search.category is not None,
        certified=search.certified,
        certification=search.certification is not None,
        seller=search.seller_id is not None,
        currencies=currencies,
        after=search.after is not None,
    )
    values |= _text_values(dialect, search.words)
    optional = {
        "country": search.country,
        "category": search.category,
        "scheme": search.certification,
        "seller_id": search.seller_id,
    }
    values |= {name: value for name, value in optional.items() if value is not None}
    if search.after is not None:
        names = {
            ProductSort.newest: ("after_created_at", "after_id"),
            ProductSort.relevance: ("after_relevance", "after_created_at", "after_id"),
        }.get(search.sort, ("after_key", "after_price", "after_id"))
        values |= dict(zip(names, search.after, strict=True))
    return statement(shape), values


# Full text


def _fts_phrase(word: str, *, prefix: bool) -> str:
    # Words are letters, marks and digits only (service.search_words), so a quoted phrase cannot break out.
    return f'"{word}"' + ("*" if prefix else "")


def _tsquery_lexeme(word: str, *, prefix: bool, weight: str = "") -> str:
    return f"'{word}'" + (f":*{weight}" if prefix else f":{weight}" if weight else "")


def _text_values(dialect: str, words: Sequence[str]) -> dict[str, str]:
    """The whole query (every word, the last also as a prefix), and one query per word for its name hit."""
    if not words:
        return {}
    last = len(words) - 1
    if dialect == "postgresql":
        values = {"text_query": " & ".join(_tsquery_lexeme(w, prefix=i == last) for i, w in enumerate(words))}
        return values | {
            f"name_query_{i}": _tsquery_lexeme(w, prefix=i == last, weight="A") for i, w in enumerate(words)
        }
    values = {"text_query": " ".join(_fts_phrase(w, prefix=i == last) for i, w in enumerate(words))}
    return values | {f"name_query_{i}": "name : " + _fts_phrase(w, prefix=i == last) for i, w in enumerate(words)}


def _matches(dialect: str, parameter: str) -> ColumnElement[bool]:
    query = bindparam(parameter, type_=String())
    if dialect == "postgresql":
        vector: ColumnElement[Any] = literal_column(f"product.{index.SEARCH_VECTOR_COLUMN}")
        return vector.op("@@")(func.to_tsquery(literal_column("'simple'"), query))
    fts = table(index.FTS_TABLE, column("rowid"))
    matching = select(fts.c.rowid).where(literal_column(index.FTS_TABLE).op("MATCH")(query))
    return literal_column("product.rowid").in_(matching)


def name_hits(dialect: str, words: int) -> ColumnElement[int]:
    """Relevance: how many of the words are in the name (a name hit outranks a description hit).

    An integer that depends on the product and the words only, unlike bm25 (SQLite) or ts_rank_cd
    (PostgreSQL): bm25 moves with every product listed, which would reorder a walk through the pages,
    and the two engines would rank the same catalogue differently."""
    hits = [case((_matches(dialect, f"name_query_{number}"), 1), else_=0) for number in range(words)]
    total: ColumnElement[int] = hits[0]
    for hit in hits[1:]:
        total = total + hit
    return total


# Filters and columns


def _valid_certificate(*, scheme: bool = False) -> ColumnElement[bool]:
    # Valid through its expiry date (ProductCertification.expired); an expired certificate never counts.
    condition = exists().where(
        ProductCertification.product_id == Product.id, ProductCertification.expires_on >= bindparam("today")
    )
    if scheme:
        # As written on the certificate: exact, so the planner's statistics on `scheme` apply (lower() hid
        # them and its guess led PostgreSQL to a 90 ms plan), and SQLite's ASCII-only lower() cannot differ.
        condition = condition.where(ProductCertification.scheme == bindparam("scheme", type_=String()))
    return condition


def _has_valid_certificate() -> ColumnElement[bool]:
    """The `certified` column: a subquery with LIMIT 1 for each row shown. As EXISTS, PostgreSQL would
    hash every valid certificate of the catalogue first (a hashed SubPlan), to show twenty rows."""
    first = (
        select(literal(True))
        .where(ProductCertification.product_id == Product.id, ProductCertification.expires_on >= bindparam("today"))
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(first, literal(False))


SUMMARY_COLUMNS = (
    Product.id,
    Product.name,
    Product.category,
    Product.origin_country,
    Product.seller_id,
    TradingOrganisation.name.label("seller_name"),
    Product.unit,
    Product.currency,
    Product.price_minor,
    _has_valid_certificate().label("certified"),
    Product.created_at,
)


# The names of those columns, in the order every statement here selects them first.
SUMMARY_FIELDS = tuple(column.key for column in SUMMARY_COLUMNS)


def _summaries() -> AnySelect:
    """A summary's columns (no ORM entities are loaded)."""
    return select(*SUMMARY_COLUMNS).join(TradingOrganisation, TradingOrganisation.id == Product.seller_id)


def _matching(shape: Shape, statement: AnySelect) -> AnySelect:
    """The statement narrowed to listed products that match the words and the filters."""
    statement = statement.where(Product.status == ProductStatus.listed)
    if shape.words and shape.dialect == "sqlite":
        # Joined, not `rowid IN (…)`: SQLite's planner would walk every listed product through the status
        # index and probe the match list; the join starts from the FTS5 index and fetches matches by rowid.
        fts = table(index.FTS_TABLE, column("rowid"))
        statement = statement.join(fts, fts.c.rowid == literal_column("product.rowid")).where(
            literal_column(index.FTS_TABLE).op("MATCH")(bindparam("text_query", type_=String()))
        )
    elif shape.words:
        statement = statement.where(_matches(shape.dialect, "text_query"))
    if shape.country:
        statement = statement.where(Product.origin_country == bindparam("country"))
    if shape.asean:
        statement = statement.where(Product.origin_country.in_(sorted(ASEAN_COUNTRIES)))
    if shape.category:
        statement = statement.where(Product.category == bindparam("category"))
    if shape.seller:
        statement = statement.where(Product.seller_id == bindparam("seller_id"))
    if shape.certified:
        statement = statement.where(_valid_certificate())
    if shape.certification:
        statement = statement.where(_valid_certificate(scheme=True))
    return statement


def _price_range(number: int) -> ColumnElement[bool]:
    return Product.price_minor.between(
        bindparam(f"low_{number}", type_=BigInteger()), bindparam(f"high_{number}", type_=BigInteger())
    )


@lru_cache(maxsize=512)
def statement(shape: Shape) -> AnySelect:
    page_size = bindparam("page_size", type_=Integer())
    if shape.sort in (ProductSort.price_asc, ProductSort.price_desc):
        return _by_price(shape, page_size)
    listed = _matching(shape, _summaries())
    if shape.currencies is not None:
        # Only products whose price falls in their currency's range; other currencies have no price to compare.
        listed = listed.where(
            or_(
                *(
                    and_(Product.currency == currency, _price_range(number))
                    for number, currency in enumerate(shape.currencies)
                )
            )
        )
    after_created_at = bindparam("after_created_at", type_=Product.created_at.type)
    after_id = bindparam("after_id", type_=Product.id.type)
    if shape.sort == ProductSort.relevance:
        # (name hits, created_at, id) descending: names first, then the newest.
        hits = name_hits(shape.dialect, shape.words)
        relevance = hits.label("relevance")  # ordered by its name: computed once, not again for the sort
        listed = listed.add_columns(relevance)
        if shape.after:
            after_relevance = bindparam("after_relevance", type_=Integer())
            listed = listed.where(
                tuple_(hits, Product.created_at, Product.id) < tuple_(after_relevance, after_created_at, after_id)
            )
        return listed.order_by(relevance.desc(), Product.created_at.desc(), Product.id.desc()).limit(page_size)
    # (created_at, id) descending, along ix_product_status_created (or the category or country index).
    if shape.after:
        listed = listed.where(tuple_(Product.created_at, Product.id) < tuple_(after_created_at, after_id))
    return listed.order_by(Product.created_at.desc(), Product.id.desc()).limit(page_size)


def _by_price(shape: Shape, page_size: ColumnElement[int]) -> AnySelect:
    """Products by their price converted into the price currency, then by price_minor and id.

    Within one currency that order is price_minor's, so each currency's next rows come straight off
    ix_product_status_currency_price (one short index range per currency, ids and prices only); the page
    merges those runs by the converted price, then reads the summaries of the rows it keeps. The converted
    price is exact (NUMERIC) on PostgreSQL and a double on SQLite: the same expression every time, so a
    cursor's key compares equal to its row's."""
    assert shape.currencies is not None
    descending = shape.sort == ProductSort.price_desc
    key_type = Numeric() if shape.dialect == "postgresql" else Float()
    runs = []
    for number, currency in enumerate(shape.currencies):
        key = Product.price_minor * bindparam(f"factor_{number}", type_=key_type)
        run = _matching(
            shape, select(Product.id.label("run_id"), Product.price_minor.label("run_price"), key.label("price_key"))
        )
        run = run.where(Product.currency == currency, _price_range(number))
        if shape.after:
            after_key = bindparam("after_key", type_=key_type)
            later = tuple_(Product.price_minor, Product.id)
            cursor_row = tuple_(
                bindparam("after_price", type_=BigInteger()), bindparam("after_id", type_=Product.id.type)
            )
            if descending:
                run = run.where(or_(key < after_key, and_(key == after_key, later < cursor_row)))
            else:
                run = run.where(or_(key > after_key, and_(key == after_key, later > cursor_row)))
        order = (Product.price_minor.desc(), Product.id.desc()) if descending else (Product.price_minor, Product.id)
        runs.append(run.order_by(*order).limit(page_size).subquery())
    merged = union_all(*(select(run) for run in runs)).subquery("runs")
    merged_order = (merged.c.price_key, merged.c.run_price, merged.c.run_id)
    return (
        select(*SUMMARY_COLUMNS, merged.c.price_key)
        .select_from(merged)
        .join(Product, Product.id == merged.c.run_id)
        .join(TradingOrganisation, TradingOrganisation.id == Product.seller_id)
        .order_by(*(c.desc() for c in merged_order) if descending else merged_order)
        .limit(page_size)
    )


def _price_runs(dialect: str, search: Search) -> list[tuple[str, tuple[int, int], Decimal | float]]:
    """For a price sort: each currency with a price range left, that range, and its conversion factor.
    After a cursor, each range also starts (or ends) near the cursor's key, so the index is read from there."""
    assert search.price_factors is not None
    runs: list[tuple[str, tuple[int, int], Decimal | float]] = []
    for currency, factor in sorted(search.price_factors.items()):
        price_range = (0, BIGINT_MAX) if search.price_ranges is None else search.price_ranges.get(currency)
        if price_range is None:
            continue
        low, high = price_range
        if search.after is not None:
            if search.sort == ProductSort.price_desc:
                high = min(high, _index_bound(search.after[0], factor, ROUND_CEILING))
            else:
                low = max(low, _index_bound(search.after[0], factor, ROUND_FLOOR))
        if low <= high:
            runs.append((currency, (low, high), factor if dialect == "postgresql" else float(factor)))
    return runs


def _index_bound(key: Decimal | float, factor: Decimal, rounding: str) -> int:
    """price_minor near key / factor, widened so that the float rounding of SQLite cannot exclude a row."""
    estimate = Decimal(key) / factor
    slack = abs(estimate) * Decimal("1e-9") + 1
    bound = (estimate - slack if rounding == ROUND_FLOOR else estimate + slack).to_integral_value(rounding=rounding)
    return int(max(Decimal(-1), min(bound, Decimal(BIGINT_MAX))))
