"""A household manages itself: its members rename it and remove members, themselves included, with no
coordinator involved; only never its last member."""

import asyncio
from uuid import UUID, uuid4

from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.groups.models import Household, HouseholdMember, Membership
from tests.factories import auth_headers, coordinator_ids, create_group, create_household, create_user, warm_pool


def assert_problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def stored_name(session: AsyncSession, household_id: UUID) -> str | None:
    return await session.scalar(
        select(Household.name).where(Household.id == household_id).execution_options(populate_existing=True)
    )


async def member_ids(session: AsyncSession, household_id: UUID) -> set[UUID]:
    statement = select(HouseholdMember.user_id).where(HouseholdMember.household_id == household_id)
    return set((await session.scalars(statement)).all())


# Renaming


async def test_a_member_renames_the_household_with_the_etag_read(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    mai, lan = await create_user(session), await create_user(session)
    household = await create_household(session, mai, lan, name="Tran family")
    headers = auth_headers(settings, lan.id)
    read = await client.get(f"/v1/households/{household.id}", headers=headers)

    renamed = await client.patch(
        f"/v1/households/{household.id}",
        json={"name": " Tran-Nguyen family "},
        headers={**headers, "If-Match": read.headers["etag"]},
    )
    again = await client.get(f"/v1/households/{household.id}", headers=auth_headers(settings, mai.id))

    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Tran-Nguyen family"
    assert [member["user_id"] for member in renamed.json()["members"]] == [str(mai.id), str(lan.id)]
    assert renamed.headers["etag"] == again.headers["etag"] != read.headers["etag"]
    assert await stored_name(session, household.id) == "Tran-Nguyen family"


async def test_a_rename_against_a_stale_etag_is_refused_and_changes_nothing(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    mai, lan = await create_user(session), await create_user(session)
    household = await create_household(session, mai, lan, name="Tran family")
    stale = (await client.get(f"/v1/households/{household.id}", headers=auth_headers(settings, mai.id))).headers["etag"]
    await client.patch(
        f"/v1/households/{household.id}", json={"name": "Tran house"}, headers=auth_headers(settings, lan.id)
    )

    refused = await client.patch(
        f"/v1/households/{household.id}",
        json={"name": "Mai's idea"},
        headers={**auth_headers(settings, mai.id), "If-Match": stale},
    )

    assert_problem(refused, 412, "precondition-failed")
    assert await stored_name(session, household.id) == "Tran house"


async def test_nobody_renames_a_household_they_do_not_belong_to(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    household = await create_household(session, name="Tran family")
    group = await create_group(session)
    session.add(Membership(group_id=group.id, household_id=household.id))
    # Coordinating a group the household belongs to gives no say over the household.
    outsiders = [*await coordinator_ids(session, group), (await create_user(session)).id]

    responses = [
        await client.patch(
            f"/v1/households/{household.id}", json={"name": "Taken over"}, headers=auth_headers(settings, outsider)
        )
        for outsider in outsiders
    ]

    for response in responses:
        assert_problem(response, 404, "household-not-found")
    assert await stored_name(session, household.id) == "Tran family"


async def test_a_blank_name_is_refused_and_changes_nothing(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    household = await create_household(session, user, name="Tran family")

    refused = await client.patch(
        f"/v1/households/{household.id}", json={"name": "\u3164 "}, headers=auth_headers(settings, user.id)
    )

    assert_problem(refused, 422, "validation-failed")
    assert await stored_name(session, household.id) == "Tran family"


# Removing members


async def test_a_member_removes_another_member(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    mai, lan = await create_user(session), await create_user(session)
    household = await create_household(session, mai, lan)

    removed = await client.delete(
        f"/v1/households/{household.id}/members/{lan.id}", headers=auth_headers(settings, mai.id)
    )
    their_view = await client.get(f"/v1/households/{household.id}", headers=auth_headers(settings, lan.id))
    their_households = await client.get("/v1/me/households", headers=auth_headers(settings, lan.id))

    assert removed.status_code == 204
    assert_problem(their_view, 404, "household-not-found")
    assert their_households.json()["data"] == []
    assert await member_ids(session, household.id) == {mai.id}


async def test_a_member_leaves_the_household(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    mai, lan = await create_user(session), await create_user(session)
    household = await create_household(session, mai, lan)

    left = await client.delete(
        f"/v1/households/{household.id}/members/{mai.id}", headers=auth_headers(settings, mai.id)
    )
    view = await client.get(f"/v1/households/{household.id}", headers=auth_headers(settings, lan.id))

    assert left.status_code == 204
    assert [member["user_id"] for member in view.json()["members"]] == [str(lan.id)]
    assert await member_ids(session, household.id) == {lan.id}


async def test_the_last_member_stays(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    mai = await create_user(session)
    household = await create_household(session, mai)

    refused = await client.delete(
        f"/v1/households/{household.id}/members/{mai.id}", headers=auth_headers(settings, mai.id)
    )

    assert_problem(refused, 409, "last-household-member")
    assert await member_ids(session, household.id) == {mai.id}


async def test_nobody_removes_members_of_a_household_they_do_not_belong_to(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    mai, lan, neighbour = await create_user(session), await create_user(session), await create_user(session)
    household = await create_household(session, mai, lan)
    neighbours = await create_household(session, neighbour)

    from_outside = await client.delete(
        f"/v1/households/{household.id}/members/{lan.id}", headers=auth_headers(settings, neighbour.id)
    )
    # Through the neighbour's own household, the user is simply no member of it.
    through_own = await client.delete(
        f"/v1/households/{neighbours.id}/members/{lan.id}", headers=auth_headers(settings, neighbour.id)
    )
    unknown = await client.delete(
        f"/v1/households/{uuid4()}/members/{lan.id}", headers=auth_headers(settings, neighbour.id)
    )

    assert_problem(from_outside, 404, "household-not-found")
    assert_problem(through_own, 404, "household-member-not-found")
    assert_problem(unknown, 404, "household-not-found")
    assert await member_ids(session, household.id) == {mai.id, lan.id}
    assert await member_ids(session, neighbours.id) == {neighbour.id}


async def test_removing_someone_who_is_no_member_is_not_found(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    mai, lan = await create_user(session), await create_user(session)
    household = await create_household(session, mai)

    response = await client.delete(
        f"/v1/households/{household.id}/members/{lan.id}", headers=auth_headers(settings, mai.id)
    )

    assert_problem(response, 404, "household-member-not-found")
    assert await member_ids(session, household.id) == {mai.id}


async def test_two_members_leaving_at_once_leave_one_behind(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        mai, lan = await create_user(session), await create_user(session)
        household = await create_household(session, mai, lan)
    await warm_pool(committing_client, 2)

    responses = await asyncio.gather(
        *[
            committing_client.delete(
                f"/v1/households/{household.id}/members/{user.id}", headers=auth_headers(settings, user.id)
            )
            for user in (mai, lan)
        ]
    )

    assert sorted(response.status_code for response in responses) == [204, 409]
    async with committing_session_factory() as session:
        assert len(await member_ids(session, household.id)) == 1
