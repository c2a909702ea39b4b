"""HTTP edge of the shared training calendar, under `/v1/learning-events`. The calendar is public; hosting,
signing up and recording attendance need a logged-in user."""

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response, status

from app.accounts.dependencies import CurrentUser
from app.core.contract import set_location
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, problem_responses
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import CountryCode, Day, Page
from app.gatherings.errors import InvalidDateRange
from app.groups.errors import HouseholdNotFound
from app.learning import errors, service
from app.learning.schemas import (
    AttendanceUpdate,
    LearningEventCreate,
    LearningEventRead,
    LearningSignupCreate,
    LearningSignupRead,
)
from app.networks.errors import NetworkNotFound

router = DomainRouter(prefix="/learning-events", tags=["learning events"])


# Events


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=LearningEventRead,
    responses=problem_responses(NotAuthenticated, NetworkNotFound, errors.NotNetworkHost, errors.NotATrainer),
)
async def create_learning_event(
    body: LearningEventCreate, session: DbSession, principal: CurrentUser, response: Response
) -> LearningEventRead:
    """Host a learning event: for your network as its coordinator or trainer, or in your own name as a trainer."""
    created = await service.host_event(session, principal, body)
    set_location(response, f"/v1/learning-events/{created.id}")
    return created


@router.get("", response_model=Page[LearningEventRead], responses=problem_responses(InvalidDateRange, InvalidCursor))
async def list_learning_events(
    session: DbSession,
    country: Annotated[CountryCode | None, Query(description="Country where the events take place.")] = None,
    from_date: Annotated[
        Day | None, Query(alias="from", description="Events still running on or after this day (UTC).")
    ] = None,
    to_date: Annotated[
        Day | None, Query(alias="to", description="Events starting on or before this day (UTC).")
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[LearningEventRead]:
    """The shared training calendar, open to anyone, by start time."""
    return await service.list_events(
        session, country=country, from_date=from_date, to_date=to_date, limit=limit, cursor=cursor
    )


@router.get(
    "/{learning_event_id}", response_model=LearningEventRead, responses=problem_responses(errors.LearningEventNotFound)
)
async def read_learning_event(learning_event_id: UUID, session: DbSession) -> LearningEventRead:
    """A learning event, with how many have signed up and the places left."""
    return await service.get_event(session, learning_event_id)


# Sign-ups


@router.post(
    "/{learning_event_id}/signups",
    status_code=status.HTTP_201_CREATED,
    response_model=LearningSignupRead,
    responses=problem_responses(
        NotAuthenticated,
        errors.LearningEventNotFound,
        HouseholdNotFound,
        errors.LearningSignupsClosed,
        errors.AlreadySignedUpForLearningEvent,
        errors.LearningEventFull,
    ),
)
async def sign_up_for_learning_event(
    learning_event_id: UUID, body: LearningSignupCreate, session: DbSession, principal: CurrentUser, response: Response
) -> LearningSignupRead:
    """Sign yourself up, optionally for one of your households, until the event starts."""
    created = await service.sign_up(
        session, principal, learning_event_id=learning_event_id, household_id=body.household_id
    )
    set_location(response, f"/v1/learning-events/{learning_event_id}/signups/me")
    return created


@router.get(
    "/{learning_event_id}/signups/me",
    response_model=LearningSignupRead,
    responses=problem_responses(NotAuthenticated, errors.LearningEventNotFound, errors.LearningSignupNotFound),
)
async def read_own_learning_signup(
    learning_event_id: UUID, session: DbSession, principal: CurrentUser
) -> LearningSignupRead:
    """Your sign-up, with your attendance once the host recorded it."""
    return await service.get_own_signup(session, principal, learning_event_id=learning_event_id)


@router.delete(
    "/{learning_event_id}/signups/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(
        NotAuthenticated, errors.LearningEventNotFound, errors.LearningSignupsClosed, errors.LearningSignupNotFound
    ),
)
async def cancel_learning_signup(learning_event_id: UUID, session: DbSession, principal: CurrentUser) -> None:
    """Give up your place before the event starts."""
    await service.cancel_signup(session, principal, learning_event_id=learning_event_id)


@router.get(
    "/{learning_event_id}/signups",
    response_model=Page[LearningSignupRead],
    responses=problem_responses(
        NotAuthenticated, errors.LearningEventNotFound, errors.NotLearningEventHost, InvalidCursor
    ),
)
async def list_learning_signups(
    learning_event_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[LearningSignupRead]:
    """Who signed up, in sign-up order, for the event's host."""
    page = await service.list_signups(
        session, principal, learning_event_id=learning_event_id, limit=limit, cursor=cursor
    )
    return page.to(LearningSignupRead)


@router.put(
    "/{learning_event_id}/signups/{signup_id}/attendance",
    response_model=LearningSignupRead,
    responses=problem_responses(
        NotAuthenticated,
        errors.LearningEventNotFound,
        errors.NotLearningEventHost,
        errors.AttendanceBeforeStart,
        errors.LearningSignupNotFound,
    ),
)
async def record_learning_attendance(
    learning_event_id: UUID, signup_id: UUID, body: AttendanceUpdate, session: DbSession, principal: CurrentUser
) -> LearningSignupRead:
    """The host records whether a signed-up person attended, once the event has started."""
    return await service.record_attendance(
        session, principal, learning_event_id=learning_event_id, signup_id=signup_id, attended=body.attended
    )
