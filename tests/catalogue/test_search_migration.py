"""The search index migration: it indexes the products already listed, and its downgrade leaves nothing behind."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.catalogue.search import index
from tests.conftest import alembic_config
from tests.scratch import migrate, scratch_database

REVISION = "94a390befbb1"
NOW = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.fixture
async def scratch_engine(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with scratch_database(database_url, tmp_path, "search_migration") as engine:
        yield engine


async def search_objects(engine: AsyncEngine) -> set[str]:
    """The search's tables, columns, indexes and triggers present in the database."""

    def collect(sync_connection: object) -> set[str]:
        inspector = inspect(sync_connection)
        found = {name for name in inspector.get_table_names() if name in index.SQLITE_TABLES}
        found |= {f"column {c['name']}" for c in inspector.get_columns("product") if c["name"] == "search_vector"}
        found |= {f"index {i['name']}" for i in inspector.get_indexes("product") if i["name"] in index.INDEXES}
        return found

    async with engine.connect() as connection:
        found = await connection.run_sync(collect)
        if engine.dialect.name == "sqlite":
            triggers = await connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            found |= {f"trigger {name}" for name in triggers.scalars() if name.startswith(index.FTS_TABLE)}
    return found


async def add_listed_product(engine: AsyncEngine, name: str) -> None:
    """Rows inserted with plain SQL, as they stood before the search existed."""
    sqlite = engine.dialect.name == "sqlite"
    # Stored as SQLAlchemy stores them: on SQLite, UUIDs as 32 hex digits and times as naive UTC.
    ids: dict[str, object] = {key: uuid4().hex if sqlite else uuid4() for key in ("user", "seller", "product")}
    at = NOW.replace(tzinfo=None) if sqlite else NOW
    statements = [
        (
            "INSERT INTO user_account (id, email, display_name, password_hash, is_admin, created_at) "
            "VALUES (:user, 'old@example.org', 'Old', 'x', false, :at)",
            {"user": ids["user"], "at": at},
        ),
        (
            "INSERT INTO trading_organisation (id, name, kind, country, declares_no_child_labour, "
            "declares_non_discrimination, declares_safe_work, declares_environmental_practice, declared_at, "
            "created_by, created_at, updated_at) VALUES (:seller, 'Co-op', 'shop', 'TH', true, true, true, true, "
            ":at, :user, :at, :at)",
            {"seller": ids["seller"], "user": ids["user"], "at": at},
        ),
        (
            "INSERT INTO product (id, seller_id, name, description, category, origin_country, origin_region, unit, "
            "pack_size_base, hs_code, minimum_order_quantity_base, lead_time_days, currency, price_minor, "
            "minimum_price_minor, premium_minor, producer_share_minor, status, created_by, created_at, updated_at) "
            "VALUES (:product, :seller, :name, 'From before the search.', 'coffee', 'TH', 'Nan', 'kg', 1000, "
            "'090111', 1000, 7, 'THB', 100, 100, 0, 0, 'listed', :user, :at, :at)",
            {"product": ids["product"], "seller": ids["seller"], "user": ids["user"], "name": name, "at": at},
        ),
    ]
    async with engine.begin() as connection:
        for statement, values in statements:
            await connection.execute(text(statement), values)


async def matches(engine: AsyncEngine, word: str) -> int:
    if engine.dialect.name == "postgresql":
        statement = "SELECT count(*) FROM product WHERE search_vector @@ to_tsquery('simple', :word)"
    else:
        statement = "SELECT count(*) FROM product_fts WHERE product_fts MATCH :word"
    async with engine.connect() as connection:
        return int((await connection.execute(text(statement), {"word": word})).scalar_one())


async def test_the_upgrade_indexes_listed_products_and_the_downgrade_removes_every_search_object(
    scratch_engine: AsyncEngine,
) -> None:
    before = ScriptDirectory.from_config(alembic_config()).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    await migrate(scratch_engine, "upgrade", before)
    await add_listed_product(scratch_engine, "Nan highland robusta")

    await migrate(scratch_engine, "upgrade", REVISION)
    created = await search_objects(scratch_engine)
    found = await matches(scratch_engine, "robusta")
    await migrate(scratch_engine, "downgrade", before)
    left = await search_objects(scratch_engine)
    await migrate(scratch_engine, "upgrade", REVISION)
    found_again = await matches(scratch_engine, "highland")

    # The country-and-category index came with the next migration.
    expected = {f"index {name}" for name in index.INDEXES - {index.SEARCH_VECTOR_INDEX, index.COUNTRY_CATEGORY_INDEX}}
    if scratch_engine.dialect.name == "postgresql":
        expected |= {"column search_vector", f"index {index.SEARCH_VECTOR_INDEX}"}
    else:
        expected |= set(index.SQLITE_TABLES) | {
            f"trigger {index.FTS_TABLE}_after_{event}" for event in ("insert", "update", "delete")
        }
    assert created == expected
    assert left == set()
    assert (found, found_again) == (1, 1)
