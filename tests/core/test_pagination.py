"""Cursors: every list refuses a forged cursor with 422 invalid-cursor, never a 500, whatever date it holds."""

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from fastapi.routing import APIRoute
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.api import ROUTERS
from app.catalogue.search import cursor as search_cursor
from app.catalogue.search.schemas import ProductSort
from app.core.config import Settings
from app.core.pagination import InvalidCursor, decode_cursor, encode_cursor
from app.core.routing import API_PREFIX
from tests.catalogue.builders import create_organisation
from tests.factories import auth_headers, create_user
from tests.gatherings.builders import create_gathering
from tests.harvests.builders import Season, create_season
from tests.networks.builders import create_network, create_programme

# Times with no UTC equivalent: converted, they would fall before year 1 or after year 9999.
BEFORE_YEAR_ONE = "0001-01-01T00:00:00+14:00"
AFTER_YEAR_9999 = "9999-12-31T23:59:59-14:00"
OUT_OF_RANGE = [BEFORE_YEAR_ONE, AFTER_YEAR_9999]

# Every list with a cursor, and who may read it: the consumer group's coordinator or the producer group's.
CURSOR_LISTS = {
    "/v1/me/households": "consumer",
    "/v1/me/notifications": "consumer",
    "/v1/households/{household_id}/statement": "consumer",
    "/v1/households/{household_id}/membership-requests": "consumer",
    "/v1/consumer-groups": "consumer",
    "/v1/consumer-groups/{group_id}/memberships": "consumer",
    "/v1/consumer-groups/{group_id}/coordinators": "consumer",
    "/v1/consumer-groups/{group_id}/pickup-stations": "consumer",
    "/v1/consumer-groups/{group_id}/waiting-list": "consumer",
    "/v1/consumer-groups/{group_id}/membership-requests": "consumer",
    "/v1/consumer-groups/{group_id}/motions": "consumer",
    "/v1/consumer-groups/{group_id}/collection-accounts": "consumer",
    "/v1/consumer-groups/{group_id}/households/{household_id}/credit": "consumer",
    "/v1/consumer-groups/{group_id}/statement-imports": "consumer",
    "/v1/consumer-groups/{group_id}/statement-lines": "consumer",
    "/v1/producer-groups": "producer",
    "/v1/producer-groups/{producer_group_id}/members": "producer",
    "/v1/producer-groups/{producer_group_id}/coordinators": "producer",
    "/v1/producer-groups/{producer_group_id}/certifications": "producer",
    "/v1/producer-groups/{producer_group_id}/motions": "producer",
    "/v1/producer-groups/{producer_group_id}/collection-accounts": "producer",
    "/v1/producer-groups/{producer_group_id}/statement-imports": "producer",
    "/v1/producer-groups/{producer_group_id}/statement-lines": "producer",
    "/v1/producer-groups/{producer_group_id}/production-plans": "producer",
    "/v1/producer-groups/{producer_group_id}/statement": "producer",
    "/v1/production-plans": "consumer",
    "/v1/agreements": "consumer",
    "/v1/agreements/{agreement_id}/messages": "consumer",
    "/v1/agreements/{agreement_id}/subscriptions": "consumer",
    "/v1/agreements/{agreement_id}/ledger": "consumer",
    "/v1/agreements/{agreement_id}/cancellations": "consumer",
    "/v1/agreements/{agreement_id}/harvests": "consumer",
    "/v1/agreements/{agreement_id}/absences": "consumer",
    "/v1/subscriptions/{subscription_id}/transfers": "consumer",
    "/v1/gatherings": "consumer",
    "/v1/gatherings/{gathering_id}/signups": "consumer",
    "/v1/households/{household_id}/pledges": "consumer",
    "/v1/learning-events": None,
    "/v1/networks": "consumer",
    "/v1/networks/{network_id}/members": "consumer",
    "/v1/networks/{network_id}/programmes": "consumer",
    "/v1/networks/{network_id}/enrolments": "consumer",
    "/v1/programmes/{programme_id}/enrolments": "consumer",
    "/v1/consumer-groups/{group_id}/enrolments": "consumer",
    "/v1/producer-groups/{producer_group_id}/enrolments": "producer",
    "/v1/trading-organisations/{organisation_id}/enrolments": "consumer",
    # The cursor is read before the event is looked up, so an event that is not there is refused alike.
    "/v1/learning-events/{learning_event_id}/signups": "consumer",
    "/v1/trading-organisations": "consumer",
    "/v1/exchange-rates": None,
    "/v1/catalogue/changes": None,
    "/v1/trade-orders": "consumer",
    "/v1/webhook-endpoints": "consumer",
    "/v1/webhook-deliveries": "consumer",
    "/v1/events": "consumer",
    "/v1/api-keys": "consumer",
}
SEARCH = "/v1/catalogue/products"  # its cursors carry the sort and the rates' moment too: see search/cursor.py


