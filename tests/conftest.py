"""Test database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set), migrated once with
Alembic; every test runs inside one outer transaction that is rolled back. One app per database serves
every test: building an app and serving its first request costs more than most tests.

Under pytest-xdist every worker has its own SQLite file and its own PostgreSQL database, named after
TEST_DATABASE_URL's database and the worker (`test_gw0`), created on first use."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from app.core.config import Settings
from app.core.db import create_engine, read_connections_of
from app.main import create_app
from app.models import Base

ROOT = Path(__file__).resolve().parent.parent
DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logging"] = False
    config.attributes["connection"] = connection
    config.attributes["database_url"] = url
    return config


def settings_for(database_url: str) -> Settings:
    return Settings(environment="test", database_url=database_url, log_level="WARNING", log_json=False)


@pytest.fixture(scope="session", params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    url = os.environ["TEST_DATABASE_URL"]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return await database_of_worker(url, worker) if worker else url


async def database_of_worker(url: str, worker: str) -> str:
    """The worker's own database on the same server, so workers never drop each other's schema."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    server = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with server.connect() as connection:
        exists = await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if not exists:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


async def reset_schema(engine: AsyncEngine) -> None:
    """Start from an empty database, whatever an earlier run left behind."""
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await reset_schema(engine)
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))
    yield engine
    await engine.dispose()


@pytest.fixture
async def session_factory(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """All sessions of one test share a connection whose outer transaction is rolled back."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        yield async_sessionmaker(connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
        await outer.rollback()


@pytest.fixture
async def committing_session_factory(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Real commits on separate connections, for tests of concurrent requests; emptied afterwards."""
    yield async_sessionmaker(engine, expire_on_commit=False)
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture
async def session(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


@pytest.fixture(scope="session")
def application(settings: Settings, engine: AsyncEngine) -> FastAPI:
    """The app every `client` talks to; each test hands it its own sessions (see `serving`)."""
    return create_app(settings, session_factory=async_sessionmaker(engine))


async def serving(app: FastAPI, session_factory: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Point the app at one test's sessions, with the login throttle's and the rate limits' counts of earlier
    tests forgotten."""
    app.state.session_factory = app.state.read_session_factory = session_factory
    app.state.read_connections = read_connections_of(session_factory)
    await app.state.login_throttle.limiter.storage.reset()
    await app.state.rate_limits.reset()
    return app


def client_of(app: FastAPI) -> AsyncClient:
    # Passed in, not built in the lifespan: ASGITransport sends no lifespan events.
    return AsyncClient(transport=ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def client(application: FastAPI, session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncClient]:
    async with client_of(await serving(application, session_factory)) as client:
        yield client


@pytest.fixture
async def committing_client(
    application: FastAPI, committing_session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[AsyncClient]:
    """A client whose requests commit on connections of their own, for concurrent requests."""
    async with client_of(await serving(application, committing_session_factory)) as client:
        yield client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schemathesis names each operation's test (`test_x[GET /healthz]`), but pytest builds node ids from
    parametrization it does not use, so all share one id; pytest-xdist schedules by node id and would run
    one of them. Each id gets its operation, as the name has."""
    for item in items:
        originalname = getattr(item, "originalname", item.name)
        if item.name.startswith(f"{originalname}[") and not item.nodeid.endswith("]"):
            item._id = item._id.with_params(item.name.removeprefix(originalname)[1:-1])
