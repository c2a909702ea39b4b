"""HTTP edge of households and consumer groups. Every route needs a logged-in user."""

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response, status

from app.accounts.dependencies import AppSettings, CurrentUser
from app.core.contract import set_location, sets_etag
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, PreconditionFailed, problem_responses
from app.core.http import IfMatch, etag_for
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import CountryCode, Page
from app.groups import errors, motions, service
from app.groups.models import GroupStatus, RequestStatus
from app.groups.schemas import (
    ConsumerGroupCreate,
    ConsumerGroupRead,
    ConsumerGroupUpdate,
    CoordinatorCreate,
    CoordinatorRead,
    HouseholdCreate,
    HouseholdGroupsRead,
    HouseholdMemberCreate,
    HouseholdRead,
    HouseholdSummary,
    HouseholdUpdate,
    MembershipCreate,
    MembershipRead,
    MembershipRequestDecline,
    MembershipRequestRead,
    MotionCreate,
    MotionRead,
    PickupStationCreate,
    PickupStationRead,
    WaitingListEntryRead,
)

AUTHENTICATED = problem_responses(NotAuthenticated)
households_router = DomainRouter(tags=["households"], responses=AUTHENTICATED)
router = DomainRouter(prefix="/consumer-groups", tags=["consumer groups"], responses=AUTHENTICATED)


# Households


@households_router.post(
    "/households",
    status_code=status.HTTP_201_CREATED,
    response_model=HouseholdRead,
    responses=problem_responses(errors.TooManyHouseholds),
)
async def create_household(
    body: HouseholdCreate, session: DbSession, principal: CurrentUser, settings: AppSettings, response: Response
) -> HouseholdRead:
    """Create a household (a family that eats together) with you as its first member. One account
    belongs to a limited number of households (`too-many-households` beyond it)."""
    created = await service.create_household(
        session, principal, name=body.name, households_per_user_max=settings.households_per_user_max
    )
    set_location(response, f"/v1/households/{created.id}")
    return created


