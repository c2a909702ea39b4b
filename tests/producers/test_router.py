import asyncio
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.http import etag_for
from app.producers.models import Certification, ProducerCoordinator, ProducerGroup
from app.producers.schemas import ProducerGroupRead
from tests.factories import auth_headers, create_user
from tests.producers.builders import (
    Callers,
    certification_count,
    create_callers,
    create_certification,
    create_household,
    create_producer_group,
    current_coordinator_ids,
    member_rows,
    stored_member_count,
)


def assert_problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def today() -> datetime:
    return datetime.now(UTC)


def date_from_today(days: int) -> date:
    return (today() + timedelta(days=days)).date()


async def group_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ProducerGroup)) or 0)


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    return await create_callers(session, settings)


# Producer groups


async def test_founding_a_producer_group_makes_the_founder_its_coordinator(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    founder = await create_user(session)
    body = {"name": "Mae Tha Organic Farmers", "legal_form": "cooperative", "country": "TH", "region": "Chiang Mai"}

    response = await client.post("/v1/producer-groups", json=body, headers=auth_headers(settings, founder.id))

    assert response.status_code == 201
    created = response.json()
    assert created == {
        **body,
        "id": created["id"],
        "member_count": 0,
        "coordinator_count": 1,
        "approval_quorum": 1,
        "created_at": created["created_at"],
    }
    assert abs(datetime.fromisoformat(created["created_at"]) - today()) < timedelta(minutes=1)
    terms = (await session.scalars(select(ProducerCoordinator))).all()
    assert [(str(term.producer_group_id), term.user_id, term.appointed_by, term.ended_at) for term in terms] == [
        (created["id"], founder.id, founder.id, None)
    ]


@pytest.mark.parametrize(
    ("_case", "changes"),
    [
        ("NUL byte in the name", {"name": "Mae\x00Tha"}),
        ("NUL byte in the region", {"region": "Chiang\x00Mai"}),
        ("unknown country", {"country": "XX"}),
        ("lower-case country", {"country": "th"}),
        ("unknown legal form", {"legal_form": "company"}),
        ("blank name", {"name": "   "}),
        ("unknown field", {"member_count": 3}),
    ],
)
async def test_invalid_producer_group_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, changes: dict[str, object]
) -> None:
    founder = await create_user(session)
    body = {"name": "Mae Tha", "legal_form": "cooperative", "country": "TH", "region": "Chiang Mai", **changes}

    response = await client.post("/v1/producer-groups", json=body, headers=auth_headers(settings, founder.id))

    assert_problem(response, 422, "validation-failed")
    assert await group_count(session) == 0


