"""HTTP edge of producer groups. Every route needs a logged-in user; profiles and certifications are
readable by any of them, the farming households and coordinators by the group alone."""

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response, status

from app.accounts.dependencies import CurrentUser
from app.core.contract import set_location, sets_etag
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, PreconditionFailed, problem_responses
from app.core.http import IfMatch, etag_for
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import CountryCode, Page
from app.groups.schemas import MotionCreate, MotionRead
from app.producers import errors, motions, service
from app.producers.schemas import (
    CertificationCreate,
    CertificationRead,
    FarmingHouseholdCreate,
    FarmingHouseholdRead,
    ProducerCoordinatorCreate,
    ProducerCoordinatorRead,
    ProducerGroupCreate,
    ProducerGroupRead,
    ProducerGroupUpdate,
)

router = DomainRouter(
    prefix="/producer-groups", tags=["producer groups"], responses=problem_responses(NotAuthenticated)
)
# A motion of either kind of group: here, where both kinds are known.
motions_router = DomainRouter(prefix="/motions", tags=["motions"], responses=problem_responses(NotAuthenticated))


# Producer groups


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProducerGroupRead)
async def create_producer_group(
    body: ProducerGroupCreate, session: DbSession, principal: CurrentUser, response: Response
) -> ProducerGroupRead:
    """Found a producer group; you become its first coordinator."""
    group = await service.create_producer_group(session, principal, body)
    created = ProducerGroupRead.model_validate(group)
    set_location(response, f"/v1/producer-groups/{created.id}")
    return created


