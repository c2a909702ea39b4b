"""The request's sessions against a real database: read sessions, and a connection lost under the pool."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import date

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.catalogue.models import ExchangeRate
from app.core.config import Settings
from app.core.db import create_engine, create_read_session_factory, read_engine
from app.main import create_app

PROBLEM_MEDIA_TYPE = "application/problem+json"


@pytest.fixture
async def own_engine(database_url: str, engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """An engine with its own pool on the test database (`engine` has migrated it), for real locks."""
    own = create_engine(database_url)
    yield own
    await own.dispose()


Reader = AsyncSession | AsyncConnection
OpenReader = Callable[[], AbstractAsyncContextManager[Reader]]


@pytest.fixture(params=["ReadSession", "read_connection"])
def open_reader(
    request: pytest.FixtureRequest, own_engine: AsyncEngine
) -> Callable[[], AbstractAsyncContextManager[Reader]]:
    """What ReadSession and read_connection() give a request, outside a request."""
    if request.param == "ReadSession":
        return create_read_session_factory(own_engine)
    return read_engine(own_engine).connect


async def test_read_session_refuses_to_write(own_engine: AsyncEngine) -> None:
    async with create_read_session_factory(own_engine)() as session:
        session.add(ExchangeRate(base="USD", quote="THB", rate_text="35.1", source="test", as_of=date(2026, 11, 1)))

        with pytest.raises(RuntimeError, match="cannot write"):
            await session.flush()


async def test_a_reader_reads_while_a_writer_holds_the_database(
    own_engine: AsyncEngine, open_reader: OpenReader
) -> None:
    """A writer's open transaction neither blocks a reader (SQLite: no BEGIN IMMEDIATE for reads) nor
    shows it its uncommitted changes."""
    count = text("SELECT count(*) FROM exchange_rate")
    async with own_engine.connect() as writer:
        await writer.begin()  # on SQLite: BEGIN IMMEDIATE, the write lock
        before = (await writer.execute(count)).scalar_one()
        await writer.execute(text("DELETE FROM exchange_rate"))
        await writer.execute(text("CREATE TABLE scratch_read_session (id INTEGER)"))

        async with open_reader() as reader:
            # SQLite's busy timeout is 30 s: a reader queueing for the write lock would time out here.
            seen = await asyncio.wait_for(reader.execute(count), timeout=5)
            assert seen.scalar_one() == before

        await writer.rollback()


async def test_a_reader_on_postgresql_sends_no_begin(own_engine: AsyncEngine, open_reader: OpenReader) -> None:
    """Autocommit: each statement is its own transaction, so transaction_timestamp() moves between them."""
    if own_engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads in a deferred transaction; see the test above")
    async with open_reader() as reader:
        first = (await reader.execute(text("SELECT transaction_timestamp()"))).scalar_one()
        await asyncio.sleep(0.01)
        second = (await reader.execute(text("SELECT transaction_timestamp()"))).scalar_one()

    assert second > first


# This test's database only: other test processes (pytest-xdist workers) use databases of their own.
OWN_DATABASE_BACKENDS = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")


async def test_lost_connection_answers_503_and_the_pool_recovers(settings: Settings, own_engine: AsyncEngine) -> None:
    """The server drops the app's pooled connections (a restart, a failover): the next request on a stale
    connection answers 503 problem+json, and the request after it is served on a fresh connection."""
    if own_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    async with own_engine.connect() as admin:
        before = set((await admin.execute(OWN_DATABASE_BACKENDS)).scalars())
    app = create_app(settings)

    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client,
    ):
        assert (await client.get("/v1/exchange-rates")).status_code == 200
        async with own_engine.connect() as admin:
            pids = set((await admin.execute(OWN_DATABASE_BACKENDS)).scalars()) - before
            pids.discard((await admin.execute(text("SELECT pg_backend_pid()"))).scalar_one())
            assert pids, "the app kept no pooled connection"
            for pid in pids:
                await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        lost = await client.get("/v1/exchange-rates")
        recovered = await client.get("/v1/exchange-rates")

    assert lost.status_code == 503
    assert lost.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert lost.headers["retry-after"] == "1"
    assert lost.json()["code"] == "database-unavailable"
    assert recovered.status_code == 200