async def test_producer_group_is_read_with_an_etag_that_follows_its_changes(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    url = f"/v1/producer-groups/{callers.group.id}"
    headers = callers.headers_for("outsider")

    first = await client.get(url, headers=headers)
    again = await client.get(url, headers=headers)
    await client.post(
        f"{url}/members",
        json={"household_id": str((await create_household(session)).id)},
        headers=callers.headers_for("coordinator"),
    )
    after_admission = await client.get(url, headers=headers)

    assert first.status_code == 200
    assert first.json() == ProducerGroupRead.model_validate(callers.group).model_dump(mode="json")
    assert first.json()["member_count"] == 2
    assert first.headers["etag"] == again.headers["etag"] == etag_for(ProducerGroupRead.model_validate(first.json()))
    assert after_admission.json()["member_count"] == 3
    assert after_admission.headers["etag"] != first.headers["etag"]


async def test_unknown_producer_group_is_not_found(client: AsyncClient, callers: Callers) -> None:
    response = await client.get(f"/v1/producer-groups/{uuid4()}", headers=callers.headers_for("member"))

    assert_problem(response, 404, "producer-group-not-found")


async def test_producer_groups_are_listed_page_by_page(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    groups = [await create_producer_group(session, coordinators=[user]) for _ in range(3)]
    expected = [str(group.id) for group in sorted(groups, key=lambda group: (group.created_at, group.id))]
    headers = auth_headers(settings, user.id)

    first = await client.get("/v1/producer-groups", params={"limit": 2}, headers=headers)
    second = await client.get(
        "/v1/producer-groups", params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers
    )

    assert first.status_code == second.status_code == 200
    assert [group["id"] for group in first.json()["data"]] == expected[:2]
    assert first.json()["has_more"] is True
    assert isinstance(first.json()["next_cursor"], str)
    assert [group["id"] for group in second.json()["data"]] == expected[2:]
    assert second.json()["has_more"] is False
    assert second.json()["next_cursor"] is None


async def test_producer_groups_are_filtered_by_country(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    vietnamese = await create_producer_group(session, coordinators=[user], country="VN")
    await create_producer_group(session, coordinators=[user], country="TH")

    response = await client.get(
        "/v1/producer-groups", params={"country": "VN"}, headers=auth_headers(settings, user.id)
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": [ProducerGroupRead.model_validate(vietnamese).model_dump(mode="json")],
        "has_more": False,
        "next_cursor": None,
    }


async def test_a_tampered_cursor_is_refused(client: AsyncClient, callers: Callers) -> None:
    response = await client.get(
        "/v1/producer-groups", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=callers.headers_for("member")
    )

    assert_problem(response, 422, "invalid-cursor")


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [("anonymous", None, 401), ("user of another producer group", "outsider", 200), ("member", "member", 200)],
)
async def test_producer_group_profiles_are_for_logged_in_users(
    client: AsyncClient, callers: Callers, _case: str, caller: str | None, expected_status: int
) -> None:
    headers = callers.headers_for(caller)

    responses = [
        await client.get("/v1/producer-groups", headers=headers),
        await client.get(f"/v1/producer-groups/{callers.group.id}", headers=headers),
        await client.get(f"/v1/producer-groups/{callers.group.id}/certifications", headers=headers),
    ]

    for response in responses:
        assert response.status_code == expected_status
        if expected_status == 401:
            assert_problem(response, 401, "not-authenticated")


# Farming households


async def test_a_coordinator_admits_a_farming_household(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    household = await create_household(session, await create_user(session), name="Ban Rai farm")

    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/members",
        json={"household_id": str(household.id)},
        headers=callers.headers_for("coordinator"),
    )

    assert response.status_code == 201
    assert response.json() == {
        "producer_group_id": str(callers.group.id),
        "household_id": str(household.id),
        "household_name": "Ban Rai farm",
        "created_at": response.json()["created_at"],
    }
    assert await member_rows(session, callers.group.id) == 3
    assert await stored_member_count(session, callers.group.id) == 3


async def test_admitting_an_unknown_household_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/members",
        json={"household_id": str(uuid4())},
        headers=callers.headers_for("coordinator"),
    )

    assert_problem(response, 404, "household-not-found")
    assert await member_rows(session, callers.group.id) == 2
    assert await stored_member_count(session, callers.group.id) == 2


async def test_admitting_a_member_household_again_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/members",
        json={"household_id": str(callers.member_household.id)},
        headers=callers.headers_for("coordinator"),
    )

    assert_problem(response, 409, "already-member")
    assert await member_rows(session, callers.group.id) == 2
    assert await stored_member_count(session, callers.group.id) == 2


async def test_admitting_into_an_unknown_producer_group_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{uuid4()}/members",
        json={"household_id": str(callers.member_household.id)},
        headers=callers.headers_for("coordinator"),
    )

    assert_problem(response, 404, "producer-group-not-found")
    assert await member_rows(session, callers.group.id) == 2


async def test_member_households_are_listed_page_by_page(client: AsyncClient, callers: Callers) -> None:
    url = f"/v1/producer-groups/{callers.group.id}/members"
    headers = callers.headers_for("member")

    first = await client.get(url, params={"limit": 1}, headers=headers)
    second = await client.get(url, params={"limit": 1, "cursor": first.json()["next_cursor"]}, headers=headers)

    assert first.status_code == second.status_code == 200
    listed = first.json()["data"] + second.json()["data"]
    assert [(row["household_id"], row["household_name"]) for row in listed] == [
        (str(callers.member_household.id), callers.member_household.name),
        (str(callers.co_coordinator_household.id), callers.co_coordinator_household.name),
    ]
    assert set(listed[0]) == {"producer_group_id", "household_id", "household_name", "created_at"}
    assert (first.json()["has_more"], second.json()["has_more"]) == (True, False)
    assert second.json()["next_cursor"] is None


