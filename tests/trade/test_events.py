"""Each step of a trade order reaches both parties' integrators as an event, with the order's id."""

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.outbox.models import EventAudience, OutboxEvent
from tests.trade.builders import PATH, Trade, act, create_trade, order_in, read


@pytest.fixture
async def trade(session: AsyncSession, settings: Settings) -> Trade:
    return await create_trade(session, settings)


async def events_of(session: AsyncSession, order_id: str) -> list[OutboxEvent]:
    events = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.occurred_at))).all()
    return [event for event in events if event.data["trade_order"]["id"] == order_id]


async def audience_of(session: AsyncSession, event: OutboxEvent) -> set[object]:
    statement = select(EventAudience.organisation_id).where(EventAudience.event_id == event.id)
    return set((await session.scalars(statement)).all())


async def test_every_status_an_order_reaches_is_an_event_for_both_parties(
    client: AsyncClient, session: AsyncSession, trade: Trade
) -> None:
    order_id = await order_in(client, trade, "settled")

    events = await events_of(session, order_id)

    assert [event.type for event in events] == [f"trade_order.{status}" for status in ["requested", *PATH]]
    assert events[-1].data["trade_order"]["status"] == "settled"
    assert events[-1].data["trade_order"]["order_value"] == (await read(client, trade, order_id))["order_value"]
    for event in events:
        assert await audience_of(session, event) == {trade.buyer_org.id, trade.seller_org.id}


async def test_a_refused_step_is_no_event(client: AsyncClient, session: AsyncSession, trade: Trade) -> None:
    order_id = await order_in(client, trade, "requested")

    refused = await act(client, trade, order_id, "ship", "seller")

    assert refused.status_code == 409
    assert [event.type for event in await events_of(session, order_id)] == ["trade_order.requested"]
