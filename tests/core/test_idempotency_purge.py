"""Idempotency-Key records live IDEMPOTENCY_RETENTION_HOURS: the scheduled job purges older ones, and a key
older than that starts afresh even before the purge reaches it."""

from datetime import timedelta
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import worker
from app.core import idempotency
from app.core.config import Settings
from app.core.db import utc_now
from app.core.idempotency_models import IdempotencyRecord

RETENTION = timedelta(hours=24)
PAYLOAD = {"amount": "100.00", "currency": "THB"}
ROUTE = "POST /v1/agreements/00000000-0000-4000-8000-000000000001/payments"


async def stored_record(session: AsyncSession, *, age: timedelta, key: str | None = None) -> IdempotencyRecord:
    record = IdempotencyRecord(
        caller_id=uuid4(),
        route=ROUTE,
        key=key or str(uuid4()),
        fingerprint=idempotency.fingerprint(PAYLOAD),
        response_status=201,
        response_body='{"id": "first"}',
        created_at=utc_now() - age,
    )
    session.add(record)
    await session.flush()
    return record


async def stored_keys(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(IdempotencyRecord.key))).all())


async def test_purge_deletes_the_records_older_than_the_retention_and_keeps_the_others(session: AsyncSession) -> None:
    old = await stored_record(session, age=RETENTION + timedelta(minutes=1))
    older = await stored_record(session, age=timedelta(days=30))
    recent = await stored_record(session, age=RETENTION - timedelta(minutes=1))
    fresh = await stored_record(session, age=timedelta(0))

    purged = await idempotency.purge_expired(session, now=utc_now(), retention=RETENTION)

    assert purged == 2
    assert await stored_keys(session) == {recent.key, fresh.key}
    assert {old.key, older.key}.isdisjoint(await stored_keys(session))


async def test_the_scheduled_job_purges_by_the_configured_retention(session: AsyncSession, settings: Settings) -> None:
    kept_longer = settings.model_copy(update={"idempotency_retention_hours": 48})
    two_days_old = await stored_record(session, age=timedelta(hours=49))
    one_day_old = await stored_record(session, age=timedelta(hours=25))

    report = await worker.purge_idempotency(session, kept_longer)

    assert report == "Purged 1 Idempotency-Key record(s) older than 48 h."
    assert await stored_keys(session) == {one_day_old.key}
    assert two_days_old.key not in await stored_keys(session)


def test_the_daily_job_lapses_and_completes_agreements_and_purges_records() -> None:
    assert worker.JOBS["daily"] == [
        worker.lapse,
        worker.complete,
        worker.purge_idempotency,
        worker.remind,
        worker.refresh_indicators,
        worker.recount_pledges,
    ]
    assert worker.JOBS["lapse"] == [worker.lapse]
    assert worker.JOBS["complete"] == [worker.complete]


async def test_a_key_within_the_retention_replays_the_first_response(session: AsyncSession) -> None:
    first = await stored_record(session, age=RETENTION - timedelta(minutes=1))

    claim = await idempotency.claim(
        session, key=first.key, caller_id=first.caller_id, route=ROUTE, payload=PAYLOAD, retention=RETENTION
    )

    assert claim.replay is not None
    assert claim.replay.status_code == 201
    assert claim.replay.body == b'{"id":"first"}'


async def test_a_key_older_than_the_retention_does_not_replay_but_starts_afresh(session: AsyncSession) -> None:
    expired = await stored_record(session, age=RETENTION + timedelta(minutes=1))
    expired_id, caller_id, key = expired.id, expired.caller_id, expired.key

    claim = await idempotency.claim(
        session, key=key, caller_id=caller_id, route=ROUTE, payload=PAYLOAD, retention=RETENTION
    )

    records = (await session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == key))).all()
    assert claim.replay is None
    assert [record.id for record in records] == [claim.record.id]
    assert claim.record.id != expired_id
    assert claim.record.response_status is None  # claimed for this request, to be completed by it


async def test_an_expired_key_sent_with_another_body_is_no_reuse(session: AsyncSession) -> None:
    """The old request is forgotten: a new body under its key is a new request, not a 422."""
    expired = await stored_record(session, age=RETENTION + timedelta(minutes=1))

    claim = await idempotency.claim(
        session,
        key=expired.key,
        caller_id=expired.caller_id,
        route=ROUTE,
        payload={**PAYLOAD, "amount": "200.00"},
        retention=RETENTION,
    )

    assert claim.replay is None
    assert claim.record.fingerprint == idempotency.fingerprint({**PAYLOAD, "amount": "200.00"})
