"""Opaque keyset cursors over (created_at, id): stable under inserts, never OFFSET."""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Query
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import Unprocessable
from app.core.schemas import Page, Schema, in_utc

Limit = Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")]
Cursor = Annotated[
    str | None,
    Query(max_length=200, pattern=r"^[A-Za-z0-9_=-]*$", description="`next_cursor` of the previous page."),
]


class InvalidCursor(Unprocessable):
    code = "invalid-cursor"
    title = "The cursor is not valid"


S = TypeVar("S", bound=Schema)


@dataclass(frozen=True)
class CursorPage:
    rows: Sequence[Any]
    has_more: bool
    next_cursor: str | None

    def to(self, schema: type[S]) -> Page[S]:
        return Page[schema](  # type: ignore[valid-type]
            data=[schema.model_validate(row) for row in self.rows],
            has_more=self.has_more,
            next_cursor=self.next_cursor,
        )


def encode_cursor(created_at: datetime, row_id: UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    """The (created_at, id) a cursor of ours holds; anything else, such as a time without a UTC offset
    or one outside the range of a UTC time, is refused here rather than failing in the query."""
    try:
        created_at, row_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return in_utc(datetime.fromisoformat(created_at)), UUID(row_id)
    except (ValueError, TypeError, AttributeError, binascii.Error) as error:  # JSONDecodeError is a ValueError
        raise InvalidCursor("Pass back the `next_cursor` of a previous page unchanged.") from error


def after_cursor(
    cursor: str, *, created_at: InstrumentedAttribute[datetime], id_column: InstrumentedAttribute[UUID]
) -> ColumnElement[bool]:
    """The rows after the one the cursor names, in (created_at, id) order."""
    after_at, after_id = decode_cursor(cursor)
    return or_(created_at > after_at, and_(created_at == after_at, id_column > after_id))


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    *,
    created_at: InstrumentedAttribute[datetime],
    id_column: InstrumentedAttribute[UUID],
    limit: int,
    cursor: str | None,
) -> CursorPage:
    """One page in (created_at, id) order; fetches one row more to know whether another page follows."""
    if cursor:
        statement = statement.where(after_cursor(cursor, created_at=created_at, id_column=id_column))
    rows = (await session.scalars(statement.order_by(created_at, id_column).limit(limit + 1))).all()
    has_more = len(rows) > limit
    page = rows[:limit]
    if not has_more:
        return CursorPage(page, has_more, None)
    last = page[-1]
    return CursorPage(page, has_more, encode_cursor(getattr(last, created_at.key), getattr(last, id_column.key)))
