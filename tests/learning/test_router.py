"""The shared training calendar over HTTP: who hosts, the public calendar, sign-ups and attendance."""

from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.networks.models import NetworkRole
from tests.factories import auth_headers, create_household, create_user
from tests.gatherings.builders import in_days
from tests.learning.builders import (
    add_network_member,
    add_signup,
    create_learning_event,
    create_network,
    event_body,
    event_count,
    signup_rows,
    stored_signup_count,
)

# Hosting


@pytest.mark.parametrize(
    ("_case", "role", "status", "code"),
    [
        ("coordinator", NetworkRole.coordinator, 201, None),
        ("trainer", NetworkRole.trainer, 201, None),
        ("analyst", NetworkRole.analyst, 403, "not-network-host"),
        ("not a member", None, 403, "not-network-host"),
    ],
)
async def test_a_networks_coordinators_and_trainers_host_its_events(
    client: AsyncClient,
    session: AsyncSession,
    settings: Settings,
    _case: str,
    role: NetworkRole | None,
    status: int,
    code: str | None,
) -> None:
    network = await create_network(session)
    caller = await add_network_member(session, network, role) if role else await create_user(session)
    before = await event_count(session)

    response = await client.post(
        "/v1/learning-events",
        json=event_body(network_id=str(network.id), capacity=20),
        headers=auth_headers(settings, caller.id),
    )

    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code
        assert await event_count(session) == before
        return
    body = response.json()
    assert response.headers["location"] == f"/v1/learning-events/{body['id']}"
    assert body["host"] == {"network_id": str(network.id), "trainer_id": None, "name": network.name}
    assert (body["capacity"], body["signup_count"], body["places_left"]) == (20, 0, 20)
    assert (body["country"], body["language"], body["online"]) == ("TH", "th", False)


