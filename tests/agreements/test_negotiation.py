from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import Agreement, AgreementVersion
from app.core.config import Settings
from app.groups.models import Household, Membership
from app.plans.models import PlanItem, PlanStatus
from tests.agreements.builders import Partnership, agree, create_partnership, create_plan, today
from tests.factories import auth_headers, create_user, first_member
from tests.groups.test_router import assert_problem


@pytest.fixture
async def partnership(session: AsyncSession, settings: Settings) -> Partnership:
    return await create_partnership(session, settings)


async def committed(session: AsyncSession, item: PlanItem) -> int:
    return int(await session.scalar(select(PlanItem.committed_base).where(PlanItem.id == item.id)) or 0)


async def version_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AgreementVersion)) or 0)


async def test_a_consumer_group_proposes_and_the_price_is_computed_exactly(
    client: AsyncClient, partnership: Partnership
) -> None:
    response = await client.post(
        "/v1/agreements", json=partnership.proposal(rice="300.125", eggs="1200"), headers=partnership.first
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["version"], body["agreed_version"], body["total_price"]) == ("proposed", 1, None, None)
    assert body["producer_group_id"] == str(partnership.producer_group.id)
    [version] = body["versions"]
    # 300.125 kg × 45.50 = 13655.6875 → 13655.69 (half-even); 1200 eggs × 4.00 = 4800.00
    assert [(i["crop"], i["quantity"], i["unit_price"], i["line_total"]) for i in version["items"]] == [
        ("rice", "300.125", "45.50", "13655.69"),
        ("eggs", "1200", "4.00", "4800.00"),
    ]
    assert (version["total_price"], version["currency"], version["proposed_by_side"]) == ("18455.69", "THB", "consumer")


async def test_counter_proposal_then_quorum_acceptance_by_two_coordinators(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement_id = (await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)).json()[
        "id"
    ]
    url = f"/v1/agreements/{agreement_id}"

    countered = await client.post(
        f"{url}/counter-proposals",
        json={"version": 1, **partnership.terms(rice="250.000")},
        headers=partnership.producer,
    )
    first_approval = await client.post(f"{url}/acceptances", json={"version": 2}, headers=partnership.first)
    repeated = await client.post(f"{url}/acceptances", json={"version": 2}, headers=partnership.first)
    second_approval = await client.post(f"{url}/acceptances", json={"version": 2}, headers=partnership.second)

    assert countered.status_code == 201
    assert [v["status"] for v in countered.json()["versions"]] == ["superseded", "open"]
    assert first_approval.json()["status"] == "proposed"
    assert first_approval.json()["versions"][1]["status"] == "awaiting_approval"
    assert first_approval.json()["approval_quorum"] == 2
    assert_problem(repeated, 409, "already-approved")
    agreed = second_approval.json()
    assert (agreed["status"], agreed["agreed_version"], agreed["total_price"], agreed["shares"]) == (
        "agreed",
        2,
        "16175.00",
        20,
    )
    assert {a["user_id"] for a in agreed["versions"][1]["approvals"]} == {
        str(user.id) for user in partnership.consumer_coordinators
    }
    assert await committed(session, partnership.items[0]) == 250_000
    assert await committed(session, partnership.items[1]) == 1200


async def test_a_side_never_accepts_its_own_version(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement_id = (await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)).json()[
        "id"
    ]

    by_proposer = await client.post(
        f"/v1/agreements/{agreement_id}/acceptances", json={"version": 1}, headers=partnership.first
    )
    by_co_coordinator = await client.post(
        f"/v1/agreements/{agreement_id}/acceptances", json={"version": 1}, headers=partnership.second
    )

    assert_problem(by_proposer, 409, "own-version")
    assert_problem(by_co_coordinator, 409, "own-version")
    assert await committed(session, partnership.items[0]) == 0


