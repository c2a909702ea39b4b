"""Delivering webhooks to a real receiver on 127.0.0.1: signatures, retries, redirects, timeouts, the body cap
and the address check before each send. Real commits: the worker opens transactions of its own."""

import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook

from app.accounts.principal import Principal
from app.core.config import Settings
from app.outbox import delivery, events
from app.outbox.models import RESPONSE_BODY_MAX_BYTES, DeliveryStatus, OrganisationKind, OutboxEvent, WebhookEndpoint
from app.webhooks import service
from tests.factories import coordinator_ids, create_group, create_user
from tests.webhooks.builders import (
    Clock,
    Receiver,
    attempts_of,
    create_endpoint,
    deliveries_of,
    delivery_settings,
    running_receiver,
)

Sessions = async_sessionmaker[AsyncSession]


async def endpoint_with_event(
    sessions: Sessions, url: str, event_type: str = "product.created"
) -> tuple[WebhookEndpoint, OutboxEvent]:
    async with sessions.begin() as session:
        user = await create_user(session)
        endpoint = await create_endpoint(session, created_by=user.id, url=url)
        event = await events.emit(
            session,
            event_type,
            {"product": {"id": "p-1", "name": "Jasmine rice"}},
            audience=[(endpoint.organisation_kind, endpoint.organisation_id)],
        )
    return endpoint, event


async def test_a_delivery_is_signed_in_the_standard_webhooks_format(
    committing_session_factory: Sessions, settings: Settings
) -> None:
    with running_receiver() as receiver:
        endpoint, event = await endpoint_with_event(committing_session_factory, receiver.url)

        attempts = await delivery.run(committing_session_factory, delivery_settings(settings), once=True)

    assert attempts == 1
    [request] = receiver.received
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert payload == {
        "id": str(event.id),
        "type": "product.created",
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {"product": {"id": "p-1", "name": "Jasmine rice"}},
    }
    assert request.headers["webhook-id"] == str(event.id)
    assert request.headers["content-type"] == "application/json"
    async with committing_session_factory() as session:
        [stored] = await deliveries_of(session, endpoint.id)
        [attempt] = await attempts_of(session, stored.id)
    assert (stored.status, stored.attempt_count, stored.failure_count) == (DeliveryStatus.delivered, 1, 0)
    assert (attempt.response_status, attempt.error) == (204, None)


async def test_a_change_rolled_back_sends_nothing(committing_session_factory: Sessions, settings: Settings) -> None:
    with running_receiver() as receiver:
        async with committing_session_factory.begin() as session:
            user = await create_user(session)
            endpoint = await create_endpoint(session, created_by=user.id, url=receiver.url)
        async with committing_session_factory() as session:
            await events.emit(
                session, "product.created", {}, audience=[(endpoint.organisation_kind, endpoint.organisation_id)]
            )
            await session.rollback()

        attempts = await delivery.run(committing_session_factory, delivery_settings(settings), once=True)

    assert attempts == 0
    assert receiver.received == []
    async with committing_session_factory() as session:
        assert await deliveries_of(session, endpoint.id) == []


async def test_failed_attempts_follow_the_retry_schedule_until_one_succeeds(
    committing_session_factory: Sessions, settings: Settings
) -> None:
    with running_receiver(Receiver(statuses=[500, 503, 200])) as receiver:
        endpoint, _ = await endpoint_with_event(committing_session_factory, receiver.url)
        clock = Clock()
        run_settings = delivery_settings(settings)

        first = await delivery.run(committing_session_factory, run_settings, once=True, now=clock)
        async with committing_session_factory() as session:
            [after_first] = await deliveries_of(session, endpoint.id)
            failing = (await session.get_one(WebhookEndpoint, endpoint.id)).failing_since
        not_yet = await delivery.run(committing_session_factory, run_settings, once=True, now=clock)
        clock.advance(timedelta(seconds=6))
        second = await delivery.run(committing_session_factory, run_settings, once=True, now=clock)
        async with committing_session_factory() as session:
            [after_second] = await deliveries_of(session, endpoint.id)
        clock.advance(timedelta(minutes=6))
        third = await delivery.run(committing_session_factory, run_settings, once=True, now=clock)

    assert (first, not_yet, second, third) == (1, 0, 1, 1)
    start = clock.at - timedelta(minutes=6, seconds=6)
    assert timedelta(seconds=4.5) <= after_first.next_attempt_at - start <= timedelta(seconds=5.5)
    assert failing is not None
    assert (
        timedelta(minutes=4.5)
        <= after_second.next_attempt_at - (start + timedelta(seconds=6))
        <= timedelta(minutes=5.5)
    )
    assert len(set(receiver.event_ids())) == 1 and len(receiver.received) == 3
    async with committing_session_factory() as session:
        [stored] = await deliveries_of(session, endpoint.id)
        statuses = [attempt.response_status for attempt in await attempts_of(session, stored.id)]
        healthy = (await session.get_one(WebhookEndpoint, endpoint.id)).failing_since
    assert (stored.status, stored.attempt_count, stored.failure_count) == (DeliveryStatus.delivered, 3, 0)
    assert statuses == [500, 503, 200]
    assert healthy is None