async def test_a_trainer_hosts_in_their_own_name_and_a_mere_coordinator_may_not(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    network = await create_network(session, country="ID")
    trainer = await add_network_member(session, network, NetworkRole.trainer)
    coordinator = await add_network_member(session, network, NetworkRole.coordinator)
    body = event_body(online=True, location=None, country=None, language="id")
    before = await event_count(session)

    hosted = await client.post("/v1/learning-events", json=body, headers=auth_headers(settings, trainer.id))
    refused = await client.post("/v1/learning-events", json=body, headers=auth_headers(settings, coordinator.id))

    assert hosted.status_code == 201, hosted.text
    assert hosted.json()["host"] == {"network_id": None, "trainer_id": str(trainer.id), "name": trainer.display_name}
    assert (hosted.json()["online"], hosted.json()["location"], hosted.json()["country"]) == (True, None, None)
    assert (refused.status_code, refused.json()["code"]) == (403, "not-a-trainer")
    assert await event_count(session) == before + 1


@pytest.mark.parametrize(
    ("_case", "changes"),
    [
        ("ends before it starts", {"ends_at": in_days(9).isoformat()}),
        ("neither online nor located", {"location": None}),
        ("no country", {"country": None}),
        ("no time zone", {"starts_at": "2027-03-06T09:00:00"}),
        ("a language that is no tag", {"language": "Thai language"}),
        ("no place", {"capacity": 0}),
    ],
)
async def test_a_bad_event_is_refused_with_422(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, changes: dict[str, object]
) -> None:
    network = await create_network(session)
    before = await event_count(session)

    response = await client.post(
        "/v1/learning-events",
        json=event_body(network_id=str(network.id), **changes),
        headers=auth_headers(settings, network.created_by),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation-failed"
    assert await event_count(session) == before


async def test_hosting_for_a_network_that_does_not_exist_is_404(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    caller = await create_user(session)

    response = await client.post(
        "/v1/learning-events",
        json=event_body(network_id="00000000-0000-4000-8000-000000000000"),
        headers=auth_headers(settings, caller.id),
    )

    assert (response.status_code, response.json()["code"]) == (404, "network-not-found")


async def test_hosting_needs_a_login(client: AsyncClient) -> None:
    response = await client.post("/v1/learning-events", json=event_body())

    assert (response.status_code, response.json()["code"]) == (401, "not-authenticated")


# The calendar


async def test_the_calendar_is_public_and_filters_by_country_and_days(
    client: AsyncClient, session: AsyncSession
) -> None:
    network = await create_network(session)
    in_laos = await create_learning_event(session, network=network, country="LA", starts_at=in_days(300))
    later_in_laos = await create_learning_event(session, country="LA", starts_at=in_days(320))
    await create_learning_event(session, network=network, country="TH", starts_at=in_days(300))
    day = in_days(300).date()

    by_country = await client.get("/v1/learning-events", params={"country": "LA", "from": day.isoformat()})
    by_days = await client.get(
        "/v1/learning-events", params={"country": "LA", "from": day.isoformat(), "to": day.isoformat()}
    )
    one = await client.get(f"/v1/learning-events/{in_laos.id}")

    assert by_country.status_code == 200
    assert [event["id"] for event in by_country.json()["data"]] == [str(in_laos.id), str(later_in_laos.id)]
    assert [event["id"] for event in by_days.json()["data"]] == [str(in_laos.id)]
    assert one.status_code == 200
    assert one.json()["host"]["name"] == network.name
    assert one.headers["cache-control"] == "public, max-age=60"


async def test_the_calendar_refuses_a_range_that_ends_before_it_starts(client: AsyncClient) -> None:
    response = await client.get("/v1/learning-events", params={"from": "2027-03-06", "to": "2027-03-05"})

    assert (response.status_code, response.json()["code"]) == (422, "invalid-date-range")


async def test_an_unknown_event_is_404(client: AsyncClient) -> None:
    response = await client.get("/v1/learning-events/00000000-0000-4000-8000-000000000000")

    assert (response.status_code, response.json()["code"]) == (404, "learning-event-not-found")


# Sign-ups


async def test_anyone_signs_up_for_themselves_and_a_household_of_theirs_and_cancels(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    event = await create_learning_event(session, network=await create_network(session), capacity=5)
    user = await create_user(session)
    household = await create_household(session, user)
    headers = auth_headers(settings, user.id)
    url = f"/v1/learning-events/{event.id}/signups"

    created = await client.post(url, json={"household_id": str(household.id)}, headers=headers)
    own = await client.get(f"{url}/me", headers=headers)
    again = await client.post(url, json={}, headers=headers)
    count_while_signed_up = await stored_signup_count(session, event.id)
    cancelled = await client.delete(f"{url}/me", headers=headers)
    cancelled_again = await client.delete(f"{url}/me", headers=headers)

    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{url}/me"
    assert created.json() | {"id": None, "created_at": None} == {
        "id": None,
        "learning_event_id": str(event.id),
        "user_id": str(user.id),
        "display_name": user.display_name,
        "household_id": str(household.id),
        "attended": None,
        "attendance_recorded_at": None,
        "created_at": None,
    }
    assert own.json()["id"] == created.json()["id"]
    assert (again.status_code, again.json()["code"]) == (409, "already-signed-up-for-learning-event")
    assert count_while_signed_up == 1
    assert cancelled.status_code == 204
    assert (cancelled_again.status_code, cancelled_again.json()["code"]) == (404, "learning-signup-not-found")
    assert (await signup_rows(session, event.id), await stored_signup_count(session, event.id)) == (0, 0)


async def test_signing_up_for_someone_elses_household_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    event = await create_learning_event(session)
    user = await create_user(session)
    other_household = await create_household(session)

    response = await client.post(
        f"/v1/learning-events/{event.id}/signups",
        json={"household_id": str(other_household.id)},
        headers=auth_headers(settings, user.id),
    )

    assert (response.status_code, response.json()["code"]) == (404, "household-not-found")
    assert await signup_rows(session, event.id) == 0


async def test_a_full_event_and_one_that_started_take_no_more_sign_ups(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    full = await create_learning_event(session, capacity=1)
    await add_signup(session, full, await create_user(session))
    started = await create_learning_event(session, starts_at=in_days(0, hour=0) - timedelta(hours=1))
    headers = auth_headers(settings, (await create_user(session)).id)

    to_full = await client.post(f"/v1/learning-events/{full.id}/signups", json={}, headers=headers)
    to_started = await client.post(f"/v1/learning-events/{started.id}/signups", json={}, headers=headers)

    assert (to_full.status_code, to_full.json()["code"]) == (409, "learning-event-full")
    assert (to_started.status_code, to_started.json()["code"]) == (409, "learning-signups-closed")
    assert (await signup_rows(session, full.id), await signup_rows(session, started.id)) == (1, 0)


# The host's side


async def test_the_host_sees_the_sign_ups_and_no_one_else_does(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    network = await create_network(session)
    trainer = await add_network_member(session, network, NetworkRole.trainer)
    analyst = await add_network_member(session, network, NetworkRole.analyst)
    other_network = await create_network(session)
    event = await create_learning_event(session, network=network)
    participant = await create_user(session)
    await add_signup(session, event, participant)
    url = f"/v1/learning-events/{event.id}/signups"

    answers = {
        name: await client.get(url, headers=auth_headers(settings, user_id))
        for name, user_id in [
            ("coordinator", network.created_by),
            ("trainer", trainer.id),
            ("analyst", analyst.id),
            ("another network's coordinator", other_network.created_by),
            ("participant", participant.id),
        ]
    }

    assert {name: answer.status_code for name, answer in answers.items()} == {
        "coordinator": 200,
        "trainer": 200,
        "analyst": 403,
        "another network's coordinator": 403,
        "participant": 403,
    }
    assert [row["user_id"] for row in answers["trainer"].json()["data"]] == [str(participant.id)]
    assert answers["participant"].json()["code"] == "not-learning-event-host"


async def test_the_host_records_attendance_once_the_event_started(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    trainer = await create_user(session)
    upcoming = await create_learning_event(session, trainer=trainer)
    started = await create_learning_event(session, trainer=trainer, starts_at=in_days(-1))
    came, stayed_away = await create_user(session), await create_user(session)
    early = await add_signup(session, upcoming, came)
    present = await add_signup(session, started, came)
    absent = await add_signup(session, started, stayed_away)
    headers = auth_headers(settings, trainer.id)

    too_early = await client.put(
        f"/v1/learning-events/{upcoming.id}/signups/{early.id}/attendance", json={"attended": True}, headers=headers
    )
    recorded = await client.put(
        f"/v1/learning-events/{started.id}/signups/{present.id}/attendance", json={"attended": True}, headers=headers
    )
    recorded_absent = await client.put(
        f"/v1/learning-events/{started.id}/signups/{absent.id}/attendance", json={"attended": False}, headers=headers
    )
    of_another_event = await client.put(
        f"/v1/learning-events/{started.id}/signups/{early.id}/attendance", json={"attended": True}, headers=headers
    )
    own = await client.get(f"/v1/learning-events/{started.id}/signups/me", headers=auth_headers(settings, came.id))

    assert (too_early.status_code, too_early.json()["code"]) == (409, "attendance-before-start")
    assert (recorded.status_code, recorded.json()["attended"]) == (200, True)
    assert recorded.json()["attendance_recorded_at"] is not None
    assert (recorded_absent.status_code, recorded_absent.json()["attended"]) == (200, False)
    assert (of_another_event.status_code, of_another_event.json()["code"]) == (404, "learning-signup-not-found")
    assert own.json()["attended"] is True


@pytest.mark.parametrize(
    ("_case", "caller"), [("participant", "participant"), ("another network's trainer", "other trainer")]
)
async def test_no_one_but_the_host_records_attendance(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, caller: str
) -> None:
    network = await create_network(session)
    event = await create_learning_event(session, network=network, starts_at=in_days(-1))
    participant = await create_user(session)
    signup = await add_signup(session, event, participant)
    other_trainer = await add_network_member(session, await create_network(session), NetworkRole.trainer)
    user = participant if caller == "participant" else other_trainer

    response = await client.put(
        f"/v1/learning-events/{event.id}/signups/{signup.id}/attendance",
        json={"attended": True},
        headers=auth_headers(settings, user.id),
    )

    assert (response.status_code, response.json()["code"]) == (403, "not-learning-event-host")
    await session.refresh(signup)
    assert signup.attended is None
