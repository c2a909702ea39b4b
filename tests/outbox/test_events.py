from uuid import uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.outbox import events
from app.outbox.models import DeliveryStatus, EventAudience, OrganisationKind, OutboxEvent, WebhookDelivery
from app.trade.models import TradeOrderStatus
from tests.factories import create_user
from tests.webhooks.builders import create_endpoint


def test_every_trade_order_status_has_its_event() -> None:
    assert set(events.TRADE_ORDER_STATUSES) == {status.value for status in TradeOrderStatus}
    assert {f"trade_order.{status}" for status in TradeOrderStatus} <= set(events.EVENT_TYPES)


async def test_an_event_is_recorded_once_for_each_organisation_it_concerns(session: AsyncSession) -> None:
    consumers, producers = uuid4(), uuid4()
    event = await events.emit(
        session,
        "agreement.cancelled",
        {"agreement": {"id": "a"}},
        audience=[
            (OrganisationKind.consumer_group, consumers),
            (OrganisationKind.producer_group, producers),
            (OrganisationKind.consumer_group, consumers),
        ],
    )

    stored = await session.get_one(OutboxEvent, event.id)
    assert (stored.type, stored.data) == ("agreement.cancelled", {"agreement": {"id": "a"}})
    audience = (await session.scalars(select(EventAudience).where(EventAudience.event_id == event.id))).all()
    assert {(row.organisation_kind, row.organisation_id) for row in audience} == {
        (OrganisationKind.consumer_group, consumers),
        (OrganisationKind.producer_group, producers),
    }
    assert all(row.occurred_at == stored.occurred_at for row in audience)


async def test_an_unknown_event_type_is_a_programming_error(session: AsyncSession) -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        await events.emit(session, "agreement.vanished", {}, audience=[])


async def test_a_change_rolled_back_reports_nothing_and_a_committed_one_is_kept(
    committing_session_factory: async_sessionmaker[AsyncSession],
) -> None:
    organisation = (OrganisationKind.trading_organisation, uuid4())
    async with committing_session_factory() as session:
        await events.emit(session, "product.created", {"n": 1}, audience=[organisation])
        await session.rollback()
    async with committing_session_factory() as session, session.begin():
        await events.emit(session, "product.created", {"n": 2}, audience=[organisation])

    async with committing_session_factory() as session:
        kept = (await session.scalars(select(OutboxEvent.data))).all()
        audience = await session.scalar(select(func.count()).select_from(EventAudience))
    assert kept == [{"n": 2}]
    assert audience == 1


async def test_an_event_is_queued_for_every_enabled_endpoint_of_its_organisations_whose_filter_takes_it(
    session: AsyncSession,
) -> None:
    user = await create_user(session)
    organisation, other = uuid4(), uuid4()
    every_type = await create_endpoint(
        session, created_by=user.id, url="https://a.example/", organisation_id=organisation
    )
    this_type = await create_endpoint(
        session,
        created_by=user.id,
        url="https://b.example/",
        organisation_id=organisation,
        event_types=["product.updated"],
    )
    other_type = await create_endpoint(
        session,
        created_by=user.id,
        url="https://c.example/",
        organisation_id=organisation,
        event_types=["product.created"],
    )
    disabled = await create_endpoint(
        session, created_by=user.id, url="https://d.example/", organisation_id=organisation, enabled=False
    )
    other_organisation = await create_endpoint(
        session, created_by=user.id, url="https://e.example/", organisation_id=other
    )
    same_id_other_kind = await create_endpoint(
        session,
        created_by=user.id,
        url="https://f.example/",
        organisation_id=organisation,
        kind=OrganisationKind.consumer_group,
    )

    event = await events.emit(
        session, "product.updated", {}, audience=[(OrganisationKind.trading_organisation, organisation)]
    )

    queued = (await session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id == event.id))).all()
    assert {delivery.endpoint_id for delivery in queued} == {every_type.id, this_type.id}
    assert all(
        delivery.status == DeliveryStatus.pending and delivery.event_type == "product.updated" for delivery in queued
    )
    assert {other_type.id, disabled.id, other_organisation.id, same_id_other_kind.id}.isdisjoint(
        delivery.endpoint_id for delivery in queued
    )


async def test_a_rolled_back_change_queues_no_delivery(
    committing_session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with committing_session_factory.begin() as session:
        user = await create_user(session)
        endpoint = await create_endpoint(session, created_by=user.id, url="https://a.example/")
    async with committing_session_factory() as session:
        await events.emit(
            session, "product.created", {}, audience=[(endpoint.organisation_kind, endpoint.organisation_id)]
        )
        await session.rollback()

    async with committing_session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
