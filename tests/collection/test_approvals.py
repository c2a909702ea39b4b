"""Where a group is paid is the group's decision: accounts and defaults wait for its quorum of coordinators
in office; details never change; any coordinator retires an account."""

import asyncio
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.models import User
from app.collection.models import AccountApproval, CollectionAccount, CollectionAccountStatus
from app.core.config import Settings
from app.core.db import utc_now
from app.groups.models import Coordinator
from tests.factories import warm_pool
from tests.groups.test_router import assert_problem
from tests.harvests.builders import Season, create_season

PROMPTPAY = {"kind": "qr", "scheme": "promptpay", "proxy_type": "mobile", "proxy_value": "0812345678"}
BANK = {
    "kind": "bank_account",
    "bank_name": "Kasikornbank",
    "account_holder": "Veg Box",
    "account_number": "1234567890",
}


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    return await create_season(session, settings)


async def appoint_coordinators(session: AsyncSession, season: Season, count: int) -> list[User]:
    """The season's coordinator and the people of the next households, `count` coordinators in all: with
    no quorum chosen, the group's decisions then need two approvals."""
    appointed = [await season.member(session, index) for index in range(1, count)]
    session.add_all(
        Coordinator(group_id=season.consumer_group.id, user_id=user.id, appointed_by=user.id) for user in appointed
    )
    await session.flush()
    return [season.consumer_coordinator, *appointed]


def accounts_url(season: Season) -> str:
    return f"/v1/consumer-groups/{season.consumer_group.id}/collection-accounts"


def account_url(season: Season, account: dict[str, Any], action: str = "") -> str:
    return f"{accounts_url(season)}/{account['id']}{action}"


def instructions_url(season: Season) -> str:
    return f"/v1/subscriptions/{season.subscriptions[0].id}/payment-instructions"


