"""Replicas that start at once each run `alembic upgrade head`: the advisory lock taken in migrations/env.py
makes the later ones wait for the first, then find nothing left to do."""

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.core.db import create_engine
from app.models import Base
from tests.conftest import ROOT, alembic_config

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")
ALEMBIC = os.path.join(os.path.dirname(sys.executable), "alembic")  # the one beside this interpreter

pytestmark = pytest.mark.skipif(
    not SERVER_URL, reason="the migration lock is a PostgreSQL advisory lock; set TEST_DATABASE_URL to test it"
)


@pytest.fixture
async def fresh_database_url() -> AsyncIterator[str]:
    """An empty database of its own on the test server, dropped afterwards."""
    name = f"test_migration_lock_{os.getpid()}_{uuid4().hex[:8]}"
    server = create_async_engine(SERVER_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with server.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    async with server.connect() as connection:
        await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    await server.dispose()


async def upgrade_to_head(database_url: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        ALEMBIC,
        "upgrade",
        "head",
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_two_processes_migrating_a_fresh_database_at_once_both_succeed(fresh_database_url: str) -> None:
    processes = [await upgrade_to_head(fresh_database_url) for _ in range(2)]
    outputs = await asyncio.gather(*(process.communicate() for process in processes))

    engine = create_engine(fresh_database_url, pool=False)
    async with engine.connect() as connection:
        revisions = list((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())
        tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    await engine.dispose()
    errors = [stderr.decode()[-2000:] for _, stderr in outputs]
    assert [process.returncode for process in processes] == [0, 0], errors
    assert revisions == [ScriptDirectory.from_config(alembic_config()).get_current_head()]
    assert set(Base.metadata.tables) <= tables
