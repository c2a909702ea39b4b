"""Mirroring the catalogue: what changed since a cursor, and the events the seller's integrators receive."""

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalogue import service
from app.catalogue.models import Product
from app.catalogue.schemas import CatalogueChangesPage
from app.core.config import Settings
from app.core.db import utc_now
from app.outbox.models import EventAudience, OutboxEvent
from tests.catalogue.builders import Callers, create_callers, create_product, product_body

SETTLED = service.CHANGES_SETTLE + timedelta(seconds=1)


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    return await create_callers(session, settings)


async def changes(session: AsyncSession, cursor: str | None = None, limit: int = 100) -> CatalogueChangesPage:
    """The changes as a reader will see them once they have settled."""
    return await service.catalogue_changes(session, cursor=cursor, limit=limit, now=utc_now() + SETTLED)


def summary(page: CatalogueChangesPage) -> list[tuple[str, str]]:
    return [(str(change.product_id), change.change) for change in page.data]


async def offer(client: AsyncClient, callers: Callers, **changes: Any) -> str:
    body = product_body(callers.organisation.id, **changes)
    response = await client.post("/v1/catalogue/products", json=body, headers=callers.headers_for("member"))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_mirror_learns_of_new_changed_and_withdrawn_listings_from_its_cursor(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    headers = callers.headers_for("member")
    first, second = await offer(client, callers, name="Arabica"), await offer(client, callers, name="Robusta")

    start = await changes(session)
    assert summary(start) == [(first, "created"), (second, "created")]
    assert start.data[0].product is not None and start.data[0].product.name == "Arabica"
    assert not start.has_more

    changed = await client.patch(f"/v1/catalogue/products/{first}", json={"name": "Arabica, washed"}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert (await client.delete(f"/v1/catalogue/products/{second}", headers=headers)).status_code == 204

    since = await changes(session, start.next_cursor)
    assert summary(since) == [(first, "updated"), (second, "withdrawn")]
    assert since.data[0].product is not None and since.data[0].product.name == "Arabica, washed"
    assert since.data[1].product is None
    assert summary(await changes(session, since.next_cursor)) == []
    assert (await changes(session, since.next_cursor)).next_cursor == since.next_cursor


async def test_a_change_of_certificates_alone_reaches_the_mirror(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await offer(client, callers)
    cursor = (await changes(session)).next_cursor

    response = await client.patch(
        f"/v1/catalogue/products/{product}", json={"images": []}, headers=callers.headers_for("member")
    )

    assert response.status_code == 200, response.text
    assert summary(await changes(session, cursor)) == [(product, "updated")]


async def test_a_product_changed_twice_appears_once_as_it_is_now(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await offer(client, callers)
    cursor = (await changes(session)).next_cursor
    for name in ("Arabica, natural", "Arabica, honey"):
        await client.patch(
            f"/v1/catalogue/products/{product}", json={"name": name}, headers=callers.headers_for("member")
        )

    page = await changes(session, cursor)

    assert summary(page) == [(product, "updated")]
    assert page.data[0].product is not None and page.data[0].product.name == "Arabica, honey"


async def test_pages_follow_one_another_without_gaps(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    products = [await offer(client, callers) for _ in range(5)]

    seen, cursor, pages = [], None, 0
    while True:
        page = await changes(session, cursor, limit=2)
        seen += [str(change.product_id) for change in page.data]
        cursor, pages = page.next_cursor, pages + 1
        if not page.has_more:
            break

    assert (seen, pages) == (products, 3)


async def test_a_change_shows_only_once_it_has_settled(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await offer(client, callers)

    now = await service.catalogue_changes(session, cursor=None, limit=100)
    later = await changes(session)

    assert summary(now) == []
    assert summary(later) == [(product, "created")]


async def test_the_feed_is_public_and_its_cursor_checked(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await create_product(session, callers.organisation, created_by=callers.member)
    product.created_at = product.updated_at = utc_now() - SETTLED
    await session.flush()

    response = await client.get("/v1/catalogue/changes")
    refused = await client.get("/v1/catalogue/changes", params={"cursor": "bm90LWEtY3Vyc29y"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert [(change["product_id"], change["change"]) for change in body["data"]] == [(str(product.id), "created")]
    assert body["next_cursor"]
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid-cursor"


async def test_the_seller_s_integrators_receive_each_change_as_an_event(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    product = await offer(client, callers)
    headers = callers.headers_for("member")
    await client.patch(f"/v1/catalogue/products/{product}", json={"name": "Arabica, washed"}, headers=headers)
    await client.delete(f"/v1/catalogue/products/{product}", headers=headers)

    events = (
        await session.execute(
            select(OutboxEvent.type, OutboxEvent.data, EventAudience.organisation_id)
            .join(EventAudience)
            .order_by(OutboxEvent.occurred_at)
        )
    ).all()

    assert [event.type for event in events] == ["product.created", "product.updated", "product.withdrawn"]
    assert {event.organisation_id for event in events} == {callers.organisation.id}
    assert events[1].data["product"]["name"] == "Arabica, washed"
    assert events[2].data == {"product": {"id": product, "seller_id": str(callers.organisation.id)}}
    stored = await session.get_one(Product, UUID(product))
    assert stored.withdrawn_at == stored.updated_at
