"""Issuing, listing and revoking an organisation's API keys, and resolving a key at each use.

A key acts as its creator, but only within its organisation and only while its creator still manages it:
both are checked at every use, so a coordinator whose term ended, or an owner removed, leaves keys behind
that no longer work."""

import secrets
from datetime import timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import API_KEY_PREFIX, ApiKeyGrant, Principal
from app.api_keys import policies, repository
from app.api_keys.errors import ApiKeyCreatorLostRights, ApiKeyExpiryNotInFuture, InsufficientScope, InvalidApiKey
from app.api_keys.models import PREFIX_LENGTH, ApiKey
from app.api_keys.schemas import ApiKeyCreate
from app.api_keys.scopes import OPERATION_SCOPES
from app.core import security
from app.core.db import utc_now
from app.core.pagination import CursorPage, paginate

SECRET_BYTES = 32
# How precisely last_used_at is kept: one write a minute per key at most, not one per request.
LAST_USE_RESOLUTION = timedelta(minutes=1)


def new_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(SECRET_BYTES)


async def create_key(session: AsyncSession, principal: Principal, *, data: ApiKeyCreate) -> tuple[ApiKey, str]:
    """Issue a key for an organisation the caller manages. The key is returned this once; only its
    digest is stored."""
    await policies.require_manager(session, principal, data.organisation_kind, data.organisation_id)
    now = utc_now()
    if data.expires_at is not None and data.expires_at <= now:
        raise ApiKeyExpiryNotInFuture(
            f"expires_at {data.expires_at.isoformat()} has passed; give a time in the future, or none.",
            expires_at=data.expires_at.isoformat(),
        )
    secret = new_key()
    key = ApiKey(
        name=data.name,
        secret_digest=security.digest(secret),
        prefix=secret[:PREFIX_LENGTH],
        organisation_kind=data.organisation_kind,
        organisation_id=data.organisation_id,
        scopes=[scope.value for scope in data.scopes],
        created_by=principal.user_id,
        created_at=now,
        expires_at=data.expires_at,
    )
    session.add(key)
    await session.flush()
    return key, secret


async def list_keys(
    session: AsyncSession, principal: Principal, *, organisation_id: UUID | None, limit: int, cursor: str | None
) -> CursorPage:
    """Keys of the organisations the caller manages, revoked and expired ones included, oldest first."""
    if organisation_id is not None:
        await policies.require_managed(session, principal, organisation_id)
    else:
        policies.require_user(principal)
    return await paginate(
        session,
        repository.keys_managed_by(principal.user_id, organisation_id=organisation_id),
        created_at=ApiKey.created_at,
        id_column=ApiKey.id,
        limit=limit,
        cursor=cursor,
    )


async def get_key(session: AsyncSession, principal: Principal, key_id: UUID) -> ApiKey:
    return await policies.key_managed_by(session, principal, key_id)


async def revoke_key(session: AsyncSession, principal: Principal, key_id: UUID) -> ApiKey:
    """Any manager of the key's organisation revokes it, with effect from the next request. Revoking a
    revoked key changes nothing and succeeds: the caller's wish holds either way."""
    key = await policies.key_managed_by(session, principal, key_id, lock=True)
    if key.revoked_at is None:
        key.revoked_at = utc_now()
        await session.flush()
    return key


async def authenticate(session: AsyncSession, secret: str, *, operation: str) -> Principal:
    """The principal a key acts as for `operation` ("GET /v1/trade-orders/{order_id}"), or the refusal:
    401 for a key that is unknown, revoked or expired (alike, so a guess learns nothing), 403 when its
    creator no longer manages its organisation or its scopes do not cover the operation."""
    key = await repository.get_by_digest(session, security.digest(secret))
    now = utc_now()
    if key is None or key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        raise InvalidApiKey()
    if not await repository.manages(session, key.created_by, key.organisation_id):
        raise ApiKeyCreatorLostRights(key.organisation_id)
    required = OPERATION_SCOPES.get(operation)
    if required is None or required.value not in key.scopes:
        raise InsufficientScope(operation, required.value if required else None)
    if key.last_used_at is None or key.last_used_at <= now - LAST_USE_RESOLUTION:
        # In the request's own transaction (a DbSession: authentication always has one), so a request that
        # fails records no use. Requests that both found the stamp stale write it one after the other; the
        # second finds it fresh and changes nothing.
        await repository.record_use(session, key.id, at=now, unless_since=now - LAST_USE_RESOLUTION)
    grant = ApiKeyGrant(
        key_id=key.id,
        organisation_kind=key.organisation_kind.value,
        organisation_id=key.organisation_id,
        scopes=frozenset(key.scopes),
    )
    return Principal(user_id=key.created_by, api_key=grant)