async def test_a_household_may_always_leave(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    response = await client.delete(
        f"/v1/producer-groups/{callers.group.id}/members/{callers.member_household.id}",
        headers=callers.headers_for("member"),
    )

    assert response.status_code == 204
    assert response.content == b""
    assert await member_rows(session, callers.group.id) == 1
    assert await stored_member_count(session, callers.group.id) == 1


async def test_removing_a_household_that_is_not_a_member_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    stranger = await create_household(session)

    response = await client.delete(
        f"/v1/producer-groups/{callers.group.id}/members/{stranger.id}", headers=callers.headers_for("coordinator")
    )

    assert_problem(response, 404, "membership-not-found")
    assert await member_rows(session, callers.group.id) == 2
    assert await stored_member_count(session, callers.group.id) == 2


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("user of another producer group", "outsider", 403),
        ("member household's user", "member", 403),
        ("coordinator", "coordinator", 201),
    ],
)
async def test_only_coordinators_admit_households(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
) -> None:
    newcomer = await create_household(session)

    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/members",
        json={"household_id": str(newcomer.id)},
        headers=callers.headers_for(caller),
    )

    assert response.status_code == expected_status
    if expected_status == 201:
        assert await member_rows(session, callers.group.id) == 3
        return
    assert_problem(
        response, expected_status, {401: "not-authenticated", 403: "not-producer-coordinator"}[expected_status]
    )
    assert await member_rows(session, callers.group.id) == 2
    assert await stored_member_count(session, callers.group.id) == 2


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("user of another producer group", "outsider", 403),
        ("member household's user", "member", 200),
        ("coordinator", "coordinator", 200),
    ],
)
async def test_member_households_are_for_the_group_alone(
    client: AsyncClient, callers: Callers, _case: str, caller: str | None, expected_status: int
) -> None:
    response = await client.get(f"/v1/producer-groups/{callers.group.id}/members", headers=callers.headers_for(caller))

    assert response.status_code == expected_status
    if expected_status == 200:
        assert len(response.json()["data"]) == 2
    else:
        code = {401: "not-authenticated", 403: "not-producer-group-member"}[expected_status]
        assert_problem(response, expected_status, code)


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("user of another producer group", "outsider", 403),
        # The group's decisions need two approvals: a coordinator removes another household by a motion.
        ("user of another member household", "co_coordinator", 409),
        ("member of the household", "member", 204),
        ("coordinator", "coordinator", 409),
    ],
)
async def test_a_household_is_removed_by_itself_or_a_coordinator(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
) -> None:
    response = await client.delete(
        f"/v1/producer-groups/{callers.group.id}/members/{callers.member_household.id}",
        headers=callers.headers_for(caller),
    )

    assert response.status_code == expected_status
    if expected_status == 204:
        assert await member_rows(session, callers.group.id) == 1
        return
    code = {401: "not-authenticated", 403: "household-removal-not-permitted", 409: "removal-needs-motion"}[
        expected_status
    ]
    assert_problem(response, expected_status, code)
    assert await member_rows(session, callers.group.id) == 2
    assert await stored_member_count(session, callers.group.id) == 2


async def test_a_member_of_another_household_may_not_remove_it(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    neighbour = await create_user(session)
    neighbour_household = await create_household(session, neighbour)
    await client.post(
        f"/v1/producer-groups/{callers.group.id}/members",
        json={"household_id": str(neighbour_household.id)},
        headers=callers.headers_for("coordinator"),
    )

    response = await client.delete(
        f"/v1/producer-groups/{callers.group.id}/members/{callers.member_household.id}",
        headers=auth_headers(callers.settings, neighbour.id),
    )

    assert_problem(response, 403, "household-removal-not-permitted")
    assert await member_rows(session, callers.group.id) == 3
    assert await stored_member_count(session, callers.group.id) == 3


# Coordinators


async def test_a_coordinator_appoints_a_member_and_the_term_is_listed(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    url = f"/v1/producer-groups/{callers.group.id}/coordinators"

    response = await client.post(
        url, json={"user_id": str(callers.member.id)}, headers=callers.headers_for("coordinator")
    )
    listed = await client.get(url, headers=callers.headers_for("member"))

    assert response.status_code == 201
    assert response.json() == {
        "producer_group_id": str(callers.group.id),
        "user_id": str(callers.member.id),
        "display_name": "Niran",
        "appointed_by": str(callers.coordinator.id),
        "appointed_at": response.json()["appointed_at"],
        "ended_by": None,
        "ended_at": None,
    }
    assert listed.status_code == 200
    assert [term["user_id"] for term in listed.json()["data"]][-1] == str(callers.member.id)
    assert await current_coordinator_ids(session, callers.group.id) == {
        callers.coordinator.id,
        callers.co_coordinator.id,
        callers.member.id,
    }


async def test_a_coordinator_must_belong_to_a_member_household(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/coordinators",
        json={"user_id": str(callers.outsider.id)},
        headers=callers.headers_for("coordinator"),
    )

    assert_problem(response, 409, "coordinator-must-be-member")
    assert await current_coordinator_ids(session, callers.group.id) == {
        callers.coordinator.id,
        callers.co_coordinator.id,
    }


async def test_appointing_a_current_coordinator_again_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/coordinators",
        json={"user_id": str(callers.co_coordinator.id)},
        headers=callers.headers_for("coordinator"),
    )

    assert_problem(response, 409, "already-coordinator")
    terms = select(func.count()).where(ProducerCoordinator.producer_group_id == callers.group.id)
    assert await session.scalar(terms) == 2


async def test_appointing_an_unknown_user_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/coordinators",
        json={"user_id": str(uuid4())},
        headers=callers.headers_for("coordinator"),
    )

    assert_problem(response, 404, "user-not-found")
    assert await current_coordinator_ids(session, callers.group.id) == {
        callers.coordinator.id,
        callers.co_coordinator.id,
    }


