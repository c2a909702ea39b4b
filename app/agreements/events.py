"""An agreement's lifecycle events, for the integrators of both its groups (webhooks and the event feed)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import Agreement
from app.core import money
from app.outbox import events as outbox
from app.outbox.models import OrganisationKind


async def publish(session: AsyncSession, agreement: Agreement, event_type: str, **details: Any) -> None:
    """Record `event_type` (e.g. `agreement.cancelled`) with the agreement as it stands now, and the
    `details` of what happened to it (e.g. `payment={...}`)."""
    await outbox.emit(
        session,
        event_type,
        {"agreement": snapshot(agreement), **details},
        audience=[
            (OrganisationKind.consumer_group, agreement.consumer_group_id),
            (OrganisationKind.producer_group, agreement.producer_group_id),
        ],
    )


def snapshot(agreement: Agreement) -> dict[str, Any]:
    """The agreement's essentials in the API's own notation (amounts as decimal strings beside the currency)."""
    return {
        "id": str(agreement.id),
        "status": str(agreement.status),
        "version": agreement.current_version,
        "agreed_version": agreement.agreed_version,
        "production_plan_id": str(agreement.production_plan_id),
        "consumer_group_id": str(agreement.consumer_group_id),
        "producer_group_id": str(agreement.producer_group_id),
        "currency": agreement.currency,
        "total_price": money.to_text(agreement.total_price_minor, agreement.currency),
        "advance_due_on": agreement.advance_due_on.isoformat() if agreement.advance_due_on else None,
    }
