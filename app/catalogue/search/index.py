"""The search's database objects that live outside the ORM models, created by migrations 94a390befbb1
and 189c87914025.

SQLite: `product_fts`, an FTS5 table over the names and descriptions of listed products, with the
shadow tables FTS5 keeps beside it, filled by triggers on `product`. PostgreSQL: `product.search_vector`,
a generated tsvector, and its GIN index. Both: the B-tree indexes that the price sorts and the
category and country filters walk (they could move to the models' __table_args__). Alembic's
autogenerate (migrations/env.py) skips these names, so `alembic check` sees no drift."""

FTS_TABLE = "product_fts"
# The FTS5 table and its shadow tables (a contentless table keeps no `_content` table).
SQLITE_TABLES = frozenset({FTS_TABLE, *(f"{FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "docsize", "config"))})
SEARCH_VECTOR_COLUMN = "search_vector"
SEARCH_VECTOR_INDEX = "ix_product_search_vector"
PRICE_INDEX = "ix_product_status_currency_price"
CATEGORY_INDEX = "ix_product_status_category_created"
COUNTRY_INDEX = "ix_product_status_country_created"
COUNTRY_CATEGORY_INDEX = "ix_product_status_country_category_created"
INDEXES = frozenset({SEARCH_VECTOR_INDEX, PRICE_INDEX, CATEGORY_INDEX, COUNTRY_INDEX, COUNTRY_CATEGORY_INDEX})


def is_search_object(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """True for the objects above; the signature of Alembic's `include_name` hook."""
    if type_ == "table":
        return name in SQLITE_TABLES
    if type_ == "column":
        return parent_names.get("table_name") == "product" and name == SEARCH_VECTOR_COLUMN
    if type_ == "index":
        return name in INDEXES
    return False
