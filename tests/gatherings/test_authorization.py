"""Who may post events, see them, sign up and see who comes: every route, every kind of caller."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.gatherings.models import Gathering, GatheringKind
from tests.gatherings.builders import (
    Callers,
    create_callers,
    create_gathering,
    gathering_count,
    signup_rows,
    stored_signup_count,
)

PROBLEM = "application/problem+json"


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    return await create_callers(session, settings)


async def private_meeting(session: AsyncSession, callers: Callers) -> Gathering:
    """A meeting of `consumer_group`, for its members and coordinators alone."""
    return await create_gathering(
        session, posted_by=callers.user("consumer_coordinator"), consumer_group=callers.consumer_group
    )


@pytest.mark.parametrize(
    ("_case", "host", "caller", "expected_status", "expected_code"),
    [
        ("anonymous", "consumer", None, 401, "not-authenticated"),
        ("stranger", "consumer", "stranger", 403, "not-host-coordinator"),
        ("coordinator of another group", "consumer", "other_coordinator", 403, "not-host-coordinator"),
        ("member of the host group", "consumer", "consumer_member", 403, "not-host-coordinator"),
        ("partner producer coordinator", "consumer", "producer_coordinator", 403, "not-host-coordinator"),
        ("coordinator of the host group", "consumer", "consumer_coordinator", 201, None),
        ("farmer of the host group", "producer", "producer_member", 403, "not-host-coordinator"),
        ("partner consumer coordinator", "producer", "consumer_coordinator", 403, "not-host-coordinator"),
        ("coordinator of the producer group", "producer", "producer_coordinator", 201, None),
    ],
)
async def test_only_a_coordinator_of_the_host_group_posts_an_event(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    host: str,
    caller: str | None,
    expected_status: int,
    expected_code: str | None,
) -> None:
    host_ids = {
        "consumer": {"consumer_group_id": str(callers.consumer_group.id)},
        "producer": {"producer_group_id": str(callers.producer_group.id)},
    }
    body = {
        "kind": "meeting",
        "title": "Season review",
        "starts_at": "2030-01-10T18:00:00+07:00",
        "ends_at": "2030-01-10T20:00:00+07:00",
        "location": "Temple hall",
        "host": host_ids[host],
    }

    response = await client.post("/v1/gatherings", json=body, headers=callers.headers_for(caller))

    assert response.status_code == expected_status, response.text
    if expected_code is None:
        assert await gathering_count(session) == 1
    else:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == expected_code
        assert await gathering_count(session) == 0


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("stranger", "stranger", 404),
        ("member of another group", "other_member", 404),
        ("coordinator of another group", "other_coordinator", 404),
        ("farmer of a partner producer group", "producer_member", 404),
        ("coordinator of a partner producer group", "producer_coordinator", 404),
        ("member", "consumer_member", 200),
        ("member of both kinds of group", "both", 200),
        ("coordinator", "consumer_coordinator", 200),
    ],
)
async def test_a_private_event_is_seen_by_its_group_alone(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, caller: str | None, expected_status: int
) -> None:
    meeting = await private_meeting(session, callers)

    response = await client.get(f"/v1/gatherings/{meeting.id}", headers=callers.headers_for(caller))

    assert response.status_code == expected_status
    if expected_status == 200:
        assert response.json()["id"] == str(meeting.id)
    else:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == ("not-authenticated" if caller is None else "event-not-found")


@pytest.mark.parametrize("caller", ["stranger", "other_member", "producer_member", "consumer_member"])
async def test_an_event_open_to_all_is_seen_by_every_user(
    client: AsyncClient, session: AsyncSession, callers: Callers, caller: str
) -> None:
    training = await create_gathering(
        session,
        posted_by=callers.user("consumer_coordinator"),
        consumer_group=callers.consumer_group,
        kind=GatheringKind.learning,
        open_to_all=True,
    )

    response = await client.get(f"/v1/gatherings/{training.id}", headers=callers.headers_for(caller))

    assert response.status_code == 200
    assert response.json()["id"] == str(training.id)


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "expected_code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("stranger", "stranger", 404, "event-not-found"),
        ("member of another group", "other_member", 404, "event-not-found"),
        ("coordinator of a partner producer group", "producer_coordinator", 404, "event-not-found"),
        ("member", "consumer_member", 201, None),
        ("coordinator", "consumer_coordinator", 201, None),
    ],
)
async def test_only_the_group_signs_up_for_its_private_event(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
    expected_code: str | None,
) -> None:
    meeting = await private_meeting(session, callers)

    response = await client.post(f"/v1/gatherings/{meeting.id}/signups", json={}, headers=callers.headers_for(caller))

    assert response.status_code == expected_status
    if expected_code is None:
        assert await signup_rows(session, meeting.id) == [callers.user(caller or "").id]
    else:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == expected_code
        assert await signup_rows(session, meeting.id) == []
        assert await stored_signup_count(session, meeting.id) == 0


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "expected_code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("member of another group", "other_member", 404, "event-not-found"),
        ("member without a signup", "consumer_member", 404, "signup-not-found"),
    ],
)
async def test_nobody_withdraws_anyone_elses_signup(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
    expected_code: str,
) -> None:
    meeting = await private_meeting(session, callers)
    signed_up = await client.post(
        f"/v1/gatherings/{meeting.id}/signups", json={}, headers=callers.headers_for("consumer_coordinator")
    )
    assert signed_up.status_code == 201

    response = await client.delete(f"/v1/gatherings/{meeting.id}/signups/me", headers=callers.headers_for(caller))

    assert response.status_code == expected_status
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == expected_code
    assert await signup_rows(session, meeting.id) == [callers.user("consumer_coordinator").id]
    assert await stored_signup_count(session, meeting.id) == 1


@pytest.mark.parametrize(
    ("_case", "open_to_all", "caller", "expected_status", "expected_code"),
    [
        ("anonymous", False, None, 401, "not-authenticated"),
        ("member of another group, private event", False, "other_member", 404, "event-not-found"),
        ("partner coordinator, private event", False, "producer_coordinator", 404, "event-not-found"),
        ("stranger, open event", True, "stranger", 403, "not-host-coordinator"),
        ("partner coordinator, open event", True, "producer_coordinator", 403, "not-host-coordinator"),
        ("member of the host group", False, "consumer_member", 403, "not-host-coordinator"),
        ("coordinator of the host group", False, "consumer_coordinator", 200, None),
        ("coordinator of the host group, open event", True, "consumer_coordinator", 200, None),
    ],
)
async def test_only_the_host_coordinators_see_who_signed_up(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    open_to_all: bool,
    caller: str | None,
    expected_status: int,
    expected_code: str | None,
) -> None:
    gathering = await create_gathering(
        session,
        posted_by=callers.user("consumer_coordinator"),
        consumer_group=callers.consumer_group,
        open_to_all=open_to_all,
    )
    await client.post(f"/v1/gatherings/{gathering.id}/signups", json={}, headers=callers.headers_for("consumer_member"))

    response = await client.get(f"/v1/gatherings/{gathering.id}/signups", headers=callers.headers_for(caller))

    assert response.status_code == expected_status
    if expected_code is None:
        assert [signup["user_id"] for signup in response.json()["data"]] == [str(callers.user("consumer_member").id)]
    else:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == expected_code


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("farmer of the host group", "producer_member", 403),
        ("coordinator of the host group", "producer_coordinator", 200),
        ("partner consumer coordinator", "consumer_coordinator", 404),
    ],
)
async def test_a_producer_groups_coordinators_see_who_signed_up_for_its_farm_visit(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, caller: str, expected_status: int
) -> None:
    visit = await create_gathering(
        session,
        posted_by=callers.user("producer_coordinator"),
        producer_group=callers.producer_group,
        kind=GatheringKind.farm_visit,
    )

    response = await client.get(f"/v1/gatherings/{visit.id}/signups", headers=callers.headers_for(caller))

    assert response.status_code == expected_status
