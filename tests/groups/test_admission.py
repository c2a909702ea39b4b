"""Admission by approval: a household asks to join, a coordinator admits it (as a member, or onto the
waiting list of a full group) or declines it with a reason; only admitted households count toward 15-150."""

import asyncio
from uuid import UUID, uuid4

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.groups.models import (
    MAX_HOUSEHOLDS,
    Admission,
    ConsumerGroup,
    Household,
    Membership,
    MembershipRequest,
    RequestStatus,
    WaitingListEntry,
)
from tests.factories import (
    auth_headers,
    coordinator_ids,
    create_group,
    create_household,
    create_user,
    first_member,
    member_count,
    warm_pool,
)

GROUP = {"name": "Hanoi Green Families", "legal_form": "association", "country": "VN", "region": "Hanoi"}


def assert_problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def ask(client: AsyncClient, headers: dict[str, str], group_id: UUID, household_id: UUID) -> Response:
    return await client.post(
        f"/v1/consumer-groups/{group_id}/memberships", json={"household_id": str(household_id)}, headers=headers
    )


async def household_headers(session: AsyncSession, settings: Settings, household: Household) -> dict[str, str]:
    return auth_headers(settings, (await first_member(session, household)).id)


async def coordinator_headers(session: AsyncSession, settings: Settings, group: ConsumerGroup) -> dict[str, str]:
    return auth_headers(settings, (await coordinator_ids(session, group))[0])


async def test_a_new_group_admits_by_approval_and_a_request_counts_no_household(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    founder = await create_user(session)
    created = await client.post("/v1/consumer-groups", json=GROUP, headers=auth_headers(settings, founder.id))
    group_id = UUID(created.json()["id"])
    household = await create_household(session)

    response = await ask(client, await household_headers(session, settings, household), group_id, household.id)
    group = await client.get(f"/v1/consumer-groups/{group_id}", headers=auth_headers(settings, founder.id))

    assert created.json()["admission"] == "by_approval"
    assert response.status_code == 202, response.text
    body = response.json()
    assert {key: body[key] for key in ("group_id", "household_id", "status")} == {
        "group_id": str(group_id),
        "household_id": str(household.id),
        "status": "pending",
    }
    assert body["id"] and body["requested_at"] and body["decided_at"] is None
    assert group.json()["member_count"] == 0
    assert await member_count(session, group_id) == 0


async def test_a_coordinator_admits_a_request_and_the_household_becomes_a_member(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=3, admission=Admission.by_approval)
    household = await create_household(session)
    own = await household_headers(session, settings, household)
    coordinator = await coordinator_headers(session, settings, group)
    request = (await ask(client, own, group.id, household.id)).json()

    admitted = await client.post(f"/v1/membership-requests/{request['id']}/admissions", headers=coordinator)
    again = await client.post(f"/v1/membership-requests/{request['id']}/admissions", headers=coordinator)
    mine = await client.get(f"/v1/households/{household.id}/membership-requests", headers=own)
    groups = await client.get(f"/v1/households/{household.id}/memberships", headers=own)

    assert admitted.status_code == 200, admitted.text
    assert admitted.json()["status"] == "admitted"
    assert admitted.json()["decided_by"] == str((await coordinator_ids(session, group))[0])
    assert_problem(again, 409, "membership-request-decided")
    assert [(r["id"], r["status"]) for r in mine.json()["data"]] == [(request["id"], "admitted")]
    assert [m["group_id"] for m in groups.json()["memberships"]] == [str(group.id)]
    await session.refresh(group)
    assert (group.member_count, await member_count(session, group.id)) == (4, 4)


async def test_a_declined_request_tells_the_household_why(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, admission=Admission.by_approval)
    household = await create_household(session)
    own = await household_headers(session, settings, household)
    request = (await ask(client, own, group.id, household.id)).json()
    url = f"/v1/membership-requests/{request['id']}"
    coordinator = await coordinator_headers(session, settings, group)

    blank = await client.post(f"{url}/declines", json={"reason": "  "}, headers=coordinator)
    declined = await client.post(f"{url}/declines", json={"reason": "We deliver only in Ba Dinh."}, headers=coordinator)
    admit_after = await client.post(f"{url}/admissions", headers=coordinator)
    mine = await client.get(f"/v1/households/{household.id}/membership-requests", headers=own)
    asked_again = await ask(client, own, group.id, household.id)

    assert_problem(blank, 422, "validation-failed")
    assert declined.status_code == 200, declined.text
    assert_problem(admit_after, 409, "membership-request-decided")
    [read] = mine.json()["data"]
    assert (read["status"], read["decline_reason"]) == ("declined", "We deliver only in Ba Dinh.")
    assert asked_again.status_code == 202  # a declined household may ask again later
    assert await member_count(session, group.id) == 2


async def test_a_second_pending_request_and_a_member_asking_are_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=1, admission=Admission.by_approval)
    member = await session.scalar(select(Household).join(Membership).where(Membership.group_id == group.id))
    assert member is not None
    household = await create_household(session)
    own = await household_headers(session, settings, household)

    first = await ask(client, own, group.id, household.id)
    second = await ask(client, own, group.id, household.id)
    from_member = await ask(client, await household_headers(session, settings, member), group.id, member.id)

    assert first.status_code == 202
    assert_problem(second, 409, "membership-request-pending")
    assert_problem(from_member, 409, "already-member")


