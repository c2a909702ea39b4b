"""Opaque keyset cursors of a search: the sort key and id of the last product shown, so the next page
starts right after it whatever was listed since, and ties (many products at one price) neither repeat
nor go missing.

A cursor also carries what gives its key a meaning: the sort, the search words (relevance) or the
price currency (price sorts), checked against the request (a cursor of another sort is refused), and
the moment the first page was read: later pages convert with the rates recorded until then, so a rate
recorded meanwhile cannot reorder the pages being walked."""

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.catalogue.search.schemas import ProductSort
from app.core.pagination import InvalidCursor
from app.core.schemas import in_utc

VERSION = 1
INVALID = "Pass back the `next_cursor` of a previous page of the same search unchanged."


def fingerprint(sort: ProductSort, *, words: tuple[str, ...], price_currency: str | None) -> str:
    """What the sort key depends on: the words for relevance, the price currency for price sorts."""
    meaning = [sort.value, [word.casefold() for word in words], price_currency]
    return hashlib.blake2b(json.dumps(meaning).encode(), digest_size=6).hexdigest()


@dataclass(frozen=True)
class Position:
    rates_at: datetime
    key: tuple[Any, ...]  # JSON values, checked by the query that reads them


def encode(sort: ProductSort, meaning: str, rates_at: datetime, key: tuple[Any, ...]) -> str:
    payload = [VERSION, sort.value, meaning, rates_at.isoformat(), *key]
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode(cursor: str, sort: ProductSort, meaning: str, *, key_length: int) -> Position:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        version, cursor_sort, cursor_meaning, rates_at_text, *key = payload
        rates_at = in_utc(datetime.fromisoformat(rates_at_text))
    except (ValueError, TypeError, binascii.Error) as error:  # JSONDecodeError is a ValueError
        raise InvalidCursor(INVALID) from error
    if version != VERSION or len(key) != key_length:
        raise InvalidCursor(INVALID)
    if cursor_sort != sort.value or cursor_meaning != meaning:
        raise InvalidCursor(
            "This cursor belongs to another search: pass it with the same sort, words and price currency, "
            "or start again without a cursor."
        )
    return Position(rates_at, tuple(key))
