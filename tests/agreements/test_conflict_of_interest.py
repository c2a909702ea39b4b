"""No one sits on both sides of an agreement: a user who coordinates, or belongs through a household to,
one of its groups never proposes, counter-proposes, accepts or approves for the other; and two groups
that share a coordinator in office make no agreement with each other."""

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.agreements.models import Agreement, AgreementVersion, Approval
from app.core.config import Settings
from app.groups.models import HouseholdMember, Membership
from app.producers.models import FarmingHousehold, ProducerCoordinator
from tests.agreements.builders import Partnership, agree, create_partnership, create_plan, today
from tests.groups.test_router import assert_problem
from tests.producers.builders import create_household


@pytest.fixture
async def partnership(session: AsyncSession, settings: Settings) -> Partnership:
    return await create_partnership(session, settings)


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def farm_in_producer_group(session: AsyncSession, partnership: Partnership, user: User) -> None:
    """The user joins a farming household of the agreement's producer group."""
    household = await create_household(session, user)
    session.add(FarmingHousehold(producer_group_id=partnership.producer_group.id, household_id=household.id))
    await session.flush()


async def eat_in_consumer_group(session: AsyncSession, partnership: Partnership, user: User) -> None:
    """The user joins one of the consumer group's member households."""
    household_id = await session.scalar(
        select(Membership.household_id).where(Membership.group_id == partnership.consumer_group.id).limit(1)
    )
    assert household_id is not None
    session.add(HouseholdMember(household_id=household_id, user_id=user.id))
    await session.flush()


async def coordinate_producer_group(session: AsyncSession, partnership: Partnership, user: User) -> None:
    session.add(
        ProducerCoordinator(producer_group_id=partnership.producer_group.id, user_id=user.id, appointed_by=user.id)
    )
    await session.flush()


def assert_conflict(response: Any, *naming: str) -> None:
    assert_problem(response, 409, "conflict-of-interest")
    for text in naming:
        assert text in response.json()["detail"]


async def propose(client: AsyncClient, partnership: Partnership) -> str:
    response = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)
    assert response.status_code == 201, response.text
    agreement_id: str = response.json()["id"]
    return agreement_id


async def test_a_consumer_coordinator_who_farms_in_the_producer_group_cannot_propose(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    await farm_in_producer_group(session, partnership, partnership.consumer_coordinators[0])

    refused = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)

    assert_conflict(refused, "farming household", partnership.producer_group.name)
    assert (await count(session, Agreement), await count(session, AgreementVersion)) == (0, 0)


async def test_a_user_who_coordinates_both_groups_cannot_propose(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    await coordinate_producer_group(session, partnership, partnership.consumer_coordinators[0])

    refused = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)

    assert_conflict(refused, "You coordinate", partnership.producer_group.name)
    assert (await count(session, Agreement), await count(session, AgreementVersion)) == (0, 0)


async def test_groups_that_share_a_coordinator_in_office_make_no_agreement(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    # The proposer sits on one side only; the second coordinator of the consumer group also coordinates
    # the producer group.
    shared = partnership.consumer_coordinators[1]
    await coordinate_producer_group(session, partnership, shared)

    refused = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)

    assert_conflict(refused, shared.display_name, "share a coordinator")
    assert (await count(session, Agreement), await count(session, AgreementVersion)) == (0, 0)


async def test_a_coordinator_whose_term_ended_no_longer_blocks_a_proposal(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    shared = partnership.consumer_coordinators[1]
    await coordinate_producer_group(session, partnership, shared)
    term = await session.scalar(select(ProducerCoordinator).where(ProducerCoordinator.user_id == shared.id))
    assert term is not None
    term.ended_at = term.appointed_at
    term.ended_by = shared.id
    await session.flush()

    proposed = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)

    assert proposed.status_code == 201, proposed.text


