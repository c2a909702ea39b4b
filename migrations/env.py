"""Alembic runs the same chain on SQLite and PostgreSQL; batch mode lets SQLite alter tables."""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from app.catalogue.search import index as search_index
from app.core.config import get_settings
from app.core.db import create_engine
from app.models import Base

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


async def run_online() -> None:
    engine = create_engine(database_url(), pool=False)
    async with engine.connect() as connection:
        await connection.run_sync(run_with_connection)
        await connection.commit()
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
