"""A consumer group's waiting list, coordinator terms and pickup stations, page by page: each row once,
in order, in a number of statements that does not grow with the page, and for the group alone."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import Settings
from app.groups.models import ConsumerGroup, Coordinator, PickupStation, WaitingListEntry
from tests.factories import auth_headers, coordinator_ids, create_group, create_household, create_user, unique
from tests.groups.test_router import assert_problem
from tests.paging import FORGED_CURSORS, every_page, moments, page_and_statements


@dataclass
class Group:
    group: ConsumerGroup
    coordinator: dict[str, str]
    other_coordinator: dict[str, str]

    def url(self, resource: str) -> str:
        return f"/v1/consumer-groups/{self.group.id}/{resource}"


@pytest.fixture
async def group(session: AsyncSession, settings: Settings) -> Group:
    consumer_group = await create_group(session, households=2)
    [coordinator_id] = await coordinator_ids(session, consumer_group)
    [other_coordinator_id] = await coordinator_ids(session, await create_group(session))
    return Group(
        group=consumer_group,
        coordinator=auth_headers(settings, coordinator_id),
        other_coordinator=auth_headers(settings, other_coordinator_id),
    )


# Rows inserted directly at the given times; each builder returns the ids the list shows, in list order.


async def add_waiting(session: AsyncSession, group: ConsumerGroup, at: list[datetime]) -> list[str]:
    for created_at in at:
        household = await create_household(session)
        session.add(WaitingListEntry(group_id=group.id, household_id=household.id, created_at=created_at))
    await session.flush()
    entries = (await session.scalars(select(WaitingListEntry).where(WaitingListEntry.group_id == group.id))).all()
    return [str(entry.household_id) for entry in sorted(entries, key=lambda entry: (entry.created_at, entry.id))]


async def add_terms(session: AsyncSession, group: ConsumerGroup, at: list[datetime]) -> list[str]:
    """Ended terms of former coordinators, beside the founder's current one."""
    for appointed_at in at:
        user = await create_user(session, display_name=unique("Coordinator"))
        session.add(
            Coordinator(
                group_id=group.id,
                user_id=user.id,
                appointed_by=user.id,
                appointed_at=appointed_at,
                ended_by=user.id,
                ended_at=appointed_at + timedelta(days=90),
            )
        )
    await session.flush()
    terms = (await session.scalars(select(Coordinator).where(Coordinator.group_id == group.id))).all()
    return [str(term.user_id) for term in sorted(terms, key=lambda term: (term.appointed_at, term.id))]


async def add_stations(session: AsyncSession, group: ConsumerGroup, at: list[datetime]) -> list[str]:
    session.add_all(
        PickupStation(group_id=group.id, name=unique("Station"), address="Chiang Mai", created_at=created_at)
        for created_at in at
    )
    await session.flush()
    stations = (await session.scalars(select(PickupStation).where(PickupStation.group_id == group.id))).all()
    return [str(station.id) for station in sorted(stations, key=lambda station: (station.created_at, station.id))]


Builder = Callable[[AsyncSession, ConsumerGroup, list[datetime]], Awaitable[list[str]]]
LISTS: dict[str, tuple[Builder, str]] = {
    "waiting-list": (add_waiting, "household_id"),
    "coordinators": (add_terms, "user_id"),
    "pickup-stations": (add_stations, "id"),
}


@pytest.mark.parametrize("resource", LISTS)
async def test_each_list_comes_page_by_page_each_row_once_in_order(
    client: AsyncClient, session: AsyncSession, group: Group, resource: str
) -> None:
    add, key = LISTS[resource]
    in_order = await add(session, group.group, moments(5))

    pages = await every_page(client, group.url(resource), group.coordinator, limit=2)

    assert [row[key] for page in pages for row in page["data"]] == in_order
    assert [page["has_more"] for page in pages] == [True] * (len(pages) - 1) + [False]
    assert [len(page["data"]) for page in pages[:-1]] == [2] * (len(pages) - 1)


@pytest.mark.parametrize("resource", LISTS)
async def test_a_page_costs_as_many_statements_for_thirty_rows_as_for_three(
    client: AsyncClient, session: AsyncSession, engine: AsyncEngine, group: Group, resource: str
) -> None:
    add, _ = LISTS[resource]
    await add(session, group.group, moments(3))
    three, for_three = await page_and_statements(engine, client, group.url(resource), group.coordinator)
    await add(session, group.group, moments(27))

    thirty, for_thirty = await page_and_statements(engine, client, group.url(resource), group.coordinator)

    assert len(thirty["data"]) - len(three["data"]) == 27
    assert len(for_thirty) == len(for_three), for_thirty


@pytest.mark.parametrize("resource", LISTS)
async def test_a_page_of_more_than_100_is_refused(client: AsyncClient, group: Group, resource: str) -> None:
    response = await client.get(group.url(resource), params={"limit": 101}, headers=group.coordinator)

    assert_problem(response, 422, "validation-failed")


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
@pytest.mark.parametrize("resource", LISTS)
async def test_a_forged_cursor_is_refused(client: AsyncClient, group: Group, resource: str, cursor: str) -> None:
    response = await client.get(group.url(resource), params={"cursor": cursor}, headers=group.coordinator)

    assert_problem(response, 422, "invalid-cursor")


@pytest.mark.parametrize("resource", LISTS)
async def test_another_groups_coordinator_is_refused_on_every_page(
    client: AsyncClient, session: AsyncSession, group: Group, resource: str
) -> None:
    add, _ = LISTS[resource]
    await add(session, group.group, moments(3))
    first = await client.get(group.url(resource), params={"limit": 1}, headers=group.coordinator)

    refused = await client.get(group.url(resource), params={"limit": 1}, headers=group.other_coordinator)
    later = await client.get(
        group.url(resource),
        params={"limit": 1, "cursor": first.json()["next_cursor"]},
        headers=group.other_coordinator,
    )

    assert first.status_code == 200
    assert_problem(refused, 403, "not-group-member")
    assert_problem(later, 403, "not-group-member")


# The waiting list: a position is a place in the line, whatever the page


async def test_waiting_positions_run_on_from_page_to_page(
    client: AsyncClient, session: AsyncSession, group: Group
) -> None:
    await add_waiting(session, group.group, moments(5))

    pages = await every_page(client, group.url("waiting-list"), group.coordinator, limit=2)

    assert [[row["position"] for row in page["data"]] for page in pages] == [[1, 2], [3, 4], [5]]


async def test_a_waiting_position_counts_the_households_still_ahead(
    client: AsyncClient, session: AsyncSession, group: Group
) -> None:
    first_in_line, *_ = await add_waiting(session, group.group, moments(4))
    url = group.url("waiting-list")
    first_page = await client.get(url, params={"limit": 2}, headers=group.coordinator)
    entry = await session.scalar(select(WaitingListEntry).where(WaitingListEntry.household_id == UUID(first_in_line)))
    await session.delete(entry)  # the first household stops waiting while the list is being read
    await session.flush()

    second_page = await client.get(
        url, params={"limit": 2, "cursor": first_page.json()["next_cursor"]}, headers=group.coordinator
    )

    assert [row["position"] for row in first_page.json()["data"]] == [1, 2]
    assert [row["position"] for row in second_page.json()["data"]] == [2, 3]
