"""Acceptance on either side takes the side's quorum of coordinators in office; an approval stops
counting once its coordinator leaves office, and the approvers are shown to both groups alone."""

import asyncio
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.models import User
from app.agreements.models import AgreementVersion, Approval
from app.core.config import Settings
from app.groups.models import ConsumerGroup
from app.plans.models import PlanItem
from app.producers.models import ProducerCoordinator
from tests.agreements.builders import Partnership, create_partnership
from tests.factories import auth_headers, create_user
from tests.groups.test_router import assert_problem


async def with_producer_coordinators(session: AsyncSession, partnership: Partnership, count: int) -> list[User]:
    """The producer group's coordinators in office, the partnership's own first, `count` in all."""
    others = [await create_user(session, display_name=f"Producer {n}") for n in range(2, count + 1)]
    session.add_all(
        ProducerCoordinator(
            producer_group_id=partnership.producer_group.id,
            user_id=user.id,
            appointed_by=partnership.producer_coordinator.id,
        )
        for user in others
    )
    await session.flush()
    return [partnership.producer_coordinator, *others]


async def proposed_by_consumers(client: AsyncClient, partnership: Partnership) -> str:
    """Consumers propose version 1, so the producer side is the one to accept it."""
    response = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)
    assert response.status_code == 201, response.text
    return f"/v1/agreements/{response.json()['id']}"


async def accept(client: AsyncClient, partnership: Partnership, url: str, user: User) -> dict[str, Any]:
    response = await client.post(f"{url}/acceptances", json={"version": 1}, headers=partnership.headers(user))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def version_one(agreement: dict[str, Any]) -> dict[str, Any]:
    first: dict[str, Any] = agreement["versions"][0]
    return first


@pytest.fixture
async def partnership(session: AsyncSession, settings: Settings) -> Partnership:
    return await create_partnership(session, settings)


async def test_two_producer_coordinators_both_approve_before_the_terms_are_agreed(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    first, second = await with_producer_coordinators(session, partnership, 2)
    url = await proposed_by_consumers(client, partnership)

    after_first = await accept(client, partnership, url, first)
    repeated = await client.post(f"{url}/acceptances", json={"version": 1}, headers=partnership.headers(first))
    after_second = await accept(client, partnership, url, second)

    assert (after_first["status"], version_one(after_first)["status"]) == ("proposed", "awaiting_approval")
    assert (after_first["approval_quorum"], after_first["producer_approval_quorum"]) == (2, 2)
    assert_problem(repeated, 409, "already-approved")
    assert (after_second["status"], after_second["agreed_version"]) == ("agreed", 1)
    assert [
        (a["side"], a["user_id"], a["display_name"], a["in_office"]) for a in version_one(after_second)["approvals"]
    ] == [
        ("producer", str(first.id), first.display_name, True),
        ("producer", str(second.id), second.display_name, True),
    ]


async def test_an_approval_stops_counting_once_its_coordinator_leaves_office(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    first, second, third = await with_producer_coordinators(session, partnership, 3)
    url = await proposed_by_consumers(client, partnership)

    await accept(client, partnership, url, first)
    stepped_down = await client.delete(
        f"/v1/producer-groups/{partnership.producer_group.id}/coordinators/{first.id}",
        headers=partnership.headers(first),
    )
    after_second = await accept(client, partnership, url, second)
    after_third = await accept(client, partnership, url, third)

    assert stepped_down.status_code == 200, stepped_down.text
    # Two coordinators remain, so two approvals are needed: the first one no longer counts.
    assert (after_second["status"], version_one(after_second)["status"]) == ("proposed", "awaiting_approval")
    assert [(a["user_id"], a["in_office"]) for a in version_one(after_second)["approvals"]] == [
        (str(first.id), False),
        (str(second.id), True),
    ]
    assert (after_third["status"], version_one(after_third)["status"]) == ("agreed", "accepted")


async def test_the_approvers_are_shown_to_both_groups_and_to_no_one_else(
    client: AsyncClient, session: AsyncSession, settings: Settings, partnership: Partnership
) -> None:
    first, second = await with_producer_coordinators(session, partnership, 2)
    outsider = await create_user(session)
    url = await proposed_by_consumers(client, partnership)
    await accept(client, partnership, url, first)

    by_consumers = await client.get(url, headers=partnership.first)
    by_producers = await client.get(url, headers=partnership.headers(second))
    by_outsider = await client.get(url, headers=auth_headers(settings, outsider.id))

    for response in (by_consumers, by_producers):
        assert response.status_code == 200
        [approval] = version_one(response.json())["approvals"]
        assert (approval["side"], approval["user_id"], approval["display_name"], approval["in_office"]) == (
            "producer",
            str(first.id),
            first.display_name,
            True,
        )
        assert approval["approved_at"] == approval["created_at"]
    assert_problem(by_outsider, 404, "agreement-not-found")


async def test_lowering_the_consumer_quorum_alone_is_refused_and_acceptance_still_needs_two(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    group_url = f"/v1/consumer-groups/{partnership.consumer_group.id}"
    etag = (await client.get(group_url, headers=partnership.first)).headers["etag"]
    proposed = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)
    url = f"/v1/agreements/{proposed.json()['id']}"
    countered = await client.post(
        f"{url}/counter-proposals",
        json={"version": 1, **partnership.terms(rice="250.000")},
        headers=partnership.producer,
    )
    assert countered.status_code == 201, countered.text

    lowered = await client.patch(
        group_url, json={"approval_quorum": 1}, headers={**partnership.first, "If-Match": etag}
    )
    accepted = await client.post(f"{url}/acceptances", json={"version": 2}, headers=partnership.first)

    assert_problem(lowered, 409, "quorum-lowering-needs-motion")
    assert "agreement" in lowered.json()["detail"]
    stored = await session.scalar(
        select(ConsumerGroup.approval_quorum).where(ConsumerGroup.id == partnership.consumer_group.id)
    )
    assert stored is None
    assert (await client.get(group_url, headers=partnership.first)).json()["approval_quorum"] == 2
    assert accepted.json()["versions"][1]["status"] == "awaiting_approval"


async def test_two_producer_coordinators_giving_the_last_approval_at_once_agree_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        partnership = await create_partnership(session, settings)
        first, second, third = await with_producer_coordinators(session, partnership, 3)
    url = await proposed_by_consumers(committing_client, partnership)
    await accept(committing_client, partnership, url, first)
    # Warm the pool, so the approvals below really run side by side.
    await asyncio.gather(*[committing_client.get("/healthz") for _ in range(2)], committing_client.get("/readyz"))

    responses = await asyncio.gather(
        *[
            committing_client.post(f"{url}/acceptances", json={"version": 1}, headers=partnership.headers(user))
            for user in (second, third)
        ]
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    [refused] = [r for r in responses if r.status_code == 409]
    assert refused.json()["code"] == "nothing-to-accept"
    async with committing_session_factory() as session:
        version = await session.scalar(select(AgreementVersion))
        assert version is not None
        approvals = await session.scalar(
            select(func.count()).select_from(Approval).where(Approval.version_id == version.id)
        )
        committed = await session.scalar(select(PlanItem.committed_base).where(PlanItem.id == partnership.items[0].id))
        assert (version.status, approvals, committed) == ("accepted", 2, 300_000)
