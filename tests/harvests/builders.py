"""An active agreement ready to take harvests, its rows inserted directly: a consumer group of named
households, a producer group, a published plan, the agreed version and the households' subscriptions."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.agreements.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    DistributionMode,
    Side,
    Subscription,
    VersionItem,
    VersionStatus,
)
from app.core.config import Settings
from app.core.quantity import UNIT_DECIMALS, Unit
from app.groups.models import ConsumerGroup, Household, Membership, PickupStation
from app.harvests.models import Absence, Allocation, Harvest, HarvestLine, Surplus
from app.plans.models import PlanItem, PlanStatus, ProductionPlan
from app.producers.models import ProducerGroup
from tests.factories import auth_headers, coordinator_ids, create_group, create_user, first_member
from tests.producers import builders as producer_builders

# Member households, renamed so that lists sorted by name are easy to read in assertions.
HOUSEHOLD_NAMES = [
    "Araya",
    "Boonmee",
    "Chaiyaporn",
    "Duangjai",
    "Ekachai",
    "Fah",
    "Ganya",
    "Hansa",
    "Intira",
    "Jintana",
    "Kasem",
    "Lamai",
    "Manee",
    "Nok",
    "Orathai",
]


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class ItemSpec:
    crop: str
    variety: str | None
    unit: Unit
    agreed_base: int


RICE = ItemSpec("Rice", "Hom Mali", Unit.kg, 100_000)
MELONS = ItemSpec("Melon", None, Unit.piece, 40)


@dataclass
class Season:
    settings: Settings
    consumer_group: ConsumerGroup
    households: list[Household]  # in HOUSEHOLD_NAMES order; the first is the coordinator's
    consumer_coordinator: User
    producer_group: ProducerGroup
    producer_coordinator: User
    farmer: User  # eats in a farming household of the producer group, coordinates nothing
    plan: ProductionPlan
    items: list[PlanItem]
    agreement: Agreement
    subscriptions: list[Subscription]
    station: PickupStation

    def headers(self, user: User) -> dict[str, str]:
        return auth_headers(self.settings, user.id)

    @property
    def producer(self) -> dict[str, str]:
        return self.headers(self.producer_coordinator)

    async def member(self, session: AsyncSession, index: int) -> User:
        """A user of the index-th member household."""
        return await first_member(session, self.households[index])

    async def member_headers(self, session: AsyncSession, index: int) -> dict[str, str]:
        return self.headers(await self.member(session, index))

    def harvest(
        self,
        *quantities: str,
        delivered_on: date | None = None,
        carried_by: User | UUID | None = None,
        station: PickupStation | None = None,
    ) -> dict[str, Any]:
        """A harvest body with one line per given quantity, for the season's items in order."""
        body: dict[str, Any] = {
            "delivered_on": (delivered_on or today()).isoformat(),
            "pickup_station_id": str((station or self.station).id),
            "lines": [
                {"plan_item_id": str(item.id), "quantity": quantity}
                for item, quantity in zip(self.items, quantities, strict=False)
            ],
        }
        if carried_by is not None:
            body["carried_by_user_id"] = str(carried_by.id if isinstance(carried_by, User) else carried_by)
        return body


