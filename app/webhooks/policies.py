"""Who manages an organisation's webhooks and reads its events: coordinators of a consumer or producer group,
owners of a trading organisation (their integrations speak for the whole organisation)."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.catalogue import policies as catalogue_policies
from app.catalogue import repository as catalogue_repository
from app.catalogue.errors import TradingOrganisationNotFound
from app.groups import policies as groups_policies
from app.groups import repository as groups_repository
from app.groups.errors import GroupNotFound, NotCoordinator
from app.outbox.models import OrganisationKind, WebhookDelivery, WebhookEndpoint
from app.producers import policies as producers_policies
from app.producers import repository as producers_repository
from app.producers.errors import NotProducerCoordinator, ProducerGroupNotFound
from app.webhooks import repository
from app.webhooks.errors import OrganisationNotFound, WebhookDeliveryNotFound, WebhookEndpointNotFound


async def require_manager(
    session: AsyncSession, principal: Principal, kind: OrganisationKind, organisation_id: UUID
) -> None:
    """The organisation's own rule for who acts for it; an organisation that does not exist is 404. An API
    key is refused any organisation but its own, as an outsider would be."""
    if kind == OrganisationKind.consumer_group:
        group = await groups_repository.get_group(session, organisation_id)
        if group is None:
            raise GroupNotFound(organisation_id)
        if not principal.reaches(group.id):
            raise NotCoordinator(f"Only a coordinator of '{group.name}' may do this.")
        await groups_policies.require_coordinator(session, principal, group)
    elif kind == OrganisationKind.producer_group:
        producers = await producers_repository.get_producer_group(session, organisation_id)
        if producers is None:
            raise ProducerGroupNotFound(organisation_id)
        if not principal.reaches(producers.id):
            raise NotProducerCoordinator(f"Only a coordinator of '{producers.name}' may do this.")
        await producers_policies.require_coordinator(session, principal, producers)
    else:  # the catalogue's policy refuses a key another trading organisation itself
        organisation = await catalogue_repository.get_organisation(session, organisation_id)
        if organisation is None:
            raise TradingOrganisationNotFound(organisation_id)
        await catalogue_policies.require_owner(session, principal, organisation)


async def require_managed(session: AsyncSession, principal: Principal, organisation_id: UUID) -> None:
    if not principal.reaches(organisation_id) or not await repository.manages(
        session, principal.user_id, organisation_id
    ):
        raise OrganisationNotFound(organisation_id)


def organisation_in_reach(principal: Principal, organisation_id: UUID | None) -> UUID | None:
    """The organisation a list is narrowed to: the one asked for, or an API key's own when none is."""
    if organisation_id is None and principal.api_key is not None:
        return principal.api_key.organisation_id
    return organisation_id


async def _manages(session: AsyncSession, principal: Principal, organisation_id: UUID) -> bool:
    return principal.reaches(organisation_id) and await repository.manages(session, principal.user_id, organisation_id)


async def endpoint_managed_by(
    session: AsyncSession, principal: Principal, endpoint_id: UUID, *, lock: bool = False
) -> WebhookEndpoint:
    """The endpoint, if the caller manages its organisation now; anyone else's reads as not found."""
    endpoint = await repository.get_endpoint(session, endpoint_id, lock=lock)
    if endpoint is None or not await _manages(session, principal, endpoint.organisation_id):
        raise WebhookEndpointNotFound(endpoint_id)
    return endpoint


async def delivery_managed_by(
    session: AsyncSession, principal: Principal, delivery_id: UUID, *, lock: bool = False
) -> tuple[WebhookDelivery, WebhookEndpoint]:
    delivery = await repository.get_delivery(session, delivery_id, lock=lock)
    endpoint = None if delivery is None else await repository.get_endpoint(session, delivery.endpoint_id)
    if delivery is None or endpoint is None or not await _manages(session, principal, endpoint.organisation_id):
        raise WebhookDeliveryNotFound(delivery_id)
    return delivery, endpoint
