"""Sending webhooks from the outbox, at least once, in the Standard Webhooks format.

A worker claims a batch of due deliveries in one short transaction and pushes each one's `next_attempt_at`
past a lease, so no other worker takes it meanwhile (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so workers pass
each other's rows by; SQLite: BEGIN IMMEDIATE queues the claims). It sends outside any transaction, then
records the attempt and its outcome in a new one. A worker killed mid-send leaves its deliveries to be
claimed again when their lease runs out: the event goes out once more with the same `webhook-id`.

Retry schedule after a failed attempt (each delay ±10 %): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h,
20 h; ten attempts over about three days (71 h 35 min). After the last the delivery is `failed`; an
endpoint none of whose deliveries succeeded for that long is disabled."""

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook

from app.core.config import Settings
from app.core.db import utc_now
from app.outbox import addresses
from app.outbox.models import (
    RESPONSE_BODY_MAX_BYTES,
    DeliveryStatus,
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=20),
)
RETRY_WINDOW = sum(RETRY_DELAYS, timedelta())
# Spread, so that the deliveries an endpoint's outage failed together are not all retried at one instant.
JITTER = 0.1
# Deliveries one worker sends at once.
CONCURRENCY = 8
IDLE_SECONDS = 1.0
ERROR_MAX_LENGTH = 500
USER_AGENT = "Teikei-Webhooks/1"

Clock = Callable[[], datetime]
log = structlog.get_logger("teikei.webhooks")


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker holds until `leased_until`, with everything needed to send it."""

    delivery_id: UUID
    endpoint_id: UUID
    url: str
    secret: str
    event_id: UUID
    event_type: str
    occurred_at: datetime
    data: dict[str, Any]
    leased_until: datetime


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    duration_ms: int
    response_status: int | None = None
    error: str | None = None
    response_body: str = ""

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


def retry_delay(failures: int) -> timedelta | None:
    """How long after its `failures`-th failed attempt in a row a delivery is tried again; None: no more."""
    if failures > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[failures - 1] * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (spread, not secrecy)


async def claim(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *, now: Clock = utc_now, limit: int = CONCURRENCY
) -> list[Claimed]:
    """Take up to `limit` due deliveries of enabled endpoints for this worker, each until its lease ends."""
    async with sessions.begin() as session:
        at = now()
        leased_until = at + timedelta(seconds=settings.webhook_lease_seconds)
        due = (
            select(WebhookDelivery.id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.status == DeliveryStatus.pending,
                WebhookDelivery.next_attempt_at <= at,
                WebhookEndpoint.enabled.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
            # Rows another worker is claiming are passed by, not waited for.
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
        ids = list((await session.scalars(due)).all())
        if not ids:
            return []
        await session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(next_attempt_at=leased_until)
        )
        rows = await session.execute(
            select(WebhookDelivery.id, WebhookEndpoint, OutboxEvent)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.id.in_(ids))
            .order_by(WebhookDelivery.id)
        )
        return [
            Claimed(
                delivery_id=delivery_id,
                endpoint_id=endpoint.id,
                url=endpoint.url,
                secret=endpoint.secret,
                event_id=event.id,
                event_type=event.type,
                occurred_at=event.occurred_at,
                data=event.data,
                leased_until=leased_until,
            )
            for delivery_id, endpoint, event in rows
        ]


def payload(claimed: Claimed) -> str:
    return json.dumps(
        {
            "id": str(claimed.event_id),
            "type": claimed.event_type,
            "timestamp": claimed.occurred_at.isoformat().replace("+00:00", "Z"),
            "data": claimed.data,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def signed_headers(claimed: Claimed, body: str, *, sent_at: datetime) -> dict[str, str]:
    # webhook-id is the event's id, the same on every attempt: receivers drop the repeats by it.
    message_id = str(claimed.event_id)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(claimed.secret).sign(message_id, sent_at, body),
    }


async def send(client: httpx.AsyncClient, claimed: Claimed, settings: Settings, *, now: Clock = utc_now) -> Outcome:
    """One attempt: check the URL's address again, post to that address, keep the start of the answer."""
    started_at, started = now(), time.monotonic()

    def outcome(**result: Any) -> Outcome:
        return Outcome(started_at=started_at, duration_ms=round((time.monotonic() - started) * 1000), **result)

    allow_private = settings.webhook_allow_private_urls
    try:
        # The whole attempt, resolving and reading included, not each step, is bounded.
        async with asyncio.timeout(settings.webhook_timeout_seconds):
            target = await addresses.check(claimed.url, allow_private=allow_private)
            body = payload(claimed)
            headers = signed_headers(claimed, body, sent_at=datetime.now(UTC))
            request = client.build_request(
                "POST",
                target.pinned_url,
                content=body.encode(),
                headers={**headers, "host": target.host_header},
                # The certificate is checked against the name, though the connection goes to the address.
                extensions={"sni_hostname": target.url.host} if target.url.scheme == "https" else {},
            )
            response = await client.send(request, stream=True)
            try:
                answer = await read_capped(response)
            finally:
                await response.aclose()
    except addresses.UrlRefused as error:
        return outcome(error=str(error)[:ERROR_MAX_LENGTH])
    except TimeoutError:
        return outcome(error=f"No answer within {settings.webhook_timeout_seconds:g} s.")
    except httpx.HTTPError as error:
        return outcome(error=f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH])
    return outcome(response_status=response.status_code, response_body=answer)


