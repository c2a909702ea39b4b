"""HTTP edge of webhooks and the event feed, for the coordinators and owners who integrate a storefront."""

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response, status

from app.accounts.dependencies import AppSettings, CurrentUser
from app.catalogue.errors import NotOrganisationOwner, TradingOrganisationNotFound
from app.core.contract import set_location, sets_etag
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, PreconditionFailed, problem_responses
from app.core.http import IfMatch, etag_for, require_match
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import Page
from app.groups.errors import GroupNotFound, NotCoordinator
from app.outbox.models import DeliveryStatus
from app.producers.errors import NotProducerCoordinator, ProducerGroupNotFound
from app.webhooks import errors, service
from app.webhooks.schemas import (
    EventRead,
    WebhookAttemptRead,
    WebhookDeliveryDetail,
    WebhookDeliveryRead,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
)

endpoints_router = DomainRouter(
    prefix="/webhook-endpoints", tags=["webhooks"], responses=problem_responses(NotAuthenticated)
)
deliveries_router = DomainRouter(
    prefix="/webhook-deliveries", tags=["webhooks"], responses=problem_responses(NotAuthenticated)
)
events_router = DomainRouter(prefix="/events", tags=["events"], responses=problem_responses(NotAuthenticated))


@endpoints_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookEndpointCreated,
    responses=problem_responses(
        GroupNotFound,
        ProducerGroupNotFound,
        TradingOrganisationNotFound,
        NotCoordinator,
        NotProducerCoordinator,
        NotOrganisationOwner,
        errors.WebhookUrlRefused,
    ),
)
async def create_webhook_endpoint(
    body: WebhookEndpointCreate, session: DbSession, principal: CurrentUser, settings: AppSettings, response: Response
) -> WebhookEndpointCreated:
    """Send an organisation's events to a URL, signed with a secret shown only in this answer."""
    endpoint = await service.create_endpoint(session, principal, data=body, settings=settings)
    set_location(response, f"/v1/webhook-endpoints/{endpoint.id}")
    return WebhookEndpointCreated.model_validate(endpoint)


@endpoints_router.get(
    "",
    response_model=Page[WebhookEndpointRead],
    responses=problem_responses(errors.OrganisationNotFound, InvalidCursor),
)
async def list_webhook_endpoints(
    session: DbSession,
    principal: CurrentUser,
    organisation_id: Annotated[UUID | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[WebhookEndpointRead]:
    """The webhook endpoints of the organisations you manage, oldest first."""
    page = await service.list_endpoints(session, principal, organisation_id=organisation_id, limit=limit, cursor=cursor)
    return page.to(WebhookEndpointRead)


@endpoints_router.get(
    "/{endpoint_id}",
    response_model=WebhookEndpointRead,
    responses=problem_responses(errors.WebhookEndpointNotFound) | sets_etag(),
)
async def read_webhook_endpoint(
    endpoint_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> WebhookEndpointRead:
    """A webhook endpoint, without its secret."""
    endpoint = WebhookEndpointRead.model_validate(await service.get_endpoint(session, principal, endpoint_id))
    response.headers["ETag"] = etag_for(endpoint)
    return endpoint


@endpoints_router.patch(
    "/{endpoint_id}",
    response_model=WebhookEndpointRead,
    responses=problem_responses(errors.WebhookEndpointNotFound, errors.WebhookUrlRefused, PreconditionFailed)
    | sets_etag(),
)
async def update_webhook_endpoint(
    endpoint_id: UUID,
    body: WebhookEndpointUpdate,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    response: Response,
    if_match: IfMatch = None,
) -> WebhookEndpointRead:
    """Change an endpoint's URL, event types or description, or disable or enable it. Send `If-Match`."""
    current = WebhookEndpointRead.model_validate(await service.get_endpoint(session, principal, endpoint_id))
    require_match(if_match, current)
    endpoint = await service.update_endpoint(
        session, principal, endpoint_id=endpoint_id, changes=body, settings=settings
    )
    updated = WebhookEndpointRead.model_validate(endpoint)
    response.headers["ETag"] = etag_for(updated)
    return updated


@endpoints_router.delete(
    "/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(errors.WebhookEndpointNotFound),
)
async def delete_webhook_endpoint(endpoint_id: UUID, session: DbSession, principal: CurrentUser) -> Response:
    """Stop sending to an endpoint; its deliveries are forgotten, the events stay in the feed."""
    await service.delete_endpoint(session, principal, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@deliveries_router.get(
    "",
    response_model=Page[WebhookDeliveryRead],
    responses=problem_responses(errors.WebhookEndpointNotFound, InvalidCursor),
)
async def list_webhook_deliveries(
    session: DbSession,
    principal: CurrentUser,
    endpoint_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[DeliveryStatus | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[WebhookDeliveryRead]:
    """Deliveries to the endpoints of the organisations you manage, oldest first."""
    page = await service.list_deliveries(
        session, principal, endpoint_id=endpoint_id, status=status, limit=limit, cursor=cursor
    )
    return page.to(WebhookDeliveryRead)


@deliveries_router.get(
    "/{delivery_id}", response_model=WebhookDeliveryDetail, responses=problem_responses(errors.WebhookDeliveryNotFound)
)
async def read_webhook_delivery(delivery_id: UUID, session: DbSession, principal: CurrentUser) -> WebhookDeliveryDetail:
    """A delivery with every attempt made: when, how long, and what the endpoint answered."""
    delivery, attempts = await service.get_delivery(session, principal, delivery_id)
    return WebhookDeliveryDetail(
        **WebhookDeliveryRead.model_validate(delivery).model_dump(),
        attempts=[WebhookAttemptRead.model_validate(attempt) for attempt in attempts],
    )


@deliveries_router.post(
    "/{delivery_id}/redeliveries",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=WebhookDeliveryRead,
    responses=problem_responses(errors.WebhookDeliveryNotFound, errors.WebhookEndpointDisabled),
)
async def redeliver_webhook_delivery(
    delivery_id: UUID, session: DbSession, principal: CurrentUser
) -> WebhookDeliveryRead:
    """Send the event again now, with the same `webhook-id`; the answer comes before the delivery."""
    return WebhookDeliveryRead.model_validate(await service.redeliver(session, principal, delivery_id))


@events_router.get(
    "", response_model=Page[EventRead], responses=problem_responses(errors.OrganisationNotFound, InvalidCursor)
)
async def list_events(
    organisation_id: Annotated[UUID, Query()],
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[EventRead]:
    """An organisation's events, oldest first, as its webhooks receive them; those of the last few seconds
    appear a little later. Keep `next_cursor` and poll with it."""
    page = await service.list_events(
        session, principal, organisation_id=organisation_id, limit=limit, cursor=cursor, settings=settings
    )
    return Page[EventRead](
        data=[
            EventRead(id=row.event_id, type=row.event.type, occurred_at=row.occurred_at, data=row.event.data)
            for row in page.rows
        ],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )
