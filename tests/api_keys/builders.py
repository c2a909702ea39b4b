"""Issuing keys over HTTP as a coordinator or owner would, and reading them back from the database."""

from typing import Any
from uuid import UUID

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys.models import ApiKey
from app.core.config import Settings
from tests.factories import auth_headers

EVERY_SCOPE = [
    "catalogue:read",
    "catalogue:write",
    "trade_orders:read",
    "trade_orders:write",
    "plans:read",
    "agreements:read",
    "webhooks:read",
    "webhooks:write",
]


def key_body(kind: str, organisation_id: UUID, scopes: list[str] | None = None, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Web shop",
        "organisation_kind": kind,
        "organisation_id": str(organisation_id),
        "scopes": EVERY_SCOPE if scopes is None else scopes,
        **changes,
    }


async def issue_key(
    client: AsyncClient,
    settings: Settings,
    creator_id: UUID,
    kind: str,
    organisation_id: UUID,
    scopes: list[str] | None = None,
    **changes: Any,
) -> str:
    response = await client.post(
        "/v1/api-keys",
        json=key_body(kind, organisation_id, scopes, **changes),
        headers=auth_headers(settings, creator_id),
    )
    assert response.status_code == 201, response.text
    key: str = response.json()["key"]
    return key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def key_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ApiKey)) or 0)


async def stored_key(session: AsyncSession, key_id: str) -> ApiKey:
    key = await session.scalar(
        select(ApiKey).where(ApiKey.id == UUID(key_id)).execution_options(populate_existing=True)
    )
    assert key is not None
    return key