@households_router.get(
    "/me/households", response_model=Page[HouseholdSummary], responses=problem_responses(InvalidCursor)
)
async def list_my_households(
    session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[HouseholdSummary]:
    """The households you belong to."""
    page = await service.list_households_of(session, principal, limit=limit, cursor=cursor)
    return page.to(HouseholdSummary)


@households_router.get(
    "/households/{household_id}",
    response_model=HouseholdRead,
    responses=problem_responses(errors.HouseholdNotFound) | sets_etag(),
)
async def read_household(
    household_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> HouseholdRead:
    """A household you belong to, with its members."""
    household = await service.get_household(session, principal, household_id)
    response.headers["ETag"] = etag_for(household)
    return household


@households_router.post(
    "/households/{household_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=HouseholdRead,
    responses=problem_responses(
        errors.HouseholdNotFound,
        errors.UserNotFound,
        errors.AlreadyHouseholdMember,
        errors.AlreadyInGroupThroughAnotherHousehold,
        errors.TooManyHouseholds,
    ),
)
async def add_household_member(
    household_id: UUID,
    body: HouseholdMemberCreate,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    response: Response,
) -> HouseholdRead:
    """Add a user to a household you belong to, unless they belong to as many households as one may, or
    to a group of this household through another household."""
    created = await service.add_household_member(
        session,
        principal,
        household_id=household_id,
        user_id=body.user_id,
        households_per_user_max=settings.households_per_user_max,
    )
    set_location(response, f"/v1/households/{household_id}/members/{body.user_id}")
    return created


@households_router.patch(
    "/households/{household_id}",
    response_model=HouseholdRead,
    responses=problem_responses(errors.HouseholdNotFound, PreconditionFailed) | sets_etag(),
)
async def update_household(
    household_id: UUID,
    body: HouseholdUpdate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> HouseholdRead:
    """Rename a household you belong to. Send `If-Match` to avoid lost updates."""
    household = await service.update_household(
        session, principal, household_id=household_id, changes=body, if_match=if_match
    )
    response.headers["ETag"] = etag_for(household)
    return household


@households_router.delete(
    "/households/{household_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(
        errors.HouseholdNotFound, errors.HouseholdMemberNotFound, errors.LastHouseholdMember, errors.LastCoordinator
    ),
)
async def remove_household_member(
    household_id: UUID, user_id: UUID, session: DbSession, principal: CurrentUser
) -> None:
    """Remove a member, or yourself, from a household you belong to; its last member stays. One who leaves
    stops coordinating the household's groups, unless no coordinator would remain (`last-coordinator`)."""
    await service.remove_household_member(session, principal, household_id=household_id, user_id=user_id)


@households_router.get(
    "/households/{household_id}/memberships",
    response_model=HouseholdGroupsRead,
    responses=problem_responses(errors.HouseholdNotFound),
)
async def read_household_memberships(
    household_id: UUID, session: DbSession, principal: CurrentUser
) -> HouseholdGroupsRead:
    """The consumer groups your household belongs to and the waiting lists it is on."""
    return await service.household_groups(session, principal, household_id)


@households_router.get(
    "/households/{household_id}/membership-requests",
    response_model=Page[MembershipRequestRead],
    responses=problem_responses(errors.HouseholdNotFound, InvalidCursor),
)
async def list_household_membership_requests(
    household_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[MembershipRequestRead]:
    """Your household's requests to join groups, with each decision and the reason of a decline."""
    page = await service.list_household_requests(
        session, principal, household_id=household_id, limit=limit, cursor=cursor
    )
    return page.to(MembershipRequestRead)


@households_router.post(
    "/membership-requests/{request_id}/admissions",
    tags=["consumer groups"],
    response_model=MembershipRequestRead,
    responses=problem_responses(
        errors.MembershipRequestNotFound,
        errors.GroupNotFound,
        errors.NotCoordinator,
        errors.RequestNotPending,
        errors.AlreadyMember,
        errors.AlreadyInGroupThroughAnotherHousehold,
    ),
)
async def admit_membership_request(
    request_id: UUID, session: DbSession, principal: CurrentUser
) -> MembershipRequestRead:
    """A coordinator admits the household: `admitted` as a member, or `waiting` on the list when the group is full."""
    return await service.admit_request(session, principal, request_id=request_id)


@households_router.post(
    "/membership-requests/{request_id}/declines",
    tags=["consumer groups"],
    response_model=MembershipRequestRead,
    responses=problem_responses(
        errors.MembershipRequestNotFound, errors.GroupNotFound, errors.NotCoordinator, errors.RequestNotPending
    ),
)
async def decline_membership_request(
    request_id: UUID, body: MembershipRequestDecline, session: DbSession, principal: CurrentUser
) -> MembershipRequestRead:
    """A coordinator declines the request, with a reason the household can read."""
    return await service.decline_request(session, principal, request_id=request_id, reason=body.reason)


# Consumer groups


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ConsumerGroupRead)
async def create_consumer_group(
    body: ConsumerGroupCreate, session: DbSession, principal: CurrentUser, response: Response
) -> object:
    """Found a consumer group; you become its first coordinator."""
    created = await service.create_group(session, principal, body)
    set_location(response, f"/v1/consumer-groups/{created.id}")
    return created


@router.get("", response_model=Page[ConsumerGroupRead], responses=problem_responses(InvalidCursor))
async def list_consumer_groups(
    session: DbSession,
    principal: CurrentUser,
    country: Annotated[CountryCode | None, Query()] = None,
    group_status: Annotated[GroupStatus | None, Query(alias="status")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ConsumerGroupRead]:
    """Consumer groups, oldest first, filtered by country and status."""
    page = await service.list_groups(session, country=country, status=group_status, limit=limit, cursor=cursor)
    return page.to(ConsumerGroupRead)


@router.get(
    "/{group_id}", response_model=ConsumerGroupRead, responses=problem_responses(errors.GroupNotFound) | sets_etag()
)
async def read_consumer_group(group_id: UUID, session: DbSession, principal: CurrentUser, response: Response) -> object:
    """A consumer group's public profile: name, place, status, size and quorum."""
    group = ConsumerGroupRead.model_validate(await service.get_group(session, group_id))
    response.headers["ETag"] = etag_for(group)
    return group


@router.patch(
    "/{group_id}",
    response_model=ConsumerGroupRead,
    responses=problem_responses(
        errors.GroupNotFound,
        errors.NotCoordinator,
        errors.QuorumAboveCoordinators,
        errors.QuorumLoweringNeedsMotion,
        PreconditionFailed,
    )
    | sets_etag(),
)
async def update_consumer_group(
    group_id: UUID,
    body: ConsumerGroupUpdate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> object:
    """Coordinators rename the group or set its approval quorum. Send `If-Match` to avoid lost updates."""
    group = await service.update_group(session, principal, group_id=group_id, changes=body, if_match=if_match)
    updated = ConsumerGroupRead.model_validate(group)
    response.headers["ETag"] = etag_for(updated)
    return updated


@router.post(
    "/{group_id}/memberships",
    status_code=status.HTTP_201_CREATED,
    response_model=MembershipRead | MembershipRequestRead,
    responses={
        status.HTTP_201_CREATED: {"model": MembershipRead, "description": "The household is a member."},
        status.HTTP_202_ACCEPTED: {
            "model": MembershipRequestRead,
            "description": "The group admits by approval: the request awaits a coordinator.",
        },
        **problem_responses(
            errors.GroupNotFound,
            errors.HouseholdNotFound,
            errors.AlreadyMember,
            errors.AlreadyInGroupThroughAnotherHousehold,
            errors.GroupFull,
            errors.RequestAlreadyPending,
            errors.AlreadyWaiting,
        ),
    },
)
async def join_consumer_group(
    group_id: UUID, body: MembershipCreate, session: DbSession, principal: CurrentUser, response: Response
) -> MembershipRead | MembershipRequestRead:
    """Your household joins a consumer group (at most 150 households, each person counted once), or asks to."""
    joined = await service.join_group(session, principal, group_id=group_id, household_id=body.household_id)
    if isinstance(joined, MembershipRequestRead):
        response.status_code = status.HTTP_202_ACCEPTED
    created = joined
    set_location(response, f"/v1/consumer-groups/{group_id}/memberships/{created.household_id}")
    return created


@router.get(
    "/{group_id}/memberships",
    response_model=Page[MembershipRead],
    responses=problem_responses(errors.GroupNotFound, errors.NotGroupMember, InvalidCursor),
)
async def list_consumer_group_memberships(
    group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[MembershipRead]:
    """The group's member households, for its members and coordinators."""
    page = await service.list_members(session, principal, group_id=group_id, limit=limit, cursor=cursor)
    return page.to(MembershipRead)


@router.delete(
    "/{group_id}/memberships/{household_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(
        errors.GroupNotFound, errors.HouseholdNotFound, errors.NotAMember, errors.LastCoordinator
    ),
)
async def leave_consumer_group(group_id: UUID, household_id: UUID, session: DbSession, principal: CurrentUser) -> None:
    """Your household leaves the group; the first household on the waiting list takes the place. Your
    terms as its coordinator end with it, unless no coordinator would remain (`last-coordinator`)."""
    await service.leave_group(session, principal, group_id=group_id, household_id=household_id)


@router.get(
    "/{group_id}/membership-requests",
    response_model=Page[MembershipRequestRead],
    responses=problem_responses(errors.GroupNotFound, errors.NotCoordinator, InvalidCursor),
)
async def list_consumer_group_membership_requests(
    group_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    request_status: Annotated[RequestStatus | None, Query(alias="status")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[MembershipRequestRead]:
    """Coordinators see the households asking to join, oldest first, filtered by status."""
    page = await service.list_membership_requests(
        session, principal, group_id=group_id, status=request_status, limit=limit, cursor=cursor
    )
    return page.to(MembershipRequestRead)


@router.post(
    "/{group_id}/waiting-list",
    status_code=status.HTTP_201_CREATED,
    response_model=WaitingListEntryRead,
    responses=problem_responses(
        errors.GroupNotFound,
        errors.HouseholdNotFound,
        errors.AlreadyMember,
        errors.AlreadyInGroupThroughAnotherHousehold,
        errors.GroupHasRoom,
        errors.AdmissionByApproval,
        errors.AlreadyWaiting,
    ),
)
async def join_consumer_group_waiting_list(
    group_id: UUID, body: MembershipCreate, session: DbSession, principal: CurrentUser, response: Response
) -> WaitingListEntryRead:
    """Your household waits for a place in a full group, first come, first served."""
    created = await service.join_waiting_list(session, principal, group_id=group_id, household_id=body.household_id)
    set_location(response, f"/v1/consumer-groups/{group_id}/waiting-list/{created.household_id}")
    return created


@router.get(
    "/{group_id}/waiting-list",
    response_model=Page[WaitingListEntryRead],
    responses=problem_responses(errors.GroupNotFound, errors.NotGroupMember, InvalidCursor),
)
async def list_consumer_group_waiting_list(
    group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[WaitingListEntryRead]:
    """The households waiting for a place, in the order they will be admitted."""
    return await service.list_waiting(session, principal, group_id=group_id, limit=limit, cursor=cursor)


@router.delete(
    "/{group_id}/waiting-list/{household_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(errors.GroupNotFound, errors.HouseholdNotFound, errors.NotWaiting),
)
async def leave_consumer_group_waiting_list(
    group_id: UUID, household_id: UUID, session: DbSession, principal: CurrentUser
) -> None:
    """Your household stops waiting for a place."""
    await service.leave_waiting_list(session, principal, group_id=group_id, household_id=household_id)


@router.post(
    "/{group_id}/coordinators",
    status_code=status.HTTP_201_CREATED,
    response_model=CoordinatorRead,
    responses=problem_responses(
        errors.GroupNotFound,
        errors.NotCoordinator,
        errors.UserNotFound,
        errors.AlreadyCoordinator,
        errors.CoordinatorMustBeMember,
    ),
)
async def appoint_consumer_group_coordinator(
    group_id: UUID, body: CoordinatorCreate, session: DbSession, principal: CurrentUser, response: Response
) -> CoordinatorRead:
    """A coordinator appoints a member of the group as another coordinator."""
    created = await service.appoint_coordinator(session, principal, group_id=group_id, user_id=body.user_id)
    set_location(response, f"/v1/consumer-groups/{group_id}/coordinators/{created.user_id}")
    return created


@router.get(
    "/{group_id}/coordinators",
    response_model=Page[CoordinatorRead],
    responses=problem_responses(errors.GroupNotFound, errors.NotGroupMember, InvalidCursor),
)
async def list_consumer_group_coordinators(
    group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[CoordinatorRead]:
    """Every coordinator term, current and ended, oldest first."""
    return await service.list_coordinators(session, principal, group_id=group_id, limit=limit, cursor=cursor)


@router.delete(
    "/{group_id}/coordinators/{user_id}",
    response_model=CoordinatorRead,
    responses=problem_responses(
        errors.GroupNotFound,
        errors.NotCoordinator,
        errors.CoordinatorNotFound,
        errors.LastCoordinator,
        errors.TermEndingNeedsMotion,
    ),
)
async def end_consumer_group_coordinator_term(
    group_id: UUID, user_id: UUID, session: DbSession, principal: CurrentUser
) -> CoordinatorRead:
    """Step down as coordinator (the term stays in the history). Ending another's term takes a motion,
    unless one coordinator decides alone."""
    return await service.end_coordinator_term(session, principal, group_id=group_id, user_id=user_id)


@router.post(
    "/{group_id}/pickup-stations",
    status_code=status.HTTP_201_CREATED,
    response_model=PickupStationRead,
    responses=problem_responses(errors.GroupNotFound, errors.NotCoordinator),
)
async def add_pickup_station(
    group_id: UUID, body: PickupStationCreate, session: DbSession, principal: CurrentUser, response: Response
) -> object:
    """Coordinators add a place where members collect their produce."""
    created = await service.add_pickup_station(session, principal, group_id=group_id, data=body)
    set_location(response, f"/v1/consumer-groups/{group_id}/pickup-stations")
    return created


@router.get(
    "/{group_id}/pickup-stations",
    response_model=Page[PickupStationRead],
    responses=problem_responses(errors.GroupNotFound, errors.NotGroupMember, InvalidCursor),
)
async def list_pickup_stations(
    group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[PickupStationRead]:
    """The group's pickup stations, oldest first, for its members and coordinators."""
    page = await service.list_pickup_stations(session, principal, group_id=group_id, limit=limit, cursor=cursor)
    return page.to(PickupStationRead)


# Governance motions: changes that need the quorum they would weaken (principle 7)


@router.post(
    "/{group_id}/motions",
    status_code=status.HTTP_201_CREATED,
    response_model=MotionRead,
    responses=problem_responses(
        errors.GroupNotFound,
        errors.NotCoordinator,
        errors.QuorumNotLowered,
        errors.CoordinatorNotFound,
        errors.LastCoordinator,
        errors.OwnTermNeedsNoMotion,
        errors.NotAMember,
    ),
)
async def move_consumer_group_motion(
    group_id: UUID, body: MotionCreate, session: DbSession, principal: CurrentUser, response: Response
) -> MotionRead:
    """A coordinator moves `lower_quorum`, `end_term` or `remove_household` (with a reason the household
    can read); your approval counts at once. A household leaves the group by itself, or by such a motion.
    Motions are read and approved at `/v1/motions/{motion_id}`."""
    created = await motions.move(session, principal, group_id=group_id, data=body)
    set_location(response, f"/v1/motions/{created.id}")
    return created


@router.get(
    "/{group_id}/motions",
    response_model=Page[MotionRead],
    responses=problem_responses(errors.GroupNotFound, errors.NotGroupMember, InvalidCursor),
)
async def list_consumer_group_motions(
    group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[MotionRead]:
    """The group's motions, open and carried, oldest first."""
    return await motions.page(session, principal, group_id=group_id, limit=limit, cursor=cursor)
