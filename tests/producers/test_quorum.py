"""A producer group's approval quorum: read like a consumer group's, raised directly by a coordinator,
never lowered by one (that needs a motion)."""

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.producers.models import ProducerGroup
from tests.producers.builders import Callers, create_callers
from tests.producers.test_router import assert_problem


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    return await create_callers(session, settings)


async def stored_quorum(session: AsyncSession, callers: Callers) -> int | None:
    return await session.scalar(select(ProducerGroup.approval_quorum).where(ProducerGroup.id == callers.group.id))


async def add_third_coordinator(client: AsyncClient, callers: Callers) -> None:
    appointed = await client.post(
        f"/v1/producer-groups/{callers.group.id}/coordinators",
        json={"user_id": str(callers.member.id)},
        headers=callers.headers_for("coordinator"),
    )
    assert appointed.status_code == 201, appointed.text


async def patch(client: AsyncClient, callers: Callers, quorum: int | None, *, caller: str = "coordinator") -> Response:
    url = f"/v1/producer-groups/{callers.group.id}"
    headers = callers.headers_for(caller)
    etag = (await client.get(url, headers=headers)).headers["etag"]
    return await client.patch(url, json={"approval_quorum": quorum}, headers={**headers, "If-Match": etag})


async def test_the_read_shows_the_effective_quorum_of_the_coordinators_in_office(
    client: AsyncClient, callers: Callers
) -> None:
    response = await client.get(f"/v1/producer-groups/{callers.group.id}", headers=callers.headers_for("outsider"))

    assert response.status_code == 200
    assert (response.json()["coordinator_count"], response.json()["approval_quorum"]) == (2, 2)


async def test_a_coordinator_raises_the_quorum_within_the_coordinators(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    await add_third_coordinator(client, callers)

    too_high = await patch(client, callers, 4)
    raised = await patch(client, callers, 3)

    assert_problem(too_high, 409, "quorum-above-coordinators")
    assert raised.status_code == 200
    assert raised.json()["approval_quorum"] == 3
    assert await stored_quorum(session, callers) == 3


@pytest.mark.parametrize("lower", [1, None], ids=["to one", "back to the default of two"])
async def test_lowering_the_quorum_needs_a_motion_and_changes_nothing(
    client: AsyncClient, session: AsyncSession, callers: Callers, lower: int | None
) -> None:
    await add_third_coordinator(client, callers)
    assert (await patch(client, callers, 3)).status_code == 200

    lowered = await patch(client, callers, lower)

    assert_problem(lowered, 409, "quorum-lowering-needs-motion")
    assert "agreement" in lowered.json()["detail"]
    assert await stored_quorum(session, callers) == 3


async def test_lowering_from_the_default_rule_is_refused_too(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    lowered = await patch(client, callers, 1)

    assert_problem(lowered, 409, "quorum-lowering-needs-motion")
    assert await stored_quorum(session, callers) is None


async def test_choosing_what_the_default_rule_gives_already_is_direct(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    chosen = await patch(client, callers, 2)
    cleared = await patch(client, callers, None)

    assert (chosen.status_code, cleared.status_code) == (200, 200)
    assert cleared.json()["approval_quorum"] == 2
    assert await stored_quorum(session, callers) is None


@pytest.mark.parametrize("caller", ["member", "outsider"])
async def test_only_a_coordinator_sets_the_quorum(client: AsyncClient, callers: Callers, caller: str) -> None:
    response = await patch(client, callers, 2, caller=caller)

    assert_problem(response, 403, "not-producer-coordinator")


async def test_a_stale_etag_is_refused(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    url = f"/v1/producer-groups/{callers.group.id}"
    headers = callers.headers_for("coordinator")
    etag = (await client.get(url, headers=headers)).headers["etag"]
    await add_third_coordinator(client, callers)

    stale = await client.patch(url, json={"approval_quorum": 3}, headers={**headers, "If-Match": etag})

    assert_problem(stale, 412, "precondition-failed")
    assert await stored_quorum(session, callers) is None