async def test_only_the_current_version_can_be_accepted(client: AsyncClient, partnership: Partnership) -> None:
    agreement_id = (await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)).json()[
        "id"
    ]
    await client.post(
        f"/v1/agreements/{agreement_id}/counter-proposals",
        json={"version": 1, **partnership.terms()},
        headers=partnership.producer,
    )

    stale = await client.post(
        f"/v1/agreements/{agreement_id}/acceptances", json={"version": 1}, headers=partnership.producer
    )
    future = await client.post(
        f"/v1/agreements/{agreement_id}/acceptances", json={"version": 3}, headers=partnership.first
    )
    stale_counter = await client.post(
        f"/v1/agreements/{agreement_id}/counter-proposals",
        json={"version": 1, **partnership.terms()},
        headers=partnership.first,
    )

    assert_problem(stale, 409, "version-not-current")
    assert_problem(future, 409, "version-not-current")
    assert_problem(stale_counter, 409, "version-not-current")
    assert stale.json()["current_version"] == 2


async def test_a_group_below_fifteen_households_neither_proposes_nor_accepts(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    small = await create_partnership(session, settings, households=14)
    versions_before = await version_count(session)

    response = await client.post("/v1/agreements", json=small.proposal(), headers=small.first)

    assert_problem(response, 409, "group-not-active")
    assert response.json()["member_count"] == 14
    assert await version_count(session) == versions_before


async def test_a_group_that_shrank_below_fifteen_cannot_accept(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement_id = (await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)).json()[
        "id"
    ]
    await client.post(
        f"/v1/agreements/{agreement_id}/counter-proposals",
        json={"version": 1, **partnership.terms()},
        headers=partnership.producer,
    )
    partnership.consumer_group.member_count = 14
    await session.flush()

    response = await client.post(
        f"/v1/agreements/{agreement_id}/acceptances", json={"version": 2}, headers=partnership.first
    )

    assert_problem(response, 409, "group-not-active")


async def test_two_agreements_never_take_more_than_the_plan_grows(
    client: AsyncClient, session: AsyncSession, settings: Settings, partnership: Partnership
) -> None:
    await agree(client, partnership, rice="600.000")
    other = await create_partnership(session, settings)
    other.plan, other.items = partnership.plan, partnership.items
    second = await client.post("/v1/agreements", json=other.proposal(rice="400.001"), headers=other.first)

    refused = await client.post(
        f"/v1/agreements/{second.json()['id']}/acceptances", json={"version": 1}, headers=partnership.producer
    )

    assert_problem(refused, 409, "plan-capacity-exceeded")
    assert refused.json()["remaining"] == "400.000"
    assert await committed(session, partnership.items[0]) == 600_000
    assert (await session.get_one(Agreement, UUID(second.json()["id"]))).status == "proposed"


async def test_an_amendment_changes_nothing_until_accepted_the_same_way(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, rice="300.000")
    url = f"/v1/agreements/{agreement['id']}"

    amended = await client.post(
        f"{url}/counter-proposals",
        json={"version": 1, **partnership.terms(rice="350.000")},
        headers=partnership.producer,
    )
    while_pending = await client.get(url, headers=partnership.first)
    await client.post(f"{url}/acceptances", json={"version": 2}, headers=partnership.first)
    accepted = await client.post(f"{url}/acceptances", json={"version": 2}, headers=partnership.second)

    assert amended.json()["versions"][1]["is_amendment"] is True
    assert (while_pending.json()["status"], while_pending.json()["agreed_version"]) == ("agreed", 1)
    assert while_pending.json()["total_price"] == "18450.00"
    assert (accepted.json()["agreed_version"], accepted.json()["total_price"]) == (2, "20725.00")
    assert [v["status"] for v in accepted.json()["versions"]] == ["superseded", "accepted"]
    assert await committed(session, partnership.items[0]) == 350_000


@pytest.mark.parametrize(
    ("_case", "change", "code"),
    [
        ("too many decimals for kg", {"rice": "1.0005"}, "validation-failed"),
        ("a price below the currency's minor unit", {"items_price": "45.505"}, "invalid-amount"),
        ("a due date in the past", {"advance_due_on": "2020-01-01"}, "advance-due-date-not-valid"),
        ("an item of another plan", {"foreign_item": True}, "item-not-in-plan"),
        ("the same item twice", {"duplicate": True}, "duplicate-item"),
        ("zero shares", {"shares": 0}, "validation-failed"),
        ("shares as a string", {"shares": "5"}, "validation-failed"),
    ],
)
async def test_terms_that_are_not_valid_are_refused(
    client: AsyncClient, session: AsyncSession, partnership: Partnership, _case: str, change: dict, code: str
) -> None:
    body = partnership.proposal()
    if "rice" in change:
        body = partnership.proposal(rice=change["rice"])
    if "items_price" in change:
        body["items"][0]["unit_price"] = change["items_price"]
    if "advance_due_on" in change:
        body["advance_due_on"] = change["advance_due_on"]
    if "foreign_item" in change:
        body["items"][0]["plan_item_id"] = str(uuid4())
    if "duplicate" in change:
        body["items"][1] = body["items"][0]
    if "shares" in change:
        body["shares"] = change["shares"]
    versions_before = await version_count(session)

    response = await client.post("/v1/agreements", json=body, headers=partnership.first)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert await version_count(session) == versions_before


def priced_items(partnership: Partnership, *lines: tuple[int, str, str]) -> list[dict[str, str]]:
    """Terms items from (index of the plan item: 0 rice in kg, 1 eggs by the piece, quantity, unit price)."""
    return [
        {"plan_item_id": str(partnership.items[index].id), "quantity": quantity, "unit_price": unit_price}
        for index, quantity, unit_price in lines
    ]


# (item, quantity, unit price) lines that no agreement may carry, with the problem they answer.
UNSTORABLE_OR_FREE_TERMS = [
    ("a line past the database's integer", [(0, "999999999999.999", "9999999999999.99")], "amount-too-large"),
    ("a line past the money cap, within the integer", [(0, "1000.000", "9999999999999.99")], "amount-too-large"),
    ("a line one minor unit past the money cap", [(1, "2", "5000000000000.01")], "amount-too-large"),
    (
        "lines within the cap adding up past it",
        [(0, "1.000", "6000000000000.00"), (1, "1", "6000000000000.00")],
        "amount-too-large",
    ),
    ("a unit price of zero", [(0, "300.000", "0.00")], "price-not-positive"),
    ("a unit price of zero without decimals", [(0, "300.000", "45.50"), (1, "1200", "0")], "price-not-positive"),
]


@pytest.mark.parametrize(("_case", "lines", "code"), UNSTORABLE_OR_FREE_TERMS)
async def test_a_proposal_with_an_unstorable_or_free_line_is_refused(
    client: AsyncClient,
    session: AsyncSession,
    partnership: Partnership,
    _case: str,
    lines: list[tuple[int, str, str]],
    code: str,
) -> None:
    versions_before = await version_count(session)

    response = await client.post(
        "/v1/agreements",
        json={**partnership.proposal(), "items": priced_items(partnership, *lines)},
        headers=partnership.first,
    )

    assert_problem(response, 422, code)
    assert await version_count(session) == versions_before


@pytest.mark.parametrize(("_case", "lines", "code"), UNSTORABLE_OR_FREE_TERMS)
async def test_a_counter_proposal_with_an_unstorable_or_free_line_is_refused(
    client: AsyncClient,
    session: AsyncSession,
    partnership: Partnership,
    _case: str,
    lines: list[tuple[int, str, str]],
    code: str,
) -> None:
    proposed = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)
    versions_before = await version_count(session)

    response = await client.post(
        f"/v1/agreements/{proposed.json()['id']}/counter-proposals",
        json={"version": 1, **partnership.terms(), "items": priced_items(partnership, *lines)},
        headers=partnership.producer,
    )

    assert_problem(response, 422, code)
    assert await version_count(session) == versions_before


