"""A producer group's coordinator terms, page by page: each term once, in the order of appointment, in a
number of statements that does not grow with the page, and for the group alone."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import Settings
from app.producers.models import ProducerCoordinator, ProducerGroup
from tests.factories import auth_headers, create_user, unique
from tests.groups.test_router import assert_problem
from tests.paging import FORGED_CURSORS, every_page, moments, page_and_statements
from tests.producers.builders import create_producer_group


@dataclass
class Group:
    group: ProducerGroup
    coordinator: dict[str, str]
    other_coordinator: dict[str, str]

    @property
    def url(self) -> str:
        return f"/v1/producer-groups/{self.group.id}/coordinators"


@pytest.fixture
async def group(session: AsyncSession, settings: Settings) -> Group:
    founder, other_founder = await create_user(session), await create_user(session)
    producer_group = await create_producer_group(session, coordinators=[founder])
    await create_producer_group(session, coordinators=[other_founder])
    return Group(
        group=producer_group,
        coordinator=auth_headers(settings, founder.id),
        other_coordinator=auth_headers(settings, other_founder.id),
    )


async def add_terms(session: AsyncSession, group: ProducerGroup, at: list[datetime]) -> list[str]:
    """Ended terms of former coordinators appointed at the given times; the user ids of every term, in list order."""
    for appointed_at in at:
        user = await create_user(session, display_name=unique("Coordinator"))
        session.add(
            ProducerCoordinator(
                producer_group_id=group.id,
                user_id=user.id,
                appointed_by=user.id,
                appointed_at=appointed_at,
                ended_by=user.id,
                ended_at=appointed_at + timedelta(days=90),
            )
        )
    await session.flush()
    statement = select(ProducerCoordinator).where(ProducerCoordinator.producer_group_id == group.id)
    terms = (await session.scalars(statement)).all()
    return [str(term.user_id) for term in sorted(terms, key=lambda term: (term.appointed_at, term.id))]


async def test_coordinator_terms_come_page_by_page_each_once_in_the_order_of_appointment(
    client: AsyncClient, session: AsyncSession, group: Group
) -> None:
    in_order = await add_terms(session, group.group, moments(5))

    pages = await every_page(client, group.url, group.coordinator, limit=2)

    assert [len(page["data"]) for page in pages] == [2, 2, 2]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert [term["user_id"] for page in pages for term in page["data"]] == in_order
    names = [term["display_name"] for page in pages for term in page["data"]]
    assert sorted(name.startswith("Coordinator-") for name in names) == [False] + [True] * 5  # the founder's besides


async def test_a_page_of_terms_costs_as_many_statements_for_thirty_as_for_three(
    client: AsyncClient, session: AsyncSession, engine: AsyncEngine, group: Group
) -> None:
    await add_terms(session, group.group, moments(3))
    four, for_four = await page_and_statements(engine, client, group.url, group.coordinator)
    await add_terms(session, group.group, moments(27))

    thirty_one, for_thirty_one = await page_and_statements(engine, client, group.url, group.coordinator)

    assert (len(four["data"]), len(thirty_one["data"])) == (4, 31)  # the founder's term besides
    assert len(for_thirty_one) == len(for_four), for_thirty_one


async def test_a_page_of_more_than_100_terms_is_refused(client: AsyncClient, group: Group) -> None:
    response = await client.get(group.url, params={"limit": 101}, headers=group.coordinator)

    assert_problem(response, 422, "validation-failed")


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
async def test_a_forged_terms_cursor_is_refused(client: AsyncClient, group: Group, cursor: str) -> None:
    response = await client.get(group.url, params={"cursor": cursor}, headers=group.coordinator)

    assert_problem(response, 422, "invalid-cursor")


async def test_another_groups_coordinator_is_refused_on_every_page(
    client: AsyncClient, session: AsyncSession, group: Group
) -> None:
    await add_terms(session, group.group, moments(3))
    first = await client.get(group.url, params={"limit": 1}, headers=group.coordinator)

    refused = await client.get(group.url, headers=group.other_coordinator)
    later = await client.get(group.url, params={"cursor": first.json()["next_cursor"]}, headers=group.other_coordinator)

    assert first.status_code == 200
    assert_problem(refused, 403, "not-producer-group-member")
    assert_problem(later, 403, "not-producer-group-member")
