"""The migrations build the models' schema on both databases, tear it down and build it again."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from uuid import uuid4

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.catalogue.search import index as search_index
from app.models import Base
from tests.conftest import alembic_config
from tests.scratch import scratch_database


@pytest.fixture
async def scratch_engine(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with scratch_database(database_url, tmp_path, "migrations") as engine:
        yield engine


async def run_alembic(engine: AsyncEngine, step: Callable[[Config, str], None], revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: step(alembic_config(sync), revision))


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def stored_revisions(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())


async def test_upgrade_downgrade_and_upgrade_again_leave_the_models_tables(scratch_engine: AsyncEngine) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    models_tables = set(Base.metadata.tables) | {"alembic_version"}
    if scratch_engine.dialect.name == "sqlite":  # the FTS5 search table and its shadow tables
        models_tables |= search_index.SQLITE_TABLES

    await run_alembic(scratch_engine, command.upgrade, "head")
    after_upgrade = await table_names(scratch_engine)
    revisions_after_upgrade = await stored_revisions(scratch_engine)
    await run_alembic(scratch_engine, command.downgrade, "base")
    after_downgrade = await table_names(scratch_engine)
    revisions_after_downgrade = await stored_revisions(scratch_engine)
    await run_alembic(scratch_engine, command.upgrade, "head")
    after_second_upgrade = await table_names(scratch_engine)
    revisions_after_second_upgrade = await stored_revisions(scratch_engine)

    assert head is not None
    assert after_upgrade == models_tables
    assert revisions_after_upgrade == [head]
    assert after_downgrade == {"alembic_version"}
    assert revisions_after_downgrade == []
    assert after_second_upgrade == models_tables
    assert revisions_after_second_upgrade == [head]


def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    return not search_index.is_search_object(name, type_, parent_names)


async def test_autogenerate_finds_no_drift_between_models_and_migrations(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                # As migrations/env.py: the search objects are made by their migration, outside the models.
                MigrationContext.configure(sync, opts={"compare_type": True, "include_name": include_name}),
                Base.metadata,
            )
        )

    assert differences == []


CATALOGUE = "f32dc3efa44a"  # adds user_account.is_admin: a rebuild of the accounts table on SQLite


async def test_downgrading_past_a_rebuilt_accounts_table_keeps_every_household_member(
    scratch_engine: AsyncEngine,
) -> None:
    """On SQLite, a batch change rebuilds the table; with foreign keys enforced, dropping the old
    user_account deleted every row that refers to an account. The migrations rebuild it with them off."""
    await run_alembic(scratch_engine, command.upgrade, CATALOGUE)
    async with scratch_engine.begin() as connection:
        user_id, household_id = uuid4().hex, uuid4().hex
        await connection.execute(
            text(
                "INSERT INTO user_account (id, email, display_name, password_hash, created_at)"
                " VALUES (:id, 'kept@example.org', 'Kept', 'x', CURRENT_TIMESTAMP)"
            ),
            {"id": user_id},
        )
        await connection.execute(
            text("INSERT INTO household (id, name, created_at) VALUES (:id, 'Kept', CURRENT_TIMESTAMP)"),
            {"id": household_id},
        )
        await connection.execute(
            text(
                "INSERT INTO household_member (household_id, user_id, created_at)"
                " VALUES (:household_id, :user_id, CURRENT_TIMESTAMP)"
            ),
            {"household_id": household_id, "user_id": user_id},
        )

    await run_alembic(scratch_engine, command.downgrade, "-1")
    await run_alembic(scratch_engine, command.upgrade, CATALOGUE)

    async with scratch_engine.connect() as connection:
        members = (await connection.execute(text("SELECT count(*) FROM household_member"))).scalar_one()
    assert members == 1
