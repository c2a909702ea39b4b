"""A consumer group and a producer group ready to negotiate over a published plan, and a bare
agreement between two groups for message tests."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.agreements.models import Agreement, AgreementMessage
from app.core.config import Settings
from app.core.quantity import Unit
from app.groups.models import MIN_ACTIVE_HOUSEHOLDS, ConsumerGroup
from app.plans.models import PlanItem, PlanStatus, ProductionPlan
from app.producers.models import ProducerGroup
from tests.factories import auth_headers, coordinator_ids, create_group, create_user
from tests.producers.builders import create_producer_group


def today() -> date:
    return datetime.now(UTC).date()


async def create_plan(
    session: AsyncSession,
    producer_group: ProducerGroup,
    *,
    status: PlanStatus = PlanStatus.published,
    currency: str = "THB",
    season_name: str = "Rainy season 2027",
    items: tuple[tuple[str, str | None, Unit, int], ...] = (
        ("rice", "jasmine", Unit.kg, 1_000_000),
        ("eggs", None, Unit.piece, 3_000),
    ),
) -> ProductionPlan:
    starts = today() + timedelta(days=30)
    plan = ProductionPlan(
        producer_group_id=producer_group.id,
        country=producer_group.country,
        season_name=season_name,
        season_starts_on=starts,
        season_ends_on=starts + timedelta(days=150),
        currency=currency,
        status=status,
        items=[
            PlanItem(
                position=position,
                crop=crop,
                variety=variety,
                unit=unit,
                max_quantity_base=maximum,
                committed_base=0,
                harvest_from=starts + timedelta(days=60),
                harvest_to=starts + timedelta(days=150),
            )
            for position, (crop, variety, unit, maximum) in enumerate(items)
        ],
    )
    session.add(plan)
    await session.flush()
    return plan


@dataclass
class Partnership:
    settings: Settings
    consumer_group: ConsumerGroup
    producer_group: ProducerGroup
    plan: ProductionPlan
    consumer_coordinators: list[User]
    producer_coordinator: User
    items: list[PlanItem] = field(default_factory=list)

    def headers(self, user: User) -> dict[str, str]:
        return auth_headers(self.settings, user.id)

    @property
    def first(self) -> dict[str, str]:
        return self.headers(self.consumer_coordinators[0])

    @property
    def second(self) -> dict[str, str]:
        return self.headers(self.consumer_coordinators[1])

    @property
    def producer(self) -> dict[str, str]:
        return self.headers(self.producer_coordinator)

    def terms(self, *, rice: str = "300.000", eggs: str = "1200", shares: int = 20, **overrides: Any) -> dict[str, Any]:
        return {
            "shares": shares,
            "advance_due_on": (today() + timedelta(days=20)).isoformat(),
            "distribution_mode": "producer_delivers",
            "items": [
                {"plan_item_id": str(self.items[0].id), "quantity": rice, "unit_price": "45.50"},
                {"plan_item_id": str(self.items[1].id), "quantity": eggs, "unit_price": "4.00"},
            ],
            **overrides,
        }

    def proposal(self, **overrides: Any) -> dict[str, Any]:
        return {
            "production_plan_id": str(self.plan.id),
            "consumer_group_id": str(self.consumer_group.id),
            **self.terms(**overrides),
        }


async def create_partnership(
    session: AsyncSession, settings: Settings, *, households: int = MIN_ACTIVE_HOUSEHOLDS, coordinators: int = 2
) -> Partnership:
    consumer_group = await create_group(session, households=households, coordinators=coordinators)
    consumer_coordinators = [
        await session.get_one(User, user_id) for user_id in await coordinator_ids(session, consumer_group)
    ]
    producer_coordinator = await create_user(session, display_name="Somchai")
    producer_group = await create_producer_group(session, coordinators=[producer_coordinator])
    plan = await create_plan(session, producer_group)
    return Partnership(
        settings=settings,
        consumer_group=consumer_group,
        producer_group=producer_group,
        plan=plan,
        consumer_coordinators=consumer_coordinators,
        producer_coordinator=producer_coordinator,
        items=list(plan.items),
    )


async def agree(client: AsyncClient, partnership: Partnership, **terms: Any) -> dict[str, Any]:
    """Consumers propose, producers accept: the shortest path to agreed terms."""
    proposed = await client.post("/v1/agreements", json=partnership.proposal(**terms), headers=partnership.first)
    assert proposed.status_code == 201, proposed.text
    accepted = await client.post(
        f"/v1/agreements/{proposed.json()['id']}/acceptances", json={"version": 1}, headers=partnership.producer
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "agreed"
    return accepted.json()


# Messages: an agreement with no terms is enough to write about


async def create_agreement(
    session: AsyncSession, consumer_group: ConsumerGroup, producer_group: ProducerGroup
) -> Agreement:
    """A proposed agreement on a plan of the producer group; its terms do not matter to messages."""
    plan = ProductionPlan(
        producer_group_id=producer_group.id,
        country=producer_group.country,
        season_name="Rainy season",
        season_starts_on=date(2027, 5, 1),
        season_ends_on=date(2027, 10, 31),
        currency="THB",
    )
    session.add(plan)
    await session.flush()
    agreement = Agreement(
        production_plan_id=plan.id,
        consumer_group_id=consumer_group.id,
        producer_group_id=producer_group.id,
        currency="THB",
    )
    session.add(agreement)
    await session.flush()
    return agreement


async def message_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AgreementMessage)) or 0)