def forged(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode()


def paths_with_a_cursor() -> set[str]:
    paths = set()
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or "GET" not in (route.methods or ()):
                continue
            documented = (route.openapi_extra or {}).get("parameters", [])
            names = {param.alias for param in route.dependant.query_params} | {p["name"] for p in documented}
            if "cursor" in names:
                paths.add(API_PREFIX + route.path)
    return paths


def test_every_list_with_a_cursor_is_probed_with_forged_cursors() -> None:
    assert paths_with_a_cursor() == {*CURSOR_LISTS, SEARCH}


# The decoder


@pytest.mark.parametrize("created_at", [*OUT_OF_RANGE, "2027-03-06T09:00:00"])
def test_a_cursor_whose_time_has_no_utc_moment_is_refused(created_at: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(forged(created_at, str(uuid4())))


@pytest.mark.parametrize("row_id", [5, None, [], "not-a-uuid"])
def test_a_cursor_whose_id_is_no_uuid_is_refused(row_id: object) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(forged("2027-03-06T09:00:00+00:00", row_id))


def test_a_cursor_reads_back_as_the_same_moment_in_utc() -> None:
    row_id = uuid4()
    at = datetime(2027, 3, 6, 9, 0, tzinfo=timezone(timedelta(hours=7)))

    assert decode_cursor(encode_cursor(at, row_id)) == (datetime(2027, 3, 6, 2, 0, tzinfo=UTC), row_id)


# Over HTTP, every list


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    return await create_season(session, settings)


async def probe(client: AsyncClient, session: AsyncSession, season: Season, path: str, cursor: str) -> dict[str, str]:
    event = await create_gathering(session, posted_by=season.consumer_coordinator, consumer_group=season.consumer_group)
    # A network the consumer coordinator coordinates, and a trading organisation they own.
    network = await create_network(session, coordinator=season.consumer_coordinator)
    programme = await create_programme(session, network)
    organisation = await create_organisation(session, owner=season.consumer_coordinator)
    url = path.format(
        group_id=season.consumer_group.id,
        household_id=season.households[0].id,
        producer_group_id=season.producer_group.id,
        agreement_id=season.agreement.id,
        gathering_id=event.id,
        learning_event_id=uuid4(),
        network_id=network.id,
        programme_id=programme.id,
        organisation_id=organisation.id,
        subscription_id=season.subscriptions[0].id,  # held by the consumer coordinator's household
    )
    caller = {"consumer": season.consumer_coordinator, "producer": season.producer_coordinator}.get(
        CURSOR_LISTS.get(path) or ""
    )
    headers = auth_headers(season.settings, caller.id) if caller else {}
    # The event feed is one organisation's: the consumer group's, which its coordinator manages.
    params = {"cursor": cursor} | ({"organisation_id": str(season.consumer_group.id)} if path == "/v1/events" else {})
    response = await client.get(url, params=params, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, str] = response.json()
    return body


@pytest.mark.parametrize("created_at", OUT_OF_RANGE)
@pytest.mark.parametrize("path", CURSOR_LISTS)
async def test_a_forged_cursor_with_out_of_range_date_is_422(
    client: AsyncClient, session: AsyncSession, season: Season, path: str, created_at: str
) -> None:
    problem = await probe(client, session, season, path, forged(created_at, str(uuid4())))

    assert problem["code"] == "invalid-cursor"


def search_cursor_of(sort: ProductSort, rates_at: str, *key: object, words: tuple[str, ...] = ()) -> str:
    meaning = search_cursor.fingerprint(sort, words=words, price_currency=None)
    return forged(search_cursor.VERSION, sort.value, meaning, rates_at, *key)


@pytest.mark.parametrize("created_at", OUT_OF_RANGE)
async def test_a_forged_search_cursor_with_out_of_range_product_date_is_422(
    client: AsyncClient, created_at: str
) -> None:
    now = datetime.now(UTC).isoformat()
    newest = search_cursor_of(ProductSort.newest, now, created_at, str(uuid4()))
    relevance = search_cursor_of(ProductSort.relevance, now, 1, created_at, str(uuid4()), words=("coffee",))

    by_date = await client.get(SEARCH, params={"cursor": newest})
    by_relevance = await client.get(SEARCH, params={"q": "coffee", "cursor": relevance})

    for response in (by_date, by_relevance):
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "invalid-cursor"


@pytest.mark.parametrize("rates_at", [*OUT_OF_RANGE, "2027-03-06T09:00:00"])
async def test_a_forged_search_cursor_with_out_of_range_rates_moment_is_422(client: AsyncClient, rates_at: str) -> None:
    cursor = search_cursor_of(ProductSort.newest, rates_at, "2027-03-06T09:00:00+00:00", str(uuid4()))

    response = await client.get(SEARCH, params={"currency": "VND", "cursor": cursor})

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid-cursor"


@pytest.mark.parametrize("created_at", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59.999999+00:00"])
@pytest.mark.parametrize("path", ["/v1/exchange-rates", "/v1/trading-organisations"])
async def test_a_cursor_at_either_end_of_the_utc_calendar_reads_a_page(
    client: AsyncClient, session: AsyncSession, settings: Settings, path: str, created_at: str
) -> None:
    user = await create_user(session)

    response = await client.get(
        path, params={"cursor": forged(created_at, str(uuid4()))}, headers=auth_headers(settings, user.id)
    )

    assert response.status_code == 200, response.text
    assert response.json()["has_more"] is False