async def test_a_renewal_between_groups_that_now_share_a_coordinator_is_refused(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership)
    next_plan = await create_plan(session, partnership.producer_group, season_name="Dry season 2028")
    await coordinate_producer_group(session, partnership, partnership.consumer_coordinators[1])
    agreements_before = await count(session, Agreement)

    refused = await client.post(
        f"/v1/agreements/{agreement['id']}/renewals",
        json={"production_plan_id": str(next_plan.id), "advance_due_on": (today() + timedelta(days=25)).isoformat()},
        headers=partnership.first,
    )

    assert_conflict(refused, partnership.consumer_coordinators[1].display_name)
    assert await count(session, Agreement) == agreements_before


async def test_a_producer_coordinator_who_eats_in_the_consumer_group_cannot_counter_propose(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement_id = await propose(client, partnership)
    await eat_in_consumer_group(session, partnership, partnership.producer_coordinator)

    refused = await client.post(
        f"/v1/agreements/{agreement_id}/counter-proposals",
        json={"version": 1, **partnership.terms(rice="250.000")},
        headers=partnership.producer,
    )

    assert_conflict(refused, "member household", partnership.consumer_group.name)
    assert refused.json()["acting_for"] == "producer"
    assert await count(session, AgreementVersion) == 1
    current = await client.get(f"/v1/agreements/{agreement_id}", headers=partnership.first)
    assert [v["status"] for v in current.json()["versions"]] == ["open"]


async def test_a_producer_coordinator_who_eats_in_the_consumer_group_cannot_accept(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement_id = await propose(client, partnership)
    await eat_in_consumer_group(session, partnership, partnership.producer_coordinator)

    refused = await client.post(
        f"/v1/agreements/{agreement_id}/acceptances", json={"version": 1}, headers=partnership.producer
    )

    assert_conflict(refused, "member household", partnership.consumer_group.name)
    assert await count(session, Approval) == 0
    current = await client.get(f"/v1/agreements/{agreement_id}", headers=partnership.first)
    assert (current.json()["status"], current.json()["agreed_version"]) == ("proposed", None)


async def test_a_consumer_coordinator_who_farms_in_the_producer_group_cannot_approve(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement_id = await propose(client, partnership)
    url = f"/v1/agreements/{agreement_id}"
    countered = await client.post(
        f"{url}/counter-proposals",
        json={"version": 1, **partnership.terms(rice="250.000")},
        headers=partnership.producer,
    )
    assert countered.status_code == 201, countered.text
    await farm_in_producer_group(session, partnership, partnership.consumer_coordinators[1])

    refused = await client.post(f"{url}/acceptances", json={"version": 2}, headers=partnership.second)

    assert_conflict(refused, "farming household", partnership.producer_group.name)
    assert refused.json()["acting_for"] == "consumer"
    assert await count(session, Approval) == 0
    # The coordinator who sits on one side only still approves.
    approved = await client.post(f"{url}/acceptances", json={"version": 2}, headers=partnership.first)
    assert approved.status_code == 200, approved.text
    assert approved.json()["versions"][1]["status"] == "awaiting_approval"
    assert await count(session, Approval) == 1


async def test_a_user_who_coordinates_both_groups_cannot_answer_for_either_side(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    # Appointed to the producer group after the proposal: the groups now share a coordinator.
    agreement_id = await propose(client, partnership)
    await coordinate_producer_group(session, partnership, partnership.consumer_coordinators[1])
    url = f"/v1/agreements/{agreement_id}"

    counter = await client.post(
        f"{url}/counter-proposals", json={"version": 1, **partnership.terms()}, headers=partnership.second
    )
    accept = await client.post(f"{url}/acceptances", json={"version": 1}, headers=partnership.second)

    assert_conflict(counter, "You coordinate the consumer group")
    assert_conflict(accept, "You coordinate the consumer group")
    assert (await count(session, AgreementVersion), await count(session, Approval)) == (1, 0)


async def test_ordinary_coordinators_still_negotiate_and_renew(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership)
    next_plan = await create_plan(session, partnership.producer_group, season_name="Dry season 2028")

    renewal = await client.post(
        f"/v1/agreements/{agreement['id']}/renewals",
        json={"production_plan_id": str(next_plan.id), "advance_due_on": (today() + timedelta(days=25)).isoformat()},
        headers=partnership.first,
    )

    assert renewal.status_code == 201, renewal.text
    assert await count(session, Agreement) == 2
