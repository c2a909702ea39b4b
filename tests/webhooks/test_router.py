"""Webhook endpoints, deliveries and the event feed over HTTP: who may manage them, what is refused."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.outbox import events
from app.outbox.models import DeliveryStatus, EventAudience, OrganisationKind, WebhookDelivery, WebhookEndpoint
from tests.catalogue.builders import create_organisation
from tests.factories import auth_headers, coordinator_ids, create_group, create_user
from tests.producers.builders import create_producer_group
from tests.webhooks.builders import create_endpoint

PUBLIC_URL = "https://93.184.215.14/hooks"  # an address on the public internet: no name to resolve


async def endpoint_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(WebhookEndpoint)) or 0)


async def group_and_coordinator(session: AsyncSession) -> tuple[UUID, UUID]:
    group = await create_group(session)
    [coordinator] = await coordinator_ids(session, group)
    return group.id, coordinator


def assert_problem(response_status: int, body: dict[str, object], status: int, code: str) -> None:
    assert (response_status, body["code"]) == (status, code), body


async def test_a_coordinator_adds_an_endpoint_and_sees_its_secret_once(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group_id, coordinator = await group_and_coordinator(session)
    headers = auth_headers(settings, coordinator)

    created = await client.post(
        "/v1/webhook-endpoints",
        json={
            "organisation_kind": "consumer_group",
            "organisation_id": str(group_id),
            "url": PUBLIC_URL,
            "event_types": ["agreement.proposed", "agreement.agreed", "agreement.proposed"],
            "description": "Our shop",
        },
        headers=headers,
    )
    read = await client.get(created.headers["Location"], headers=headers)

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert (body["url"], body["event_types"], body["enabled"]) == (
        PUBLIC_URL,
        ["agreement.proposed", "agreement.agreed"],
        True,
    )
    assert created.headers["Location"] == f"/v1/webhook-endpoints/{body['id']}"
    assert read.status_code == 200
    assert "secret" not in read.json()
    assert read.json() == {key: value for key, value in body.items() if key != "secret"}
    stored = await session.get_one(WebhookEndpoint, UUID(body["id"]))
    assert (stored.secret, stored.created_by) == (body["secret"], coordinator)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[::ffff:10.0.0.1]/hooks",
        "https://[fd00::1]/hooks",
        "https://0.0.0.0/hooks",
        "https://[2002:a00:1::1]/hooks",
        "http://93.184.215.14/hooks",
        "ftp://93.184.215.14/hooks",
        "https://no-such-host.invalid/hooks",
        "not a url",
    ],
)
async def test_an_endpoint_url_that_is_not_public_https_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings, url: str
) -> None:
    group_id, coordinator = await group_and_coordinator(session)

    response = await client.post(
        "/v1/webhook-endpoints",
        json={"organisation_kind": "consumer_group", "organisation_id": str(group_id), "url": url},
        headers=auth_headers(settings, coordinator),
    )

    assert_problem(response.status_code, response.json(), 422, "webhook-url-refused")
    assert response.headers["content-type"] == "application/problem+json"
    assert await endpoint_count(session) == 0


async def test_an_unknown_event_type_is_refused(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    group_id, coordinator = await group_and_coordinator(session)

    response = await client.post(
        "/v1/webhook-endpoints",
        json={
            "organisation_kind": "consumer_group",
            "organisation_id": str(group_id),
            "url": PUBLIC_URL,
            "event_types": ["agreement.vanished"],
        },
        headers=auth_headers(settings, coordinator),
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "event_types", 0]
    assert await endpoint_count(session) == 0


@pytest.mark.parametrize(
    ("_case", "kind", "caller", "status", "code"),
    [
        ("consumer group member, not coordinator", "consumer_group", "outsider", 403, "not-coordinator"),
        ("producer group outsider", "producer_group", "outsider", 403, "not-producer-coordinator"),
        ("producer group coordinator", "producer_group", "manager", 201, None),
        ("trading organisation member", "trading_organisation", "member", 403, "not-organisation-owner"),
        ("trading organisation owner", "trading_organisation", "manager", 201, None),
        ("no such group", "consumer_group", "missing", 404, "group-not-found"),
    ],
)
async def test_only_an_organisations_managers_add_endpoints(
    client: AsyncClient,
    session: AsyncSession,
    settings: Settings,
    _case: str,
    kind: str,
    caller: str,
    status: int,
    code: str | None,
) -> None:
    manager, member, outsider = await create_user(session), await create_user(session), await create_user(session)
    if kind == "consumer_group":
        organisation_id = (await create_group(session)).id
    elif kind == "producer_group":
        organisation_id = (await create_producer_group(session, coordinators=[manager])).id
    else:
        organisation_id = (await create_organisation(session, owner=manager, members=(member,))).id
    if caller == "missing":
        organisation_id, caller = uuid4(), "manager"
    user = {"manager": manager, "member": member, "outsider": outsider}[caller]

    response = await client.post(
        "/v1/webhook-endpoints",
        json={"organisation_kind": kind, "organisation_id": str(organisation_id), "url": PUBLIC_URL},
        headers=auth_headers(settings, user.id),
    )

    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code
    assert await endpoint_count(session) == (1 if status == 201 else 0)


async def test_another_organisations_endpoints_read_as_not_found(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group_id, coordinator = await group_and_coordinator(session)
    other_group_id, other_coordinator = await group_and_coordinator(session)
    own = await create_endpoint(
        session, created_by=coordinator, url=PUBLIC_URL, organisation_id=group_id, kind=OrganisationKind.consumer_group
    )
    theirs = await create_endpoint(
        session,
        created_by=other_coordinator,
        url=PUBLIC_URL,
        organisation_id=other_group_id,
        kind=OrganisationKind.consumer_group,
    )
    headers = auth_headers(settings, coordinator)

    listed = await client.get("/v1/webhook-endpoints", headers=headers)
    listed_other = await client.get(
        "/v1/webhook-endpoints", params={"organisation_id": str(other_group_id)}, headers=headers
    )
    read = await client.get(f"/v1/webhook-endpoints/{theirs.id}", headers=headers)
    patched = await client.patch(f"/v1/webhook-endpoints/{theirs.id}", json={"description": "x"}, headers=headers)
    deleted = await client.delete(f"/v1/webhook-endpoints/{theirs.id}", headers=headers)
    deliveries = await client.get("/v1/webhook-deliveries", params={"endpoint_id": str(theirs.id)}, headers=headers)
    feed = await client.get("/v1/events", params={"organisation_id": str(other_group_id)}, headers=headers)

    assert [endpoint["id"] for endpoint in listed.json()["data"]] == [str(own.id)]
    assert_problem(listed_other.status_code, listed_other.json(), 404, "organisation-not-found")
    for response in (read, patched, deleted, deliveries):
        assert_problem(response.status_code, response.json(), 404, "webhook-endpoint-not-found")
    assert_problem(feed.status_code, feed.json(), 404, "organisation-not-found")
    assert (await session.get_one(WebhookEndpoint, theirs.id)).description == ""


async def test_an_endpoint_is_changed_disabled_enabled_and_deleted(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group_id, coordinator = await group_and_coordinator(session)
    endpoint = await create_endpoint(
        session, created_by=coordinator, url=PUBLIC_URL, organisation_id=group_id, kind=OrganisationKind.consumer_group
    )
    url = f"/v1/webhook-endpoints/{endpoint.id}"
    headers = auth_headers(settings, coordinator)

    refused = await client.patch(url, json={"url": "https://10.0.0.1/"}, headers=headers)
    cleared = await client.patch(url, json={"url": None}, headers=headers)
    disabled = await client.patch(url, json={"enabled": False, "event_types": ["plan.published"]}, headers=headers)
    await session.execute(
        update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id).values(failing_since=endpoint.created_at)
    )
    etag = (await client.get(url, headers=headers)).headers["ETag"]
    stale = await client.patch(url, json={"enabled": True}, headers={**headers, "If-Match": '"stale"'})
    enabled = await client.patch(url, json={"enabled": True}, headers={**headers, "If-Match": etag})
    deleted = await client.delete(url, headers=headers)
    gone = await client.get(url, headers=headers)

    assert_problem(refused.status_code, refused.json(), 422, "webhook-url-refused")
    assert cleared.status_code == 422
    assert disabled.status_code == 200
    assert (disabled.json()["enabled"], disabled.json()["event_types"]) == (False, ["plan.published"])
    assert disabled.json()["disabled_reason"] is not None
    assert stale.status_code == 412
    assert enabled.status_code == 200
    assert {key: enabled.json()[key] for key in ("enabled", "disabled_reason", "disabled_at", "failing_since")} == {
        "enabled": True,
        "disabled_reason": None,
        "disabled_at": None,
        "failing_since": None,
    }
    assert deleted.status_code == 204
    assert_problem(gone.status_code, gone.json(), 404, "webhook-endpoint-not-found")


async def test_deliveries_are_listed_read_with_their_attempts_and_redelivered(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group_id, coordinator = await group_and_coordinator(session)
    endpoint = await create_endpoint(
        session, created_by=coordinator, url=PUBLIC_URL, organisation_id=group_id, kind=OrganisationKind.consumer_group
    )
    event = await events.emit(session, "agreement.proposed", {}, audience=[(OrganisationKind.consumer_group, group_id)])
    delivery = await session.scalar(select(WebhookDelivery).where(WebhookDelivery.event_id == event.id))
    assert delivery is not None
    delivery.status = DeliveryStatus.failed
    await session.flush()
    headers = auth_headers(settings, coordinator)
    outsider = auth_headers(settings, (await create_user(session)).id)

    listed = await client.get(
        "/v1/webhook-deliveries", params={"endpoint_id": str(endpoint.id), "status": "failed"}, headers=headers
    )
    read = await client.get(f"/v1/webhook-deliveries/{delivery.id}", headers=headers)
    hidden = await client.get(f"/v1/webhook-deliveries/{delivery.id}", headers=outsider)
    refused = await client.post(f"/v1/webhook-deliveries/{delivery.id}/redeliveries", headers=outsider)
    redelivered = await client.post(f"/v1/webhook-deliveries/{delivery.id}/redeliveries", headers=headers)

    assert [item["id"] for item in listed.json()["data"]] == [str(delivery.id)]
    assert read.status_code == 200
    assert (read.json()["event_id"], read.json()["status"], read.json()["attempts"]) == (str(event.id), "failed", [])
    assert read.json()["next_attempt_at"] is None
    assert_problem(hidden.status_code, hidden.json(), 404, "webhook-delivery-not-found")
    assert_problem(refused.status_code, refused.json(), 404, "webhook-delivery-not-found")
    assert redelivered.status_code == 202, redelivered.text
    assert (redelivered.json()["id"], redelivered.json()["event_id"], redelivered.json()["status"]) == (
        str(delivery.id),
        str(event.id),
        "pending",
    )
    assert redelivered.json()["next_attempt_at"] is not None


async def test_a_delivery_to_a_disabled_endpoint_is_not_redelivered(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group_id, coordinator = await group_and_coordinator(session)
    endpoint = await create_endpoint(
        session, created_by=coordinator, url=PUBLIC_URL, organisation_id=group_id, kind=OrganisationKind.consumer_group
    )
    event = await events.emit(session, "agreement.proposed", {}, audience=[(OrganisationKind.consumer_group, group_id)])
    delivery = await session.scalar(select(WebhookDelivery).where(WebhookDelivery.event_id == event.id))
    assert delivery is not None
    delivery.status, endpoint.enabled = DeliveryStatus.failed, False
    await session.flush()

    response = await client.post(
        f"/v1/webhook-deliveries/{delivery.id}/redeliveries", headers=auth_headers(settings, coordinator)
    )

    assert_problem(response.status_code, response.json(), 409, "webhook-endpoint-disabled")
    assert (await session.get_one(WebhookDelivery, delivery.id)).status == DeliveryStatus.failed


async def test_the_event_feed_pages_settled_events_oldest_first(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group_id, coordinator = await group_and_coordinator(session)
    audience = [(OrganisationKind.consumer_group, group_id)]
    first = await events.emit(session, "agreement.proposed", {"n": 1}, audience=audience)
    second = await events.emit(session, "agreement.agreed", {"n": 2}, audience=audience)
    await events.emit(session, "agreement.activated", {"n": 3}, audience=audience)  # too recent to be shown yet
    await events.emit(session, "product.created", {"n": 4}, audience=[(OrganisationKind.consumer_group, uuid4())])
    for event, seconds_ago in ((first, 30), (second, 20)):
        await session.execute(
            update(EventAudience)
            .where(EventAudience.event_id == event.id)
            .values(occurred_at=event.occurred_at - timedelta(seconds=seconds_ago))
        )
    headers = auth_headers(settings, coordinator)
    member = auth_headers(settings, (await create_user(session)).id)

    page = await client.get("/v1/events", params={"organisation_id": str(group_id), "limit": 1}, headers=headers)
    following = await client.get(
        "/v1/events",
        params={"organisation_id": str(group_id), "limit": 1, "cursor": page.json()["next_cursor"]},
        headers=headers,
    )
    hidden = await client.get("/v1/events", params={"organisation_id": str(group_id)}, headers=member)

    assert page.status_code == 200, page.text
    assert page.json()["data"] == [
        {
            "id": str(first.id),
            "type": "agreement.proposed",
            "occurred_at": page.json()["data"][0]["occurred_at"],
            "data": {"n": 1},
        }
    ]
    assert [event["id"] for event in following.json()["data"]] == [str(second.id)]
    assert (following.json()["has_more"], following.json()["next_cursor"]) == (False, None)
    assert_problem(hidden.status_code, hidden.json(), 404, "organisation-not-found")
