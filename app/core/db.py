"""Declarative base, engine set-up for SQLite and PostgreSQL, and the request's single transaction."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from app.core.config import Settings
from app.core.errors import DomainError


class Base(DeclarativeBase):
    # Named constraints, so Alembic can alter them on SQLite (batch mode) as on PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_N_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both databases (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        # Naive UTC text on SQLite sorts and compares correctly as a string.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


POOL_RECYCLE_SECONDS = 1800  # below the idle timeouts of common proxies and firewalls
POOL_SIZE = Settings.model_fields["database_pool_size"].default
MAX_OVERFLOW = Settings.model_fields["database_max_overflow"].default


def create_engine(
    database_url: str, *, pool: bool = True, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW
) -> AsyncEngine:
    """The engine; `pool=False` for one-off commands, which need no connection kept open. The pool's
    sizes default to the settings' defaults (DATABASE_POOL_SIZE, DATABASE_MAX_OVERFLOW)."""
    options: dict[str, Any] = (
        {"pool_size": pool_size, "max_overflow": max_overflow} if pool else {"poolclass": NullPool}
    )
    if database_url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 30}
    else:
        # No pre-ping: asyncpg's costs three round trips per checkout. A connection lost meanwhile
        # fails its request with a 503 (errors.render_lost_database) and the pool renews itself.
        options["pool_recycle"] = POOL_RECYCLE_SECONDS
    engine = create_async_engine(database_url, **options)
    if engine.dialect.name == "sqlite":
        use_sqlite_write_locks(engine)
    return engine


def use_sqlite_write_locks(engine: AsyncEngine) -> None:
    """Make SQLite transactions take the write lock up front.

    The driver's deferred BEGIN lets two transactions read the same count and both write (lost
    updates, and FOR UPDATE is ignored on SQLite). BEGIN IMMEDIATE queues writers instead. Recipe
    from SQLAlchemy's SQLite dialect docs, "Serializable isolation / Savepoints / Transactional DDL".
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        # Readers take no lock up front: under WAL they read a snapshot while a writer works.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


READ_ONLY = "teikei_read_only"  # an execution option of read_engine's connections


class ReadOnlySession(Session):
    """A session that refuses to write: it has no transaction to make changes atomic."""


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_changes(session: Session, *_: Any) -> None:
    raise RuntimeError("A read session cannot write; use DbSession for requests that change data.")


def read_engine(engine: AsyncEngine) -> AsyncEngine:
    """The engine's pool, for requests that only read.

    On PostgreSQL its connections run in autocommit, so a read sends no BEGIN and COMMIT, two round
    trips of the three a one-query request made; each statement reads its own snapshot, so a handler
    that needs several statements to agree must use DbSession. On SQLite they begin a deferred
    transaction (one snapshot for the whole request), so reads run side by side instead of queueing
    for the write lock."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine.execution_options(**{READ_ONLY: True})


def create_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(read_engine(engine), expire_on_commit=False, sync_session_class=ReadOnlySession)


ReadConnections = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


def read_connections_of(session_factory: async_sessionmaker[AsyncSession]) -> ReadConnections:
    """Connections that see what the factory's sessions see: in tests, their rolled-back transaction."""

    @asynccontextmanager
    async def connect() -> AsyncIterator[AsyncConnection]:
        async with session_factory() as session:
            yield await session.connection()

    return connect


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    session_factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with session_factory() as session:
        try:
            yield session
        except DomainError as error:
            await (session.commit() if error.keeps_changes else session.rollback())
            raise
        except Exception:
            await session.rollback()
            raise
        await session.commit()


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    session_factory: async_sessionmaker[AsyncSession] = request.app.state.read_session_factory
    async with session_factory() as session:
        yield session


def read_connection(request: Request) -> AbstractAsyncContextManager[AsyncConnection]:
    """A connection from read_engine, for a handler that opens it itself (`async with`): a query of
    columns, not entities, needs no session around it."""
    connect: ReadConnections = request.app.state.read_connections
    return connect()


# scope="function": the commit happens before the response is sent, so a 2xx means stored.
# Use only these aliases; Depends(get_session) without the scope would open a second session.
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
# For handlers that only read, and whose statements need not share one snapshot on PostgreSQL (see
# read_engine); read_connection() is the same without a session.
ReadSession = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