async def test_an_ended_term_stays_in_the_history(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    url = f"/v1/producer-groups/{callers.group.id}/coordinators"

    ended = await client.delete(f"{url}/{callers.co_coordinator.id}", headers=callers.headers_for("co_coordinator"))
    history = await client.get(url, headers=callers.headers_for("member"))

    assert ended.status_code == 200
    assert ended.json()["user_id"] == str(callers.co_coordinator.id)
    assert ended.json()["ended_by"] == str(callers.co_coordinator.id)
    assert abs(datetime.fromisoformat(ended.json()["ended_at"]) - today()) < timedelta(minutes=1)
    assert sorted((term["user_id"], term["ended_at"] is None) for term in history.json()["data"]) == sorted(
        [(str(callers.coordinator.id), True), (str(callers.co_coordinator.id), False)]
    )
    assert await current_coordinator_ids(session, callers.group.id) == {callers.coordinator.id}


async def test_the_last_coordinator_cannot_be_removed(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    founder = await create_user(session)
    group = await create_producer_group(session, coordinators=[founder])

    response = await client.delete(
        f"/v1/producer-groups/{group.id}/coordinators/{founder.id}", headers=auth_headers(settings, founder.id)
    )

    assert_problem(response, 409, "last-coordinator")
    assert await current_coordinator_ids(session, group.id) == {founder.id}


async def test_ending_the_term_of_a_non_coordinator_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    response = await client.delete(
        f"/v1/producer-groups/{callers.group.id}/coordinators/{callers.member.id}",
        headers=callers.headers_for("coordinator"),
    )

    assert_problem(response, 404, "coordinator-not-found")
    assert await current_coordinator_ids(session, callers.group.id) == {
        callers.coordinator.id,
        callers.co_coordinator.id,
    }


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("user of another producer group", "outsider", 403),
        ("member household's user", "member", 403),
        ("coordinator", "coordinator", 201),
    ],
)
async def test_only_coordinators_appoint_coordinators(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
) -> None:
    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/coordinators",
        json={"user_id": str(callers.member.id)},
        headers=callers.headers_for(caller),
    )

    assert response.status_code == expected_status
    current = await current_coordinator_ids(session, callers.group.id)
    if expected_status == 201:
        assert callers.member.id in current
        return
    assert_problem(
        response, expected_status, {401: "not-authenticated", 403: "not-producer-coordinator"}[expected_status]
    )
    assert current == {callers.coordinator.id, callers.co_coordinator.id}


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("user of another producer group", "outsider", 403),
        ("member household's user", "member", 403),
        ("the coordinator stepping down", "co_coordinator", 200),
    ],
)
async def test_only_coordinators_end_terms(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
) -> None:
    response = await client.delete(
        f"/v1/producer-groups/{callers.group.id}/coordinators/{callers.co_coordinator.id}",
        headers=callers.headers_for(caller),
    )

    assert response.status_code == expected_status
    current = await current_coordinator_ids(session, callers.group.id)
    if expected_status == 200:
        assert current == {callers.coordinator.id}
        return
    assert_problem(
        response, expected_status, {401: "not-authenticated", 403: "not-producer-coordinator"}[expected_status]
    )
    assert current == {callers.coordinator.id, callers.co_coordinator.id}


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("user of another producer group", "outsider", 403),
        ("member household's user", "member", 200),
        ("coordinator", "coordinator", 200),
    ],
)
async def test_coordinator_history_is_for_the_group_alone(
    client: AsyncClient, callers: Callers, _case: str, caller: str | None, expected_status: int
) -> None:
    response = await client.get(
        f"/v1/producer-groups/{callers.group.id}/coordinators", headers=callers.headers_for(caller)
    )

    assert response.status_code == expected_status
    if expected_status == 200:
        assert {term["user_id"] for term in response.json()["data"]} == {
            str(callers.coordinator.id),
            str(callers.co_coordinator.id),
        }
    else:
        code = {401: "not-authenticated", 403: "not-producer-group-member"}[expected_status]
        assert_problem(response, expected_status, code)


