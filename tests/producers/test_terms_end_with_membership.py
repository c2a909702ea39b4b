"""A producer-group coordinator whose farming household leaves stops coordinating: their approval of an
agreement version stops counting with their term, as any approval of a coordinator out of office."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core.config import Settings
from app.groups.models import Household
from app.producers.models import FarmingHousehold, ProducerCoordinator
from tests.agreements.builders import Partnership, create_partnership
from tests.factories import create_user
from tests.producers.builders import create_household, current_coordinator_ids


async def farming_coordinator(session: AsyncSession, partnership: Partnership, name: str) -> tuple[User, Household]:
    """A coordinator of the partnership's producer group who farms in a household of it."""
    user = await create_user(session, display_name=name)
    household = await create_household(session, user)
    group = partnership.producer_group
    session.add(FarmingHousehold(producer_group_id=group.id, household_id=household.id))
    session.add(ProducerCoordinator(producer_group_id=group.id, user_id=user.id, appointed_by=user.id))
    group.member_count += 1
    await session.flush()
    return user, household


async def accept(client: AsyncClient, partnership: Partnership, url: str, user: User) -> dict[str, Any]:
    response = await client.post(f"{url}/acceptances", json={"version": 1}, headers=partnership.headers(user))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_agreement_approval_stops_counting_once_its_coordinators_household_leaves(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    partnership = await create_partnership(session, settings)
    leaving, leaving_household = await farming_coordinator(session, partnership, "Arun")
    staying, _ = await farming_coordinator(session, partnership, "Boon")
    proposed = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)
    url = f"/v1/agreements/{proposed.json()['id']}"

    await accept(client, partnership, url, leaving)
    left = await client.delete(
        f"/v1/producer-groups/{partnership.producer_group.id}/members/{leaving_household.id}",
        headers=partnership.headers(leaving),
    )
    after_staying = await accept(client, partnership, url, staying)
    after_founder = await accept(client, partnership, url, partnership.producer_coordinator)

    assert left.status_code == 204, left.text
    assert leaving.id not in await current_coordinator_ids(session, partnership.producer_group.id)
    # Two coordinators remain, so two approvals are needed: the one who left no longer counts.
    assert after_staying["status"] == "proposed"
    assert [(a["user_id"], a["in_office"]) for a in after_staying["versions"][0]["approvals"]] == [
        (str(leaving.id), False),
        (str(staying.id), True),
    ]
    assert after_founder["status"] == "agreed"
