"""HTTP edge of API keys, for the coordinators and owners who connect an organisation's integrations."""

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response, status

from app.accounts.dependencies import CurrentUser
from app.api_keys import errors, service
from app.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.catalogue.errors import NotOrganisationOwner, TradingOrganisationNotFound
from app.core.contract import set_location
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, problem_responses
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import Page
from app.groups.errors import GroupNotFound, NotCoordinator
from app.producers.errors import NotProducerCoordinator, ProducerGroupNotFound
from app.webhooks.errors import OrganisationNotFound

router = DomainRouter(
    prefix="/api-keys",
    tags=["api keys"],
    responses=problem_responses(NotAuthenticated, errors.InvalidApiKey, errors.InsufficientScope),
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses=problem_responses(
        GroupNotFound,
        ProducerGroupNotFound,
        TradingOrganisationNotFound,
        NotCoordinator,
        NotProducerCoordinator,
        NotOrganisationOwner,
        errors.ApiKeyExpiryNotInFuture,
        errors.ApiKeysNeedUser,
    ),
)
async def create_api_key(
    body: ApiKeyCreate, session: DbSession, principal: CurrentUser, response: Response
) -> ApiKeyCreated:
    """Issue an API key for an organisation you coordinate or own; the key is shown only in this answer."""
    key, secret = await service.create_key(session, principal, data=body)
    set_location(response, f"/v1/api-keys/{key.id}")
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), key=secret)


@router.get(
    "",
    response_model=Page[ApiKeyRead],
    responses=problem_responses(OrganisationNotFound, InvalidCursor, errors.ApiKeysNeedUser),
)
async def list_api_keys(
    session: DbSession,
    principal: CurrentUser,
    organisation_id: Annotated[UUID | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ApiKeyRead]:
    """The API keys of the organisations you manage, revoked and expired ones too, oldest first; never the keys
    themselves."""
    page = await service.list_keys(session, principal, organisation_id=organisation_id, limit=limit, cursor=cursor)
    return page.to(ApiKeyRead)


@router.get(
    "/{key_id}",
    response_model=ApiKeyRead,
    responses=problem_responses(errors.ApiKeyNotFound, errors.ApiKeysNeedUser),
)
async def read_api_key(key_id: UUID, session: DbSession, principal: CurrentUser) -> ApiKeyRead:
    """An API key of an organisation you manage, without the key itself."""
    return ApiKeyRead.model_validate(await service.get_key(session, principal, key_id))


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(errors.ApiKeyNotFound, errors.ApiKeysNeedUser),
)
async def revoke_api_key(key_id: UUID, session: DbSession, principal: CurrentUser) -> Response:
    """Revoke an API key at once; revoking one already revoked changes nothing."""
    await service.revoke_key(session, principal, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
