"""Idempotency-Key handling (IETF draft-ietf-httpapi-idempotency-key-header): the same key and
body replays the first response; the same key with another body is 422.

The key is claimed by inserting its record in the request's own transaction, before the work.
A concurrent retry's insert then waits on the unique index until the first request commits, and
replays its response; if the first request fails, nothing of it (claim included) is stored and
the retry runs afresh. So a retried payment is recorded once, on PostgreSQL and SQLite alike.

Records are kept for IDEMPOTENCY_RETENTION_HOURS, then purged by the scheduled job; a key older than
that is expired even before the purge reaches it, and starts afresh."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import utc_now
from app.core.errors import Conflict, DomainError, Unprocessable
from app.core.idempotency_models import IdempotencyRecord

REPLAY_HEADER = "Idempotent-Replayed"


def retention_of(settings: Settings) -> timedelta:
    return timedelta(hours=settings.idempotency_retention_hours)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="A unique key per payment, e.g. a UUID. Retries with the same key and body record it once.",
    ),
]


class IdempotencyKeyMissing(DomainError):
    status = 400
    code = "idempotency-key-missing"
    title = "An Idempotency-Key header is required"


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency-key-reused"
    title = "The Idempotency-Key was used with another request"


class IdempotencyKeyInFlight(Conflict):
    code = "idempotency-key-in-flight"
    title = "A request with this Idempotency-Key is still being processed"


@dataclass
class Claim:
    record: IdempotencyRecord
    replay: JSONResponse | None


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


async def claim(
    session: AsyncSession,
    *,
    key: str | None,
    caller_id: UUID,
    route: str,
    payload: Any,
    retention: timedelta,
) -> Claim:
    """Claim the key for this request, or find the stored response of the request that claimed it within
    `retention` (IDEMPOTENCY_RETENTION_HOURS)."""
    if key is None:
        raise IdempotencyKeyMissing("Send an Idempotency-Key header (e.g. a new UUID) with every payment.")
    digest = fingerprint(payload)
    existing = await _find(session, caller_id, route, key)
    if existing is not None and existing.created_at < utc_now() - retention:
        await _forget(session, existing)  # as if the purge had come first: the key is free again
        existing = None
    if existing is None:
        record = IdempotencyRecord(caller_id=caller_id, route=route, key=key, fingerprint=digest)
        try:
            async with session.begin_nested():
                session.add(record)
            return Claim(record, None)
        except IntegrityError:
            existing = await _find(session, caller_id, route, key)  # committed meanwhile by a concurrent retry
            assert existing is not None
    return Claim(existing, _replay(existing, digest))


async def _find(session: AsyncSession, caller_id: UUID, route: str, key: str) -> IdempotencyRecord | None:
    statement = select(IdempotencyRecord).where(
        IdempotencyRecord.caller_id == caller_id, IdempotencyRecord.route == route, IdempotencyRecord.key == key
    )
    return await session.scalar(statement.execution_options(populate_existing=True))


async def _forget(session: AsyncSession, record: IdempotencyRecord) -> None:
    # A statement, not session.delete: a concurrent retry may have deleted the row first, which is no error.
    await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))


def _replay(record: IdempotencyRecord, digest: str) -> JSONResponse:
    if record.fingerprint != digest:
        raise IdempotencyKeyReused("This Idempotency-Key was sent with another request body; use a new key.")
    if record.response_status is None or record.response_body is None:
        raise IdempotencyKeyInFlight("The first request with this key has not finished; retry in a moment.")
    return JSONResponse(
        json.loads(record.response_body), status_code=record.response_status, headers={REPLAY_HEADER: "true"}
    )


async def complete(session: AsyncSession, claimed: Claim, *, status: int, body: Any) -> None:
    """Store the response with the work, in the same transaction."""
    claimed.record.response_status = status
    claimed.record.response_body = json.dumps(body)
    await session.flush()


async def purge_expired(session: AsyncSession, *, now: datetime, retention: timedelta) -> int:
    """Delete the records older than `retention` (IDEMPOTENCY_RETENTION_HOURS); how many went. Run by the
    scheduled job (`python -m app.worker purge-idempotency`); their keys may then be used afresh."""
    result = await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - retention))
    return int(result.rowcount)  # type: ignore[attr-defined]