async def test_only_coordinators_see_and_decide_requests(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, admission=Admission.by_approval)
    household = await create_household(session)
    own = await household_headers(session, settings, household)
    request = (await ask(client, own, group.id, household.id)).json()
    outsider = auth_headers(settings, (await create_user(session)).id)
    url = f"/v1/membership-requests/{request['id']}"

    for headers in (own, outsider):
        assert_problem(await client.post(f"{url}/admissions", headers=headers), 403, "not-coordinator")
        declined = await client.post(f"{url}/declines", json={"reason": "no"}, headers=headers)
        assert_problem(declined, 403, "not-coordinator")
        listed = await client.get(f"/v1/consumer-groups/{group.id}/membership-requests", headers=headers)
        assert_problem(listed, 403, "not-coordinator")
    unknown = await client.post(
        f"/v1/membership-requests/{uuid4()}/admissions", headers=await coordinator_headers(session, settings, group)
    )
    others = await client.get(f"/v1/households/{household.id}/membership-requests", headers=outsider)

    assert_problem(unknown, 404, "membership-request-not-found")
    assert_problem(others, 404, "household-not-found")
    stored = await session.get_one(MembershipRequest, UUID(request["id"]))
    assert stored.status == RequestStatus.pending


async def test_coordinators_list_requests_by_status_page_by_page(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, admission=Admission.by_approval)
    coordinator = await coordinator_headers(session, settings, group)
    households = [await create_household(session) for _ in range(3)]
    requests = [
        (await ask(client, await household_headers(session, settings, h), group.id, h.id)).json() for h in households
    ]
    await client.post(
        f"/v1/membership-requests/{requests[1]['id']}/declines", json={"reason": "no"}, headers=coordinator
    )
    url = f"/v1/consumer-groups/{group.id}/membership-requests"

    first = await client.get(url, params={"limit": 2}, headers=coordinator)
    second = await client.get(url, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=coordinator)
    pending = await client.get(url, params={"status": "pending"}, headers=coordinator)

    listed = [r["id"] for r in first.json()["data"] + second.json()["data"]]
    assert listed == [r["id"] for r in requests]
    assert second.json()["has_more"] is False
    assert [r["id"] for r in pending.json()["data"]] == [requests[0]["id"], requests[2]["id"]]


async def test_coordinators_open_the_group_and_households_then_join_at_once(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, admission=Admission.by_approval)
    coordinator = await coordinator_headers(session, settings, group)
    household = await create_household(session)

    member = await client.patch(
        f"/v1/consumer-groups/{group.id}",
        json={"admission": "open"},
        headers=await household_headers(session, settings, household),
    )
    opened = await client.patch(f"/v1/consumer-groups/{group.id}", json={"admission": "open"}, headers=coordinator)
    joined = await ask(client, await household_headers(session, settings, household), group.id, household.id)

    assert_problem(member, 403, "not-coordinator")
    assert opened.status_code == 200, opened.text
    assert opened.json()["admission"] == "open"
    assert joined.status_code == 201, joined.text
    assert joined.json()["household_id"] == str(household.id)


async def test_admitting_into_a_full_group_places_the_household_on_the_waiting_list(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=MAX_HOUSEHOLDS, admission=Admission.by_approval)
    household = await create_household(session)
    own = await household_headers(session, settings, household)
    request = (await ask(client, own, group.id, household.id)).json()

    admitted = await client.post(
        f"/v1/membership-requests/{request['id']}/admissions",
        headers=await coordinator_headers(session, settings, group),
    )
    groups = await client.get(f"/v1/households/{household.id}/memberships", headers=own)

    assert request["status"] == "pending"
    assert admitted.status_code == 200, admitted.text
    assert admitted.json()["status"] == "waiting"
    assert groups.json()["memberships"] == []
    assert [(w["group_id"], w["position"]) for w in groups.json()["waiting"]] == [(str(group.id), 1)]
    assert await member_count(session, group.id) == MAX_HOUSEHOLDS


