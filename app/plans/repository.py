"""Queries for production plans. Rules live in service.py; who may see drafts starts in policies.py."""

from collections.abc import Collection
from datetime import date
from uuid import UUID

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, selectinload

from app.plans.models import PlanItem, PlanStatus, ProductionPlan
from app.producers.models import ProducerGroup


def _plans() -> Select[ProductionPlan]:
    # The producer group comes in the same row (name, country, region); the items in one more query
    # for the whole page, so a page of plans costs two queries whatever its size.
    return (
        select(ProductionPlan)
        .join(ProducerGroup, ProducerGroup.id == ProductionPlan.producer_group_id)
        .options(contains_eager(ProductionPlan.producer_group), selectinload(ProductionPlan.items))
    )


def published_plans(
    *,
    country: str | None,
    region: str | None,
    crop: str | None,
    season_from: date | None,
    season_to: date | None,
    producer_group_id: UUID | None,
) -> Select[ProductionPlan]:
    statement = _plans().where(ProductionPlan.status == PlanStatus.published)
    if country:
        statement = statement.where(ProductionPlan.country == country)
    if region:
        statement = statement.where(func.lower(ProducerGroup.region) == region.lower())
    if crop:
        statement = statement.where(
            exists().where(PlanItem.plan_id == ProductionPlan.id, func.lower(PlanItem.crop) == crop.lower())
        )
    # Seasons overlap the range when each starts no later than the other ends (bounds inclusive).
    if season_from:
        statement = statement.where(ProductionPlan.season_ends_on >= season_from)
    if season_to:
        statement = statement.where(ProductionPlan.season_starts_on <= season_to)
    if producer_group_id:
        statement = statement.where(ProductionPlan.producer_group_id == producer_group_id)
    return statement


def plans_of_producer_group(producer_group_id: UUID, *, statuses: Collection[PlanStatus]) -> Select[ProductionPlan]:
    return _plans().where(ProductionPlan.producer_group_id == producer_group_id, ProductionPlan.status.in_(statuses))


async def get_plan(session: AsyncSession, plan_id: UUID) -> ProductionPlan | None:
    return await session.scalar(_plans().where(ProductionPlan.id == plan_id))


async def get_plan_for_update(session: AsyncSession, plan_id: UUID) -> ProductionPlan | None:
    # Row lock: concurrent transitions of one plan queue here, so a plan is published or closed once and
    # a refused transition sees the state it lost to. Only the plan row is locked; its group and items
    # load in their own queries. (SQLite ignores FOR UPDATE; there every transaction holds the write
    # lock from BEGIN IMMEDIATE.)
    statement = (
        select(ProductionPlan)
        .where(ProductionPlan.id == plan_id)
        .with_for_update()
        .options(selectinload(ProductionPlan.producer_group), selectinload(ProductionPlan.items))
    )
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()
