"""Test database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set), migrated once with
Alembic; every test runs inside one outer transaction that is rolled back."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import create_engine
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
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return os.environ["TEST_DATABASE_URL"]


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


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


@pytest.fixture
async def client(session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> AsyncIterator[AsyncClient]:
    # Passed in, not built in the lifespan: ASGITransport sends no lifespan events.
    app = create_app(settings, session_factory=session_factory)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client