async def create_season(
    session: AsyncSession,
    settings: Settings,
    *,
    shares: int = 10,
    subscribed: Sequence[int] = (3, 3, 3),
    items: Sequence[ItemSpec] = (RICE,),
    status: AgreementStatus = AgreementStatus.active,
) -> Season:
    """The first len(subscribed) households hold those shares, in that share order; the rest is unsubscribed."""
    consumer_group = await create_group(session, households=len(HOUSEHOLD_NAMES), coordinators=1)
    households = await _named_households(session, consumer_group)
    [coordinator_id] = await coordinator_ids(session, consumer_group)
    consumer_coordinator = await session.get_one(User, coordinator_id)

    producer_coordinator = await create_user(session, display_name="Somchai")
    farmer = await create_user(session, display_name="Niran")
    farm = await producer_builders.create_household(session, farmer)
    producer_group = await producer_builders.create_producer_group(
        session, coordinators=[producer_coordinator], households=[farm]
    )
    plan = await _published_plan(session, producer_group, items)
    agreement = await _agreement(
        session, consumer_group, producer_group, plan, producer_coordinator, consumer_coordinator, shares, status
    )
    subscriptions = await subscribe(session, agreement, list(zip(households, subscribed, strict=False)))
    station = PickupStation(group_id=consumer_group.id, name="Wat Umong hall", address="135 Suthep Road, Chiang Mai")
    session.add(station)
    await session.flush()
    return Season(
        settings=settings,
        consumer_group=consumer_group,
        households=households,
        consumer_coordinator=consumer_coordinator,
        producer_group=producer_group,
        producer_coordinator=producer_coordinator,
        farmer=farmer,
        plan=plan,
        items=list(plan.items),
        agreement=agreement,
        subscriptions=subscriptions,
        station=station,
    )


async def _named_households(session: AsyncSession, group: ConsumerGroup) -> list[Household]:
    statement = select(Household).join(Membership, Membership.household_id == Household.id)
    households = list((await session.scalars(statement.where(Membership.group_id == group.id))).all())
    # Created as "Household-<n>" with a rising n: the first created is the coordinator's.
    households.sort(key=lambda household: int(household.name.rsplit("-", 1)[1]))
    for household, name in zip(households, HOUSEHOLD_NAMES, strict=True):
        household.name = name
    await session.flush()
    return households


async def _published_plan(
    session: AsyncSession, producer_group: ProducerGroup, items: Sequence[ItemSpec]
) -> ProductionPlan:
    starts = today() - timedelta(days=60)
    plan = ProductionPlan(
        producer_group_id=producer_group.id,
        country=producer_group.country,
        season_name="Rainy season 2026",
        season_starts_on=starts,
        season_ends_on=starts + timedelta(days=180),
        currency="THB",
        status=PlanStatus.published,
        published_at=datetime.now(UTC),
        items=[
            PlanItem(
                position=position,
                crop=spec.crop,
                variety=spec.variety,
                unit=spec.unit,
                max_quantity_base=spec.agreed_base * 2,
                committed_base=spec.agreed_base,
                harvest_from=starts + timedelta(days=30),
                harvest_to=starts + timedelta(days=180),
            )
            for position, spec in enumerate(items)
        ],
    )
    session.add(plan)
    await session.flush()
    return plan


