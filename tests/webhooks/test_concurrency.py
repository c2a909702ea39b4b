"""Several workers share the deliveries without sending one twice, and a worker killed mid-send loses none:
after its lease another sends them, with the same event id. Real commits on separate connections."""

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook

from app.core.config import Settings
from app.outbox import delivery, events
from app.outbox.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.factories import create_user
from tests.webhooks.builders import Receiver, create_endpoint, delivery_settings, running_receiver

Sessions = async_sessionmaker[AsyncSession]
ROOT = Path(__file__).resolve().parents[2]
# Short, for a short test, yet generous: the receiver shares two cores with the workers starting up.
TIMEOUT_SECONDS = 3
LEASE_SECONDS = 4


async def endpoint_with_events(sessions: Sessions, url: str, count: int) -> tuple[WebhookEndpoint, list[str]]:
    async with sessions.begin() as session:
        user = await create_user(session)
        endpoint = await create_endpoint(session, created_by=user.id, url=url)
        audience = [(endpoint.organisation_kind, endpoint.organisation_id)]
        emitted = [await events.emit(session, "product.created", {"n": n}, audience=audience) for n in range(count)]
    return endpoint, [str(event.id) for event in emitted]


async def statuses(sessions: Sessions) -> Counter[DeliveryStatus]:
    async with sessions() as session:
        return Counter((await session.scalars(select(WebhookDelivery.status))).all())


async def test_two_workers_claiming_at_once_never_claim_the_same_delivery(
    committing_session_factory: Sessions, settings: Settings
) -> None:
    _, event_ids = await endpoint_with_events(committing_session_factory, "http://127.0.0.1:9/hooks", 30)
    run_settings = delivery_settings(settings)

    first, second = await asyncio.gather(
        delivery.claim(committing_session_factory, run_settings, limit=20),
        delivery.claim(committing_session_factory, run_settings, limit=20),
    )

    first_ids = {claimed.delivery_id for claimed in first}
    second_ids = {claimed.delivery_id for claimed in second}
    assert first_ids.isdisjoint(second_ids)
    assert sorted([len(first), len(second)]) == [10, 20]
    assert {str(claimed.event_id) for claimed in [*first, *second]} == set(event_ids)
    assert await delivery.claim(committing_session_factory, run_settings) == []  # all leased now


async def test_two_workers_running_at_once_send_each_event_once(
    committing_session_factory: Sessions, settings: Settings
) -> None:
    with running_receiver(Receiver(delay_seconds=0.05)) as receiver:
        _, event_ids = await endpoint_with_events(committing_session_factory, receiver.url, 24)
        # Waits no load on a shared machine reaches: a send timed out, or outliving its lease, would be sent
        # again by design (at least once); this test is about two workers never claiming one delivery.
        run_settings = delivery_settings(settings, webhook_timeout_seconds=10.0, webhook_lease_seconds=60.0)

        made = await asyncio.gather(
            delivery.run(committing_session_factory, run_settings, once=True),
            delivery.run(committing_session_factory, run_settings, once=True),
        )

    assert sum(made) == 24
    assert sorted(receiver.event_ids()) == sorted(event_ids)
    assert await statuses(committing_session_factory) == {DeliveryStatus.delivered: 24}


def worker(database_url: str, *arguments: str) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        "WEBHOOK_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
        "WEBHOOK_LEASE_SECONDS": str(LEASE_SECONDS),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.worker", "webhooks", *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def test_a_worker_killed_mid_delivery_loses_no_event(
    committing_session_factory: Sessions, settings: Settings, database_url: str
) -> None:
    with running_receiver(Receiver(delay_seconds=0.2)) as receiver:
        endpoint, event_ids = await endpoint_with_events(committing_session_factory, receiver.url, 40)
        killed = worker(database_url)
        for _ in range(1200):  # a minute at most, for the worker to start and send ten
            if len(receiver.received) >= 10 or killed.poll() is not None:
                break
            await asyncio.sleep(0.05)
        killed.send_signal(signal.SIGKILL)
        killed.communicate()
        received_before = len(receiver.received)
        left = await statuses(committing_session_factory)
        await asyncio.sleep(LEASE_SECONDS + 0.5)  # the killed worker's leases run out

        second = worker(database_url, "--once")
        _, errors = await asyncio.to_thread(second.communicate, timeout=120)

    assert killed.returncode == -signal.SIGKILL
    assert second.returncode == 0, errors.decode()
    assert 10 <= received_before < 40
    assert left[DeliveryStatus.pending] > 0  # it died with deliveries still to make
    assert set(receiver.event_ids()) == set(event_ids)
    for request in receiver.received:
        assert Webhook(endpoint.secret).verify(request.body, request.headers)["id"] == request.headers["webhook-id"]
    assert await statuses(committing_session_factory) == {DeliveryStatus.delivered: 40}
