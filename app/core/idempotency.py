"""Idempotency-Key handling (IETF draft-ietf-httpapi-idempotency-key-header): the same key and
body replays the first response; the same key with another body is 422.

The key is claimed by inserting its record in the request's own transaction, before the work.
A concurrent retry's insert then waits on the unique index until the first request commits, and
replays its response; if the first request fails, nothing of it (claim included) is stored and
the retry runs afresh. So a retried payment is recorded once, on PostgreSQL and SQLite alike."""

import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, DomainError, Unprocessable
from app.core.idempotency_models import IdempotencyRecord

REPLAY_HEADER = "Idempotent-Replayed"

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


async def claim(session: AsyncSession, *, key: str | None, caller_id: UUID, route: str, payload: Any) -> Claim:
    """Claim the key for this request, or find the stored response of the request that claimed it."""
    if key is None:
        raise IdempotencyKeyMissing("Send an Idempotency-Key header (e.g. a new UUID) with every payment.")
    digest = fingerprint(payload)
    existing = await _find(session, caller_id, route, key)
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
