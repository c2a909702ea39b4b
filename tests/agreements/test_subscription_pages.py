"""An agreement's subscriptions, page by page: each once, in the order the shares were taken, in a
number of statements that does not grow with the page."""

from datetime import datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.agreements.models import Agreement, AgreementStatus, Subscription
from app.core.config import Settings
from app.core.db import utc_now
from tests.agreements.builders import Partnership, create_partnership, today
from tests.factories import auth_headers, coordinator_ids, create_group, create_household
from tests.groups.test_router import assert_problem
from tests.paging import FORGED_CURSORS, every_page, moments, page_and_statements


@pytest.fixture
async def partnership(session: AsyncSession, settings: Settings) -> Partnership:
    return await create_partnership(session, settings)


async def create_agreed_agreement(session: AsyncSession, partnership: Partnership, *, shares: int = 100) -> Agreement:
    """Agreed terms inserted directly, for tests about the many rows under an agreement, not its negotiation."""
    agreement = Agreement(
        production_plan_id=partnership.plan.id,
        consumer_group_id=partnership.consumer_group.id,
        producer_group_id=partnership.producer_group.id,
        currency="THB",
        status=AgreementStatus.agreed,
        agreed_version=1,
        shares=shares,
        total_price_minor=shares * 1_000_00,
        advance_due_on=today() + timedelta(days=20),
        agreed_at=utc_now(),
    )
    session.add(agreement)
    await session.flush()
    return agreement


async def add_subscriptions(
    session: AsyncSession, agreement: Agreement, taken_at: list[datetime]
) -> list[Subscription]:
    """One share each for new households, taken at the given times."""
    subscriptions = [
        Subscription(
            agreement_id=agreement.id,
            household_id=(await create_household(session)).id,
            shares=1,
            first_share=agreement.subscribed_shares + index,
            amount_due_minor=1_000_00,
            created_at=created_at,
        )
        for index, created_at in enumerate(taken_at)
    ]
    session.add_all(subscriptions)
    agreement.subscribed_shares += len(subscriptions)
    await session.flush()
    return subscriptions


def url_of(agreement: Agreement) -> str:
    return f"/v1/agreements/{agreement.id}/subscriptions"


async def test_subscriptions_come_page_by_page_each_once_in_the_order_they_were_taken(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await create_agreed_agreement(session, partnership)
    subscriptions = await add_subscriptions(session, agreement, moments(5))

    pages = await every_page(client, url_of(agreement), partnership.first, limit=2)

    assert [len(page["data"]) for page in pages] == [2, 2, 1]
    assert [page["has_more"] for page in pages] == [True, True, False]
    in_order = sorted(subscriptions, key=lambda subscription: (subscription.created_at, subscription.id))
    assert [row["id"] for page in pages for row in page["data"]] == [str(s.id) for s in in_order]
    assert {row["amount_due"] for page in pages for row in page["data"]} == {"1000.00"}


async def test_a_page_of_subscriptions_costs_as_many_statements_for_thirty_as_for_three(
    client: AsyncClient, session: AsyncSession, engine: AsyncEngine, partnership: Partnership
) -> None:
    agreement = await create_agreed_agreement(session, partnership)
    await add_subscriptions(session, agreement, moments(3))
    three, for_three = await page_and_statements(engine, client, url_of(agreement), partnership.first)
    await add_subscriptions(session, agreement, moments(27))

    thirty, for_thirty = await page_and_statements(engine, client, url_of(agreement), partnership.first)

    assert (len(three["data"]), len(thirty["data"])) == (3, 30)
    assert len(for_thirty) == len(for_three), for_thirty


async def test_a_page_of_more_than_100_subscriptions_is_refused(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await create_agreed_agreement(session, partnership)

    response = await client.get(url_of(agreement), params={"limit": 101}, headers=partnership.first)

    assert_problem(response, 422, "validation-failed")


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
async def test_a_forged_subscriptions_cursor_is_refused(
    client: AsyncClient, session: AsyncSession, partnership: Partnership, cursor: str
) -> None:
    agreement = await create_agreed_agreement(session, partnership)

    response = await client.get(url_of(agreement), params={"cursor": cursor}, headers=partnership.first)

    assert_problem(response, 422, "invalid-cursor")


async def test_another_groups_coordinator_sees_no_subscriptions_even_with_a_cursor(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await create_agreed_agreement(session, partnership)
    await add_subscriptions(session, agreement, moments(3))
    [other_coordinator_id] = await coordinator_ids(session, await create_group(session))
    outsider = auth_headers(partnership.settings, other_coordinator_id)
    cursor = (await client.get(url_of(agreement), params={"limit": 1}, headers=partnership.first)).json()["next_cursor"]

    first = await client.get(url_of(agreement), headers=outsider)
    later = await client.get(url_of(agreement), params={"cursor": cursor}, headers=outsider)

    assert_problem(first, 404, "agreement-not-found")
    assert_problem(later, 404, "agreement-not-found")