def test_the_retry_schedule_spans_about_three_days() -> None:
    assert len(delivery.RETRY_DELAYS) + 1 == 10
    assert timedelta(days=2, hours=23) <= delivery.RETRY_WINDOW <= timedelta(days=3)
    assert delivery.retry_delay(len(delivery.RETRY_DELAYS) + 1) is None


async def test_a_delivery_fails_after_the_last_retry_and_an_endpoint_failing_that_long_is_disabled(
    committing_session_factory: Sessions, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "JITTER", 0.0)  # the schedule exactly: the last attempt ends the window
    enabled_after: list[bool] = []
    with running_receiver(Receiver(statuses=[500])) as receiver:
        endpoint, _ = await endpoint_with_event(committing_session_factory, receiver.url)
        clock = Clock()
        start = clock.at
        run_settings = delivery_settings(settings)
        for _ in range(len(delivery.RETRY_DELAYS) + 1):
            assert await delivery.run(committing_session_factory, run_settings, once=True, now=clock) == 1
            async with committing_session_factory() as session:
                [stored] = await deliveries_of(session, endpoint.id)
                enabled_after.append((await session.get_one(WebhookEndpoint, endpoint.id)).enabled)
            clock.at = max(clock.at, stored.next_attempt_at)
        async with committing_session_factory.begin() as session:
            await events.emit(
                session, "product.updated", {}, audience=[(endpoint.organisation_kind, endpoint.organisation_id)]
            )
        after_disabling = await delivery.run(committing_session_factory, run_settings, once=True, now=clock)

    assert (stored.status, stored.attempt_count) == (DeliveryStatus.failed, 10)
    assert stored.last_attempt_at is not None and stored.last_attempt_at - start == delivery.RETRY_WINDOW
    assert enabled_after == [True] * 9 + [False]
    assert after_disabling == 0
    assert len(receiver.received) == 10
    async with committing_session_factory() as session:
        disabled = await session.get_one(WebhookEndpoint, endpoint.id)
        kept = await deliveries_of(session, endpoint.id)
    assert disabled.disabled_reason is not None and "three days" in disabled.disabled_reason
    assert len(kept) == 1  # no delivery is queued for an event after the endpoint was disabled


async def test_a_redelivered_event_keeps_its_id(committing_session_factory: Sessions, settings: Settings) -> None:
    with running_receiver() as receiver:
        async with committing_session_factory.begin() as session:
            group = await create_group(session)
            [coordinator] = await coordinator_ids(session, group)
            endpoint = await create_endpoint(
                session,
                created_by=coordinator,
                url=receiver.url,
                organisation_id=group.id,
                kind=OrganisationKind.consumer_group,
            )
            event = await events.emit(
                session, "agreement.proposed", {}, audience=[(OrganisationKind.consumer_group, group.id)]
            )
        run_settings = delivery_settings(settings)
        await delivery.run(committing_session_factory, run_settings, once=True)
        async with committing_session_factory.begin() as session:
            [stored] = await deliveries_of(session, endpoint.id)
            await service.redeliver(session, Principal(user_id=coordinator), stored.id)

        await delivery.run(committing_session_factory, run_settings, once=True)

    assert receiver.event_ids() == [str(event.id), str(event.id)]
    for request in receiver.received:
        assert Webhook(endpoint.secret).verify(request.body, request.headers)["id"] == str(event.id)
    async with committing_session_factory() as session:
        [again] = await deliveries_of(session, endpoint.id)
    assert (again.id, again.status, again.attempt_count) == (stored.id, DeliveryStatus.delivered, 2)


