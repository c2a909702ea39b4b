"""The kinds of event integrators can receive, and writing one to the outbox."""

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import utc_now
from app.outbox.models import EventAudience, OrganisationKind, OutboxEvent, WebhookDelivery, WebhookEndpoint

# A trade order's statuses (app.trade.models.TradeOrderStatus; a test keeps the two the same).
TRADE_ORDER_STATUSES = (
    "requested",
    "confirmed",
    "prefinance_requested",
    "prefinanced",
    "shipped",
    "delivered",
    "settled",
    "cancelled",
)

# Every event type, as webhook endpoints name them in their filters.
EVENT_TYPES: tuple[str, ...] = (
    "agreement.proposed",
    "agreement.countered",
    "agreement.agreed",
    "agreement.activated",
    "agreement.lapsed",
    "agreement.cancelled",
    "agreement.completed",
    "agreement.cancellation_proposed",
    "subscription.created",
    "payment.recorded",
    "harvest.recorded",
    "plan.published",
    "motion.moved",
    "enrolment.proposed",
    "enrolment.enrolled",
    "enrolment.declined",
    "enrolment.withdrawn",
    "product.created",
    "product.updated",
    "product.withdrawn",
    *(f"trade_order.{status}" for status in TRADE_ORDER_STATUSES),
)

Organisation = tuple[OrganisationKind, UUID]


async def emit(
    session: AsyncSession, event_type: str, data: Mapping[str, Any], *, audience: Sequence[Organisation]
) -> OutboxEvent:
    """Record an event for the organisations it concerns, and a delivery to each of their enabled webhook
    endpoints that takes it, all in the caller's transaction: rolled back, nothing is sent."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    now = utc_now()
    # Its id given here, so its deliveries name it and one flush writes them all.
    event = OutboxEvent(id=uuid4(), type=event_type, occurred_at=now, data=dict(data))
    event.audience = [
        EventAudience(organisation_id=organisation_id, organisation_kind=kind, occurred_at=now)
        for kind, organisation_id in dict.fromkeys(audience)
    ]
    session.add(event)
    organisations = {(row.organisation_kind, row.organisation_id) for row in event.audience}
    with session.no_autoflush:  # the endpoints are read before the event is written: one flush below
        endpoints = await _endpoints_of(session, organisations)
    for endpoint in endpoints:
        if not endpoint.event_types or event_type in endpoint.event_types:
            session.add(
                WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, event_type=event_type, next_attempt_at=now)
            )
    await session.flush()
    return event


async def _endpoints_of(session: AsyncSession, organisations: set[Organisation]) -> list[WebhookEndpoint]:
    if not organisations:
        return []
    statement = select(WebhookEndpoint).where(
        WebhookEndpoint.organisation_id.in_({organisation_id for _, organisation_id in organisations}),
        WebhookEndpoint.enabled.is_(True),
    )
    endpoints = (await session.scalars(statement)).all()
    return [
        endpoint for endpoint in endpoints if (endpoint.organisation_kind, endpoint.organisation_id) in organisations
    ]
