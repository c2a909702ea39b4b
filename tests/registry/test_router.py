"""Pledges over HTTP: a household's members pledge with consent, once, in a country of its groups; withdraw;
and the public summary shows counts only."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.groups.models import Membership
from tests.factories import auth_headers, create_group, create_household, create_user, first_member
from tests.registry.builders import add_pledge, household_of, pledge_body, pledge_rows, stored_count


async def test_a_member_pledges_for_the_household_and_the_country_is_counted(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=1, country="VN")
    member = await create_user(session)
    household = await create_household(session, member)
    session.add(Membership(group_id=group.id, household_id=household.id))
    await session.flush()
    before = await stored_count(session, "VN")

    response = await client.post(
        f"/v1/households/{household.id}/pledges", json=pledge_body("VN"), headers=auth_headers(settings, member.id)
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/pledges/{body['id']}"
    assert body["household_id"] == str(household.id)
    assert (body["country"], body["status"], body["consent_text_version"]) == ("VN", "active", "2026-11")
    assert body["pledged_by"] == str(member.id)
    assert (body["withdrawn_at"], body["withdrawn_by"]) == (None, None)
    assert await stored_count(session, "VN") == before + 1


async def test_pledging_again_answers_the_pledge_already_counted(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=1, country="TH")
    household = await household_of(session, group)
    headers = auth_headers(settings, (await first_member(session, household)).id)
    first = await client.post(f"/v1/households/{household.id}/pledges", json=pledge_body(), headers=headers)
    before = await stored_count(session, "TH")

    again = await client.post(f"/v1/households/{household.id}/pledges", json=pledge_body(), headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["location"] == f"/v1/pledges/{first.json()['id']}"
    assert await stored_count(session, "TH") == before
    assert await pledge_rows(session, household) == 1


@pytest.mark.parametrize(
    ("_case", "changes", "status", "code"),
    [
        ("no consent", {"consent": False}, 422, "consent-required"),
        ("a country of none of its groups", {"country": "KH"}, 422, "pledge-country-not-of-household"),
        ("consent as a string", {"consent": "true"}, 422, "validation-failed"),
        ("unknown country", {"country": "XX"}, 422, "validation-failed"),
        ("blank consent text version", {"consent_text_version": ""}, 422, "validation-failed"),
    ],
)
async def test_a_pledge_without_consent_or_in_another_country_is_refused(
    client: AsyncClient,
    session: AsyncSession,
    settings: Settings,
    _case: str,
    changes: dict[str, Any],
    status: int,
    code: str,
) -> None:
    group = await create_group(session, households=1, country="TH")
    household = await household_of(session, group)
    member = await first_member(session, household)
    before = await stored_count(session, "TH")

    response = await client.post(
        f"/v1/households/{household.id}/pledges",
        json=pledge_body(**changes),
        headers=auth_headers(settings, member.id),
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert await pledge_rows(session, household) == 0
    assert await stored_count(session, "TH") == before


async def test_a_household_in_no_group_cannot_pledge(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    member = await create_user(session)
    household = await create_household(session, member)

    response = await client.post(
        f"/v1/households/{household.id}/pledges", json=pledge_body(), headers=auth_headers(settings, member.id)
    )

    assert response.status_code == 409
    assert response.json()["code"] == "household-in-no-group"
    assert await pledge_rows(session, household) == 0


async def test_a_household_in_groups_of_two_countries_pledges_in_either(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    member = await create_user(session)
    household = await create_household(session, member)
    for country in ("TH", "LA"):
        group = await create_group(session, country=country)
        session.add(Membership(group_id=group.id, household_id=household.id))
    await session.flush()

    response = await client.post(
        f"/v1/households/{household.id}/pledges", json=pledge_body("LA"), headers=auth_headers(settings, member.id)
    )

    assert response.status_code == 201
    assert response.json()["country"] == "LA"


@pytest.mark.parametrize(("_case", "signed_in"), [("anonymous", False), ("not a member of the household", True)])
async def test_only_the_households_members_pledge_for_it(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, signed_in: bool
) -> None:
    group = await create_group(session, households=1, country="TH")
    household = await household_of(session, group)
    outsider = await create_user(session)
    headers = auth_headers(settings, outsider.id) if signed_in else {}

    response = await client.post(f"/v1/households/{household.id}/pledges", json=pledge_body(), headers=headers)

    assert response.status_code == (404 if signed_in else 401)
    assert response.json()["code"] == ("household-not-found" if signed_in else "not-authenticated")
    assert await pledge_rows(session, household) == 0


async def test_a_withdrawn_pledge_is_kept_and_no_longer_counted_and_the_household_may_pledge_again(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=1, country="PH")
    household = await household_of(session, group)
    member = await first_member(session, household)
    headers = auth_headers(settings, member.id)
    pledge = await add_pledge(session, household, member, country="PH")
    before = await stored_count(session, "PH")

    withdrawn = await client.post(f"/v1/pledges/{pledge.id}/withdrawal", headers=headers)
    withdrawn_again = await client.post(f"/v1/pledges/{pledge.id}/withdrawal", headers=headers)
    after_withdrawal = await stored_count(session, "PH")
    renewed = await client.post(f"/v1/households/{household.id}/pledges", json=pledge_body("PH"), headers=headers)
    history = await client.get(f"/v1/households/{household.id}/pledges", headers=headers)

    assert withdrawn.status_code == 200
    assert (withdrawn.json()["status"], withdrawn.json()["withdrawn_by"]) == ("withdrawn", str(member.id))
    assert withdrawn_again.status_code == 200
    assert withdrawn_again.json()["withdrawn_at"] == withdrawn.json()["withdrawn_at"]
    assert after_withdrawal == before - 1
    assert renewed.status_code == 201
    assert renewed.json()["id"] != str(pledge.id)
    assert await stored_count(session, "PH") == before
    assert [(p["id"], p["status"]) for p in history.json()["data"]] == [
        (str(pledge.id), "withdrawn"),
        (renewed.json()["id"], "active"),
    ]


async def test_another_households_pledge_reads_as_not_found(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, country="TH")
    households = [await household_of(session, group, index) for index in (0, 1)]
    owner = await first_member(session, households[0])
    neighbour = await first_member(session, households[1])
    pledge = await add_pledge(session, households[0], owner)
    before = await stored_count(session, "TH")
    headers = auth_headers(settings, neighbour.id)

    read = await client.get(f"/v1/pledges/{pledge.id}", headers=headers)
    withdrawal = await client.post(f"/v1/pledges/{pledge.id}/withdrawal", headers=headers)
    history = await client.get(f"/v1/households/{households[0].id}/pledges", headers=headers)
    own_read = await client.get(f"/v1/pledges/{pledge.id}", headers=auth_headers(settings, owner.id))

    assert (read.status_code, read.json()["code"]) == (404, "pledge-not-found")
    assert (withdrawal.status_code, withdrawal.json()["code"]) == (404, "pledge-not-found")
    assert (history.status_code, history.json()["code"]) == (404, "household-not-found")
    assert (own_read.status_code, own_read.json()["status"]) == (200, "active")
    assert await stored_count(session, "TH") == before


async def test_the_summary_is_public_counts_only_for_all_eleven_asean_members(
    client: AsyncClient, session: AsyncSession
) -> None:
    before = (await client.get("/v1/registry/summary")).json()
    group = await create_group(session, households=2, country="KH")
    for index in (0, 1):
        household = await household_of(session, group, index)
        await add_pledge(session, household, await first_member(session, household), country="KH")
    japanese = await create_group(session, households=1, country="JP")
    household = await household_of(session, japanese)
    await add_pledge(session, household, await first_member(session, household), country="JP")

    response = await client.get("/v1/registry/summary")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=60"
    body = response.json()
    assert set(body) == {"target", "total", "asean", "elsewhere"}
    assert body["target"] == 1_000_000
    assert [row["country"] for row in body["asean"]] == [
        "BN",
        "ID",
        "KH",
        "LA",
        "MM",
        "MY",
        "PH",
        "SG",
        "TH",
        "TL",
        "VN",
    ]
    assert all(set(row) == {"country", "name", "pledges"} for row in body["asean"])
    assert {row["country"]: row["name"] for row in body["asean"]}["TL"] == "Timor-Leste"
    pledges = {row["country"]: row["pledges"] for row in body["asean"]}
    pledges_before = {row["country"]: row["pledges"] for row in before["asean"]}
    assert pledges == pledges_before | {"KH": pledges_before["KH"] + 2}
    assert (body["total"], body["elsewhere"]) == (before["total"] + 3, before["elsewhere"] + 1)
