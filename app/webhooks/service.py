"""Webhook endpoints of an organisation, their deliveries, and the event feed for clients that poll."""

import base64
import secrets
from datetime import timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.config import Settings
from app.core.db import utc_now
from app.core.pagination import CursorPage, paginate
from app.outbox import addresses
from app.outbox.models import DeliveryStatus, EventAudience, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.webhooks import policies, repository
from app.webhooks.errors import WebhookEndpointDisabled, WebhookUrlRefused
from app.webhooks.schemas import WebhookEndpointCreate, WebhookEndpointUpdate

SECRET_BYTES = 24


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and the base64 of random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


async def _require_sendable(url: str, settings: Settings) -> None:
    try:
        await addresses.check(url, allow_private=settings.webhook_allow_private_urls)
    except addresses.UrlRefused as error:
        raise WebhookUrlRefused(str(error)) from None


async def create_endpoint(
    session: AsyncSession, principal: Principal, *, data: WebhookEndpointCreate, settings: Settings
) -> WebhookEndpoint:
    """Register where the organisation's events go. Its secret is returned with it, this once."""
    await policies.require_manager(session, principal, data.organisation_kind, data.organisation_id)
    await _require_sendable(data.url, settings)
    endpoint = WebhookEndpoint(
        organisation_kind=data.organisation_kind,
        organisation_id=data.organisation_id,
        url=data.url,
        description=data.description,
        event_types=data.event_types,
        secret=new_secret(),
        enabled=True,
        created_by=principal.user_id,
        created_at=utc_now(),
    )
    session.add(endpoint)
    await session.flush()
    return endpoint


async def list_endpoints(
    session: AsyncSession, principal: Principal, *, organisation_id: UUID | None, limit: int, cursor: str | None
) -> CursorPage:
    organisation_id = policies.organisation_in_reach(principal, organisation_id)
    if organisation_id is not None:
        await policies.require_managed(session, principal, organisation_id)
    statement = repository.endpoints(principal.user_id, organisation_id=organisation_id)
    return await paginate(
        session,
        statement,
        created_at=WebhookEndpoint.created_at,
        id_column=WebhookEndpoint.id,
        limit=limit,
        cursor=cursor,
    )


async def get_endpoint(session: AsyncSession, principal: Principal, endpoint_id: UUID) -> WebhookEndpoint:
    return await policies.endpoint_managed_by(session, principal, endpoint_id)


async def update_endpoint(
    session: AsyncSession,
    principal: Principal,
    *,
    endpoint_id: UUID,
    changes: WebhookEndpointUpdate,
    settings: Settings,
) -> WebhookEndpoint:
    """Change the URL, the filter or the description; enabling an endpoint forgets its failures, so it has
    the whole retry window again."""
    endpoint = await policies.endpoint_managed_by(session, principal, endpoint_id, lock=True)
    if changes.url is not None:
        await _require_sendable(changes.url, settings)
        endpoint.url = changes.url
    if changes.event_types is not None:
        endpoint.event_types = changes.event_types
    if changes.description is not None:
        endpoint.description = changes.description
    if changes.enabled is True and not endpoint.enabled:
        endpoint.enabled = True
        endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = None
    elif changes.enabled is False and endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_at = utc_now()
        endpoint.disabled_reason = "Disabled by a manager of the organisation."
    await session.flush()
    return endpoint


async def delete_endpoint(session: AsyncSession, principal: Principal, endpoint_id: UUID) -> None:
    """Its deliveries and their attempts go with it; the events stay in the feed."""
    endpoint = await policies.endpoint_managed_by(session, principal, endpoint_id, lock=True)
    await session.delete(endpoint)
    await session.flush()


async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    *,
    endpoint_id: UUID | None,
    status: DeliveryStatus | None,
    limit: int,
    cursor: str | None,
) -> CursorPage:
    if endpoint_id is not None:
        await policies.endpoint_managed_by(session, principal, endpoint_id)
    statement = repository.deliveries(
        principal.user_id,
        endpoint_id=endpoint_id,
        status=status,
        organisation_id=policies.organisation_in_reach(principal, None),
    )
    return await paginate(
        session,
        statement,
        created_at=WebhookDelivery.created_at,
        id_column=WebhookDelivery.id,
        limit=limit,
        cursor=cursor,
    )


async def get_delivery(
    session: AsyncSession, principal: Principal, delivery_id: UUID
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    delivery, _ = await policies.delivery_managed_by(session, principal, delivery_id)
    return delivery, list(await repository.attempts_of(session, delivery.id))


async def redeliver(session: AsyncSession, principal: Principal, delivery_id: UUID) -> WebhookDelivery:
    """Send the event again, now, with the same `webhook-id`, and with the whole retry schedule ahead."""
    delivery, endpoint = await policies.delivery_managed_by(session, principal, delivery_id, lock=True)
    if not endpoint.enabled:
        raise WebhookEndpointDisabled(endpoint.id)
    delivery.status = DeliveryStatus.pending
    delivery.failure_count = 0
    delivery.next_attempt_at = utc_now()
    await session.flush()
    return delivery


async def list_events(
    session: AsyncSession,
    principal: Principal,
    *,
    organisation_id: UUID,
    limit: int,
    cursor: str | None,
    settings: Settings,
) -> CursorPage:
    """The organisation's events, oldest first.

    Only events older than EVENT_FEED_SETTLE_SECONDS are shown. An event is stamped when its change is
    made, but is visible only once its transaction commits, which may be after a later event's: a client
    whose cursor had already passed its time would skip it for ever. Waiting a few seconds lets every
    transaction that stamped an earlier time commit first."""
    await policies.require_managed(session, principal, organisation_id)
    settled_before = utc_now() - timedelta(seconds=settings.event_feed_settle_seconds)
    return await paginate(
        session,
        repository.feed(organisation_id, settled_before=settled_before),
        created_at=EventAudience.occurred_at,
        id_column=EventAudience.event_id,
        limit=limit,
        cursor=cursor,
    )
