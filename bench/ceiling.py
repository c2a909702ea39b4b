"""The ceiling for the benchmark: every catalogue search shape of the bench served by a minimal Starlette
app straight through asyncpg, with no ORM, no validation and no middleware. Run by bench/catalogue.py
with uvicorn.

It sends the app's own SQL: bench/capture.py ran the real app on each of the bench's paths and recorded
the statements the app handed to asyncpg, with their values (the exchange-rate read a price sort or
`?currency=` needs, then the page). For a request here, the ceiling looks its path up, runs those
statements on one pooled connection, as the app does, and writes the same JSON (prices as text, the
display price in `?currency=`, the next cursor). What it leaves out is the app's own work around the
SQL: routing, parsing and validating the query string, deciding the shape, building the statement,
converting the rows through SQLAlchemy and validating the page. It binds the values the app bound when
captured (today's date, the moment the rates were read), which are the values the app binds on the day.

CEILING_DSN names the database, CEILING_PLANS the pickle bench/capture.py wrote; CEILING_POOL_SIZE and
CEILING_POOL_MAX bound the pool (the bench passes the app's DATABASE_POOL_SIZE and that plus
DATABASE_MAX_OVERFLOW)."""

import base64
import json
import os
import pickle
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import asyncpg  # type: ignore[import-untyped]
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# ISO 4217 minor units of the seeded currencies (THB, USD, EUR, PHP, IDR, LAK: 2).
EXPONENTS = {"VND": 0, "JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3}
INVERSE_RATE_DIGITS = 28  # as app/catalogue/conversion.py


def _exponent(currency: str) -> int:
    return EXPONENTS.get(currency, 2)


def _price(minor: int, currency: str) -> str:
    exponent = _exponent(currency)
    if exponent == 0:
        return str(minor)
    whole, fraction = divmod(abs(minor), 10**exponent)
    return f"{'-' if minor < 0 else ''}{whole}.{fraction:0{exponent}d}"


# Display prices: the rates into one currency, chosen as app/catalogue/search/prices.rates_into chooses.

Rate = tuple[Decimal, str, str, bool]  # rate, source, as_of (ISO date), inverted


def _rates(target: str, rows: Sequence[asyncpg.Record]) -> dict[str, Rate]:
    direct: dict[str, Rate] = {}
    opposite: dict[str, Rate] = {}
    for base, quote, rate_text, source, as_of in rows:
        if quote == target and base not in direct:
            direct[base] = (Decimal(rate_text), source, as_of.isoformat(), False)
        elif base == target and quote not in opposite:
            inverse = Context(prec=INVERSE_RATE_DIGITS, rounding=ROUND_HALF_EVEN).divide(Decimal(1), Decimal(rate_text))
            opposite[quote] = (inverse.normalize(Context(prec=INVERSE_RATE_DIGITS)), source, as_of.isoformat(), True)
    return {**opposite, **direct}


def _display(rates: dict[str, Rate], target: str, minor: int, currency: str) -> dict[str, Any] | None:
    applied = rates.get(currency)
    if applied is None:
        return None
    rate, source, as_of, inverted = applied
    # Exact, then rounded half to even once (round() of a Fraction), as conversion.convert rounds.
    converted = round(Fraction(minor) * Fraction(rate) * Fraction(10) ** (_exponent(target) - _exponent(currency)))
    return {
        "currency": target,
        "price": _price(converted, target),
        "rate": format(rate, "f"),
        "rate_source": source,
        "rate_as_of": as_of,
        "rate_inverted": inverted,
    }


# The cursor's key, by sort: what app/catalogue/search/service._cursor_key takes from the last row.


def _newest_key(row: asyncpg.Record) -> list[Any]:
    return [row["created_at"].isoformat(), str(row["id"])]


def _relevance_key(row: asyncpg.Record) -> list[Any]:
    return [int(row["relevance"]), row["created_at"].isoformat(), str(row["id"])]


def _price_key(row: asyncpg.Record) -> list[Any]:
    return [str(row["price_key"]), row["price_minor"], str(row["id"])]


KEYS: dict[str, Callable[[asyncpg.Record], list[Any]]] = {
    "newest": _newest_key,
    "relevance": _relevance_key,
    "price_asc": _price_key,
    "price_desc": _price_key,
}


@dataclass(frozen=True)
class Plan:
    """What one path of the bench runs and how its page is written."""

    statements: list[tuple[str, tuple[Any, ...]]]
    limit: int
    display: tuple[str, int] | None  # the display currency and the statement that read its rates
    cursor_head: list[Any] | None  # version, sort, meaning and rates moment of the app's next cursor
    key: Callable[[asyncpg.Record], list[Any]] | None


def plan(path: str, captured: dict[str, Any]) -> Plan:
    statements = captured["statements"]
    query = parse_qs(path.partition("?")[2])
    display = None
    if "currency" in query:
        target = query["currency"][0]
        # The rates read whose first value (`quote = $1`) is the display currency.
        reads = [n for n, (sql, values) in enumerate(statements[:-1]) if "exchange_rate" in sql and values[0] == target]
        display = (target, reads[0])
    answer = json.loads(captured["body"])
    head, key = None, None
    if answer["next_cursor"] is not None:
        payload = json.loads(base64.urlsafe_b64decode(answer["next_cursor"]))
        head, key = payload[:4], KEYS[payload[1]]
    return Plan(statements, int(query.get("limit", ["20"])[0]), display, head, key)


def _summary(row: asyncpg.Record, rates: dict[str, Rate] | None, target: str) -> dict[str, Any]:
    # The first eleven columns are the summary's, in app/catalogue/search/query.SUMMARY_COLUMNS' order.
    id_, name, category, country, seller_id, seller_name, unit, currency, minor, certified, created_at = row[:11]
    return {
        "id": str(id_),
        "name": name,
        "category": category,
        "origin_country": country,
        "seller_id": str(seller_id),
        "seller_name": seller_name,
        "unit": unit,
        "price": _price(minor, currency),
        "currency": currency,
        "certified": certified,
        "display": _display(rates, target, minor, currency) if rates is not None else None,
        "created_at": created_at.isoformat().replace("+00:00", "Z"),
    }


async def products(request: Request) -> Response:
    plan: Plan = request.app.state.plans[request.scope["query_string"]]
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as connection:
        results = [await connection.fetch(sql, *values) for sql, values in plan.statements]
    rows = results[-1]
    page = rows[: plan.limit]
    rates, target = None, ""
    if plan.display is not None:
        target = plan.display[0]
        rates = _rates(target, results[plan.display[1]])
    cursor = None
    if len(rows) > plan.limit:
        assert plan.cursor_head is not None and plan.key is not None
        payload = [*plan.cursor_head, *plan.key(page[-1])]
        cursor = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    body = {
        "data": [_summary(row, rates, target) for row in page],
        "has_more": cursor is not None,
        "next_cursor": cursor,
    }
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


def plans() -> dict[bytes, Plan]:
    """By query string, as the request's scope holds it."""
    captured = pickle.loads(Path(os.environ["CEILING_PLANS"]).read_bytes())  # noqa: S301 - the bench's own file
    return {path.partition("?")[2].encode(): plan(path, recorded) for path, recorded in captured.items()}


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.plans = plans()
    app.state.pool = await asyncpg.create_pool(
        os.environ["CEILING_DSN"],
        min_size=int(os.environ.get("CEILING_POOL_SIZE", "15")),
        max_size=int(os.environ.get("CEILING_POOL_MAX", "20")),
    )
    yield
    await app.state.pool.close()


async def health(_: Request) -> Response:
    return Response('{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[Route("/v1/catalogue/products", products), Route("/healthz", health)], lifespan=lifespan)
