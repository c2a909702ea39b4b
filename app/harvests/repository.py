"""Queries for harvests, their allocations and surplus, absences and pickup lists, and the
agreement facts they rest on (read-only here; agreements themselves are read and locked through
agreements' repository). Rules live in the service; who may see what in policies."""

from collections.abc import Collection, Sequence
from datetime import date
from typing import TypeVarTuple
from uuid import UUID

from sqlalchemy import Row, Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import Agreement, AgreementStatus, AgreementVersion, Subscription, VersionItem
from app.core.quantity import Unit
from app.groups.models import Household, HouseholdMember, PickupStation
from app.harvests.models import Absence, Allocation, Harvest, HarvestLine, Surplus
from app.plans.models import PlanItem, ProductionPlan
from app.producers.models import ProducerCoordinator

Ts = TypeVarTuple("Ts")

# Agreements whose producers deliver now or did deliver: their coordinators read the pickup lists.
DELIVERING_STATUSES = (AgreementStatus.active, AgreementStatus.completed)


# Agreements and their terms in force


async def season_of(session: AsyncSession, agreement: Agreement) -> Row[date, date]:
    """The first and last day of the season of the agreement's plan."""
    statement = select(ProductionPlan.season_starts_on, ProductionPlan.season_ends_on).where(
        ProductionPlan.id == agreement.production_plan_id
    )
    return (await session.execute(statement)).one()


async def agreed_items(session: AsyncSession, agreement: Agreement) -> Sequence[Row[VersionItem, PlanItem]]:
    """The items of the version in force with their plan items, in the version's order."""
    statement = (
        select(VersionItem, PlanItem)
        .join(AgreementVersion, AgreementVersion.id == VersionItem.version_id)
        .join(PlanItem, PlanItem.id == VersionItem.plan_item_id)
        .where(AgreementVersion.agreement_id == agreement.id, AgreementVersion.number == agreement.agreed_version)
        .order_by(VersionItem.position)
    )
    return (await session.execute(statement)).all()


async def delivered_base(session: AsyncSession, agreement_id: UUID, plan_item_ids: Collection[UUID]) -> dict[UUID, int]:
    """What all harvests of the agreement have delivered so far, per plan item."""
    statement = (
        select(HarvestLine.plan_item_id, func.sum(HarvestLine.quantity_base))
        .join(Harvest, Harvest.id == HarvestLine.harvest_id)
        .where(Harvest.agreement_id == agreement_id, HarvestLine.plan_item_id.in_(plan_item_ids))
        .group_by(HarvestLine.plan_item_id)
    )
    return {plan_item_id: int(total) for plan_item_id, total in (await session.execute(statement)).all()}


async def user_in_subscribing_household(session: AsyncSession, user_id: UUID, agreement_id: UUID) -> bool:
    """Whether the user eats in a household holding shares, whether or not it still belongs to the group."""
    statement = select(
        exists()
        .where(Subscription.agreement_id == agreement_id, Subscription.household_id == HouseholdMember.household_id)
        .where(HouseholdMember.user_id == user_id)
    )
    return bool(await session.scalar(statement))


async def subscribing_households_of_user(session: AsyncSession, user_id: UUID, agreement_id: UUID) -> list[UUID]:
    statement = (
        select(Subscription.household_id)
        .join(HouseholdMember, HouseholdMember.household_id == Subscription.household_id)
        .where(Subscription.agreement_id == agreement_id, HouseholdMember.user_id == user_id)
    )
    return list((await session.scalars(statement)).all())


# Stations


async def get_station(session: AsyncSession, station_id: UUID) -> PickupStation | None:
    return await session.get(PickupStation, station_id)


async def producer_groups_delivering_to(session: AsyncSession, user_id: UUID, consumer_group_id: UUID) -> list[UUID]:
    """The producer groups the user coordinates that deliver (or delivered) to the consumer group."""
    statement = (
        select(Agreement.producer_group_id)
        .join(ProducerCoordinator, ProducerCoordinator.producer_group_id == Agreement.producer_group_id)
        .where(
            Agreement.consumer_group_id == consumer_group_id,
            Agreement.status.in_(DELIVERING_STATUSES),
            ProducerCoordinator.user_id == user_id,
            ProducerCoordinator.ended_at.is_(None),
        )
        .distinct()
    )
    return list((await session.scalars(statement)).all())


# Harvests


async def get_harvest(session: AsyncSession, harvest_id: UUID) -> Harvest | None:
    return await session.get(Harvest, harvest_id)


def harvests_of_agreement(agreement_id: UUID) -> Select[Harvest]:
    return select(Harvest).where(Harvest.agreement_id == agreement_id)


async def harvest_recorded_on(session: AsyncSession, agreement_id: UUID, on_date: date) -> bool:
    statement = select(exists().where(Harvest.agreement_id == agreement_id, Harvest.delivered_on == on_date))
    return bool(await session.scalar(statement))


async def harvest_lines(session: AsyncSession, harvest_id: UUID) -> Sequence[Row[HarvestLine, PlanItem]]:
    statement = (
        select(HarvestLine, PlanItem)
        .join(PlanItem, PlanItem.id == HarvestLine.plan_item_id)
        .where(HarvestLine.harvest_id == harvest_id)
        .order_by(HarvestLine.position)
    )
    return (await session.execute(statement)).all()