@router.get("", response_model=Page[ProducerGroupRead], responses=problem_responses(InvalidCursor))
async def list_producer_groups(
    session: DbSession,
    principal: CurrentUser,
    country: Annotated[CountryCode | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ProducerGroupRead]:
    """Producer groups, oldest first, filtered by country."""
    page = await service.list_producer_groups(session, country=country, limit=limit, cursor=cursor)
    return page.to(ProducerGroupRead)


@router.get(
    "/{producer_group_id}",
    response_model=ProducerGroupRead,
    responses=problem_responses(errors.ProducerGroupNotFound) | sets_etag(),
)
async def read_producer_group(
    producer_group_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> ProducerGroupRead:
    """A producer group's public profile: name, legal form, place, number of farming households and quorum."""
    group = ProducerGroupRead.model_validate(await service.get_producer_group(session, producer_group_id))
    response.headers["ETag"] = etag_for(group)
    return group


@router.patch(
    "/{producer_group_id}",
    response_model=ProducerGroupRead,
    responses=problem_responses(
        errors.ProducerGroupNotFound,
        errors.NotProducerCoordinator,
        errors.QuorumAboveCoordinators,
        errors.QuorumLoweringNeedsMotion,
        PreconditionFailed,
    )
    | sets_etag(),
)
async def update_producer_group(
    producer_group_id: UUID,
    body: ProducerGroupUpdate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> ProducerGroupRead:
    """Coordinators raise the group's approval quorum; lowering it takes a `lower_quorum` motion
    (`quorum-lowering-needs-motion`). Send `If-Match` to avoid lost updates."""
    group = await service.update_producer_group(
        session, principal, producer_group_id=producer_group_id, changes=body, if_match=if_match
    )
    updated = ProducerGroupRead.model_validate(group)
    response.headers["ETag"] = etag_for(updated)
    return updated


# Farming households


@router.post(
    "/{producer_group_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=FarmingHouseholdRead,
    responses=problem_responses(
        errors.ProducerGroupNotFound, errors.NotProducerCoordinator, errors.HouseholdNotFound, errors.AlreadyMember
    ),
)
async def admit_producer_group_household(
    producer_group_id: UUID,
    body: FarmingHouseholdCreate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
) -> FarmingHouseholdRead:
    """Coordinators admit a farming household into the producer group."""
    created = await service.admit_household(
        session, principal, producer_group_id=producer_group_id, household_id=body.household_id
    )
    set_location(response, f"/v1/producer-groups/{producer_group_id}/members/{created.household_id}")
    return created


@router.get(
    "/{producer_group_id}/members",
    response_model=Page[FarmingHouseholdRead],
    responses=problem_responses(errors.ProducerGroupNotFound, errors.NotProducerGroupMember, InvalidCursor),
)
async def list_producer_group_households(
    producer_group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[FarmingHouseholdRead]:
    """The group's farming households, for its households' members and its coordinators."""
    page = await service.list_member_households(
        session, principal, producer_group_id=producer_group_id, limit=limit, cursor=cursor
    )
    return page.to(FarmingHouseholdRead)


@router.delete(
    "/{producer_group_id}/members/{household_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(
        errors.ProducerGroupNotFound,
        errors.RemovalNotPermitted,
        errors.NotAMember,
        errors.RemovalNeedsMotion,
        errors.LastCoordinator,
    ),
)
async def remove_producer_group_household(
    producer_group_id: UUID, household_id: UUID, session: DbSession, principal: CurrentUser
) -> None:
    """Your household leaves the producer group; your terms as its coordinator end with it, unless no
    coordinator would remain (`last-coordinator`). Removing another household takes a `remove_household`
    motion, unless one coordinator decides alone (`removal-needs-motion`)."""
    await service.remove_household(session, principal, producer_group_id=producer_group_id, household_id=household_id)


# Coordinators


@router.post(
    "/{producer_group_id}/coordinators",
    status_code=status.HTTP_201_CREATED,
    response_model=ProducerCoordinatorRead,
    responses=problem_responses(
        errors.ProducerGroupNotFound,
        errors.NotProducerCoordinator,
        errors.UserNotFound,
        errors.AlreadyCoordinator,
        errors.CoordinatorMustBeMember,
    ),
)
async def appoint_producer_group_coordinator(
    producer_group_id: UUID,
    body: ProducerCoordinatorCreate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
) -> ProducerCoordinatorRead:
    """A coordinator appoints a member of one of the group's farming households as another coordinator."""
    created = await service.appoint_coordinator(
        session, principal, producer_group_id=producer_group_id, user_id=body.user_id
    )
    set_location(response, f"/v1/producer-groups/{producer_group_id}/coordinators/{created.user_id}")
    return created


@router.get(
    "/{producer_group_id}/coordinators",
    response_model=Page[ProducerCoordinatorRead],
    responses=problem_responses(errors.ProducerGroupNotFound, errors.NotProducerGroupMember, InvalidCursor),
)
async def list_producer_group_coordinators(
    producer_group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[ProducerCoordinatorRead]:
    """Every coordinator term, current and ended, oldest first."""
    return await service.list_coordinators(
        session, principal, producer_group_id=producer_group_id, limit=limit, cursor=cursor
    )


@router.delete(
    "/{producer_group_id}/coordinators/{user_id}",
    response_model=ProducerCoordinatorRead,
    responses=problem_responses(
        errors.ProducerGroupNotFound,
        errors.NotProducerCoordinator,
        errors.CoordinatorNotFound,
        errors.LastCoordinator,
        errors.TermEndingNeedsMotion,
    ),
)
async def end_producer_group_coordinator_term(
    producer_group_id: UUID, user_id: UUID, session: DbSession, principal: CurrentUser
) -> ProducerCoordinatorRead:
    """Step down as coordinator (the term stays in the history). Another's term ends this way only where
    one coordinator decides alone (a quorum of 1); otherwise by an `end_term` motion (`term-ending-needs-motion`)."""
    return await service.end_coordinator_term(session, principal, producer_group_id=producer_group_id, user_id=user_id)


# Certifications


@router.post(
    "/{producer_group_id}/certifications",
    status_code=status.HTTP_201_CREATED,
    response_model=CertificationRead,
    responses=problem_responses(
        errors.ProducerGroupNotFound, errors.NotProducerCoordinator, errors.CertificationRecorded
    ),
)
async def add_producer_group_certification(
    producer_group_id: UUID, body: CertificationCreate, session: DbSession, principal: CurrentUser, response: Response
) -> CertificationRead:
    """Coordinators record a certificate (organic, PGS, fair trade) with its issuer, number and expiry."""
    certification = await service.record_certification(
        session, principal, producer_group_id=producer_group_id, data=body
    )
    created = CertificationRead.model_validate(certification)
    set_location(response, f"/v1/producer-groups/{producer_group_id}/certifications/{created.id}")
    return created


@router.get(
    "/{producer_group_id}/certifications",
    response_model=Page[CertificationRead],
    responses=problem_responses(errors.ProducerGroupNotFound, InvalidCursor),
)
async def list_producer_group_certifications(
    producer_group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[CertificationRead]:
    """The group's certificates, expired ones included and flagged `expired`."""
    page = await service.list_certifications(session, producer_group_id=producer_group_id, limit=limit, cursor=cursor)
    return page.to(CertificationRead)


@router.delete(
    "/{producer_group_id}/certifications/{certification_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(
        errors.ProducerGroupNotFound, errors.NotProducerCoordinator, errors.CertificationNotFound
    ),
)
async def delete_producer_group_certification(
    producer_group_id: UUID, certification_id: UUID, session: DbSession, principal: CurrentUser
) -> None:
    """Coordinators withdraw a certificate recorded by mistake or no longer held."""
    await service.withdraw_certification(
        session, principal, producer_group_id=producer_group_id, certification_id=certification_id
    )


# Governance motions: changes that need the quorum they would weaken, or a household's removal (principle 7)


@router.post(
    "/{producer_group_id}/motions",
    status_code=status.HTTP_201_CREATED,
    response_model=MotionRead,
    responses=problem_responses(
        errors.ProducerGroupNotFound,
        errors.NotProducerCoordinator,
        errors.QuorumNotLowered,
        errors.CoordinatorNotFound,
        errors.LastCoordinator,
        errors.OwnTermNeedsNoMotion,
        errors.NotAMember,
    ),
)
async def move_producer_group_motion(
    producer_group_id: UUID, body: MotionCreate, session: DbSession, principal: CurrentUser, response: Response
) -> MotionRead:
    """A coordinator moves `lower_quorum`, `end_term` or `remove_household` (with a reason the household
    can read); your approval counts at once. Motions are read and approved at `/v1/motions/{motion_id}`."""
    created = await motions.move(session, principal, producer_group_id=producer_group_id, data=body)
    set_location(response, f"/v1/motions/{created.id}")
    return created


@router.get(
    "/{producer_group_id}/motions",
    response_model=Page[MotionRead],
    responses=problem_responses(errors.ProducerGroupNotFound, errors.NotProducerGroupMember, InvalidCursor),
)
async def list_producer_group_motions(
    producer_group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[MotionRead]:
    """The group's motions, open and carried, oldest first."""
    return await motions.page(session, principal, producer_group_id=producer_group_id, limit=limit, cursor=cursor)


@motions_router.get(
    "/{motion_id}",
    response_model=MotionRead,
    responses=problem_responses(errors.MotionNotFound, errors.NotGroupMember, errors.NotProducerGroupMember),
)
async def read_motion(motion_id: UUID, session: DbSession, principal: CurrentUser) -> MotionRead:
    """A motion of your consumer or producer group (`group_kind`), with its approvals and whether each still
    counts. The people of a household a motion removes may read it too, and why."""
    return await motions.get(session, principal, motion_id=motion_id)


@motions_router.post(
    "/{motion_id}/approvals",
    status_code=status.HTTP_201_CREATED,
    response_model=MotionRead,
    responses=problem_responses(
        errors.MotionNotFound,
        errors.NotCoordinator,
        errors.NotProducerCoordinator,
        errors.MotionNotOpen,
        errors.MotionAlreadyApproved,
        errors.MotionNoLongerApplies,
    ),
)
async def approve_motion(motion_id: UUID, session: DbSession, principal: CurrentUser, response: Response) -> MotionRead:
    """A coordinator of the motion's group approves it; the approval reaching the group's quorum carries it
    and applies it."""
    created = await motions.approve(session, principal, motion_id=motion_id)
    set_location(response, f"/v1/motions/{motion_id}")
    return created
