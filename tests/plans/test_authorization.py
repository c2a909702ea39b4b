"""Who may draft, publish, close and read a producer group's plans: every route, every kind of caller.

Callers: `coordinator` and `co_coordinator` coordinate the group; `member` farms in one of its households;
`outsider` coordinates another producer group; `consumer` coordinates a consumer group."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.plans.models import PlanStatus
from tests.plans.builders import PlanCallers, assert_problem, create_plan, create_plan_callers, plan_count, stored_state

PLAN = {
    "season_name": "Cool season 2027",
    "season_starts_on": "2027-11-01",
    "season_ends_on": "2028-02-29",
    "currency": "THB",
    "items": [
        {
            "crop": "Kale",
            "unit": "kg",
            "max_quantity": "250",
            "harvest_from": "2027-12-01",
            "harvest_to": "2028-02-15",
        }
    ],
}


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> PlanCallers:
    return await create_plan_callers(session, settings)


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("consumer group's coordinator", "consumer", 403, "not-producer-coordinator"),
        ("user of another producer group", "outsider", 403, "not-producer-coordinator"),
        ("member farmer", "member", 403, "not-producer-coordinator"),
        ("co-coordinator", "co_coordinator", 201, None),
        ("coordinator", "coordinator", 201, None),
    ],
)
async def test_only_coordinators_draft_plans(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    caller: str | None,
    expected_status: int,
    code: str | None,
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/production-plans", json=PLAN, headers=callers.headers_for(caller)
    )

    if code is None:
        assert response.status_code == expected_status, response.text
        assert await plan_count(session) == 1
        return
    assert_problem(response, expected_status, code)
    assert await plan_count(session) == 0


# A draft is the group's own business, so a caller outside it is told it does not exist.
@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("consumer group's coordinator", "consumer", 404, "plan-not-found"),
        ("user of another producer group", "outsider", 404, "plan-not-found"),
        ("member farmer", "member", 403, "not-producer-coordinator"),
        ("coordinator", "coordinator", 200, None),
    ],
)
async def test_only_coordinators_publish_a_draft(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    caller: str | None,
    expected_status: int,
    code: str | None,
) -> None:
    plan = await create_plan(session, callers.group, status=PlanStatus.draft)

    response = await client.post(f"/v1/production-plans/{plan.id}/publish", headers=callers.headers_for(caller))

    if code is None:
        assert response.status_code == expected_status, response.text
        assert (await stored_state(session, plan.id))[0] == PlanStatus.published
        return
    assert_problem(response, expected_status, code)
    assert await stored_state(session, plan.id) == (PlanStatus.draft, None, None)


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("consumer group's coordinator", "consumer", 403, "not-producer-coordinator"),
        ("user of another producer group", "outsider", 403, "not-producer-coordinator"),
        ("member farmer", "member", 403, "not-producer-coordinator"),
        ("coordinator", "coordinator", 200, None),
    ],
)
async def test_only_coordinators_close_a_published_plan(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    caller: str | None,
    expected_status: int,
    code: str | None,
) -> None:
    plan = await create_plan(session, callers.group, status=PlanStatus.published)
    before = await stored_state(session, plan.id)

    response = await client.post(f"/v1/production-plans/{plan.id}/close", headers=callers.headers_for(caller))

    if code is None:
        assert response.status_code == expected_status, response.text
        assert (await stored_state(session, plan.id))[0] == PlanStatus.closed
        return
    assert_problem(response, expected_status, code)
    assert await stored_state(session, plan.id) == before


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("consumer group's coordinator", "consumer", 404),
        ("user of another producer group", "outsider", 404),
        ("member farmer", "member", 200),
        ("co-coordinator", "co_coordinator", 200),
        ("coordinator", "coordinator", 200),
    ],
)
async def test_a_draft_is_read_by_its_producer_group_alone(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    caller: str | None,
    expected_status: int,
) -> None:
    plan = await create_plan(session, callers.group, status=PlanStatus.draft)

    response = await client.get(f"/v1/production-plans/{plan.id}", headers=callers.headers_for(caller))

    assert response.status_code == expected_status
    if expected_status == 200:
        assert (response.json()["id"], response.json()["status"]) == (str(plan.id), "draft")
    else:
        assert_problem(response, expected_status, {401: "not-authenticated", 404: "plan-not-found"}[expected_status])


@pytest.mark.parametrize("status", [PlanStatus.published, PlanStatus.closed])
@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("consumer group's coordinator", "consumer", 200),
        ("user of another producer group", "outsider", 200),
        ("member farmer", "member", 200),
    ],
)
async def test_published_and_closed_plans_are_read_by_every_user(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    caller: str | None,
    expected_status: int,
    status: PlanStatus,
) -> None:
    plan = await create_plan(session, callers.group, status=status)

    response = await client.get(f"/v1/production-plans/{plan.id}", headers=callers.headers_for(caller))

    assert response.status_code == expected_status
    if expected_status == 200:
        assert response.json()["status"] == status
    else:
        assert_problem(response, 401, "not-authenticated")


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "statuses"),
    [
        ("anonymous", None, 401, None),
        ("consumer group's coordinator", "consumer", 200, [PlanStatus.published, PlanStatus.closed]),
        ("user of another producer group", "outsider", 200, [PlanStatus.published, PlanStatus.closed]),
        ("member farmer", "member", 200, list(PlanStatus)),
        ("coordinator", "coordinator", 200, list(PlanStatus)),
    ],
)
async def test_a_producer_groups_drafts_are_listed_for_the_group_alone(
    client: AsyncClient,
    session: AsyncSession,
    callers: PlanCallers,
    _case: str,
    caller: str | None,
    expected_status: int,
    statuses: list[PlanStatus] | None,
) -> None:
    for status in PlanStatus:
        await create_plan(session, callers.group, status=status)

    response = await client.get(
        f"/v1/producer-groups/{callers.group.id}/production-plans", headers=callers.headers_for(caller)
    )

    assert response.status_code == expected_status
    if statuses is None:
        assert_problem(response, 401, "not-authenticated")
        return
    assert sorted(plan["status"] for plan in response.json()["data"]) == sorted(statuses)


@pytest.mark.parametrize(
    ("_case", "caller"),
    [("anonymous", None), ("consumer group's coordinator", "consumer"), ("member farmer", "member")],
)
async def test_only_logged_in_users_browse_and_drafts_never_show(
    client: AsyncClient, session: AsyncSession, callers: PlanCallers, _case: str, caller: str | None
) -> None:
    await create_plan(session, callers.group, status=PlanStatus.draft)
    published = await create_plan(session, callers.group, status=PlanStatus.published)

    response = await client.get("/v1/production-plans", headers=callers.headers_for(caller))

    if caller is None:
        assert_problem(response, 401, "not-authenticated")
        return
    assert response.status_code == 200
    assert [plan["id"] for plan in response.json()["data"]] == [str(published.id)]
