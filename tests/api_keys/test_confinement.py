"""A key acts as its creator, but only within its own organisation: the creator's other organisations read
to it as they read to an outsider."""

from typing import Any
from uuid import uuid4

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalogue.models import Product
from app.catalogue.models import TradingOrganisationKind as CatalogueKind
from app.core.config import Settings
from app.outbox.models import DeliveryStatus, OutboxEvent, WebhookDelivery
from app.plans.models import PlanStatus
from tests.api_keys.builders import bearer, issue_key
from tests.catalogue.builders import create_organisation, product_body
from tests.factories import auth_headers
from tests.harvests.builders import create_season
from tests.plans.builders import create_plan
from tests.trade.builders import create_trade, order_body
from tests.webhooks.builders import create_endpoint

PUBLIC_URL = "https://93.184.215.14/hooks"  # on the public internet: no name to resolve


async def place(client: AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> str:
    response = await client.post("/v1/trade-orders", json=body, headers={**headers, "Idempotency-Key": str(uuid4())})
    assert response.status_code == 201, response.text
    order_id: str = response.json()["id"]
    return order_id


async def test_a_key_reaches_only_its_own_organisations_trade_orders(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    trade = await create_trade(session, settings)
    # The buyer's owner also owns a second importer, B, which orders from the same seller.
    other = await create_organisation(session, owner=trade.buyer, name="Second importer", country="SG")
    user = auth_headers(settings, trade.buyer.id)
    own_order = await place(client, user, order_body(trade))
    others_order = await place(client, user, order_body(trade, buyer_id=str(other.id)))
    key = await issue_key(
        client,
        settings,
        trade.buyer.id,
        "trading_organisation",
        trade.buyer_org.id,
        ["trade_orders:read", "trade_orders:write"],
    )

    own = await client.get(f"/v1/trade-orders/{own_order}", headers=bearer(key))
    foreign = await client.get(f"/v1/trade-orders/{others_order}", headers=bearer(key))
    listed = await client.get("/v1/trade-orders", headers=bearer(key))
    cancelled = await client.post(f"/v1/trade-orders/{others_order}/cancel", headers=bearer(key))
    placed_for_other = await client.post(
        "/v1/trade-orders",
        json=order_body(trade, buyer_id=str(other.id)),
        headers={**bearer(key), "Idempotency-Key": "for-b"},
    )
    listed_by_user = await client.get("/v1/trade-orders", headers=user)

    assert own.status_code == 200, own.text
    assert (foreign.status_code, foreign.json()["code"]) == (404, "trade-order-not-found")
    assert [order["id"] for order in listed.json()["data"]] == [own_order]
    assert (cancelled.status_code, cancelled.json()["code"]) == (404, "trade-order-not-found")
    assert (placed_for_other.status_code, placed_for_other.json()["code"]) == (403, "not-organisation-member")
    assert [order["id"] for order in listed_by_user.json()["data"]] == [own_order, others_order]


async def test_a_key_lists_products_only_for_its_own_organisation(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    trade = await create_trade(session, settings)
    other = await create_organisation(session, owner=trade.seller, name="Second co-op")
    key = await issue_key(
        client, settings, trade.seller.id, "trading_organisation", trade.seller_org.id, ["catalogue:write"]
    )
    products_before = int(await session.scalar(select(func.count()).select_from(Product)) or 0)

    own = await client.post("/v1/catalogue/products", json=product_body(trade.seller_org.id), headers=bearer(key))
    foreign = await client.post("/v1/catalogue/products", json=product_body(other.id), headers=bearer(key))
    withdrawn = await client.delete(f"/v1/catalogue/products/{trade.coffee.id}", headers=bearer(key))

    assert own.status_code == 201, own.text
    assert (foreign.status_code, foreign.json()["code"]) == (403, "not-organisation-member")
    assert withdrawn.status_code == 204, withdrawn.text
    assert int(await session.scalar(select(func.count()).select_from(Product)) or 0) == products_before + 1


async def test_a_key_manages_only_its_own_organisations_webhooks(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    trade = await create_trade(session, settings)
    other = await create_organisation(session, owner=trade.buyer, name="Second importer", country="SG")
    own_endpoint = await create_endpoint(
        session, created_by=trade.buyer.id, url=PUBLIC_URL, organisation_id=trade.buyer_org.id
    )
    others_endpoint = await create_endpoint(
        session, created_by=trade.buyer.id, url=PUBLIC_URL, organisation_id=other.id
    )
    event = OutboxEvent(type="product.created", data={})
    session.add(event)
    await session.flush()
    session.add_all(
        WebhookDelivery(
            endpoint_id=endpoint.id, event_id=event.id, event_type=event.type, status=DeliveryStatus.pending
        )
        for endpoint in (own_endpoint, others_endpoint)
    )
    await session.flush()
    others_delivery = await session.scalar(
        select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == others_endpoint.id)
    )
    key = await issue_key(
        client,
        settings,
        trade.buyer.id,
        "trading_organisation",
        trade.buyer_org.id,
        ["webhooks:read", "webhooks:write"],
    )
    created_for_other = await client.post(
        "/v1/webhook-endpoints",
        json={"organisation_kind": "trading_organisation", "organisation_id": str(other.id), "url": PUBLIC_URL},
        headers=bearer(key),
    )

    endpoints = await client.get("/v1/webhook-endpoints", headers=bearer(key))
    filtered = await client.get("/v1/webhook-endpoints", params={"organisation_id": str(other.id)}, headers=bearer(key))
    foreign = await client.get(f"/v1/webhook-endpoints/{others_endpoint.id}", headers=bearer(key))
    disabled = await client.patch(
        f"/v1/webhook-endpoints/{others_endpoint.id}", json={"enabled": False}, headers=bearer(key)
    )
    deleted = await client.delete(f"/v1/webhook-endpoints/{others_endpoint.id}", headers=bearer(key))
    deliveries = await client.get("/v1/webhook-deliveries", headers=bearer(key))
    redelivered = await client.post(f"/v1/webhook-deliveries/{others_delivery}/redeliveries", headers=bearer(key))
    events = await client.get("/v1/events", params={"organisation_id": str(other.id)}, headers=bearer(key))
    by_user = await client.get("/v1/webhook-endpoints", headers=auth_headers(settings, trade.buyer.id))

    assert (created_for_other.status_code, created_for_other.json()["code"]) == (403, "not-organisation-owner")
    assert [item["id"] for item in endpoints.json()["data"]] == [str(own_endpoint.id)]
    assert (filtered.status_code, filtered.json()["code"]) == (404, "organisation-not-found")
    for response in (foreign, disabled, deleted):
        assert (response.status_code, response.json()["code"]) == (404, "webhook-endpoint-not-found")
    assert [item["endpoint_id"] for item in deliveries.json()["data"]] == [str(own_endpoint.id)]
    assert (redelivered.status_code, redelivered.json()["code"]) == (404, "webhook-delivery-not-found")
    assert (events.status_code, events.json()["code"]) == (404, "organisation-not-found")
    assert len(by_user.json()["data"]) == 2


async def test_a_key_reads_only_its_own_groups_agreements(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings)
    coordinator = season.consumer_coordinator
    importer = await create_organisation(session, owner=coordinator, kind=CatalogueKind.importer)
    group_key = await issue_key(
        client, settings, coordinator.id, "consumer_group", season.consumer_group.id, ["agreements:read"]
    )
    other_key = await issue_key(
        client, settings, coordinator.id, "trading_organisation", importer.id, ["agreements:read"]
    )
    url = f"/v1/agreements/{season.agreement.id}"

    by_group_key = await client.get(url, headers=bearer(group_key))
    listed_by_group_key = await client.get("/v1/agreements", headers=bearer(group_key))
    by_other_key = await client.get(url, headers=bearer(other_key))
    listed_by_other_key = await client.get("/v1/agreements", headers=bearer(other_key))
    by_user = await client.get(url, headers=auth_headers(settings, coordinator.id))

    assert by_group_key.status_code == 200, by_group_key.text
    assert [item["id"] for item in listed_by_group_key.json()["data"]] == [str(season.agreement.id)]
    assert (by_other_key.status_code, by_other_key.json()["code"]) == (404, "agreement-not-found")
    assert listed_by_other_key.json()["data"] == []
    assert by_user.status_code == 200


async def test_a_key_sees_drafts_only_of_its_own_producer_group(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings)
    coordinator = season.producer_coordinator
    draft = await create_plan(session, season.producer_group, status=PlanStatus.draft)
    importer = await create_organisation(session, owner=coordinator)
    group_key = await issue_key(
        client, settings, coordinator.id, "producer_group", season.producer_group.id, ["plans:read"]
    )
    other_key = await issue_key(client, settings, coordinator.id, "trading_organisation", importer.id, ["plans:read"])
    plans_of_group = f"/v1/producer-groups/{season.producer_group.id}/production-plans"

    by_group_key = await client.get(f"/v1/production-plans/{draft.id}", headers=bearer(group_key))
    by_other_key = await client.get(f"/v1/production-plans/{draft.id}", headers=bearer(other_key))
    listed_by_group_key = await client.get(plans_of_group, headers=bearer(group_key))
    listed_by_other_key = await client.get(plans_of_group, headers=bearer(other_key))

    assert by_group_key.status_code == 200, by_group_key.text
    assert (by_other_key.status_code, by_other_key.json()["code"]) == (404, "plan-not-found")
    assert str(draft.id) in [plan["id"] for plan in listed_by_group_key.json()["data"]]
    assert str(draft.id) not in [plan["id"] for plan in listed_by_other_key.json()["data"]]
    assert listed_by_other_key.json()["data"] != []  # the published plan, as anyone sees it


async def test_a_key_and_its_creator_keep_their_idempotency_keys_apart(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    trade = await create_trade(session, settings)
    key = await issue_key(
        client, settings, trade.buyer.id, "trading_organisation", trade.buyer_org.id, ["trade_orders:write"]
    )
    body = order_body(trade)

    by_creator = await client.post(
        "/v1/trade-orders", json=body, headers={**auth_headers(settings, trade.buyer.id), "Idempotency-Key": "order-1"}
    )
    by_key = await client.post("/v1/trade-orders", json=body, headers={**bearer(key), "Idempotency-Key": "order-1"})

    assert (by_creator.status_code, by_key.status_code) == (201, 201)
    assert "idempotent-replayed" not in by_key.headers
    assert by_key.json()["id"] != by_creator.json()["id"]
