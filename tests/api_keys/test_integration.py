"""An integrator with nothing but its trading organisation's key: mirrors the catalogue, receives webhooks,
places an order and follows it to delivered."""

from datetime import timedelta
from uuid import uuid4

import time_machine
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import utc_now
from tests.api_keys.builders import bearer, issue_key
from tests.factories import auth_headers
from tests.trade.builders import create_trade, order_body

PUBLIC_URL = "https://93.184.215.14/hooks"


async def test_a_buyers_key_mirrors_the_catalogue_and_follows_an_order_to_delivered(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    trade = await create_trade(session, settings)
    key = await issue_key(
        client,
        settings,
        trade.buyer.id,
        "trading_organisation",
        trade.buyer_org.id,
        ["catalogue:read", "trade_orders:read", "trade_orders:write", "webhooks:read", "webhooks:write"],
    )
    seller = auth_headers(settings, trade.seller.id)

    with time_machine.travel(utc_now() + timedelta(minutes=1)):  # past the feed's settling delay
        changes = await client.get("/v1/catalogue/changes", headers=bearer(key))
    endpoint = await client.post(
        "/v1/webhook-endpoints",
        json={
            "organisation_kind": "trading_organisation",
            "organisation_id": str(trade.buyer_org.id),
            "url": PUBLIC_URL,
            "event_types": ["trade_order.requested", "trade_order.delivered"],
        },
        headers=bearer(key),
    )
    placed = await client.post(
        "/v1/trade-orders", json=order_body(trade), headers={**bearer(key), "Idempotency-Key": str(uuid4())}
    )
    order_id = placed.json()["id"]
    confirmed = await client.post(f"/v1/trade-orders/{order_id}/confirm", headers=seller)
    shipped = await client.post(f"/v1/trade-orders/{order_id}/ship", headers=seller)
    delivered = await client.post(f"/v1/trade-orders/{order_id}/deliver", headers=bearer(key))
    read = await client.get(f"/v1/trade-orders/{order_id}", headers=bearer(key))
    endpoints = await client.get("/v1/webhook-endpoints", headers=bearer(key))

    assert changes.status_code == 200, changes.text
    assert {change["product_id"] for change in changes.json()["data"]} >= {str(trade.coffee.id), str(trade.tea.id)}
    assert endpoint.status_code == 201, endpoint.text
    assert endpoint.json()["secret"].startswith("whsec_")
    assert endpoint.json()["created_by"] == str(trade.buyer.id)
    assert placed.status_code == 201, placed.text
    assert (confirmed.status_code, shipped.status_code) == (200, 200), (confirmed.text, shipped.text)
    assert delivered.status_code == 200, delivered.text
    assert read.status_code == 200
    assert read.json()["status"] == "delivered"
    assert [item["id"] for item in endpoints.json()["data"]] == [endpoint.json()["id"]]
