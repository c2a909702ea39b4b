"""Publishing a plan reaches the producer group's integrators as an event."""

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.outbox.models import EventAudience, OutboxEvent
from app.plans.models import PlanStatus
from tests.plans.builders import create_plan, create_plan_callers


async def test_a_published_plan_is_an_event_for_its_producer_group(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    callers = await create_plan_callers(session, settings)
    plan = await create_plan(session, callers.group, status=PlanStatus.draft)

    response = await client.post(f"/v1/production-plans/{plan.id}/publish", headers=callers.headers_for("coordinator"))

    assert response.status_code == 200, response.text
    [(event, audience)] = (
        await session.execute(select(OutboxEvent, EventAudience.organisation_id).join(EventAudience))
    ).all()
    assert event.type == "plan.published"
    assert event.data["production_plan"]["id"] == str(plan.id)
    assert audience == callers.group.id