async def allocations(session: AsyncSession, harvest: Harvest) -> Sequence[Row[Allocation, UUID]]:
    """Allocations with their plan item, by line and then in share order of the share holder."""
    statement = (
        select(Allocation, HarvestLine.plan_item_id)
        .join(HarvestLine, HarvestLine.id == Allocation.harvest_line_id)
        .outerjoin(
            Subscription,
            (Subscription.agreement_id == harvest.agreement_id)
            & (Subscription.household_id == Allocation.share_holder_id),
        )
        .where(HarvestLine.harvest_id == harvest.id)
        .order_by(HarvestLine.position, Subscription.first_share, Allocation.id)
    )
    return (await session.execute(statement)).all()


async def surplus_of_harvest(session: AsyncSession, harvest: Harvest) -> Sequence[Row[Surplus, UUID]]:
    """Surplus with its plan item, by line: unsubscribed shares first, then handed over in share order."""
    statement = (
        select(Surplus, HarvestLine.plan_item_id)
        .join(HarvestLine, HarvestLine.id == Surplus.harvest_line_id)
        .outerjoin(
            Subscription,
            (Subscription.agreement_id == harvest.agreement_id)
            & (Subscription.household_id == Surplus.handed_over_by_id),
        )
        .where(HarvestLine.harvest_id == harvest.id)
        .order_by(HarvestLine.position, Surplus.handed_over_by_id.is_not(None), Subscription.first_share, Surplus.id)
    )
    return (await session.execute(statement)).all()


async def get_surplus(
    session: AsyncSession, surplus_id: UUID, *, for_update: bool
) -> Row[Surplus, HarvestLine, Harvest] | None:
    statement = (
        select(Surplus, HarvestLine, Harvest)
        .join(HarvestLine, HarvestLine.id == Surplus.harvest_line_id)
        .join(Harvest, Harvest.id == HarvestLine.harvest_id)
        .where(Surplus.id == surplus_id)
    )
    if for_update:
        # The surplus row locked: of two coordinators deciding at once, the second sees the first's decision.
        statement = statement.with_for_update(of=Surplus).execution_options(populate_existing=True)
    return (await session.execute(statement)).one_or_none()


async def get_plan_item(session: AsyncSession, plan_item_id: UUID) -> PlanItem:
    return await session.get_one(PlanItem, plan_item_id)


# Absences


def absences(agreement_id: UUID, *, household_ids: Collection[UUID] | None) -> Select[Absence]:
    statement = select(Absence).where(Absence.agreement_id == agreement_id)
    if household_ids is not None:
        statement = statement.where(Absence.household_id.in_(household_ids))
    return statement


async def absences_on(session: AsyncSession, agreement_id: UUID, on_date: date) -> dict[UUID, Absence]:
    statement = select(Absence).where(Absence.agreement_id == agreement_id, Absence.on_date == on_date)
    return {absence.household_id: absence for absence in (await session.scalars(statement)).all()}


async def get_absence(session: AsyncSession, agreement_id: UUID, absence_id: UUID) -> Absence | None:
    statement = select(Absence).where(Absence.id == absence_id, Absence.agreement_id == agreement_id)
    return await session.scalar(statement)


async def absence_exists(session: AsyncSession, agreement_id: UUID, household_id: UUID, on_date: date) -> bool:
    statement = select(
        exists().where(
            Absence.agreement_id == agreement_id, Absence.household_id == household_id, Absence.on_date == on_date
        )
    )
    return bool(await session.scalar(statement))


# Pickup lists


async def pickup_rows(
    session: AsyncSession, station_id: UUID, on_date: date, *, producer_group_ids: Collection[UUID] | None
) -> Sequence[Row[UUID, str, str, str | None, Unit, int]]:
    """What each household picks up at the station that day, summed over the day's harvests by crop."""
    statement = (
        select(
            Allocation.household_id,
            Household.name,
            PlanItem.crop,
            PlanItem.variety,
            PlanItem.unit,
            func.sum(Allocation.quantity_base),
        )
        .join(HarvestLine, HarvestLine.id == Allocation.harvest_line_id)
        .join(Harvest, Harvest.id == HarvestLine.harvest_id)
        .join(PlanItem, PlanItem.id == HarvestLine.plan_item_id)
        .join(Household, Household.id == Allocation.household_id)
        .where(Harvest.pickup_station_id == station_id, Harvest.delivered_on == on_date)
        .group_by(Allocation.household_id, Household.name, PlanItem.crop, PlanItem.variety, PlanItem.unit)
        .having(func.sum(Allocation.quantity_base) > 0)
    )
    return (await session.execute(_delivered_by(statement, producer_group_ids))).all()


async def surplus_rows(
    session: AsyncSession, station_id: UUID, on_date: date, *, producer_group_ids: Collection[UUID] | None
) -> Sequence[Row[str, str | None, Unit, int]]:
    """What stays with the group at the station that day, summed by crop."""
    statement = (
        select(PlanItem.crop, PlanItem.variety, PlanItem.unit, func.sum(Surplus.quantity_base))
        .join(HarvestLine, HarvestLine.id == Surplus.harvest_line_id)
        .join(Harvest, Harvest.id == HarvestLine.harvest_id)
        .join(PlanItem, PlanItem.id == HarvestLine.plan_item_id)
        .where(Harvest.pickup_station_id == station_id, Harvest.delivered_on == on_date)
        .group_by(PlanItem.crop, PlanItem.variety, PlanItem.unit)
    )
    return (await session.execute(_delivered_by(statement, producer_group_ids))).all()


def _delivered_by(statement: Select[*Ts], producer_group_ids: Collection[UUID] | None) -> Select[*Ts]:
    """Only the harvests of the given producer groups' agreements, or all when None."""
    if producer_group_ids is None:
        return statement
    delivering = select(Agreement.id).where(Agreement.producer_group_id.in_(producer_group_ids))
    return statement.where(Harvest.agreement_id.in_(delivering))