async def test_a_redirect_is_a_failure_and_is_not_followed(
    committing_session_factory: Sessions, settings: Settings
) -> None:
    with running_receiver(Receiver(statuses=[307], location="/elsewhere")) as receiver:
        endpoint, _ = await endpoint_with_event(committing_session_factory, receiver.url)

        await delivery.run(committing_session_factory, delivery_settings(settings), once=True)

    assert [request.path for request in receiver.received] == ["/hooks"]
    async with committing_session_factory() as session:
        [stored] = await deliveries_of(session, endpoint.id)
        [attempt] = await attempts_of(session, stored.id)
    assert (stored.status, stored.failure_count, attempt.response_status) == (DeliveryStatus.pending, 1, 307)


async def test_an_endpoint_that_answers_too_late_fails_the_attempt(
    committing_session_factory: Sessions, settings: Settings
) -> None:
    with running_receiver(Receiver(delay_seconds=1.5)) as receiver:
        endpoint, _ = await endpoint_with_event(committing_session_factory, receiver.url)

        await delivery.run(
            committing_session_factory, delivery_settings(settings, webhook_timeout_seconds=0.3), once=True
        )

    async with committing_session_factory() as session:
        [stored] = await deliveries_of(session, endpoint.id)
        [attempt] = await attempts_of(session, stored.id)
    assert (stored.status, stored.failure_count, attempt.response_status) == (DeliveryStatus.pending, 1, None)
    assert attempt.error is not None
    assert attempt.duration_ms < 1200


async def test_only_the_start_of_a_long_answer_is_kept(
    committing_session_factory: Sessions, settings: Settings
) -> None:
    with running_receiver(Receiver(statuses=[200], answer=b"\x00ok" * 50_000)) as receiver:
        endpoint, _ = await endpoint_with_event(committing_session_factory, receiver.url)

        await delivery.run(committing_session_factory, delivery_settings(settings), once=True)

    async with committing_session_factory() as session:
        [stored] = await deliveries_of(session, endpoint.id)
        [attempt] = await attempts_of(session, stored.id)
    assert stored.status == DeliveryStatus.delivered
    assert len(attempt.response_body) == RESPONSE_BODY_MAX_BYTES
    assert "\x00" not in attempt.response_body


async def test_an_address_refused_at_send_time_is_never_contacted(
    committing_session_factory: Sessions, settings: Settings
) -> None:
    with running_receiver() as receiver:
        endpoint, _ = await endpoint_with_event(committing_session_factory, receiver.url)

        await delivery.run(
            committing_session_factory, delivery_settings(settings, webhook_allow_private_urls=False), once=True
        )

    assert receiver.received == []
    async with committing_session_factory() as session:
        [stored] = await deliveries_of(session, endpoint.id)
        [attempt] = await attempts_of(session, stored.id)
    assert (stored.status, attempt.response_status) == (DeliveryStatus.pending, None)
    assert attempt.error is not None and "https://" in attempt.error


def test_the_payload_is_compact_json_with_the_event_id() -> None:
    claimed = delivery.Claimed(
        delivery_id=uuid4(),
        endpoint_id=uuid4(),
        url="https://shop.example/hooks",
        secret=service.new_secret(),
        event_id=uuid4(),
        event_type="plan.published",
        occurred_at=datetime(2027, 3, 6, 2, 0, tzinfo=UTC),
        data={"plan": {"name": "Khao Hom Mali"}},
        leased_until=datetime(2027, 3, 6, 2, 1, tzinfo=UTC),
    )

    body = delivery.payload(claimed)

    assert " " not in body.replace("Khao Hom Mali", "")
    assert json.loads(body) == {
        "id": str(claimed.event_id),
        "type": "plan.published",
        "timestamp": "2027-03-06T02:00:00Z",
        "data": {"plan": {"name": "Khao Hom Mali"}},
    }
