"""Queries for webhook endpoints, deliveries and the event feed. Who manages what starts here."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.catalogue.models import MemberRole, TradingOrganisationMember
from app.groups import repository as groups_repository
from app.outbox.models import (
    DeliveryStatus,
    EventAudience,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.producers import repository as producers_repository


def organisations_managed_by(user_id: UUID) -> Select[tuple[UUID]]:
    """Ids of the organisations whose webhooks and events the user manages: the consumer and producer
    groups they coordinate now and the trading organisations they own."""
    owned = select(TradingOrganisationMember.trading_organisation_id).where(
        TradingOrganisationMember.user_id == user_id, TradingOrganisationMember.role == MemberRole.owner
    )
    managed = union_all(
        groups_repository.coordinator_terms.groups_coordinated_by(user_id),
        producers_repository.coordinator_terms.groups_coordinated_by(user_id),
        owned,
    ).subquery()
    return select(managed.c[0])


async def manages(session: AsyncSession, user_id: UUID, organisation_id: UUID) -> bool:
    statement = organisations_managed_by(user_id).subquery()
    found = await session.scalar(select(statement.c[0]).where(statement.c[0] == organisation_id).limit(1))
    return found is not None


async def get_endpoint(session: AsyncSession, endpoint_id: UUID, *, lock: bool = False) -> WebhookEndpoint | None:
    statement = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    return await session.scalar(statement.with_for_update() if lock else statement)


def endpoints(user_id: UUID, *, organisation_id: UUID | None) -> Select[WebhookEndpoint]:
    statement = select(WebhookEndpoint).where(WebhookEndpoint.organisation_id.in_(organisations_managed_by(user_id)))
    if organisation_id is not None:
        statement = statement.where(WebhookEndpoint.organisation_id == organisation_id)
    return statement


async def get_delivery(session: AsyncSession, delivery_id: UUID, *, lock: bool = False) -> WebhookDelivery | None:
    statement = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
    return await session.scalar(statement.with_for_update() if lock else statement)


def deliveries(
    user_id: UUID, *, endpoint_id: UUID | None, status: DeliveryStatus | None, organisation_id: UUID | None = None
) -> Select[WebhookDelivery]:
    managed_endpoints = select(WebhookEndpoint.id).where(
        WebhookEndpoint.organisation_id.in_(organisations_managed_by(user_id))
    )
    if organisation_id is not None:
        managed_endpoints = managed_endpoints.where(WebhookEndpoint.organisation_id == organisation_id)
    statement = select(WebhookDelivery).where(WebhookDelivery.endpoint_id.in_(managed_endpoints))
    if endpoint_id is not None:
        statement = statement.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    return statement


async def attempts_of(session: AsyncSession, delivery_id: UUID) -> Sequence[WebhookAttempt]:
    statement = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.started_at, WebhookAttempt.id)
    )
    return (await session.scalars(statement)).all()


def feed(organisation_id: UUID, *, settled_before: datetime) -> Select[EventAudience]:
    """The organisation's events up to `settled_before`, read in order from the audience's own index."""
    return (
        select(EventAudience)
        .where(EventAudience.organisation_id == organisation_id, EventAudience.occurred_at <= settled_before)
        .options(joinedload(EventAudience.event))
    )
