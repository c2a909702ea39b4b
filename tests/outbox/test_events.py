from uuid import uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.outbox import events
from app.outbox.models import EventAudience, OrganisationKind, OutboxEvent
from app.trade.models import TradeOrderStatus


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