async def propose(client: AsyncClient, season: Season, by: User, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(accounts_url(season), json=body, headers=season.headers(by))
    assert response.status_code == 201, response.text
    account: dict[str, Any] = response.json()
    return account


async def act(client: AsyncClient, season: Season, by: User, account: dict[str, Any], action: str) -> Response:
    return await client.post(account_url(season, account, action), headers=season.headers(by))


async def paid_into(client: AsyncClient, season: Season) -> dict[str, Any] | None:
    instructions = await client.get(instructions_url(season), headers=season.headers(season.consumer_coordinator))
    account: dict[str, Any] | None = instructions.json()["collection_account"]
    return account


async def test_with_a_quorum_of_one_an_account_is_active_and_the_default_at_once(
    client: AsyncClient, season: Season
) -> None:
    account = await propose(client, season, season.consumer_coordinator, PROMPTPAY)

    assert (account["status"], account["default"], account["proposal"]) == ("active", True, None)
    assert (await paid_into(client, season) or {}).get("id") == account["id"]


async def test_with_a_quorum_of_two_a_proposed_account_is_not_paid_into_until_approved(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    proposer, second, _ = await appoint_coordinators(session, season, 3)

    account = await propose(client, season, proposer, PROMPTPAY)
    before = await paid_into(client, season)
    approved = await act(client, season, second, account, "/approvals")

    assert (account["status"], account["default"]) == ("proposed", False)
    assert account["proposal"]["kind"] == "add_account"
    assert account["proposal"]["makes_default"] is True
    assert (account["proposal"]["approvals_counted"], account["proposal"]["approval_quorum"]) == (1, 2)
    assert [approval["user_id"] for approval in account["proposal"]["approvals"]] == [str(proposer.id)]
    assert before is None
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["default"], approved.json()["proposal"]) == (
        "active",
        True,
        None,
    )
    assert (await paid_into(client, season) or {}).get("id") == account["id"]


async def test_an_approval_counts_once_and_only_while_something_awaits_it(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    proposer, second, third = await appoint_coordinators(session, season, 3)
    account = await propose(client, season, proposer, PROMPTPAY)

    again = await act(client, season, proposer, account, "/approvals")
    carried = await act(client, season, second, account, "/approvals")
    late = await act(client, season, third, account, "/approvals")

    assert_problem(again, 409, "collection-account-already-approved")
    assert carried.status_code == 200, carried.text
    assert_problem(late, 409, "collection-account-nothing-to-approve")
    approvals = await session.scalar(select(func.count()).select_from(AccountApproval))
    assert approvals == 2


async def test_the_approval_of_a_coordinator_who_left_office_does_not_count(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    proposer, second, third = await appoint_coordinators(session, season, 3)
    account = await propose(client, season, proposer, PROMPTPAY)
    await session.execute(
        update(Coordinator)
        .where(Coordinator.group_id == season.consumer_group.id, Coordinator.user_id == proposer.id)
        .values(ended_at=utc_now())
    )

    waiting = await act(client, season, second, account, "/approvals")
    carried = await act(client, season, third, account, "/approvals")

    assert waiting.json()["status"] == "proposed"
    assert [(a["user_id"], a["in_office"]) for a in waiting.json()["proposal"]["approvals"]] == [
        (str(proposer.id), False),
        (str(second.id), True),
    ]
    assert waiting.json()["proposal"]["approvals_counted"] == 1
    assert (carried.json()["status"], carried.json()["default"]) == ("active", True)


async def test_a_member_may_not_approve_and_another_groups_account_is_not_found(
    client: AsyncClient, session: AsyncSession, season: Season, settings: Settings
) -> None:
    proposer, *_ = await appoint_coordinators(session, season, 2)
    account = await propose(client, season, proposer, PROMPTPAY)
    other = await create_season(session, settings)
    member = await season.member(session, 5)

    by_member = await act(client, season, member, account, "/approvals")
    elsewhere = await client.post(
        f"/v1/consumer-groups/{other.consumer_group.id}/collection-accounts/{account['id']}/approvals",
        headers=other.headers(other.consumer_coordinator),
    )
    outsider = await act(client, season, other.consumer_coordinator, account, "/approvals")
    read_elsewhere = await client.get(
        f"/v1/consumer-groups/{other.consumer_group.id}/collection-accounts/{account['id']}",
        headers=other.headers(other.consumer_coordinator),
    )

    assert_problem(by_member, 403, "not-coordinator")
    assert_problem(elsewhere, 404, "collection-account-not-found")
    assert_problem(outsider, 403, "not-coordinator")
    assert_problem(read_elsewhere, 404, "collection-account-not-found")
    stored = await session.get_one(CollectionAccount, UUID(account["id"]), populate_existing=True)
    assert stored.status == CollectionAccountStatus.proposed
    assert await session.scalar(select(func.count()).select_from(AccountApproval)) == 1


async def test_members_read_an_account_with_its_approvals(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    proposer, *_ = await appoint_coordinators(session, season, 2)
    account = await propose(client, season, proposer, PROMPTPAY)

    read = await client.get(account_url(season, account), headers=await season.member_headers(session, 5))
    listed = await client.get(accounts_url(season), headers=await season.member_headers(session, 5))

    assert read.status_code == 200, read.text
    assert read.json()["proposal"]["approvals_counted"] == 1
    assert listed.json()["data"] == [read.json()]


async def test_making_another_account_the_default_needs_the_quorum(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    first = await propose(client, season, season.consumer_coordinator, BANK)
    second = await propose(client, season, season.consumer_coordinator, PROMPTPAY)
    proposer, co_coordinator = await appoint_coordinators(session, season, 2)

    proposed = await act(client, season, proposer, second, "/default")
    twice = await act(client, season, proposer, second, "/default")
    still = await paid_into(client, season)
    carried = await act(client, season, co_coordinator, second, "/approvals")

    assert (proposed.json()["default"], proposed.json()["proposal"]["kind"]) == (False, "make_default")
    assert_problem(twice, 409, "collection-account-proposal-open")
    assert (still or {}).get("id") == first["id"]
    assert carried.json()["default"] is True
    assert (await paid_into(client, season) or {}).get("id") == second["id"]
    listed = (await client.get(accounts_url(season), headers=season.headers(proposer))).json()["data"]
    assert [row["default"] for row in listed] == [False, True]
    assert_problem(await act(client, season, proposer, second, "/default"), 409, "collection-account-already-default")


async def test_only_an_active_account_may_be_proposed_as_the_default(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    proposer, *_ = await appoint_coordinators(session, season, 2)
    account = await propose(client, season, proposer, PROMPTPAY)

    response = await act(client, season, proposer, account, "/default")

    assert_problem(response, 409, "collection-account-not-active")


async def test_any_coordinator_retires_the_default_and_the_group_then_has_none(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    account = await propose(client, season, season.consumer_coordinator, PROMPTPAY)
    _, co_coordinator = await appoint_coordinators(session, season, 2)

    retired = await act(client, season, co_coordinator, account, "/retirement")
    instructions = await client.get(instructions_url(season), headers=season.headers(co_coordinator))

    assert retired.status_code == 200, retired.text
    assert (retired.json()["status"], retired.json()["default"]) == ("retired", False)
    assert retired.json()["retired_at"] is not None
    assert (instructions.json()["collection_account"], instructions.json()["qr_unavailable"]) == (
        None,
        "no_collection_account",
    )
    assert_problem(await act(client, season, co_coordinator, account, "/retirement"), 409, "collection-account-retired")
    assert_problem(await act(client, season, co_coordinator, account, "/default"), 409, "collection-account-not-active")
    listed = (await client.get(accounts_url(season), headers=season.headers(co_coordinator))).json()["data"]
    assert [row["status"] for row in listed] == ["retired"]


async def test_retiring_a_proposed_account_withdraws_its_proposal(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    proposer, second = await appoint_coordinators(session, season, 2)
    account = await propose(client, season, proposer, PROMPTPAY)

    retired = await act(client, season, second, account, "/retirement")
    approval = await act(client, season, second, account, "/approvals")

    assert (retired.json()["status"], retired.json()["proposal"]) == ("retired", None)
    assert_problem(approval, 409, "collection-account-nothing-to-approve")
    assert await paid_into(client, season) is None


async def test_a_label_changes_freely_and_payment_details_never(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    account = await propose(client, season, season.consumer_coordinator, PROMPTPAY)
    coordinator, _ = await appoint_coordinators(session, season, 2)
    headers = season.headers(coordinator)

    renamed = await client.patch(account_url(season, account), json={"label": "Treasurer"}, headers=headers)
    redirected = await client.patch(
        account_url(season, account), json={"label": "Treasurer", "proxy_value": "0899999999"}, headers=headers
    )
    by_member = await client.patch(
        account_url(season, account), json={"label": "Mine"}, headers=await season.member_headers(session, 5)
    )

    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["label"], renamed.json()["proxy_value"], renamed.json()["status"]) == (
        "Treasurer",
        "0066812345678",
        "active",
    )
    assert redirected.status_code == 422
    assert redirected.headers["content-type"] == "application/problem+json"
    assert_problem(by_member, 403, "not-coordinator")
    stored = await session.get_one(CollectionAccount, UUID(account["id"]), populate_existing=True)
    assert (stored.label, stored.proxy_value) == ("Treasurer", "0066812345678")


async def test_a_producer_groups_account_follows_the_same_rules(client: AsyncClient, season: Season) -> None:
    url = f"/v1/producer-groups/{season.producer_group.id}/collection-accounts"
    account = (await client.post(url, json=BANK, headers=season.producer)).json()

    renamed = await client.patch(f"{url}/{account['id']}", json={"label": "Co-op"}, headers=season.producer)
    nothing = await client.post(f"{url}/{account['id']}/approvals", headers=season.producer)
    retired = await client.post(f"{url}/{account['id']}/retirement", headers=season.producer)
    by_farmer = await client.get(f"{url}/{account['id']}", headers=season.headers(season.farmer))

    assert (account["status"], account["default"]) == ("active", True)
    assert renamed.json()["label"] == "Co-op"
    assert_problem(nothing, 409, "collection-account-nothing-to-approve")
    assert retired.json()["status"] == "retired"
    assert by_farmer.json()["status"] == "retired"


async def test_two_last_approvals_at_once_carry_the_account_once_leaving_one_default(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        season = await create_season(session, settings)
        proposer, second, third = await appoint_coordinators(session, season, 3)
    old = await propose(committing_client, season, proposer, BANK)
    await act(committing_client, season, second, old, "/approvals")
    new = await propose(committing_client, season, proposer, {**PROMPTPAY, "default": True})
    await warm_pool(committing_client, 2)

    responses = await asyncio.gather(
        act(committing_client, season, second, new, "/approvals"),
        act(committing_client, season, third, new, "/approvals"),
    )

    assert sorted(response.status_code for response in responses) == [200, 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"collection-account-nothing-to-approve"}
    async with committing_session_factory() as session:
        defaults = (
            await session.scalars(
                select(CollectionAccount.id).where(
                    CollectionAccount.payee_id == season.consumer_group.id, CollectionAccount.is_default.is_(True)
                )
            )
        ).all()
        approvals = await session.scalar(select(func.count()).select_from(AccountApproval))
        stored = await session.get_one(CollectionAccount, UUID(new["id"]))
        assert [str(account_id) for account_id in defaults] == [new["id"]]
        assert stored.status == CollectionAccountStatus.active
        assert approvals == 4  # the old account's two, the new one's proposer's and the one that carried it


async def test_two_defaults_carried_at_once_leave_one_default(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        season = await create_season(session, settings)
        proposer, second, third = await appoint_coordinators(session, season, 3)
    old = await propose(committing_client, season, proposer, BANK)
    await act(committing_client, season, second, old, "/approvals")
    one = await propose(committing_client, season, proposer, {**PROMPTPAY, "default": True})
    other = await propose(
        committing_client, season, proposer, {**PROMPTPAY, "proxy_value": "0899999999", "default": True}
    )
    await warm_pool(committing_client, 2)

    responses = await asyncio.gather(
        act(committing_client, season, second, one, "/approvals"),
        act(committing_client, season, third, other, "/approvals"),
    )

    assert [response.status_code for response in responses] == [200, 200]
    async with committing_session_factory() as session:
        defaults = await session.scalar(
            select(func.count()).where(
                CollectionAccount.payee_id == season.consumer_group.id, CollectionAccount.is_default.is_(True)
            )
        )
        assert defaults == 1
