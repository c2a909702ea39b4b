"""Production plans (DESIGN principle 2): what a producer group intends to grow in a season, item by
item within the farms' capacity, from draft to published to closed."""

from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.db import utc_now
from app.core.pagination import CursorPage, paginate
from app.core.quantity import InvalidQuantity, to_base
from app.outbox import events as outbox
from app.outbox.models import OrganisationKind
from app.plans import policies, repository
from app.plans.errors import (
    DuplicatePlanItem,
    HarvestWindowOutOfOrder,
    HarvestWindowOutsideSeason,
    PlanNotDraft,
    PlanNotFound,
    PlanNotPublished,
    SeasonFilterOutOfOrder,
    SeasonOutOfOrder,
    field_issue,
)
from app.plans.models import PlanItem, PlanStatus, ProductionPlan
from app.plans.schemas import PlanCreate, PlanItemCreate
from app.producers import service as producers_service

# Anyone logged in may read these; a draft only the producer group itself.
PUBLIC_STATUSES = frozenset({PlanStatus.published, PlanStatus.closed})


async def create_plan(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, data: PlanCreate
) -> ProductionPlan:
    """A coordinator drafts a plan for a season; nobody outside the producer group sees it until published."""
    group = await producers_service.get_producer_group(session, producer_group_id)
    await policies.require_coordinator(session, principal, group)
    if data.season_starts_on > data.season_ends_on:
        raise SeasonOutOfOrder(
            f"The season starts on {data.season_starts_on} but ends on {data.season_ends_on}.",
            **field_issue(["season_ends_on"], "must not be before season_starts_on", "season_out_of_order"),
        )
    items = [_plan_item(data, position, item) for position, item in enumerate(data.items)]
    _refuse_duplicate_items(data.items)
    plan = ProductionPlan(
        producer_group=group,
        country=group.country,
        season_name=data.season_name,
        season_starts_on=data.season_starts_on,
        season_ends_on=data.season_ends_on,
        currency=data.currency,
        status=PlanStatus.draft,
        items=items,
    )
    session.add(plan)
    await session.flush()
    return plan


def _plan_item(data: PlanCreate, position: int, item: PlanItemCreate) -> PlanItem:
    loc: list[str | int] = ["items", position]
    try:
        max_quantity_base = to_base(item.max_quantity, item.unit)
    except InvalidQuantity as error:
        raise InvalidQuantity(
            f"Item {position}: {error.detail}", **field_issue([*loc, "max_quantity"], error.detail, "invalid_quantity")
        ) from error
    if max_quantity_base <= 0:
        raise InvalidQuantity(
            f"Item {position}: the maximum quantity must be more than 0.",
            **field_issue([*loc, "max_quantity"], "must be more than 0", "invalid_quantity"),
        )
    if item.harvest_from > item.harvest_to:
        raise HarvestWindowOutOfOrder(
            f"Item {position} ({item.crop}): the harvest starts on {item.harvest_from} but ends on {item.harvest_to}.",
            **field_issue([*loc, "harvest_to"], "must not be before harvest_from", "harvest_window_out_of_order"),
        )
    if item.harvest_from < data.season_starts_on or item.harvest_to > data.season_ends_on:
        raise HarvestWindowOutsideSeason(
            f"Item {position} ({item.crop}): the harvest from {item.harvest_from} to {item.harvest_to} is not within "
            f"the season from {data.season_starts_on} to {data.season_ends_on}.",
            **field_issue(
                [*loc, "harvest_from" if item.harvest_from < data.season_starts_on else "harvest_to"],
                "must lie within the season",
                "harvest_window_outside_season",
            ),
        )
    return PlanItem(
        position=position,
        crop=item.crop,
        variety=item.variety,
        unit=item.unit,
        max_quantity_base=max_quantity_base,
        committed_base=0,
        harvest_from=item.harvest_from,
        harvest_to=item.harvest_to,
    )


