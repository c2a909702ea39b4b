"""The ceiling for the benchmark: the filtered catalogue query (country + category + certified, newest
first) served by a minimal Starlette app straight through asyncpg, with no ORM, no validation and no
middleware. Run by bench/catalogue.py with uvicorn; CEILING_DSN names the database."""

import base64
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# The statement app/catalogue/search/query.py builds for these filters, written out.
FILTERED = """
SELECT p.id, p.name, p.category, p.origin_country, p.seller_id, o.name AS seller_name, p.unit, p.currency,
       p.price_minor,
       coalesce((SELECT true FROM product_certification c WHERE c.product_id = p.id AND c.expires_on >= $1
                 LIMIT 1), false) AS certified,
       p.created_at
FROM product p JOIN trading_organisation o ON o.id = p.seller_id
WHERE p.status = 'listed' AND p.origin_country = $2 AND p.category = $3
  AND EXISTS (SELECT * FROM product_certification c WHERE c.product_id = p.id AND c.expires_on >= $1)
ORDER BY p.created_at DESC, p.id DESC
LIMIT $4
"""
EXPONENTS = {"VND": 0, "IDR": 2, "LAK": 2}


def _price(minor: int, currency: str) -> str:
    exponent = EXPONENTS.get(currency, 2)
    return f"{Decimal(minor).scaleb(-exponent):.{exponent}f}"


def _row(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "category": row["category"],
        "origin_country": row["origin_country"],
        "seller_id": str(row["seller_id"]),
        "seller_name": row["seller_name"],
        "unit": row["unit"],
        "price": _price(row["price_minor"], row["currency"]),
        "currency": row["currency"],
        "certified": row["certified"],
        "display": None,
        "created_at": row["created_at"].isoformat().replace("+00:00", "Z"),
    }


async def products(request: Request) -> Response:
    pool: asyncpg.Pool = request.app.state.pool
    params = request.query_params
    limit = int(params.get("limit", "20"))
    rows = await pool.fetch(FILTERED, datetime.now(UTC).date(), params["country"], params["category"], limit + 1)
    page = rows[:limit]
    cursor = None
    if len(rows) > limit:
        last = page[-1]
        cursor = base64.urlsafe_b64encode(json.dumps([last["created_at"].isoformat(), str(last["id"])]).encode())
    body = {
        "data": [_row(row) for row in page],
        "has_more": cursor is not None,
        "next_cursor": cursor.decode() if cursor else None,
    }
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # The same pool bounds as SQLAlchemy's defaults in the app (5 kept, 10 more under load).
    app.state.pool = await asyncpg.create_pool(os.environ["CEILING_DSN"], min_size=5, max_size=15)
    yield
    await app.state.pool.close()


async def health(_: Request) -> Response:
    return Response('{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[Route("/v1/catalogue/products", products), Route("/healthz", health)], lifespan=lifespan)
