"""An empty database of the same kind as the test database, for tests that run migrations from nothing
while the shared test database must stay migrated."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from app.core.db import create_engine
from tests.conftest import alembic_config


@asynccontextmanager
async def scratch_database(database_url: str, directory: Path, name: str) -> AsyncIterator[AsyncEngine]:
    """SQLite: a file in `directory`. PostgreSQL: a database named after `name` and this process, so two
    test runs on one server never drop each other's, dropped afterwards."""
    if database_url.startswith("sqlite"):
        engine = create_engine(f"sqlite+aiosqlite:///{directory / f'{name}.db'}", pool=False)
        yield engine
        await engine.dispose()
        return
    scratch = f"test_{name}_{os.getpid()}"
    # CREATE and DROP DATABASE cannot run inside a transaction.
    server = create_async_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with server.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        await connection.execute(text(f'CREATE DATABASE "{scratch}"'))
    engine = create_engine(
        make_url(database_url).set(database=scratch).render_as_string(hide_password=False), pool=False
    )
    try:
        yield engine
    finally:
        await engine.dispose()
        async with server.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{scratch}" WITH (FORCE)'))
        await server.dispose()


async def migrate(engine: AsyncEngine, step: str, revision: str) -> None:
    """`alembic <step> <revision>` (step: "upgrade" or "downgrade") on the engine's database."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: getattr(command, step)(alembic_config(sync), revision))