def _refuse_duplicate_items(items: list[PlanItemCreate]) -> None:
    # One item per crop, variety and unit, so agreements cannot split one crop's capacity ambiguously.
    seen: dict[tuple[str, str | None, str], int] = {}
    for position, item in enumerate(items):
        key = (item.crop.casefold(), item.variety.casefold() if item.variety else None, item.unit)
        if key in seen:
            raise DuplicatePlanItem(
                f"Items {seen[key]} and {position} are both {item.crop} ({item.variety or 'no variety'}) in "
                f"{item.unit}; give one item the whole quantity.",
                **field_issue(["items", position], f"repeats item {seen[key]}", "duplicate_plan_item"),
            )
        seen[key] = position


async def list_published_plans(
    session: AsyncSession,
    *,
    country: str | None,
    region: str | None,
    crop: str | None,
    season_from: date | None,
    season_to: date | None,
    producer_group_id: UUID | None,
    limit: int,
    cursor: str | None,
) -> CursorPage:
    """Published plans, oldest first; a season filter keeps the plans whose season overlaps the range."""
    if season_from and season_to and season_from > season_to:
        raise SeasonFilterOutOfOrder(f"season_from {season_from} is after season_to {season_to}.")
    statement = repository.published_plans(
        country=country,
        region=region,
        crop=crop,
        season_from=season_from,
        season_to=season_to,
        producer_group_id=producer_group_id,
    )
    return await paginate(
        session,
        statement,
        created_at=ProductionPlan.created_at,
        id_column=ProductionPlan.id,
        limit=limit,
        cursor=cursor,
    )


async def list_plans_of_producer_group(
    session: AsyncSession,
    principal: Principal,
    *,
    producer_group_id: UUID,
    status: PlanStatus | None,
    limit: int,
    cursor: str | None,
) -> CursorPage:
    """Every plan of the group for its coordinators and farming households; published and closed ones for others."""
    group = await producers_service.get_producer_group(session, producer_group_id)
    visible = frozenset(PlanStatus) if await policies.sees_drafts(session, principal, group) else PUBLIC_STATUSES
    statuses = visible & {status} if status else visible
    return await paginate(
        session,
        repository.plans_of_producer_group(group.id, statuses=statuses),
        created_at=ProductionPlan.created_at,
        id_column=ProductionPlan.id,
        limit=limit,
        cursor=cursor,
    )


async def get_plan(session: AsyncSession, principal: Principal, plan_id: UUID) -> ProductionPlan:
    plan = await repository.get_plan(session, plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    await policies.require_visible(session, principal, plan)
    return plan


async def publish_plan(session: AsyncSession, principal: Principal, plan_id: UUID) -> ProductionPlan:
    """A coordinator opens a draft to consumer groups: it is listed and readable by every user."""
    plan = await _locked_plan(session, principal, plan_id)
    await policies.require_coordinator(session, principal, plan.producer_group)
    if plan.status != PlanStatus.draft:
        raise PlanNotDraft(f"The plan is {plan.status}; only a draft can be published.", plan_status=plan.status)
    plan.status = PlanStatus.published
    plan.published_at = utc_now()
    await session.flush()
    await outbox.emit(
        session,
        "plan.published",
        {
            "production_plan": {
                "id": str(plan.id),
                "producer_group_id": str(plan.producer_group_id),
                "season_name": plan.season_name,
                "season_starts_on": plan.season_starts_on.isoformat(),
                "season_ends_on": plan.season_ends_on.isoformat(),
                "currency": plan.currency,
            }
        },
        audience=[(OrganisationKind.producer_group, plan.producer_group_id)],
    )
    return plan


async def close_plan(session: AsyncSession, principal: Principal, plan_id: UUID) -> ProductionPlan:
    """A coordinator closes a published plan: it leaves the list consumer groups browse, and stays readable."""
    plan = await _locked_plan(session, principal, plan_id)
    await policies.require_coordinator(session, principal, plan.producer_group)
    if plan.status != PlanStatus.published:
        raise PlanNotPublished(
            f"The plan is {plan.status}; only a published plan can be closed.", plan_status=plan.status
        )
    plan.status = PlanStatus.closed
    plan.closed_at = utc_now()
    await session.flush()
    return plan


async def _locked_plan(session: AsyncSession, principal: Principal, plan_id: UUID) -> ProductionPlan:
    plan = await repository.get_plan_for_update(session, plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    await policies.require_visible(session, principal, plan)
    return plan