async def test_a_full_group_admitting_by_approval_takes_no_one_onto_its_waiting_list_unasked(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    """The waiting list admits by itself when a place frees: queueing there directly would skip consent."""
    group = await create_group(session, households=MAX_HOUSEHOLDS, admission=Admission.by_approval)
    household = await create_household(session)

    queued = await client.post(
        f"/v1/consumer-groups/{group.id}/waiting-list",
        json={"household_id": str(household.id)},
        headers=await household_headers(session, settings, household),
    )
    groups = await client.get(
        f"/v1/households/{household.id}/memberships", headers=await household_headers(session, settings, household)
    )

    assert_problem(queued, 409, "admission-by-approval")
    assert groups.json()["waiting"] == []


async def test_a_request_of_a_household_whose_user_already_belongs_is_refused_and_not_admitted(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=2, admission=Admission.by_approval)
    member = await session.scalar(select(Household).join(Membership).where(Membership.group_id == group.id))
    assert member is not None
    user = await first_member(session, member)
    twice = await create_household(session, user)
    newcomer = await create_household(session)
    newcomer_user = await first_member(session, newcomer)
    coordinator = await coordinator_headers(session, settings, group)

    refused = await ask(client, auth_headers(settings, user.id), group.id, twice.id)
    request = (await ask(client, auth_headers(settings, newcomer_user.id), group.id, newcomer.id)).json()
    # The member's user joins the newcomer's household while the request waits: one person, counted once.
    added = await client.post(
        f"/v1/households/{newcomer.id}/members",
        json={"user_id": str(user.id)},
        headers=auth_headers(settings, newcomer_user.id),
    )
    admitted = await client.post(f"/v1/membership-requests/{request['id']}/admissions", headers=coordinator)

    assert_problem(refused, 409, "already-in-group-through-another-household")
    assert added.status_code == 201, added.text
    assert_problem(admitted, 409, "already-in-group-through-another-household")
    assert await member_count(session, group.id) == 2


async def _racing_admissions(
    committing_client: AsyncClient,
    committing_session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    requests: int,
    coordinators: int,
) -> list[Response]:
    """`requests` pending requests to a group of 149, admitted at once by `coordinators` coordinators in turn."""
    async with committing_session_factory.begin() as session:
        group = await create_group(
            session, households=MAX_HOUSEHOLDS - 1, coordinators=coordinators, admission=Admission.by_approval
        )
        asking = [await create_household(session) for _ in range(requests)]
        pending = [MembershipRequest(group_id=group.id, household_id=h.id) for h in asking]
        session.add_all(pending)
        await session.flush()
        headers = [auth_headers(settings, user_id) for user_id in await coordinator_ids(session, group)]
    await warm_pool(committing_client, requests)
    responses = await asyncio.gather(
        *[
            committing_client.post(
                f"/v1/membership-requests/{request.id}/admissions", headers=headers[index % coordinators]
            )
            for index, request in enumerate(pending)
        ]
    )
    async with committing_session_factory() as session:
        rows = await session.scalar(select(func.count()).select_from(Membership).where(Membership.group_id == group.id))
        stored = await session.get_one(ConsumerGroup, group.id)
        waiting = await session.scalar(
            select(func.count()).select_from(WaitingListEntry).where(WaitingListEntry.group_id == group.id)
        )
        assert (rows, stored.member_count, waiting) == (MAX_HOUSEHOLDS, MAX_HOUSEHOLDS, requests - 1)
    return responses


async def test_two_coordinators_admitting_at_149_members_make_one_the_150th(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    responses = await _racing_admissions(
        committing_client, committing_session_factory, settings, requests=2, coordinators=2
    )

    assert [response.status_code for response in responses] == [200, 200]
    assert sorted(response.json()["status"] for response in responses) == ["admitted", "waiting"]


async def test_twenty_admissions_at_149_members_admit_one_and_queue_the_rest(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    responses = await _racing_admissions(
        committing_client, committing_session_factory, settings, requests=20, coordinators=2
    )

    assert [response.status_code for response in responses] == [200] * 20
    assert sorted(response.json()["status"] for response in responses) == ["admitted"] + ["waiting"] * 19
