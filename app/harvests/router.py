"""HTTP edge of harvests: deliveries and their allocation, absences, surplus and pickup lists.
Every route needs a logged-in user; all of it is the two groups' business alone."""

from typing import Annotated
from uuid import UUID

from fastapi import Query, Request, Response, status

from app.accounts.dependencies import CurrentUser
from app.agreements.errors import AgreementNotFound
from app.core.contract import set_location, sets_etag
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, PreconditionFailed, QuantityNotPositive, problem_responses
from app.core.http import CSV_MEDIA_TYPE, IfMatch, etag_for, prefers_csv
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import Day, Page
from app.groups.errors import NotCoordinator, NotGroupMember
from app.harvests import errors
from app.harvests.schemas import (
    AbsenceCreate,
    AbsenceRead,
    HarvestCreate,
    HarvestRead,
    HarvestSummary,
    PickupListRead,
    SurplusRead,
    SurplusUpdate,
)
from app.harvests.service import absences, deliveries, pickup_lists
from app.harvests.service import surplus as surplus_service
from app.producers.errors import NotProducerCoordinator

router = DomainRouter(tags=["harvests"], responses=problem_responses(NotAuthenticated))

# A bound for clients' buffers: a station's households times a harvest's crops, a line of text each.
CSV_MAX_LENGTH = 5_000_000
CSV_EXAMPLE = "household,crop,variety,unit,quantity\r\nChaiyaporn family,Rice,Hom Mali,kg,3.000\r\n"


# Deliveries (principle 3: accepted in full, allocated at once)


@router.post(
    "/agreements/{agreement_id}/harvests",
    status_code=status.HTTP_201_CREATED,
    response_model=HarvestRead,
    responses=problem_responses(
        AgreementNotFound,
        NotProducerCoordinator,
        errors.AgreementNotActive,
        errors.DeliveredOnInFuture,
        errors.DeliveredOnOutsideSeason,
        errors.PickupStationNotOfConsumerGroup,
        errors.CarrierNotAMember,
        errors.ItemNotInAgreement,
        errors.InvalidQuantity,
        QuantityNotPositive,
        errors.DeliveryExceedsAgreement,
    ),
)
async def record_agreement_harvest(
    agreement_id: UUID, body: HarvestCreate, session: DbSession, principal: CurrentUser, response: Response
) -> HarvestRead:
    """Producer coordinators record a delivery; it is allocated to the households by their shares at once."""
    harvest = await deliveries.record_harvest(session, principal, agreement_id=agreement_id, data=body)
    set_location(response, f"/v1/harvests/{harvest.id}")
    return harvest


