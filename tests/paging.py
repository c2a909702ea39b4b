"""Checks shared by the tests of cursor-paged lists: walking every page, and counting the SQL a request sends."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# Not base64 JSON at all; and base64 JSON of a pair that is no (created_at, id).
FORGED_CURSORS = ["not-a-cursor", "WyJ4IiwgInkiXQ=="]


def moments(count: int, *, ties: int = 2) -> list[datetime]:
    """Rising times, the first `ties` of them equal, so a list's order also rests on its tie-breaker."""
    start = datetime(2027, 1, 1, tzinfo=UTC)
    return [start + timedelta(minutes=max(0, index - ties + 1)) for index in range(count)]


async def every_page(
    client: AsyncClient, url: str, headers: dict[str, str], *, limit: int, max_pages: int = 50
) -> list[dict[str, Any]]:
    """Each page's body, from the first to the one without a `next_cursor`."""
    pages: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": limit}
    while len(pages) < max_pages:
        response = await client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        if pages[-1]["next_cursor"] is None:
            return pages
        params = {"limit": limit, "cursor": pages[-1]["next_cursor"]}
    raise AssertionError(f"{url} still had more after {max_pages} pages")


@asynccontextmanager
async def statements_sent(engine: AsyncEngine) -> AsyncIterator[list[str]]:
    """Every SQL statement sent through the engine inside the block, in order."""
    statements: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def page_and_statements(
    engine: AsyncEngine, client: AsyncClient, url: str, headers: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """One page of up to 100 rows, and the statements its request sent."""
    async with statements_sent(engine) as statements:
        response = await client.get(url, params={"limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json(), statements
