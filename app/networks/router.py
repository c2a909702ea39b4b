"""HTTP edge of networks, their members and monitoring programmes, and the enrolment of CBEs. The directory
of networks and their programmes is for any signed-in user; members and enrolments are for the network's
members, and a CBE's enrolments for its own coordinators too."""

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response, status

from app.accounts.dependencies import CurrentUser
from app.catalogue.errors import TradingOrganisationNotFound
from app.core.contract import set_location, sets_etag
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, problem_responses
from app.core.http import etag_for
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import CountryCode, Page
from app.groups.errors import GroupNotFound, UserNotFound
from app.networks import errors, service
from app.networks.models import CbeKind, EnrolmentStatus, NetworkKind
from app.networks.schemas import (
    EnrolmentCreate,
    EnrolmentRead,
    NetworkCreate,
    NetworkEnrolmentCreate,
    NetworkMemberCreate,
    NetworkMemberRead,
    NetworkMemberUpdate,
    NetworkRead,
    ProgrammeCreate,
    ProgrammeRead,
)
from app.producers.errors import ProducerGroupNotFound

router = DomainRouter(tags=["networks"], responses=problem_responses(NotAuthenticated))

CBE_NOT_FOUND = (GroupNotFound, ProducerGroupNotFound, TradingOrganisationNotFound)
PROPOSAL_PROBLEMS = (
    errors.ProgrammeNotFound,
    errors.NotNetworkCoordinator,
    errors.ProgrammeEnded,
    errors.EnrolmentAlreadyOpen,
    *CBE_NOT_FOUND,
)
StatusFilter = Annotated[EnrolmentStatus | None, Query(alias="status")]


# Networks


@router.post(
    "/networks", status_code=status.HTTP_201_CREATED, response_model=NetworkRead, responses=problem_responses()
)
async def create_network(body: NetworkCreate, session: DbSession, principal: CurrentUser, response: Response) -> object:
    """Found a network (a national CSA or fair-trade network, a university); you become its first coordinator."""
    network = await service.create_network(session, principal, body)
    set_location(response, f"/v1/networks/{network.id}")
    return network


