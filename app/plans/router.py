"""HTTP edge of production plans. Every route needs a logged-in user; published and closed plans are
readable by all of them, drafts by the producer group alone."""

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response, status

from app.accounts.dependencies import CurrentUser
from app.core.contract import set_location, sets_etag
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, problem_responses
from app.core.http import etag_for
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import CountryCode, Day, Name, Page
from app.plans import errors, service
from app.plans.models import PlanStatus, ProductionPlan
from app.plans.schemas import PlanCreate, PlanRead

router = DomainRouter(tags=["production plans"], responses=problem_responses(NotAuthenticated))


def _with_etag(plan: ProductionPlan, response: Response) -> PlanRead:
    read = PlanRead.model_validate(plan)
    response.headers["ETag"] = etag_for(read)
    return read


@router.post(
    "/producer-groups/{producer_group_id}/production-plans",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanRead,
    responses=problem_responses(
        errors.ProducerGroupNotFound,
        errors.NotProducerCoordinator,
        errors.InvalidQuantity,
        errors.SeasonOutOfOrder,
        errors.HarvestWindowOutOfOrder,
        errors.HarvestWindowOutsideSeason,
        errors.DuplicatePlanItem,
    )
    | sets_etag(201),
)
async def create_production_plan(
    producer_group_id: UUID, body: PlanCreate, session: DbSession, principal: CurrentUser, response: Response
) -> PlanRead:
    """Coordinators draft the group's plan for a season: each crop's maximum quantity and harvest window."""
    plan = await service.create_plan(session, principal, producer_group_id=producer_group_id, data=body)
    created = _with_etag(plan, response)
    set_location(response, f"/v1/production-plans/{created.id}")
    return created


@router.get(
    "/producer-groups/{producer_group_id}/production-plans",
    response_model=Page[PlanRead],
    responses=problem_responses(errors.ProducerGroupNotFound, InvalidCursor),
)
async def list_producer_group_production_plans(
    producer_group_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    plan_status: Annotated[PlanStatus | None, Query(alias="status")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[PlanRead]:
    """A producer group's plans, oldest first: drafts included for its coordinators and farming households."""
    page = await service.list_plans_of_producer_group(
        session, principal, producer_group_id=producer_group_id, status=plan_status, limit=limit, cursor=cursor
    )
    return page.to(PlanRead)


@router.get(
    "/production-plans",
    response_model=Page[PlanRead],
    responses=problem_responses(errors.SeasonFilterOutOfOrder, InvalidCursor),
)
async def list_production_plans(
    session: DbSession,
    principal: CurrentUser,
    country: Annotated[CountryCode | None, Query(description="The producer group's country.")] = None,
    region: Annotated[Name | None, Query(description="The producer group's region; case does not matter.")] = None,
    crop: Annotated[Name | None, Query(description="Plans with an item of this crop; case does not matter.")] = None,
    season_from: Annotated[Day | None, Query(description="Plans whose season ends on or after this day.")] = None,
    season_to: Annotated[Day | None, Query(description="Plans whose season starts on or before this day.")] = None,
    producer_group_id: Annotated[UUID | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[PlanRead]:
    """Published plans, oldest first, with what each item can still take; for consumer groups to browse."""
    page = await service.list_published_plans(
        session,
        country=country,
        region=region,
        crop=crop,
        season_from=season_from,
        season_to=season_to,
        producer_group_id=producer_group_id,
        limit=limit,
        cursor=cursor,
    )
    return page.to(PlanRead)


@router.get(
    "/production-plans/{plan_id}",
    response_model=PlanRead,
    responses=problem_responses(errors.PlanNotFound) | sets_etag(),
)
async def read_production_plan(
    plan_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> PlanRead:
    """A plan with each item's maximum, committed and remaining quantity; a draft only for its producer group."""
    return _with_etag(await service.get_plan(session, principal, plan_id), response)


@router.post(
    "/production-plans/{plan_id}/publish",
    response_model=PlanRead,
    responses=problem_responses(errors.PlanNotFound, errors.NotProducerCoordinator, errors.PlanNotDraft) | sets_etag(),
)
async def publish_production_plan(
    plan_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> PlanRead:
    """Coordinators publish a draft plan, so consumer groups can find it and agree on its items."""
    return _with_etag(await service.publish_plan(session, principal, plan_id), response)


@router.post(
    "/production-plans/{plan_id}/close",
    response_model=PlanRead,
    responses=problem_responses(errors.PlanNotFound, errors.NotProducerCoordinator, errors.PlanNotPublished)
    | sets_etag(),
)
async def close_production_plan(
    plan_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> PlanRead:
    """Coordinators close a published plan at the end of its season; it leaves the public list."""
    return _with_etag(await service.close_plan(session, principal, plan_id), response)
