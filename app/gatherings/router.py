"""HTTP edge of gatherings (farm visits, meetings, trainings), under `/v1/gatherings`. Every route needs a
logged-in user; a private gathering is for its host group alone, and reads as not found to anyone else."""

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
from app.core.schemas import CountryCode, Day, Page
from app.gatherings import errors, service
from app.gatherings.models import GatheringKind
from app.gatherings.schemas import GatheringCreate, GatheringRead, GatheringSignupCreate, GatheringSignupRead
from app.groups.errors import HouseholdNotFound

router = DomainRouter(prefix="/gatherings", tags=["gatherings"], responses=problem_responses(NotAuthenticated))


# Gatherings


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=GatheringRead,
    responses=problem_responses(errors.HostGroupNotFound, errors.NotHostCoordinator),
)
async def create_gathering(
    body: GatheringCreate, session: DbSession, principal: CurrentUser, response: Response
) -> GatheringRead:
    """Coordinators of a consumer group or producer group post a farm visit, meeting or training."""
    created = await service.post_gathering(session, principal, body)
    set_location(response, f"/v1/gatherings/{created.id}")
    return created


@router.get("", response_model=Page[GatheringRead], responses=problem_responses(errors.InvalidDateRange, InvalidCursor))
async def list_gatherings(
    session: DbSession,
    principal: CurrentUser,
    kind: Annotated[GatheringKind | None, Query()] = None,
    country: Annotated[CountryCode | None, Query(description="Country of the host group.")] = None,
    from_date: Annotated[
        Day | None, Query(alias="from", description="Gatherings still running on or after this day (UTC).")
    ] = None,
    to_date: Annotated[
        Day | None, Query(alias="to", description="Gatherings starting on or before this day (UTC).")
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[GatheringRead]:
    """The calendar: gatherings open to all and those of your own groups, by start time."""
    return await service.list_gatherings(
        session,
        principal,
        kind=kind,
        country=country,
        from_date=from_date,
        to_date=to_date,
        limit=limit,
        cursor=cursor,
    )


@router.get(
    "/{gathering_id}", response_model=GatheringRead, responses=problem_responses(errors.EventNotFound) | sets_etag()
)
async def read_gathering(
    gathering_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> GatheringRead:
    """A gathering you can see, with how many have signed up and whether you have."""
    gathering = await service.get_gathering(session, principal, gathering_id)
    response.headers["ETag"] = etag_for(gathering)
    return gathering


# Sign-ups


@router.post(
    "/{gathering_id}/signups",
    status_code=status.HTTP_201_CREATED,
    response_model=GatheringSignupRead,
    responses=problem_responses(
        errors.EventNotFound, HouseholdNotFound, errors.SignupsClosed, errors.AlreadySignedUp, errors.EventFull
    ),
)
async def sign_up_for_gathering(
    gathering_id: UUID, body: GatheringSignupCreate, session: DbSession, principal: CurrentUser, response: Response
) -> GatheringSignupRead:
    """Sign yourself up for a gathering, optionally for one of your households, until it starts."""
    created = await service.sign_up(session, principal, gathering_id=gathering_id, household_id=body.household_id)
    set_location(response, f"/v1/gatherings/{gathering_id}/signups/me")
    return created


@router.delete(
    "/{gathering_id}/signups/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(errors.EventNotFound, errors.SignupsClosed, errors.SignupNotFound),
)
async def withdraw_from_gathering(gathering_id: UUID, session: DbSession, principal: CurrentUser) -> None:
    """Give up your place at a gathering before it starts."""
    await service.withdraw(session, principal, gathering_id=gathering_id)


@router.get(
    "/{gathering_id}/signups",
    response_model=Page[GatheringSignupRead],
    responses=problem_responses(errors.EventNotFound, errors.NotHostCoordinator, InvalidCursor),
)
async def list_gathering_signups(
    gathering_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[GatheringSignupRead]:
    """Who has signed up, in sign-up order, for the host group's coordinators."""
    page = await service.list_signups(session, principal, gathering_id=gathering_id, limit=limit, cursor=cursor)
    return page.to(GatheringSignupRead)