# Certifications


async def test_a_coordinator_records_a_certification(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    expires_on = (today() + timedelta(days=365)).date().isoformat()
    body = {
        "scheme": "WFTO Guaranteed Fair Trade",
        "issuer": "WFTO",
        "number": "WFTO-TH-0042",
        "expires_on": expires_on,
    }

    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/certifications", json=body, headers=callers.headers_for("coordinator")
    )

    assert response.status_code == 201
    created = response.json()
    assert created == {
        **body,
        "id": created["id"],
        "producer_group_id": str(callers.group.id),
        "expired": False,
        "created_at": created["created_at"],
    }
    assert await certification_count(session, callers.group.id) == 1


async def test_the_same_certificate_is_recorded_once(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    body = {"scheme": "PGS", "issuer": "Chiang Mai PGS", "number": "CMPGS-7", "expires_on": "2030-01-31"}
    url = f"/v1/producer-groups/{callers.group.id}/certifications"

    first = await client.post(url, json=body, headers=callers.headers_for("coordinator"))
    second = await client.post(url, json=body, headers=callers.headers_for("coordinator"))

    assert first.status_code == 201
    assert_problem(second, 409, "certification-already-recorded")
    assert await certification_count(session, callers.group.id) == 1


@pytest.mark.parametrize(
    ("_case", "days_from_today", "expired"),
    [("expired yesterday", -1, True), ("expires today", 0, False), ("expires tomorrow", 1, False)],
)
async def test_a_certification_is_expired_once_its_expiry_date_has_passed(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, days_from_today: int, expired: bool
) -> None:
    expires_on = (today() + timedelta(days=days_from_today)).date().isoformat()
    url = f"/v1/producer-groups/{callers.group.id}/certifications"

    recorded = await client.post(
        url,
        json={"scheme": "PGS", "issuer": "Sampran PGS", "number": "PGS-17", "expires_on": expires_on},
        headers=callers.headers_for("coordinator"),
    )
    listed = await client.get(url, headers=callers.headers_for("outsider"))

    assert recorded.status_code == 201
    assert recorded.json()["expired"] is expired
    assert [(row["id"], row["expires_on"], row["expired"]) for row in listed.json()["data"]] == [
        (recorded.json()["id"], expires_on, expired)
    ]
    assert await certification_count(session, callers.group.id) == 1


async def test_certifications_are_listed_with_expired_ones_page_by_page(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    lapsed = await create_certification(session, callers.group, expires_on=date_from_today(-400), scheme="Fairtrade")
    valid = await create_certification(session, callers.group, expires_on=date_from_today(200), scheme="organic")
    url = f"/v1/producer-groups/{callers.group.id}/certifications"
    headers = callers.headers_for("outsider")

    first = await client.get(url, params={"limit": 1}, headers=headers)
    second = await client.get(url, params={"limit": 1, "cursor": first.json()["next_cursor"]}, headers=headers)

    rows = first.json()["data"] + second.json()["data"]
    expected = sorted([lapsed, valid], key=lambda certification: (certification.created_at, certification.id))
    assert [(row["id"], row["expired"]) for row in rows] == [
        (str(certification.id), certification is lapsed) for certification in expected
    ]
    assert (first.json()["has_more"], second.json()["has_more"]) == (True, False)


@pytest.mark.parametrize(
    ("_case", "changes"),
    [
        ("NUL byte in the number", {"number": "ACT\x00-1"}),
        ("scheme over 100 characters", {"scheme": "x" * 101}),
        ("blank issuer", {"issuer": ""}),
        ("not a date", {"expires_on": "31/12/2027"}),
        ("unknown field", {"expired": False}),
    ],
)
async def test_an_invalid_certification_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, changes: dict[str, object]
) -> None:
    body = {"scheme": "organic", "issuer": "ACT", "number": "ACT-1", "expires_on": "2027-12-31", **changes}

    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/certifications", json=body, headers=callers.headers_for("coordinator")
    )

    assert_problem(response, 422, "validation-failed")
    assert await certification_count(session, callers.group.id) == 0


