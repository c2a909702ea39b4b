"""Events (farm visits, meetings, trainings), the shared calendar and sign-ups, through HTTP."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.http import etag_for
from app.gatherings.models import Gathering, GatheringKind
from app.gatherings.schemas import GatheringRead
from tests.factories import create_household
from tests.gatherings.builders import (
    Callers,
    add_signup,
    create_callers,
    create_gathering,
    gathering_count,
    in_days,
    signup_rows,
    stored_signup_count,
)


def assert_problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    return await create_callers(session, settings)


def event_body(callers: Callers, **changes: object) -> dict[str, object]:
    return {
        "kind": "farm_visit",
        "title": "Rice planting day",
        "description": "Bring a hat; lunch at the farm.",
        "starts_at": "2030-06-01T08:00:00+07:00",
        "ends_at": "2030-06-01T15:00:00+07:00",
        "location": "Mae Tha, Chiang Mai",
        "host": {"consumer_group_id": str(callers.consumer_group.id)},
        **changes,
    }


# Posting events


async def test_a_consumer_group_coordinator_posts_a_private_farm_visit(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    body = event_body(callers, capacity=20)

    response = await client.post("/v1/gatherings", json=body, headers=callers.headers_for("consumer_coordinator"))

    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "kind": "farm_visit",
        "title": "Rice planting day",
        "description": "Bring a hat; lunch at the farm.",
        "starts_at": "2030-06-01T01:00:00Z",
        "ends_at": "2030-06-01T08:00:00Z",
        "location": "Mae Tha, Chiang Mai",
        "host": {
            "consumer_group_id": str(callers.consumer_group.id),
            "producer_group_id": None,
            "name": "Chiang Mai Eaters",
            "country": "TH",
        },
        "capacity": 20,
        "open_to_all": False,
        "signup_count": 0,
        "places_left": 20,
        "signed_up": False,
        "posted_by": str(callers.user("consumer_coordinator").id),
        "created_at": created["created_at"],
    }
    assert abs(datetime.fromisoformat(created["created_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    stored = await session.get_one(Gathering, UUID(created["id"]))
    assert (stored.consumer_group_id, stored.producer_group_id, stored.open_to_all) == (
        callers.consumer_group.id,
        None,
        False,
    )


async def test_a_producer_group_coordinator_posts_a_training_open_to_all_by_default(
    client: AsyncClient, callers: Callers
) -> None:
    body = event_body(callers, kind="learning", host={"producer_group_id": str(callers.producer_group.id)})
    del body["description"]

    response = await client.post("/v1/gatherings", json=body, headers=callers.headers_for("producer_coordinator"))

    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["kind"], created["open_to_all"], created["description"], created["capacity"]) == (
        "learning",
        True,
        "",
        None,
    )
    assert created["places_left"] is None
    assert created["host"] == {
        "consumer_group_id": None,
        "producer_group_id": str(callers.producer_group.id),
        "name": "Da Lat Growers",
        "country": "VN",
    }


@pytest.mark.parametrize(
    ("_case", "kind", "open_to_all", "expected"),
    [
        ("meeting defaults to private", "meeting", None, False),
        ("farm visit defaults to private", "farm_visit", None, False),
        ("learning defaults to open", "learning", None, True),
        ("meeting opened explicitly", "meeting", True, True),
        ("learning kept within the group", "learning", False, False),
    ],
)
async def test_open_to_all_defaults_by_kind(
    client: AsyncClient, callers: Callers, _case: str, kind: str, open_to_all: bool | None, expected: bool
) -> None:
    body = event_body(callers, kind=kind)
    if open_to_all is not None:
        body["open_to_all"] = open_to_all

    response = await client.post("/v1/gatherings", json=body, headers=callers.headers_for("consumer_coordinator"))

    assert response.status_code == 201
    assert response.json()["open_to_all"] is expected


@pytest.mark.parametrize(
    ("_case", "changes"),
    [
        ("ends before it starts", {"ends_at": "2030-06-01T07:00:00+07:00"}),
        ("ends when it starts", {"ends_at": "2030-06-01T08:00:00+07:00"}),
        ("naive start", {"starts_at": "2030-06-01T08:00:00"}),
        ("naive end", {"ends_at": "2030-06-01T15:00:00"}),
        ("no UTC equivalent", {"starts_at": "0001-01-01T00:00:00+01:00"}),
        ("a start before year 1 in UTC", {"starts_at": "0001-01-01T00:00:00+14:00"}),
        ("an end after year 9999 in UTC", {"ends_at": "9999-12-31T23:59:59-14:00"}),
        ("both hosts", {"host": {"consumer_group_id": "<consumer>", "producer_group_id": "<producer>"}}),
        ("no host", {"host": {}}),
        ("unknown kind", {"kind": "party"}),
        ("zero capacity", {"capacity": 0}),
        ("capacity as text", {"capacity": "20"}),
        ("open_to_all as text", {"open_to_all": "yes"}),
        ("blank title", {"title": "   "}),
        ("NUL in the description", {"description": "a\x00b"}),
        ("description too long", {"description": "x" * 2001}),
        ("location missing", {"location": None}),
        ("unknown field", {"signup_count": 3}),
        ("unknown host field", {"host": {"consumer_group_id": "<consumer>", "country": "TH"}}),
    ],
)
async def test_an_invalid_event_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, changes: dict[str, object]
) -> None:
    body = event_body(callers, **changes)
    if isinstance(body["host"], dict):
        values = {"<consumer>": str(callers.consumer_group.id), "<producer>": str(callers.producer_group.id)}
        body["host"] = {key: values.get(value, value) for key, value in body["host"].items()}

    response = await client.post("/v1/gatherings", json=body, headers=callers.headers_for("consumer_coordinator"))

    assert_problem(response, 422, "validation-failed")
    assert await gathering_count(session) == 0


@pytest.mark.parametrize("host_field", ["consumer_group_id", "producer_group_id"])
async def test_an_event_for_an_unknown_group_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers, host_field: str
) -> None:
    body = event_body(callers, host={host_field: str(uuid4())})

    response = await client.post("/v1/gatherings", json=body, headers=callers.headers_for("consumer_coordinator"))

    assert_problem(response, 404, "host-group-not-found")
    assert await gathering_count(session) == 0


async def test_a_consumer_group_id_given_as_producer_group_is_not_found(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    body = event_body(callers, host={"producer_group_id": str(callers.consumer_group.id)})

    response = await client.post("/v1/gatherings", json=body, headers=callers.headers_for("consumer_coordinator"))

    assert_problem(response, 404, "host-group-not-found")
    assert await gathering_count(session) == 0


# Reading one event


async def test_an_event_is_read_with_its_signups_and_an_etag(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    gathering = await create_gathering(
        session, posted_by=callers.user("consumer_coordinator"), consumer_group=callers.consumer_group, capacity=5
    )
    await add_signup(session, gathering, callers.user("consumer_member"))
    await add_signup(session, gathering, callers.user("both"))
    url = f"/v1/gatherings/{gathering.id}"

    as_member = await client.get(url, headers=callers.headers_for("consumer_member"))
    as_coordinator = await client.get(url, headers=callers.headers_for("consumer_coordinator"))

    assert as_member.status_code == 200
    assert (as_member.json()["signup_count"], as_member.json()["places_left"], as_member.json()["signed_up"]) == (
        2,
        3,
        True,
    )
    assert as_coordinator.json()["signed_up"] is False
    assert as_member.headers["etag"] == etag_for(GatheringRead.model_validate(as_member.json()))
    assert as_member.headers["etag"] != as_coordinator.headers["etag"]


async def test_an_unknown_event_is_not_found(client: AsyncClient, callers: Callers) -> None:
    response = await client.get(f"/v1/gatherings/{uuid4()}", headers=callers.headers_for("consumer_member"))

    assert_problem(response, 404, "event-not-found")


# The calendar


async def test_the_calendar_is_in_start_order_and_pages_without_gaps_or_duplicates(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    coordinator = callers.user("consumer_coordinator")
    same_moment = in_days(3)
    created = [
        await create_gathering(
            session,
            posted_by=coordinator,
            consumer_group=callers.consumer_group,
            starts_at=same_moment if index % 3 == 0 else in_days(10 - index),
        )
        for index in range(9)
    ]
    expected = [g.id for g in sorted(created, key=lambda g: (g.starts_at, g.id))]
    headers = callers.headers_for("consumer_member")

    seen: list[str] = []
    starts: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/gatherings", params=params, headers=headers)).json()
        seen += [event["id"] for event in page["data"]]
        starts += [event["starts_at"] for event in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        assert page["has_more"] is (cursor is not None)
        if cursor is None:
            break

    assert seen == [str(gathering_id) for gathering_id in expected]
    assert starts == sorted(starts)
    assert pages == 3


async def test_the_calendar_shows_open_events_of_every_group_and_private_ones_of_your_own(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    own_private = await create_gathering(
        session,
        posted_by=callers.user("consumer_coordinator"),
        consumer_group=callers.consumer_group,
        starts_at=in_days(1),
    )
    other_private = await create_gathering(
        session, posted_by=callers.user("other_coordinator"), consumer_group=callers.other_group, starts_at=in_days(2)
    )
    other_training = await create_gathering(
        session,
        posted_by=callers.user("other_coordinator"),
        consumer_group=callers.other_group,
        kind=GatheringKind.learning,
        open_to_all=True,
        starts_at=in_days(3),
    )
    producer_private = await create_gathering(
        session,
        posted_by=callers.user("producer_coordinator"),
        producer_group=callers.producer_group,
        starts_at=in_days(4),
    )

    async def calendar_of(caller: str) -> list[str]:
        response = await client.get("/v1/gatherings", headers=callers.headers_for(caller))
        assert response.status_code == 200
        return [event["id"] for event in response.json()["data"]]

    assert await calendar_of("consumer_member") == [str(own_private.id), str(other_training.id)]
    assert await calendar_of("other_member") == [str(other_private.id), str(other_training.id)]
    assert await calendar_of("producer_member") == [str(other_training.id), str(producer_private.id)]
    assert await calendar_of("producer_coordinator") == [str(other_training.id), str(producer_private.id)]
    assert await calendar_of("both") == [str(own_private.id), str(other_training.id), str(producer_private.id)]
    assert await calendar_of("stranger") == [str(other_training.id)]


async def test_the_calendar_filters_by_kind_and_host_country(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    thai_training = await create_gathering(
        session,
        posted_by=callers.user("consumer_coordinator"),
        consumer_group=callers.consumer_group,
        kind=GatheringKind.learning,
        open_to_all=True,
        starts_at=in_days(1),
    )
    vietnamese_training = await create_gathering(
        session,
        posted_by=callers.user("producer_coordinator"),
        producer_group=callers.producer_group,
        kind=GatheringKind.learning,
        open_to_all=True,
        starts_at=in_days(2),
    )
    vietnamese_visit = await create_gathering(
        session,
        posted_by=callers.user("producer_coordinator"),
        producer_group=callers.producer_group,
        kind=GatheringKind.farm_visit,
        open_to_all=True,
        starts_at=in_days(3),
    )
    headers = callers.headers_for("stranger")

    trainings = await client.get("/v1/gatherings", params={"kind": "learning"}, headers=headers)
    in_vietnam = await client.get("/v1/gatherings", params={"country": "VN"}, headers=headers)
    in_thailand = await client.get("/v1/gatherings", params={"country": "TH"}, headers=headers)
    trainings_in_vietnam = await client.get(
        "/v1/gatherings", params={"kind": "learning", "country": "VN"}, headers=headers
    )
    in_laos = await client.get("/v1/gatherings", params={"country": "LA"}, headers=headers)

    assert [e["id"] for e in trainings.json()["data"]] == [str(thai_training.id), str(vietnamese_training.id)]
    assert [e["id"] for e in in_vietnam.json()["data"]] == [str(vietnamese_training.id), str(vietnamese_visit.id)]
    assert [e["id"] for e in in_thailand.json()["data"]] == [str(thai_training.id)]
    assert [e["id"] for e in trainings_in_vietnam.json()["data"]] == [str(vietnamese_training.id)]
    assert in_laos.json() == {"data": [], "has_more": False, "next_cursor": None}


async def test_the_calendar_shows_events_taking_place_between_from_and_to(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    def at(day: int, hour: int) -> datetime:
        return datetime(2030, 3, day, hour, tzinfo=UTC)

    async def event(starts_at: datetime, hours: float = 3) -> Gathering:
        return await create_gathering(
            session,
            posted_by=callers.user("consumer_coordinator"),
            consumer_group=callers.consumer_group,
            starts_at=starts_at,
            hours=hours,
        )

    ends_before = await event(at(9, 20), hours=4)  # ends on the 10th at 00:00, so not on the 10th
    runs_into = await event(at(9, 22), hours=4)  # ends on the 10th at 02:00
    first_day = await event(at(10, 0))
    last_day = await event(at(12, 23))  # runs into the 13th
    after = await event(at(13, 0))
    headers = callers.headers_for("consumer_member")

    window = await client.get("/v1/gatherings", params={"from": "2030-03-10", "to": "2030-03-12"}, headers=headers)
    from_only = await client.get("/v1/gatherings", params={"from": "2030-03-12"}, headers=headers)
    to_only = await client.get("/v1/gatherings", params={"to": "2030-03-09"}, headers=headers)
    one_day = await client.get("/v1/gatherings", params={"from": "2030-03-13", "to": "2030-03-13"}, headers=headers)

    def ids(response: Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [event["id"] for event in response.json()["data"]]

    assert ids(window) == [str(runs_into.id), str(first_day.id), str(last_day.id)]
    assert ids(from_only) == [str(last_day.id), str(after.id)]
    assert ids(to_only) == [str(ends_before.id), str(runs_into.id)]
    assert ids(one_day) == [str(last_day.id), str(after.id)]


async def test_a_calendar_window_from_year_1_to_year_9999_shows_every_event(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    event = await create_gathering(
        session, posted_by=callers.user("consumer_coordinator"), consumer_group=callers.consumer_group
    )
    headers = callers.headers_for("consumer_member")

    whole = await client.get("/v1/gatherings", params={"from": "0001-01-01", "to": "9999-12-31"}, headers=headers)
    first_day = await client.get("/v1/gatherings", params={"to": "0001-01-01"}, headers=headers)
    last_day = await client.get("/v1/gatherings", params={"from": "9999-12-31"}, headers=headers)

    assert whole.status_code == 200, whole.text
    assert [e["id"] for e in whole.json()["data"]] == [str(event.id)]
    assert (first_day.status_code, first_day.json()["data"]) == (200, [])
    assert (last_day.status_code, last_day.json()["data"]) == (200, [])


async def test_a_calendar_window_that_ends_before_it_starts_is_refused(client: AsyncClient, callers: Callers) -> None:
    response = await client.get(
        "/v1/gatherings", params={"from": "2030-03-12", "to": "2030-03-10"}, headers=callers.headers_for("stranger")
    )

    assert_problem(response, 422, "invalid-date-range")


@pytest.mark.parametrize(
    ("_case", "params"),
    [
        ("unknown kind", {"kind": "party"}),
        ("unknown country", {"country": "XX"}),
        ("not a date", {"from": "next week"}),
        ("a number read as a timestamp", {"to": "0"}),
        ("a date and time", {"from": "2030-03-10T00:00:00"}),
        ("limit above 100", {"limit": 101}),
    ],
)
async def test_invalid_calendar_filters_are_refused(
    client: AsyncClient, callers: Callers, _case: str, params: dict[str, str | int]
) -> None:
    response = await client.get("/v1/gatherings", params=params, headers=callers.headers_for("stranger"))

    assert_problem(response, 422, "validation-failed")


async def test_a_tampered_calendar_cursor_is_refused(client: AsyncClient, callers: Callers) -> None:
    response = await client.get(
        "/v1/gatherings", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=callers.headers_for("stranger")
    )

    assert_problem(response, 422, "invalid-cursor")


# Sign-ups


async def test_a_member_signs_up_for_their_household(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    gathering = await create_gathering(
        session, posted_by=callers.user("consumer_coordinator"), consumer_group=callers.consumer_group, capacity=10
    )
    member = callers.user("consumer_member")
    household = callers.consumer_member_household

    response = await client.post(
        f"/v1/gatherings/{gathering.id}/signups",
        json={"household_id": str(household.id)},
        headers=callers.headers_for("consumer_member"),
    )
    read = await client.get(f"/v1/gatherings/{gathering.id}", headers=callers.headers_for("consumer_member"))

    assert response.status_code == 201, response.text
    assert response.json() == {
        "event_id": str(gathering.id),
        "user_id": str(member.id),
        "display_name": "Ploy",
        "household_id": str(household.id),
        "household_name": household.name,
        "created_at": response.json()["created_at"],
    }
    assert (read.json()["signup_count"], read.json()["places_left"], read.json()["signed_up"]) == (1, 9, True)
    assert await signup_rows(session, gathering.id) == [member.id]


async def test_anyone_signs_up_for_an_open_training_without_a_household(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    training = await create_gathering(
        session,
        posted_by=callers.user("producer_coordinator"),
        producer_group=callers.producer_group,
        kind=GatheringKind.learning,
        open_to_all=True,
    )

    response = await client.post(
        f"/v1/gatherings/{training.id}/signups", json={}, headers=callers.headers_for("stranger")
    )

    assert response.status_code == 201
    assert (response.json()["household_id"], response.json()["household_name"]) == (None, None)
    assert await signup_rows(session, training.id) == [callers.user("stranger").id]
    assert await stored_signup_count(session, training.id) == 1


async def test_signing_up_twice_is_refused(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    gathering = await create_gathering(
        session, posted_by=callers.user("consumer_coordinator"), consumer_group=callers.consumer_group
    )
    await add_signup(session, gathering, callers.user("consumer_member"))

    response = await client.post(
        f"/v1/gatherings/{gathering.id}/signups", json={}, headers=callers.headers_for("consumer_member")
    )

    assert_problem(response, 409, "already-signed-up")
    assert await signup_rows(session, gathering.id) == [callers.user("consumer_member").id]
    assert await stored_signup_count(session, gathering.id) == 1


async def test_a_full_event_refuses_one_more(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    gathering = await create_gathering(
        session, posted_by=callers.user("consumer_coordinator"), consumer_group=callers.consumer_group, capacity=1
    )
    await add_signup(session, gathering, callers.user("consumer_coordinator"))

    response = await client.post(
        f"/v1/gatherings/{gathering.id}/signups", json={}, headers=callers.headers_for("consumer_member")
    )

    assert_problem(response, 409, "event-full")
    assert response.json()["capacity"] == 1
    assert await signup_rows(session, gathering.id) == [callers.user("consumer_coordinator").id]
    assert await stored_signup_count(session, gathering.id) == 1


async def test_signing_up_for_someone_elses_household_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    gathering = await create_gathering(
        session, posted_by=callers.user("consumer_coordinator"), consumer_group=callers.consumer_group
    )
    foreign = await create_household(session)

    response = await client.post(
        f"/v1/gatherings/{gathering.id}/signups",
        json={"household_id": str(foreign.id)},
        headers=callers.headers_for("consumer_member"),
    )

    assert_problem(response, 404, "household-not-found")
    assert await signup_rows(session, gathering.id) == []
    assert await stored_signup_count(session, gathering.id) == 0


async def test_sign_ups_close_when_the_event_starts(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    started = await create_gathering(
        session,
        posted_by=callers.user("consumer_coordinator"),
        consumer_group=callers.consumer_group,
        starts_at=datetime.now(UTC) - timedelta(hours=1),
    )

    response = await client.post(
        f"/v1/gatherings/{started.id}/signups", json={}, headers=callers.headers_for("consumer_member")
    )

    assert_problem(response, 409, "signups-closed")
    assert await signup_rows(session, started.id) == []


async def test_withdrawing_frees_the_place(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    gathering = await create_gathering(
        session, posted_by=callers.user("consumer_coordinator"), consumer_group=callers.consumer_group, capacity=1
    )
    await add_signup(session, gathering, callers.user("consumer_member"))

    withdrawn = await client.delete(
        f"/v1/gatherings/{gathering.id}/signups/me", headers=callers.headers_for("consumer_member")
    )
    taken = await client.post(f"/v1/gatherings/{gathering.id}/signups", json={}, headers=callers.headers_for("both"))

    assert withdrawn.status_code == 204
    assert withdrawn.content == b""
    assert taken.status_code == 201
    assert await signup_rows(session, gathering.id) == [callers.user("both").id]
    assert await stored_signup_count(session, gathering.id) == 1


async def test_withdrawing_without_a_signup_is_not_found(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    gathering = await create_gathering(
        session, posted_by=callers.user("consumer_coordinator"), consumer_group=callers.consumer_group
    )
    await add_signup(session, gathering, callers.user("both"))

    response = await client.delete(
        f"/v1/gatherings/{gathering.id}/signups/me", headers=callers.headers_for("consumer_member")
    )

    assert_problem(response, 404, "signup-not-found")
    assert await signup_rows(session, gathering.id) == [callers.user("both").id]
    assert await stored_signup_count(session, gathering.id) == 1


async def test_withdrawing_after_the_start_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    started = await create_gathering(
        session,
        posted_by=callers.user("consumer_coordinator"),
        consumer_group=callers.consumer_group,
        starts_at=datetime.now(UTC) - timedelta(hours=1),
    )
    await add_signup(session, started, callers.user("consumer_member"))

    response = await client.delete(
        f"/v1/gatherings/{started.id}/signups/me", headers=callers.headers_for("consumer_member")
    )

    assert_problem(response, 409, "signups-closed")
    assert await signup_rows(session, started.id) == [callers.user("consumer_member").id]


async def test_the_host_coordinators_see_who_signed_up_in_order(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    gathering = await create_gathering(
        session, posted_by=callers.user("consumer_coordinator"), consumer_group=callers.consumer_group
    )
    for caller in ("both", "consumer_member", "consumer_coordinator"):
        response = await client.post(
            f"/v1/gatherings/{gathering.id}/signups", json={}, headers=callers.headers_for(caller)
        )
        assert response.status_code == 201
    url = f"/v1/gatherings/{gathering.id}/signups"
    headers = callers.headers_for("consumer_coordinator")

    first = await client.get(url, params={"limit": 2}, headers=headers)
    second = await client.get(url, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers)

    assert first.status_code == 200
    names = [s["display_name"] for s in first.json()["data"] + second.json()["data"]]
    assert names == ["Anan", "Ploy", callers.user("consumer_coordinator").display_name]
    assert (first.json()["has_more"], second.json()["has_more"], second.json()["next_cursor"]) == (True, False, None)
    assert {s["event_id"] for s in first.json()["data"] + second.json()["data"]} == {str(gathering.id)}