async def test_a_line_of_exactly_the_money_cap_is_accepted(client: AsyncClient, partnership: Partnership) -> None:
    response = await client.post(
        "/v1/agreements",
        json={**partnership.proposal(), "items": priced_items(partnership, (1, "2", "5000000000000.00"))},
        headers=partnership.first,
    )

    assert response.status_code == 201, response.text
    assert response.json()["versions"][0]["total_price"] == "10000000000000.00"


async def test_only_a_published_plan_takes_proposals(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    draft = await create_plan(session, partnership.producer_group, status=PlanStatus.draft)

    response = await client.post(
        "/v1/agreements",
        json={**partnership.proposal(), "production_plan_id": str(draft.id)},
        headers=partnership.first,
    )

    assert_problem(response, 409, "plan-not-published")


@pytest.mark.parametrize(
    ("_case", "reader", "expected_status"),
    [
        ("consumer coordinator", "coordinator", 200),
        ("consumer group member", "member", 200),
        ("producer coordinator", "producer", 200),
        ("outsider", "outsider", 404),
        ("anonymous", None, 401),
    ],
)
async def test_an_agreement_is_readable_by_its_two_groups_only(
    client: AsyncClient,
    session: AsyncSession,
    partnership: Partnership,
    _case: str,
    reader: str | None,
    expected_status: int,
) -> None:
    agreement_id = (await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)).json()[
        "id"
    ]

    statement = (
        select(Household)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.group_id == partnership.consumer_group.id)
    )
    member_household = (await session.scalars(statement.limit(1))).one()
    users = {
        "coordinator": partnership.consumer_coordinators[0],
        "member": await first_member(session, member_household),
        "producer": partnership.producer_coordinator,
        "outsider": await create_user(session),
    }
    headers = auth_headers(partnership.settings, users[reader].id) if reader else {}

    read = await client.get(f"/v1/agreements/{agreement_id}", headers=headers)
    listed = await client.get("/v1/agreements", headers=headers)

    assert read.status_code == expected_status
    if expected_status == 200:
        assert [a["id"] for a in listed.json()["data"]] == [agreement_id]
    elif expected_status == 404:
        assert listed.json()["data"] == []


