"""Absences: handed over beforehand to another household or to the group's surplus, never back to
the producer, and applied when that day's harvest is allocated."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import AgreementStatus
from app.core.config import Settings
from app.groups.models import Membership
from app.harvests.models import Absence
from tests.factories import create_group, create_household, create_user, first_member
from tests.harvests.builders import Season, create_season, give_absence_row, today

PROBLEM = "application/problem+json"


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    return await create_season(session, settings, shares=10, subscribed=(3, 3, 3))


def tomorrow() -> str:
    return (today() + timedelta(days=1)).isoformat()


async def absence_count(session: AsyncSession, season: Season) -> int:
    statement = select(func.count()).select_from(Absence).where(Absence.agreement_id == season.agreement.id)
    return int(await session.scalar(statement) or 0)


async def test_absence_hands_the_allocation_to_another_household(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    araya, boonmee, chaiyaporn, duangjai = season.households[:4]

    given = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={"household_id": str(boonmee.id), "on_date": tomorrow(), "to_household_id": str(duangjai.id)},
        headers=await season.member_headers(session, 1),
    )
    harvest = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("10.000", delivered_on=today() + timedelta(days=1)),
        headers=season.producer,
    )

    assert given.status_code == 201
    assert {key: given.json()[key] for key in ("agreement_id", "household_id", "on_date", "to_household_id")} == {
        "agreement_id": str(season.agreement.id),
        "household_id": str(boonmee.id),
        "on_date": tomorrow(),
        "to_household_id": str(duangjai.id),
    }
    assert harvest.status_code == 201
    assert [(a["household_id"], a["share_holder_id"], a["quantity"]) for a in harvest.json()["allocations"]] == [
        (str(araya.id), str(araya.id), "3.000"),
        (str(duangjai.id), str(boonmee.id), "3.000"),
        (str(chaiyaporn.id), str(chaiyaporn.id), "3.000"),
    ]
    assert [(s["quantity"], s["handed_over_by_id"]) for s in harvest.json()["surplus"]] == [("1.000", None)]


async def test_absence_to_the_group_makes_the_allocation_surplus(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    araya, boonmee, chaiyaporn = season.households[:3]

    given = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={"household_id": str(chaiyaporn.id), "on_date": tomorrow(), "to_household_id": None},
        headers=await season.member_headers(session, 2),
    )
    harvest = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("10.001", delivered_on=today() + timedelta(days=1)),
        headers=season.producer,
    )

    assert given.status_code == 201
    assert given.json()["to_household_id"] is None
    assert [(a["household_id"], a["share_holder_id"], a["quantity"]) for a in harvest.json()["allocations"]] == [
        (str(araya.id), str(araya.id), "3.001"),
        (str(boonmee.id), str(boonmee.id), "3.000"),
    ]
    # Nothing goes back to the producer: delivered = allocated + surplus, to the gram.
    assert [(s["quantity"], s["handed_over_by_id"], s["use"]) for s in harvest.json()["surplus"]] == [
        ("1.000", None, "undecided"),
        ("3.000", str(chaiyaporn.id), "undecided"),
    ]


async def test_absence_applies_to_its_date_only(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    await give_absence_row(session, season, season.households[0], today() + timedelta(days=1), None)

    harvest = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.000"), headers=season.producer
    )

    assert harvest.json()["allocations"][0]["household_id"] == str(season.households[0].id)
    assert [s["handed_over_by_id"] for s in harvest.json()["surplus"]] == [None]


@pytest.mark.parametrize(("_case", "days_from_today"), [("today", 0), ("yesterday", -1)])
async def test_absence_on_or_after_its_date_is_refused(
    client: AsyncClient, session: AsyncSession, season: Season, _case: str, days_from_today: int
) -> None:
    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={
            "household_id": str(season.households[0].id),
            "on_date": (today() + timedelta(days=days_from_today)).isoformat(),
            "to_household_id": None,
        },
        headers=await season.member_headers(session, 0),
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "absence-not-beforehand"
    assert await absence_count(session, season) == 0


@pytest.mark.parametrize(
    ("_case", "on_date", "expected_status", "expected_code"),
    [
        ("the season's first day", today() + timedelta(days=10), 201, None),
        ("the day before the season", today() + timedelta(days=9), 422, "absence-date-outside-season"),
        ("60 days after the season", today() + timedelta(days=80), 201, None),
        ("61 days after the season", today() + timedelta(days=81), 422, "absence-date-outside-season"),
        ("year 9999", date(9999, 12, 31), 422, "absence-date-outside-season"),
        ("year 1", date(1, 1, 1), 409, "absence-not-beforehand"),
    ],
)
async def test_absence_is_dated_on_a_day_a_harvest_may_bear(
    client: AsyncClient,
    session: AsyncSession,
    season: Season,
    _case: str,
    on_date: date,
    expected_status: int,
    expected_code: str | None,
) -> None:
    season.plan.season_starts_on = today() + timedelta(days=10)
    season.plan.season_ends_on = today() + timedelta(days=20)
    await session.flush()

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={"household_id": str(season.households[0].id), "on_date": on_date.isoformat(), "to_household_id": None},
        headers=await season.member_headers(session, 0),
    )

    assert response.status_code == expected_status, response.text
    if expected_code is None:
        assert response.json()["on_date"] == on_date.isoformat()
        assert await absence_count(session, season) == 1
    else:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == expected_code
        assert await absence_count(session, season) == 0


async def test_second_absence_for_the_same_date_is_refused(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    url = f"/v1/agreements/{season.agreement.id}/absences"
    headers = await season.member_headers(session, 0)
    body = {"household_id": str(season.households[0].id), "on_date": tomorrow(), "to_household_id": None}
    first = await client.post(url, json=body, headers=headers)

    second = await client.post(url, json={**body, "to_household_id": str(season.households[5].id)}, headers=headers)

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["code"] == "absence-already-given"
    assert await absence_count(session, season) == 1


async def test_absence_after_that_days_harvest_is_refused(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("10.000", delivered_on=today() + timedelta(days=1)),
        headers=season.producer,
    )

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={"household_id": str(season.households[0].id), "on_date": tomorrow(), "to_household_id": None},
        headers=await season.member_headers(session, 0),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "harvest-already-recorded"
    assert await absence_count(session, season) == 0


@pytest.mark.parametrize(
    ("_case", "recipient", "expected_status", "expected_code"),
    [
        ("itself", "self", 422, "recipient-is-absent-household"),
        ("household of another group", "other group", 409, "recipient-not-a-member"),
        ("household of no group", "no group", 409, "recipient-not-a-member"),
        ("unknown household", "unknown", 409, "recipient-not-a-member"),
    ],
)
async def test_absence_to_a_household_outside_the_group_is_refused(
    client: AsyncClient,
    session: AsyncSession,
    season: Season,
    _case: str,
    recipient: str,
    expected_status: int,
    expected_code: str,
) -> None:
    other_group = await create_group(session, households=1)
    recipients = {
        "self": season.households[0].id,
        "other group": await session.scalar(
            select(Membership.household_id).where(Membership.group_id == other_group.id)
        ),
        "no group": (await create_household(session)).id,
        "unknown": uuid4(),
    }

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={
            "household_id": str(season.households[0].id),
            "on_date": tomorrow(),
            "to_household_id": str(recipients[recipient]),
        },
        headers=await season.member_headers(session, 0),
    )

    assert response.status_code == expected_status
    assert response.json()["code"] == expected_code
    assert await absence_count(session, season) == 0


async def test_household_without_shares_cannot_give_an_absence(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={"household_id": str(season.households[6].id), "on_date": tomorrow(), "to_household_id": None},
        headers=await season.member_headers(session, 6),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "household-not-subscribed"


async def test_nobody_gives_an_absence_for_a_household_they_do_not_belong_to(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={"household_id": str(season.households[0].id), "on_date": tomorrow(), "to_household_id": None},
        headers=season.headers(season.producer_coordinator),
    )

    assert response.status_code == 404
    assert response.json()["code"] == "household-not-found"
    assert await absence_count(session, season) == 0


async def test_absence_on_an_agreement_not_active_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings, status=AgreementStatus.completed)

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={"household_id": str(season.households[0].id), "on_date": tomorrow(), "to_household_id": None},
        headers=await season.member_headers(session, 0),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "agreement-not-active"


async def test_household_withdraws_its_absence_before_the_date(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    headers = await season.member_headers(session, 0)
    given = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={"household_id": str(season.households[0].id), "on_date": tomorrow(), "to_household_id": None},
        headers=headers,
    )
    url = f"/v1/agreements/{season.agreement.id}/absences/{given.json()['id']}"

    by_someone_else = await client.delete(url, headers=await season.member_headers(session, 1))
    withdrawn = await client.delete(url, headers=headers)
    again = await client.delete(url, headers=headers)

    assert by_someone_else.status_code == 404
    assert withdrawn.status_code == 204
    assert again.status_code == 404
    assert again.json()["code"] == "absence-not-found"
    assert await absence_count(session, season) == 0


@pytest.mark.parametrize(
    ("_case", "days_from_today", "with_harvest", "expected_code"),
    [
        ("its date has come", 0, False, "absence-not-beforehand"),
        ("that day's harvest is allocated", 1, True, "harvest-already-recorded"),
    ],
)
async def test_absence_cannot_be_withdrawn_once_it_applied(
    client: AsyncClient,
    session: AsyncSession,
    season: Season,
    _case: str,
    days_from_today: int,
    with_harvest: bool,
    expected_code: str,
) -> None:
    on_date = today() + timedelta(days=days_from_today)
    absence = await give_absence_row(session, season, season.households[0], on_date, season.households[4])
    if with_harvest:
        await client.post(
            f"/v1/agreements/{season.agreement.id}/harvests",
            json=season.harvest("1.000", delivered_on=on_date),
            headers=season.producer,
        )

    response = await client.delete(
        f"/v1/agreements/{season.agreement.id}/absences/{absence.id}", headers=await season.member_headers(session, 0)
    )

    assert response.status_code == 409
    assert response.json()["code"] == expected_code
    assert await absence_count(session, season) == 1


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "expected_count"),
    [
        ("member", "member", 200, 2),
        ("coordinator", "coordinator", 200, 2),
        ("producer coordinator", "producer", 403, None),
        ("stranger", "stranger", 404, None),
    ],
)
async def test_absences_are_listed_for_the_consumer_group(
    client: AsyncClient,
    session: AsyncSession,
    season: Season,
    _case: str,
    caller: str,
    expected_status: int,
    expected_count: int | None,
) -> None:
    await give_absence_row(session, season, season.households[0], today() + timedelta(days=3), None)
    await give_absence_row(session, season, season.households[1], today() + timedelta(days=3), season.households[0])
    users = {
        "member": await first_member(session, season.households[10]),
        "coordinator": season.consumer_coordinator,
        "producer": season.producer_coordinator,
        "stranger": await create_user(session),
    }

    response = await client.get(f"/v1/agreements/{season.agreement.id}/absences", headers=season.headers(users[caller]))

    assert response.status_code == expected_status
    if expected_count is not None:
        assert len(response.json()["data"]) == expected_count
        assert response.json()["has_more"] is False


async def test_household_that_left_sees_and_gives_its_own_absences(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    headers = await season.member_headers(session, 2)
    await give_absence_row(session, season, season.households[0], today() + timedelta(days=3), None)
    await client.delete(
        f"/v1/consumer-groups/{season.consumer_group.id}/memberships/{season.households[2].id}", headers=headers
    )

    given = await client.post(
        f"/v1/agreements/{season.agreement.id}/absences",
        json={"household_id": str(season.households[2].id), "on_date": tomorrow(), "to_household_id": None},
        headers=headers,
    )
    listed = await client.get(f"/v1/agreements/{season.agreement.id}/absences", headers=headers)

    assert given.status_code == 201
    assert [absence["household_id"] for absence in listed.json()["data"]] == [str(season.households[2].id)]