async def _agreement(
    session: AsyncSession,
    consumer_group: ConsumerGroup,
    producer_group: ProducerGroup,
    plan: ProductionPlan,
    producer_coordinator: User,
    consumer_coordinator: User,
    shares: int,
    status: AgreementStatus,
) -> Agreement:
    unit_price_minor = 4_550  # 45.50 THB per unit
    lines = [
        (item, item.committed_base, item.committed_base * unit_price_minor // 10 ** UNIT_DECIMALS[item.unit])
        for item in plan.items
    ]
    total = sum(line_total for _, _, line_total in lines)
    agreement = Agreement(
        production_plan_id=plan.id,
        consumer_group_id=consumer_group.id,
        producer_group_id=producer_group.id,
        currency="THB",
        status=status,
        current_version=1,
        agreed_version=1,
        shares=shares,
        subscribed_shares=0,
        total_price_minor=total,
        advance_due_on=today() - timedelta(days=30),
        agreed_at=datetime.now(UTC),
        activated_at=datetime.now(UTC) if status == AgreementStatus.active else None,
    )
    session.add(agreement)
    await session.flush()
    version = AgreementVersion(
        agreement_id=agreement.id,
        number=1,
        proposed_by_side=Side.producer,
        proposed_by_user_id=producer_coordinator.id,
        status=VersionStatus.accepted,
        shares=shares,
        advance_due_on=today() - timedelta(days=30),
        distribution_mode=DistributionMode.producer_delivers,
        total_price_minor=total,
        accepted_at=datetime.now(UTC),
        accepted_by_user_id=consumer_coordinator.id,
    )
    session.add(version)
    await session.flush()
    session.add_all(
        VersionItem(
            version_id=version.id,
            plan_item_id=item.id,
            position=position,
            quantity_base=quantity_base,
            unit_price_minor=unit_price_minor,
            line_total_minor=line_total,
        )
        for position, (item, quantity_base, line_total) in enumerate(lines)
    )
    await session.flush()
    return agreement


async def subscribe(
    session: AsyncSession, agreement: Agreement, holdings: Sequence[tuple[Household, int]]
) -> list[Subscription]:
    """Subscriptions in the given share order, after any the agreement already has."""
    subscriptions = []
    for household, shares in holdings:
        subscription = Subscription(
            agreement_id=agreement.id,
            household_id=household.id,
            shares=shares,
            first_share=agreement.subscribed_shares,
            amount_due_minor=agreement.total_price_minor * shares // agreement.shares,
        )
        agreement.subscribed_shares += shares
        session.add(subscription)
        subscriptions.append(subscription)
    await session.flush()
    return subscriptions


async def create_station(session: AsyncSession, group: ConsumerGroup, name: str = "Another station") -> PickupStation:
    station = PickupStation(group_id=group.id, name=name, address="1 Nimman Road, Chiang Mai")
    session.add(station)
    await session.flush()
    return station


async def give_absence_row(
    session: AsyncSession, season: Season, household: Household, on_date: date, to: Household | None
) -> Absence:
    absence = Absence(
        agreement_id=season.agreement.id,
        household_id=household.id,
        on_date=on_date,
        to_household_id=None if to is None else to.id,
    )
    session.add(absence)
    await session.flush()
    return absence


@dataclass(frozen=True)
class Stored:
    harvests: int
    lines: int
    allocations: int
    surplus: int


async def stored_for(session: AsyncSession, agreement_id: UUID) -> Stored:
    """Rows stored for an agreement's harvests, counted afresh (column selects bypass the identity map)."""
    harvests = select(Harvest.id).where(Harvest.agreement_id == agreement_id)
    lines = select(HarvestLine.id).where(HarvestLine.harvest_id.in_(harvests))

    async def count(statement: Any) -> int:
        return int(await session.scalar(statement) or 0)

    return Stored(
        harvests=await count(select(func.count()).select_from(Harvest).where(Harvest.agreement_id == agreement_id)),
        lines=await count(select(func.count()).select_from(HarvestLine).where(HarvestLine.harvest_id.in_(harvests))),
        allocations=await count(
            select(func.count()).select_from(Allocation).where(Allocation.harvest_line_id.in_(lines))
        ),
        surplus=await count(select(func.count()).select_from(Surplus).where(Surplus.harvest_line_id.in_(lines))),
    )


NOTHING_STORED = Stored(harvests=0, lines=0, allocations=0, surplus=0)


@dataclass
class SecondAgreement:
    producer_coordinator: User
    agreement: Agreement
    items: list[PlanItem]


async def add_agreement(
    session: AsyncSession,
    season: Season,
    *,
    items: Sequence[ItemSpec],
    shares: int,
    holdings: Sequence[tuple[int, int]],
    status: AgreementStatus = AgreementStatus.active,
) -> SecondAgreement:
    """Another producer group's agreement with the season's consumer group; holdings are (household index, shares)."""
    coordinator = await create_user(session, display_name="Thu")
    producer_group = await producer_builders.create_producer_group(session, coordinators=[coordinator])
    plan = await _published_plan(session, producer_group, items)
    agreement = await _agreement(
        session, season.consumer_group, producer_group, plan, coordinator, season.consumer_coordinator, shares, status
    )
    await subscribe(session, agreement, [(season.households[index], count) for index, count in holdings])
    return SecondAgreement(producer_coordinator=coordinator, agreement=agreement, items=list(plan.items))