@router.get("/networks", response_model=Page[NetworkRead], responses=problem_responses(InvalidCursor))
async def list_networks(
    session: DbSession,
    principal: CurrentUser,
    country: Annotated[CountryCode | None, Query()] = None,
    kind: Annotated[NetworkKind | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[NetworkRead]:
    """The directory of networks, oldest first, filtered by country and kind."""
    return await service.list_networks(session, country=country, kind=kind, limit=limit, cursor=cursor)


@router.get(
    "/networks/{network_id}",
    response_model=NetworkRead,
    responses=problem_responses(errors.NetworkNotFound) | sets_etag(),
)
async def read_network(network_id: UUID, session: DbSession, principal: CurrentUser, response: Response) -> object:
    """A network's public profile."""
    network = NetworkRead.model_validate(await service.get_network(session, network_id))
    response.headers["ETag"] = etag_for(network)
    return network


# Members


@router.post(
    "/networks/{network_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=NetworkMemberRead,
    responses=problem_responses(
        errors.NetworkNotFound, errors.NotNetworkCoordinator, UserNotFound, errors.AlreadyNetworkMember
    ),
)
async def add_network_member(
    network_id: UUID, body: NetworkMemberCreate, session: DbSession, principal: CurrentUser, response: Response
) -> NetworkMemberRead:
    """Coordinators add a person as coordinator, analyst or trainer."""
    member = await service.add_member(session, principal, network_id=network_id, data=body)
    set_location(response, f"/v1/networks/{network_id}/members")
    return member


@router.get(
    "/networks/{network_id}/members",
    response_model=Page[NetworkMemberRead],
    responses=problem_responses(errors.NetworkNotFound, errors.NotNetworkMember, InvalidCursor),
)
async def list_network_members(
    network_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[NetworkMemberRead]:
    """The network's members and their roles, in the order they joined; for its members."""
    return await service.list_members(session, principal, network_id=network_id, limit=limit, cursor=cursor)


@router.patch(
    "/networks/{network_id}/members/{user_id}",
    response_model=NetworkMemberRead,
    responses=problem_responses(
        errors.NetworkNotFound,
        errors.NotNetworkCoordinator,
        errors.NetworkMemberNotFound,
        errors.LastNetworkCoordinator,
    ),
)
async def change_network_member_role(
    network_id: UUID, user_id: UUID, body: NetworkMemberUpdate, session: DbSession, principal: CurrentUser
) -> NetworkMemberRead:
    """Coordinators change a member's role; the last coordinator keeps theirs."""
    return await service.change_role(session, principal, network_id=network_id, user_id=user_id, data=body)


@router.delete(
    "/networks/{network_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(
        errors.NetworkNotFound,
        errors.NotNetworkMember,
        errors.NotNetworkCoordinator,
        errors.NetworkMemberNotFound,
        errors.LastNetworkCoordinator,
    ),
)
async def remove_network_member(network_id: UUID, user_id: UUID, session: DbSession, principal: CurrentUser) -> None:
    """Coordinators remove a member; any member may leave. The last coordinator stays."""
    await service.remove_member(session, principal, network_id=network_id, user_id=user_id)


# Programmes


@router.post(
    "/networks/{network_id}/programmes",
    status_code=status.HTTP_201_CREATED,
    response_model=ProgrammeRead,
    responses=problem_responses(errors.NetworkNotFound, errors.NotNetworkCoordinator),
)
async def create_monitoring_programme(
    network_id: UUID, body: ProgrammeCreate, session: DbSession, principal: CurrentUser, response: Response
) -> object:
    """Coordinators start a monitoring programme, into which they propose to enrol CBEs."""
    programme = await service.create_programme(session, principal, network_id=network_id, data=body)
    set_location(response, f"/v1/programmes/{programme.id}")
    return programme


@router.get(
    "/networks/{network_id}/programmes",
    response_model=Page[ProgrammeRead],
    responses=problem_responses(errors.NetworkNotFound, InvalidCursor),
)
async def list_monitoring_programmes(
    network_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[ProgrammeRead]:
    """The network's monitoring programmes, oldest first."""
    return await service.list_programmes(session, network_id=network_id, limit=limit, cursor=cursor)


@router.get(
    "/programmes/{programme_id}",
    response_model=ProgrammeRead,
    responses=problem_responses(errors.ProgrammeNotFound) | sets_etag(),
)
async def read_monitoring_programme(
    programme_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> object:
    """A monitoring programme."""
    programme = ProgrammeRead.model_validate(await service.get_programme(session, programme_id))
    response.headers["ETag"] = etag_for(programme)
    return programme


# Enrolments


@router.post(
    "/programmes/{programme_id}/enrolments",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentRead,
    responses=problem_responses(*PROPOSAL_PROBLEMS),
)
async def propose_enrolment(
    programme_id: UUID, body: EnrolmentCreate, session: DbSession, principal: CurrentUser, response: Response
) -> EnrolmentRead:
    """Coordinators propose to enrol a CBE; it is enrolled once its coordinators' quorum consents."""
    enrolment = await service.propose_enrolment(session, principal, programme_id=programme_id, data=body)
    set_location(response, f"/v1/enrolments/{enrolment.id}")
    return enrolment


@router.get(
    "/programmes/{programme_id}/enrolments",
    response_model=Page[EnrolmentRead],
    responses=problem_responses(errors.ProgrammeNotFound, errors.NotNetworkMember, InvalidCursor),
)
async def list_programme_enrolments(
    programme_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    enrolment_status: StatusFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[EnrolmentRead]:
    """The programme's enrolments, oldest proposal first, filtered by status; for the network's members."""
    return await service.list_programme_enrolments(
        session, principal, programme_id=programme_id, status=enrolment_status, limit=limit, cursor=cursor
    )


@router.post(
    "/networks/{network_id}/enrolments",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentRead,
    responses=problem_responses(errors.NetworkNotFound, *PROPOSAL_PROBLEMS),
)
async def propose_network_enrolment(
    network_id: UUID, body: NetworkEnrolmentCreate, session: DbSession, principal: CurrentUser, response: Response
) -> EnrolmentRead:
    """The same as proposing through the programme, naming it in the body (`programme_id`)."""
    enrolment = await service.propose_network_enrolment(session, principal, network_id=network_id, data=body)
    set_location(response, f"/v1/enrolments/{enrolment.id}")
    return enrolment


@router.get(
    "/networks/{network_id}/enrolments",
    response_model=Page[EnrolmentRead],
    responses=problem_responses(errors.NetworkNotFound, errors.NotNetworkMember, InvalidCursor),
)
async def list_network_enrolments(
    network_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    enrolment_status: StatusFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[EnrolmentRead]:
    """The enrolments of all the network's programmes, oldest proposal first; for its members."""
    return await service.list_network_enrolments(
        session, principal, network_id=network_id, status=enrolment_status, limit=limit, cursor=cursor
    )


@router.get(
    "/enrolments/{enrolment_id}", response_model=EnrolmentRead, responses=problem_responses(errors.EnrolmentNotFound)
)
async def read_enrolment(enrolment_id: UUID, session: DbSession, principal: CurrentUser) -> EnrolmentRead:
    """An enrolment, with its consents and whether each counts; for the network's members and the CBE's
    coordinators."""
    return await service.get_enrolment(session, principal, enrolment_id=enrolment_id)


@router.post(
    "/enrolments/{enrolment_id}/consents",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentRead,
    responses=problem_responses(
        errors.EnrolmentNotFound,
        errors.NotCbeCoordinator,
        errors.EnrolmentNotProposed,
        errors.EnrolmentAlreadyConsented,
    ),
)
async def consent_to_enrolment(
    enrolment_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> EnrolmentRead:
    """A coordinator of the CBE consents; the consent reaching the CBE's quorum enrols it."""
    enrolment = await service.consent(session, principal, enrolment_id=enrolment_id)
    set_location(response, f"/v1/enrolments/{enrolment_id}")
    return enrolment


@router.post(
    "/enrolments/{enrolment_id}/withdrawal",
    response_model=EnrolmentRead,
    responses=problem_responses(errors.EnrolmentNotFound, errors.NotNetworkCoordinator, errors.EnrolmentEnded),
)
async def withdraw_enrolment(enrolment_id: UUID, session: DbSession, principal: CurrentUser) -> EnrolmentRead:
    """End an enrolment: one of the CBE's coordinators declines a proposal or withdraws an enrolment, one of
    the network's coordinators withdraws either. Sharing stops at once; the history stays."""
    return await service.withdraw(session, principal, enrolment_id=enrolment_id)


# A CBE's own enrolments


@router.get(
    "/consumer-groups/{group_id}/enrolments",
    response_model=Page[EnrolmentRead],
    responses=problem_responses(GroupNotFound, errors.NotCbeCoordinator, InvalidCursor),
)
async def list_consumer_group_enrolments(
    group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[EnrolmentRead]:
    """The group's enrolments in every network, oldest proposal first; for its coordinators."""
    return await service.list_cbe_enrolments(
        session, principal, cbe_kind=CbeKind.consumer_group, cbe_id=group_id, limit=limit, cursor=cursor
    )


@router.get(
    "/producer-groups/{producer_group_id}/enrolments",
    response_model=Page[EnrolmentRead],
    responses=problem_responses(ProducerGroupNotFound, errors.NotCbeCoordinator, InvalidCursor),
)
async def list_producer_group_enrolments(
    producer_group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[EnrolmentRead]:
    """The group's enrolments in every network, oldest proposal first; for its coordinators."""
    return await service.list_cbe_enrolments(
        session, principal, cbe_kind=CbeKind.producer_group, cbe_id=producer_group_id, limit=limit, cursor=cursor
    )


@router.get(
    "/trading-organisations/{organisation_id}/enrolments",
    response_model=Page[EnrolmentRead],
    responses=problem_responses(TradingOrganisationNotFound, errors.NotCbeCoordinator, InvalidCursor),
)
async def list_trading_organisation_enrolments(
    organisation_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[EnrolmentRead]:
    """The organisation's enrolments in every network, oldest proposal first; for its owners."""
    return await service.list_cbe_enrolments(
        session, principal, cbe_kind=CbeKind.trading_organisation, cbe_id=organisation_id, limit=limit, cursor=cursor
    )
