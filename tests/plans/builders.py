"""Builders and helpers for production-plan tests: plans and items inserted directly, in any status."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from httpx import Response
from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core.config import Settings
from app.core.db import utc_now
from app.core.quantity import Unit
from app.plans.models import PlanItem, PlanStatus, ProductionPlan
from app.producers.models import ProducerGroup
from tests.factories import auth_headers, coordinator_ids, create_group, unique
from tests.producers.builders import Callers, create_callers

SEASON_STARTS_ON = date(2027, 5, 1)
SEASON_ENDS_ON = date(2027, 10, 31)


def plan_item(
    crop: str = "Jasmine rice",
    *,
    variety: str | None = None,
    unit: Unit = Unit.kg,
    max_quantity_base: int = 1_000_000,
    committed_base: int = 0,
    harvest_from: date = date(2027, 9, 1),
    harvest_to: date = date(2027, 10, 15),
) -> PlanItem:
    return PlanItem(
        crop=crop,
        variety=variety,
        unit=unit,
        max_quantity_base=max_quantity_base,
        committed_base=committed_base,
        harvest_from=harvest_from,
        harvest_to=harvest_to,
    )


async def create_plan(
    session: AsyncSession,
    group: ProducerGroup,
    *,
    status: PlanStatus = PlanStatus.published,
    items: Sequence[PlanItem] = (),
    season_starts_on: date = SEASON_STARTS_ON,
    season_ends_on: date = SEASON_ENDS_ON,
    currency: str = "THB",
) -> ProductionPlan:
    """A plan of `group` in `status`, with the given items (one rice item when none is given)."""
    now = utc_now()
    items = list(items) or [plan_item()]
    for position, item in enumerate(items):
        item.position = position
    plan = ProductionPlan(
        producer_group_id=group.id,
        country=group.country,
        season_name=unique("Season"),
        season_starts_on=season_starts_on,
        season_ends_on=season_ends_on,
        currency=currency,
        status=status,
        published_at=None if status == PlanStatus.draft else now,
        closed_at=now if status == PlanStatus.closed else None,
        items=items,
    )
    session.add(plan)
    await session.flush()
    return plan


async def plan_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ProductionPlan)) or 0)


async def item_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(PlanItem)) or 0)


async def stored_state(session: AsyncSession, plan_id: UUID) -> Row[PlanStatus, datetime | None, datetime | None]:
    """Status and transition times as stored now (a column select bypasses the identity map)."""
    statement = select(ProductionPlan.status, ProductionPlan.published_at, ProductionPlan.closed_at).where(
        ProductionPlan.id == plan_id
    )
    return (await session.execute(statement)).one()


def in_list_order(plans: Sequence[ProductionPlan]) -> list[str]:
    """Ids in the order the lists return them: oldest first, ties by id."""
    return [str(plan.id) for plan in sorted(plans, key=lambda plan: (plan.created_at, plan.id))]


def assert_problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


@dataclass(frozen=True)
class PlanCallers:
    """The producer-group callers of tests/producers, plus `consumer`: a consumer group's coordinator,
    who belongs to no producer group (the user who browses plans)."""

    producers: Callers
    consumer: User

    @property
    def group(self) -> ProducerGroup:
        return self.producers.group

    def headers_for(self, caller: str | None) -> dict[str, str]:
        if caller == "consumer":
            return auth_headers(self.producers.settings, self.consumer.id)
        return self.producers.headers_for(caller)


async def create_plan_callers(session: AsyncSession, settings: Settings) -> PlanCallers:
    producers = await create_callers(session, settings)
    [consumer_id] = await coordinator_ids(session, await create_group(session))
    return PlanCallers(producers=producers, consumer=await session.get_one(User, consumer_id))
