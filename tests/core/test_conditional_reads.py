"""If-None-Match: a client holding the current representation is told so with a 304 and no body."""

from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalogue.models import Product
from app.core.config import Settings
from tests.catalogue.builders import Callers, create_callers, create_product


@pytest.fixture
async def product(session: AsyncSession, settings: Settings) -> Product:
    callers: Callers = await create_callers(session, settings)
    return await create_product(session, callers.organisation, created_by=callers.member)


@pytest.fixture
def product_url(product: Product) -> str:
    return f"/v1/catalogue/products/{product.id}"


async def test_a_read_naming_the_current_etag_is_answered_304_without_a_body(
    client: AsyncClient, product_url: str
) -> None:
    first = await client.get(product_url)
    etag = first.headers["etag"]

    again = await client.get(product_url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "public, max-age=60"
    assert again.headers["x-request-id"]
    assert "content-type" not in again.headers


@pytest.mark.parametrize("offered", ["W/{etag}", '"other", {etag}', "*"])
async def test_weak_lists_and_any_tag_match_too(client: AsyncClient, product_url: str, offered: str) -> None:
    etag = (await client.get(product_url)).headers["etag"]

    response = await client.get(product_url, headers={"If-None-Match": offered.format(etag=etag)})

    assert response.status_code == 304


async def test_another_tag_gets_the_whole_answer(client: AsyncClient, product_url: str) -> None:
    response = await client.get(product_url, headers={"If-None-Match": '"not-the-current-one"'})

    assert response.status_code == 200
    assert response.json()["id"] == product_url.rsplit("/", 1)[1]


async def test_a_problem_is_never_turned_into_a_304(client: AsyncClient) -> None:
    response = await client.get(f"/v1/catalogue/products/{uuid4()}", headers={"If-None-Match": "*"})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_changed_listing_is_sent_again(
    client: AsyncClient, session: AsyncSession, product: Product, product_url: str
) -> None:
    etag = (await client.get(product_url)).headers["etag"]
    product.name = "Arabica, washed"
    await session.flush()

    response = await client.get(product_url, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.json()["name"] == "Arabica, washed"
