"""HTTP edge of the consumer registry: a household's pledges (its members only), and the public summary of
counts, which anyone may read and any cache may keep a minute."""

from uuid import UUID

from fastapi import Response, status

from app.accounts.dependencies import CurrentUser
from app.core.contract import set_location
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, problem_responses
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import Page
from app.groups.errors import HouseholdNotFound
from app.registry import errors, service
from app.registry.schemas import PledgeCreate, PledgeRead, RegistrySummary

router = DomainRouter(tags=["registry"], responses=problem_responses(NotAuthenticated))
summary_router = DomainRouter(prefix="/registry", tags=["registry"])

# A minute old at most: the counts change with every pledge, and nobody needs them to the second.
SUMMARY_CACHE_CONTROL = "public, max-age=60"


@router.post(
    "/households/{household_id}/pledges",
    status_code=status.HTTP_201_CREATED,
    response_model=PledgeRead,
    responses={
        status.HTTP_200_OK: {"model": PledgeRead, "description": "The household had pledged already: that pledge."},
        **problem_responses(
            HouseholdNotFound, errors.ConsentRequired, errors.HouseholdInNoGroup, errors.PledgeCountryNotOfHousehold
        ),
    },
)
async def create_pledge(
    household_id: UUID, body: PledgeCreate, session: DbSession, principal: CurrentUser, response: Response
) -> PledgeRead:
    """Pledge, with consent, that your household is a socially enterprising consumer; counted once."""
    pledged, created = await service.pledge(session, principal, household_id=household_id, data=body)
    if not created:
        response.status_code = status.HTTP_200_OK
    set_location(response, f"/v1/pledges/{pledged.id}")
    return PledgeRead.model_validate(pledged)


@router.get(
    "/households/{household_id}/pledges",
    response_model=Page[PledgeRead],
    responses=problem_responses(HouseholdNotFound, InvalidCursor),
)
async def list_household_pledges(
    household_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[PledgeRead]:
    """Your household's pledges, withdrawn ones included, oldest first."""
    page = await service.list_pledges(session, principal, household_id=household_id, limit=limit, cursor=cursor)
    return page.to(PledgeRead)


@router.get("/pledges/{pledge_id}", response_model=PledgeRead, responses=problem_responses(errors.PledgeNotFound))
async def read_pledge(pledge_id: UUID, session: DbSession, principal: CurrentUser) -> PledgeRead:
    """A pledge of one of your households."""
    return PledgeRead.model_validate(await service.get_pledge(session, principal, pledge_id))


@router.post(
    "/pledges/{pledge_id}/withdrawal",
    response_model=PledgeRead,
    responses=problem_responses(errors.PledgeNotFound, HouseholdNotFound),
)
async def withdraw_pledge(pledge_id: UUID, session: DbSession, principal: CurrentUser) -> PledgeRead:
    """Withdraw your household's pledge: kept as history, no longer counted."""
    return PledgeRead.model_validate(await service.withdraw(session, principal, pledge_id=pledge_id))


@summary_router.get("/summary", response_model=RegistrySummary)
async def read_registry_summary(session: DbSession, response: Response) -> RegistrySummary:
    """Households counted per ASEAN country and in total, against the target of one million; counts only."""
    response.headers["Cache-Control"] = SUMMARY_CACHE_CONTROL
    return await service.summary(session)
