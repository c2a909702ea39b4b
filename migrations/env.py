"""Alembic runs the same chain on SQLite and PostgreSQL; batch mode lets SQLite alter tables."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.catalogue.search import index as search_index
from app.core.config import get_settings
from app.core.db import create_engine
from app.models import Base

# Any constant the application uses for no other advisory lock: "teikei" in ASCII.
MIGRATION_LOCK_KEY = 0x7465696B6569

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    # The full-text search objects are made by hand in their migration, outside the models.
    return not search_index.is_search_object(name, type_, parent_names)


def run_with_connection(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


@contextmanager
def migration_lock(connection: Connection) -> Iterator[None]:
    """One migrating process at a time on PostgreSQL. Replicas that start together each run the migrations;
    without the lock both create the same tables and the second fails on a unique index of PostgreSQL's own
    catalog (pg_type). The others wait here, then find the schema at head and do nothing. A session-level
    lock, so the migrations' own transaction may commit inside it; if they fail, closing the connection
    releases it."""
    if connection.dialect.name != "postgresql":
        yield  # a SQLite file serves one instance; replicas share a PostgreSQL database
        return
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.commit()  # ends the transaction the query began, so Alembic begins and commits its own
    yield
    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.commit()


def run_exclusively(connection: Connection) -> None:
    with migration_lock(connection):
        run_with_connection(connection)
        connection.commit()


async def run_online() -> None:
    # No pool: the connection really closes at the end, which releases the lock even after a failure.
    engine = create_engine(database_url(), pool=False)
    async with engine.connect() as connection:
        await connection.run_sync(run_exclusively)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with_connection(connection)
    else:
        asyncio.run(run_online())