async def test_a_coordinator_deletes_a_certification(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    certification = await create_certification(session, callers.group, expires_on=date_from_today(30))

    response = await client.delete(
        f"/v1/producer-groups/{callers.group.id}/certifications/{certification.id}",
        headers=callers.headers_for("co_coordinator"),
    )

    assert response.status_code == 204
    assert await certification_count(session, callers.group.id) == 0


async def test_a_certification_of_another_group_cannot_be_deleted_through_this_one(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    other_group = await create_producer_group(session, coordinators=[callers.outsider])
    foreign = await create_certification(session, other_group, expires_on=date_from_today(30))

    response = await client.delete(
        f"/v1/producer-groups/{callers.group.id}/certifications/{foreign.id}",
        headers=callers.headers_for("coordinator"),
    )

    assert_problem(response, 404, "certification-not-found")
    assert await certification_count(session, other_group.id) == 1


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("user of another producer group", "outsider", 403),
        ("member household's user", "member", 403),
        ("coordinator", "coordinator", 201),
    ],
)
async def test_only_coordinators_record_certifications(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
) -> None:
    body = {"scheme": "organic", "issuer": "ACT", "number": "ACT-1", "expires_on": "2030-01-31"}

    response = await client.post(
        f"/v1/producer-groups/{callers.group.id}/certifications", json=body, headers=callers.headers_for(caller)
    )

    assert response.status_code == expected_status
    if expected_status == 201:
        assert await certification_count(session, callers.group.id) == 1
        return
    assert_problem(
        response, expected_status, {401: "not-authenticated", 403: "not-producer-coordinator"}[expected_status]
    )
    assert await certification_count(session, callers.group.id) == 0


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("user of another producer group", "outsider", 403),
        ("member household's user", "member", 403),
        ("coordinator", "coordinator", 204),
    ],
)
async def test_only_coordinators_delete_certifications(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
) -> None:
    certification = await create_certification(session, callers.group, expires_on=date_from_today(30))

    response = await client.delete(
        f"/v1/producer-groups/{callers.group.id}/certifications/{certification.id}",
        headers=callers.headers_for(caller),
    )

    assert response.status_code == expected_status
    if expected_status == 204:
        assert await certification_count(session, callers.group.id) == 0
        return
    assert_problem(
        response, expected_status, {401: "not-authenticated", 403: "not-producer-coordinator"}[expected_status]
    )
    assert await session.get(Certification, certification.id) is not None


# Concurrency


async def test_concurrent_admissions_keep_member_count_equal_to_the_member_rows(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        coordinator = await create_user(session)
        group = await create_producer_group(session, coordinators=[coordinator])
        households = [await create_household(session) for _ in range(8)]
    headers = auth_headers(settings, coordinator.id)
    url = f"/v1/producer-groups/{group.id}/members"

    responses = await asyncio.gather(
        *[
            committing_client.post(url, json={"household_id": str(household.id)}, headers=headers)
            for household in households
        ]
    )

    assert [response.status_code for response in responses] == [201] * 8
    async with committing_session_factory() as session:
        assert await member_rows(session, group.id) == 8
        assert await stored_member_count(session, group.id) == 8


async def test_concurrent_admissions_of_one_household_store_one_member(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        coordinator = await create_user(session)
        group = await create_producer_group(session, coordinators=[coordinator])
        household = await create_household(session)
    headers = auth_headers(settings, coordinator.id)
    body = {"household_id": str(household.id)}

    responses = await asyncio.gather(
        *[
            committing_client.post(f"/v1/producer-groups/{group.id}/members", json=body, headers=headers)
            for _ in range(4)
        ]
    )

    assert sorted(response.status_code for response in responses) == [201, 409, 409, 409]
    async with committing_session_factory() as session:
        assert await member_rows(session, group.id) == 1
        assert await stored_member_count(session, group.id) == 1
