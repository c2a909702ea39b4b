"""The migration that drops the consumer groups' stored coordinator count: on a database with groups in
it, every row referring to a group stays (SQLite rebuilds the table to drop a column), and the downgrade
restores the count from the terms in office."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.scratch import migrate, scratch_database

REVISION = "a1c0de000001"
BEFORE = "189c87914025"
NOW = datetime(2026, 11, 28, tzinfo=UTC)
# Every table whose rows name a consumer group, as of the revision before.
REFERRING_TABLES = ("group_membership", "group_coordinator", "pickup_station", "trading_organisation")


@pytest.fixture
async def scratch_engine(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with scratch_database(database_url, tmp_path, "coordinator_count_migration") as engine:
        yield engine


async def add_group(engine: AsyncEngine) -> UUID:
    """A group as it stood before: two households, two terms (one ended), a station and an organisation;
    its stored count, 1, as the service kept it. Plain SQL, with values stored as SQLAlchemy stores them."""
    sqlite = engine.dialect.name == "sqlite"
    keys = ("group", "user", "other", "household", "neighbours", "term", "ended", "station", "organisation")
    ids = {key: uuid4() for key in keys}
    values: dict[str, object] = {key: value.hex if sqlite else value for key, value in ids.items()}
    values["at"] = NOW.replace(tzinfo=None) if sqlite else NOW
    statements = [
        "INSERT INTO user_account (id, email, display_name, password_hash, is_admin, created_at) VALUES "
        "(:user, 'mai@example.org', 'Mai', 'x', false, :at), (:other, 'lek@example.org', 'Lek', 'x', false, :at)",
        "INSERT INTO consumer_group (id, name, legal_form, country, region, status, member_count, "
        "coordinator_count, created_at, updated_at) "
        "VALUES (:group, 'Families', 'association', 'TH', 'Chiang Mai', 'forming', 2, 1, :at, :at)",
        "INSERT INTO household (id, name, created_at) VALUES (:household, 'Mai', :at), (:neighbours, 'Lek', :at)",
        "INSERT INTO group_membership (id, group_id, household_id, created_at) "
        "VALUES (:household, :group, :household, :at), (:neighbours, :group, :neighbours, :at)",
        "INSERT INTO group_coordinator (id, group_id, user_id, appointed_by, appointed_at, ended_by, ended_at) "
        "VALUES (:term, :group, :user, :user, :at, NULL, NULL), (:ended, :group, :other, :user, :at, :user, :at)",
        "INSERT INTO pickup_station (id, group_id, name, address, created_at) "
        "VALUES (:station, :group, 'Temple yard', 'Wat Phra Singh', :at)",
        "INSERT INTO trading_organisation (id, name, kind, country, consumer_group_id, declares_no_child_labour, "
        "declares_non_discrimination, declares_safe_work, declares_environmental_practice, declared_at, "
        "created_by, created_at, updated_at) VALUES (:organisation, 'Families trading', 'shop', 'TH', :group, "
        "true, true, true, true, :at, :user, :at, :at)",
    ]
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement), values)
    return ids["group"]


async def rows_naming(engine: AsyncEngine, group_id: UUID) -> dict[str, int]:
    group = group_id.hex if engine.dialect.name == "sqlite" else group_id
    counts = {}
    async with engine.connect() as connection:
        for table in REFERRING_TABLES:
            column = "consumer_group_id" if table == "trading_organisation" else "group_id"
            statement = text(f"SELECT count(*) FROM {table} WHERE {column} = :group")  # noqa: S608 (names from above)
            counts[table] = int((await connection.execute(statement, {"group": group})).scalar_one())
    return counts


async def stored_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT coordinator_count FROM consumer_group"))).scalar_one())


async def test_dropping_the_count_keeps_every_row_naming_the_group_and_the_downgrade_recounts(
    scratch_engine: AsyncEngine,
) -> None:
    await migrate(scratch_engine, "upgrade", BEFORE)
    group_id = await add_group(scratch_engine)
    before = await rows_naming(scratch_engine, group_id)

    await migrate(scratch_engine, "upgrade", REVISION)
    after_upgrade = await rows_naming(scratch_engine, group_id)
    await migrate(scratch_engine, "downgrade", BEFORE)
    after_downgrade = await rows_naming(scratch_engine, group_id)
    recounted = await stored_count(scratch_engine)
    await migrate(scratch_engine, "upgrade", "head")

    assert before == {"group_membership": 2, "group_coordinator": 2, "pickup_station": 1, "trading_organisation": 1}
    assert after_upgrade == before
    assert after_downgrade == before
    assert recounted == 1  # the ended term is not counted
    assert await rows_naming(scratch_engine, group_id) == before