async def read_capped(response: httpx.Response) -> str:
    """The first RESPONSE_BODY_MAX_BYTES of the body, as text; the rest is never read."""
    received = bytearray()
    async for chunk in response.aiter_raw():
        received += chunk
        if len(received) >= RESPONSE_BODY_MAX_BYTES:
            break
    # NUL cannot be stored in PostgreSQL text.
    return bytes(received[:RESPONSE_BODY_MAX_BYTES]).decode("utf-8", errors="replace").replace("\x00", "\ufffd")


async def record(
    sessions: async_sessionmaker[AsyncSession], claimed: Claimed, outcome: Outcome, *, now: Clock = utc_now
) -> None:
    """Keep the attempt; schedule the next one or settle the delivery, and follow the endpoint's health."""
    async with sessions.begin() as session:
        delivery = await session.get(WebhookDelivery, claimed.delivery_id, with_for_update=True)
        if delivery is None:  # the endpoint was deleted meanwhile, and its deliveries with it
            return
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                started_at=outcome.started_at,
                duration_ms=outcome.duration_ms,
                response_status=outcome.response_status,
                error=outcome.error,
                response_body=outcome.response_body,
            )
        )
        delivery.attempt_count += 1
        delivery.last_attempt_at = outcome.started_at
        # Redelivered meanwhile, or claimed again after the lease ran out: the holder now decides.
        if delivery.status != DeliveryStatus.pending or delivery.next_attempt_at != claimed.leased_until:
            return
        at = now()
        endpoint = WebhookEndpoint.id == claimed.endpoint_id
        if outcome.succeeded:
            delivery.status = DeliveryStatus.delivered
            delivery.failure_count = 0
            await session.execute(
                update(WebhookEndpoint)
                .where(endpoint, WebhookEndpoint.failing_since.is_not(None))
                .values(failing_since=None)
            )
            return
        delivery.failure_count += 1
        delay = retry_delay(delivery.failure_count)
        if delay is None:
            delivery.status = DeliveryStatus.failed
        else:
            delivery.next_attempt_at = at + delay
        await session.execute(
            update(WebhookEndpoint)
            .where(endpoint, WebhookEndpoint.failing_since.is_(None))
            .values(failing_since=outcome.started_at)
        )
        disabled = await session.execute(
            update(WebhookEndpoint)
            .where(endpoint, WebhookEndpoint.enabled.is_(True), WebhookEndpoint.failing_since <= at - RETRY_WINDOW)
            .values(
                enabled=False,
                disabled_at=at,
                disabled_reason="No delivery succeeded for about three days; enable it again once it answers.",
            )
        )
        if disabled.rowcount:  # type: ignore[attr-defined]
            log.warning("webhook endpoint disabled", endpoint_id=str(claimed.endpoint_id))


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, client: httpx.AsyncClient, *, now: Clock = utc_now
) -> int:
    """Claim one batch, send its deliveries side by side, record each as it ends; how many were claimed."""
    claimed = await claim(sessions, settings, now=now)

    async def deliver(one: Claimed) -> None:
        await record(sessions, one, await send(client, one, settings, now=now), now=now)

    await asyncio.gather(*(deliver(one) for one in claimed))
    return len(claimed)


def http_client(settings: Settings) -> httpx.AsyncClient:
    # No redirects: a 3xx is a failure, never a second request to wherever it points. No proxies from
    # the environment: the request must go to the address that was checked.
    return httpx.AsyncClient(
        follow_redirects=False,
        timeout=httpx.Timeout(settings.webhook_timeout_seconds),
        trust_env=False,
        limits=httpx.Limits(max_connections=CONCURRENCY),
    )


async def run(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *, once: bool = False, now: Clock = utc_now
) -> int:
    """Deliver until stopped (cancelled); with `once`, until nothing is due. How many attempts were made."""
    attempts = 0
    async with http_client(settings) as client:
        while True:
            try:
                claimed = await deliver_due(sessions, settings, client, now=now)
            except Exception:
                if once:
                    raise
                # The database may be away for a moment; the deliveries wait for it in the outbox.
                log.exception("webhook delivery failed")
                claimed = 0
            attempts += claimed
            if claimed:
                continue
            if once:
                return attempts
            await asyncio.sleep(IDLE_SECONDS)