async def test_an_outsider_can_neither_counter_nor_accept(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement_id = (await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)).json()[
        "id"
    ]
    outsider = auth_headers(partnership.settings, (await create_user(session)).id)

    counter = await client.post(
        f"/v1/agreements/{agreement_id}/counter-proposals", json={"version": 1, **partnership.terms()}, headers=outsider
    )
    accept = await client.post(f"/v1/agreements/{agreement_id}/acceptances", json={"version": 1}, headers=outsider)

    assert_problem(counter, 404, "agreement-not-found")
    assert_problem(accept, 404, "agreement-not-found")


async def test_a_renewal_into_a_plan_priced_in_another_currency_is_refused(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership)
    next_plan = await create_plan(session, partnership.producer_group, season_name="Dry season 2028", currency="VND")

    renewal = await client.post(
        f"/v1/agreements/{agreement['id']}/renewals",
        json={"production_plan_id": str(next_plan.id), "advance_due_on": (today() + timedelta(days=25)).isoformat()},
        headers=partnership.first,
    )

    assert_problem(renewal, 409, "renewal-currency-differs")
    assert (renewal.json()["agreement_currency"], renewal.json()["plan_currency"]) == ("THB", "VND")
    assert await session.scalar(select(func.count()).select_from(Agreement)) == 1


async def test_a_renewal_proposes_the_same_terms_for_the_next_season(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership)
    next_plan = await create_plan(session, partnership.producer_group, season_name="Dry season 2028")
    due = (today() + timedelta(days=25)).isoformat()

    renewal = await client.post(
        f"/v1/agreements/{agreement['id']}/renewals",
        json={"production_plan_id": str(next_plan.id), "advance_due_on": due},
        headers=partnership.first,
    )
    history = await client.get(
        "/v1/agreements", params={"consumer_group_id": str(partnership.consumer_group.id)}, headers=partnership.producer
    )

    assert renewal.status_code == 201
    body = renewal.json()
    assert (body["status"], body["renewed_from_id"], body["production_plan_id"]) == (
        "proposed",
        agreement["id"],
        str(next_plan.id),
    )
    assert [(i["crop"], i["quantity"], i["unit_price"]) for i in body["versions"][0]["items"]] == [
        ("rice", "300.000", "45.50"),
        ("eggs", "1200", "4.00"),
    ]
    assert [(a["id"], a["renewed_from_id"]) for a in history.json()["data"]] == [
        (agreement["id"], None),
        (body["id"], agreement["id"]),
    ]