@router.get(
    "/agreements/{agreement_id}/harvests",
    response_model=Page[HarvestSummary],
    responses=problem_responses(AgreementNotFound, InvalidCursor),
)
async def list_agreement_harvests(
    agreement_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[HarvestSummary]:
    """The agreement's harvests in the order they were recorded, for both groups."""
    page = await deliveries.list_harvests(session, principal, agreement_id=agreement_id, limit=limit, cursor=cursor)
    return page.to(HarvestSummary)


@router.get(
    "/harvests/{harvest_id}",
    response_model=HarvestRead,
    responses=problem_responses(errors.HarvestNotFound) | sets_etag(),
)
async def read_harvest(harvest_id: UUID, session: DbSession, principal: CurrentUser, response: Response) -> HarvestRead:
    """A harvest with what each household takes home and what is surplus, for both groups."""
    harvest = await deliveries.get_harvest(session, principal, harvest_id)
    response.headers["ETag"] = etag_for(harvest)
    return harvest


# Absences: handing over beforehand


@router.post(
    "/agreements/{agreement_id}/absences",
    status_code=status.HTTP_201_CREATED,
    response_model=AbsenceRead,
    responses=problem_responses(
        errors.HouseholdNotFound,
        AgreementNotFound,
        errors.HouseholdNotSubscribed,
        errors.AgreementNotActive,
        errors.AbsenceNotBeforehand,
        errors.AbsenceOutsideSeason,
        errors.RecipientIsAbsentHousehold,
        errors.RecipientNotAMember,
        errors.HarvestAlreadyRecorded,
        errors.AbsenceAlreadyGiven,
    ),
)
async def give_agreement_absence(
    agreement_id: UUID, body: AbsenceCreate, session: DbSession, principal: CurrentUser, response: Response
) -> object:
    """Your household will be away that day: its produce goes to another member household or to the group."""
    created = await absences.give_absence(session, principal, agreement_id=agreement_id, data=body)
    set_location(response, f"/v1/agreements/{agreement_id}/absences/{created.id}")
    return created


@router.get(
    "/agreements/{agreement_id}/absences",
    response_model=Page[AbsenceRead],
    responses=problem_responses(AgreementNotFound, NotGroupMember, InvalidCursor),
)
async def list_agreement_absences(
    agreement_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[AbsenceRead]:
    """Absences given for the agreement, for the consumer group's members and coordinators."""
    page = await absences.list_absences(session, principal, agreement_id=agreement_id, limit=limit, cursor=cursor)
    return page.to(AbsenceRead)


@router.delete(
    "/agreements/{agreement_id}/absences/{absence_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(
        AgreementNotFound, errors.AbsenceNotFound, errors.AbsenceNotBeforehand, errors.HarvestAlreadyRecorded
    ),
)
async def withdraw_agreement_absence(
    agreement_id: UUID, absence_id: UUID, session: DbSession, principal: CurrentUser
) -> None:
    """Your household comes after all; an absence is withdrawn before its date."""
    await absences.withdraw_absence(session, principal, agreement_id=agreement_id, absence_id=absence_id)


# Surplus


@router.get(
    "/surplus/{surplus_id}",
    response_model=SurplusRead,
    responses=problem_responses(errors.SurplusNotFound) | sets_etag(),
)
async def read_surplus(surplus_id: UUID, session: DbSession, principal: CurrentUser, response: Response) -> SurplusRead:
    """A surplus and what the consumer group did with it, for both groups."""
    surplus = await surplus_service.get_surplus(session, principal, surplus_id)
    response.headers["ETag"] = etag_for(surplus)
    return surplus


@router.patch(
    "/surplus/{surplus_id}",
    response_model=SurplusRead,
    responses=problem_responses(
        errors.SurplusNotFound, NotCoordinator, PreconditionFailed, errors.SurplusAlreadyDecided
    )
    | sets_etag(),
)
async def decide_surplus(
    surplus_id: UUID,
    body: SurplusUpdate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> SurplusRead:
    """Consumer coordinators record whether the group stored, sold or gave away a surplus."""
    surplus = await surplus_service.decide_surplus(
        session, principal, surplus_id=surplus_id, data=body, if_match=if_match
    )
    response.headers["ETag"] = etag_for(surplus)
    return surplus


# Pickup lists (principle 6)


@router.get(
    "/pickup-stations/{station_id}/pickup-lists",
    response_model=PickupListRead,
    responses={
        200: {
            "description": "The pickup list as JSON, or as CSV (one row per household and crop) with "
            "`Accept: text/csv`.",
            "content": {
                CSV_MEDIA_TYPE: {"schema": {"type": "string", "maxLength": CSV_MAX_LENGTH}, "example": CSV_EXAMPLE}
            },
        },
        **problem_responses(errors.PickupStationNotFound),
    },
)
async def read_pickup_list(
    station_id: UUID,
    on_date: Annotated[Day, Query(alias="date", description="The pickup date, YYYY-MM-DD.")],
    session: DbSession,
    principal: CurrentUser,
    request: Request,
    response: Response,
) -> PickupListRead | Response:
    """What each household takes home from the station that day, for the consumer group and its producers."""
    pickup = await pickup_lists.pickup_list(session, principal, station_id=station_id, on_date=on_date)
    if prefers_csv(request.headers.get("accept")):
        return Response(
            pickup_lists.as_csv(pickup),
            media_type=CSV_MEDIA_TYPE,
            headers={"Vary": "Accept", "Content-Disposition": f'attachment; filename="pickup-list-{on_date}.csv"'},
        )
    response.headers["Vary"] = "Accept"
    return pickup
