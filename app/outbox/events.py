"""The kinds of event integrators can receive, and writing one to the outbox."""

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import utc_now
from app.outbox.models import EventAudience, OrganisationKind, OutboxEvent

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
    "subscription.created",
    "payment.recorded",
    "harvest.recorded",
    "plan.published",
    "product.created",
    "product.updated",
    "product.withdrawn",
    *(f"trade_order.{status}" for status in TRADE_ORDER_STATUSES),
)

Organisation = tuple[OrganisationKind, UUID]


async def emit(
    session: AsyncSession, event_type: str, data: Mapping[str, Any], *, audience: Sequence[Organisation]
) -> OutboxEvent:
    """Record an event for the organisations it concerns, in the caller's transaction."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    now = utc_now()
    event = OutboxEvent(type=event_type, occurred_at=now, data=dict(data))
    event.audience = [
        EventAudience(organisation_id=organisation_id, organisation_kind=kind, occurred_at=now)
        for kind, organisation_id in dict.fromkeys(audience)
    ]
    session.add(event)
    await session.flush()
    return event
