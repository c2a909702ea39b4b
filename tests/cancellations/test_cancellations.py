"""Cancelling an agreement by mutual consent: each side's quorum of coordinators in office approves the
terms; the producer group gives back at most what it received and has not delivered, and with what the
consumer group still holds it goes to every payer in proportion to what each paid."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import Agreement, AgreementStatus
from app.core.config import Settings
from app.groups.models import Coordinator
from app.outbox.models import OutboxEvent
from app.plans.models import PlanItem
from tests.cancellations.builders import (
    Parties,
    approve,
    balances,
    carried,
    create_parties,
    pay,
    propose,
    proposed,
    refund_transactions,
)
from tests.factories import auth_headers, create_user
from tests.groups.test_router import assert_problem
from tests.harvests.builders import today


@pytest.fixture
async def parties(session: AsyncSession, settings: Settings) -> Parties:
    return await create_parties(session, settings)


async def hand_on(client: AsyncClient, session: AsyncSession, parties: Parties, frm: int, to: int) -> None:
    """The frm-th household hands its subscription on to the to-th, which takes it."""
    season = parties.season
    [subscription] = [s for s in season.subscriptions if s.household_id == parties.household(frm).id]
    offered = await client.post(
        f"/v1/subscriptions/{subscription.id}/transfers",
        json={"household_id": str(parties.household(to).id)},
        headers=await season.member_headers(session, frm),
    )
    assert offered.status_code == 201, offered.text
    accepted = await client.post(
        f"/v1/subscription-transfers/{offered.json()['id']}/acceptances",
        headers=await season.member_headers(session, to),
    )
    assert accepted.status_code == 200, accepted.text


async def paid_in_full_and_partly_delivered(client: AsyncClient, session: AsyncSession, parties: Parties) -> None:
    """Araya pays 1000.00 and hands its shares on to Jintana, who pays the 365.00 left; Boonmee pays 1365.00 and
    Chaiyaporn 1000.00. The group pays the producer 4550.00, 820.00 of it its own money; 40 of 100 kg are delivered."""
    araya, boonmee, chaiyaporn, jintana = (parties.household(i) for i in (0, 1, 2, 9))
    assert (await pay(client, parties, "1000.00", araya)).status_code == 201
    await hand_on(client, session, parties, 0, 9)
    for household, amount in ((jintana, "365.00"), (boonmee, "1365.00"), (chaiyaporn, "1000.00")):
        assert (await pay(client, parties, amount, household)).status_code == 201
    assert (await pay(client, parties, "4550.00")).json()["agreement_status"] == "active"
    harvest = await client.post(
        f"{parties.url}/harvests", json=parties.season.harvest("40.000"), headers=parties.season.producer
    )
    assert harvest.status_code == 201, harvest.text


async def test_both_quorums_carry_it_and_every_payer_gets_back_in_proportion_to_what_it_paid(
    client: AsyncClient, session: AsyncSession, parties: Parties
) -> None:
    await paid_in_full_and_partly_delivered(client, session, parties)
    araya, boonmee, chaiyaporn, jintana = (parties.household(i) for i in (0, 1, 2, 9))
    producer_first, producer_second = parties.producers
    consumer_first, consumer_second = parties.consumers

    # 60 kg of 100 undelivered: at most 2730.00 of the 4550.00 received.
    too_much = await propose(client, parties, producer_first, "2730.01")
    cancellation_id = await proposed(client, parties, producer_first, "2000.00")
    steps = [
        await approve(client, parties, cancellation_id, user)
        for user in (consumer_first, producer_second, consumer_second)
    ]
    read = await client.get(f"{parties.url}/cancellations/{cancellation_id}", headers=parties.headers(consumer_first))

    assert_problem(too_much, 409, "cancellation-refund-above-bound")
    assert too_much.json()["refund_max"] == "2730.00"
    assert [step.json()["status"] for step in steps] == ["open", "open", "carried"]
    body = read.json()
    assert (body["status"], body["agreement_status"], body["refund_amount"], body["pool"]) == (
        "carried",
        "cancelled",
        "2000.00",
        "2000.00",
    )
    assert body["proposed_by_side"] == "producer"
    assert [(a["user_id"], a["side"], a["in_office"]) for a in body["approvals"]] == [
        (str(producer_first.id), "producer", True),
        (str(consumer_first.id), "consumer", True),
        (str(producer_second.id), "producer", True),
        (str(consumer_second.id), "consumer", True),
    ]
    # 2000.00 split by what each paid (1000.00, 365.00, 1365.00, 1000.00, and the group's 820.00 of 4550.00):
    # 439.56 (.04), 160.43 (.96), 600.00, 439.56 (.04), 360.43 (.96): the two steps left go to the .96s.
    refunds = {(r["payer"], r["household_id"]): r["amount"] for r in body["refunds"]}
    assert refunds == {
        ("household", str(araya.id)): "439.56",
        ("household", str(jintana.id)): "160.44",
        ("household", str(boonmee.id)): "600.00",
        ("household", str(chaiyaporn.id)): "439.56",
        ("group", None): "360.44",
    }
    money = await balances(session, parties.agreement_id)
    assert money[("producer_received", parties.season.producer_group.id)] == 255_000
    assert money[("group_fund", parties.season.consumer_group.id)] == 0
    assert sum(money.values()) == 0
    assert await refund_transactions(session, parties.agreement_id) == 1


async def test_a_carried_cancellation_ends_the_agreement_and_gives_the_undelivered_rice_back_to_the_plan(
    client: AsyncClient, session: AsyncSession, parties: Parties
) -> None:
    await paid_in_full_and_partly_delivered(client, session, parties)
    chaiyaporn = parties.household(2)

    await carried(client, parties, "2730.00")
    agreement = await client.get(parties.url, headers=parties.headers(parties.consumers[0]))
    statement = await client.get(
        f"/v1/households/{chaiyaporn.id}/statement", headers=await parties.season.member_headers(session, 2)
    )

    assert agreement.json()["status"] == "cancelled"
    [line] = statement.json()["data"]
    assert (line["status"], line["outstanding"]) == ("cancelled", "0.00")
    assert [t["kind"] for t in line["transactions"]] == ["household_to_group", "cancellation_refund"]
    # 40 kg delivered stay taken; the 60 kg undelivered are the plan's again.
    rice = await session.scalar(select(PlanItem.committed_base).where(PlanItem.id == parties.season.items[0].id))
    assert rice == 40_000
    stored = await session.scalar(select(Agreement).where(Agreement.id == parties.agreement_id))
    assert stored is not None and stored.ended_at is not None
    events = (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "agreement.cancelled"))).all()
    assert [event.data["agreement"]["id"] for event in events] == [str(parties.agreement_id)]


async def test_nothing_moves_on_a_cancelled_agreement(
    client: AsyncClient, session: AsyncSession, parties: Parties
) -> None:
    await paid_in_full_and_partly_delivered(client, session, parties)
    body = await carried(client, parties, "100.00")
    season, coordinator = parties.season, parties.consumers[0]
    [subscription] = [s for s in season.subscriptions if s.household_id == parties.household(1).id]

    responses: dict[str, Any] = {
        "payment": await pay(client, parties, "1.00", parties.household(2)),
        "harvest": await client.post(f"{parties.url}/harvests", json=season.harvest("1.000"), headers=season.producer),
        "subscription": await client.post(
            f"{parties.url}/subscriptions",
            json={"household_id": str(parties.household(5).id), "shares": 1},
            headers=await season.member_headers(session, 5),
        ),
        "transfer": await client.post(
            f"/v1/subscriptions/{subscription.id}/transfers",
            json={"household_id": str(parties.household(6).id)},
            headers=await season.member_headers(session, 1),
        ),
        "counter-proposal": await client.post(
            f"{parties.url}/counter-proposals",
            json={
                "version": 1,
                "shares": 10,
                "advance_due_on": (today() + timedelta(days=5)).isoformat(),
                "distribution_mode": "producer_delivers",
                "items": [{"plan_item_id": str(season.items[0].id), "quantity": "50.000", "unit_price": "45.50"}],
            },
            headers=parties.headers(coordinator),
        ),
        "acceptance": await client.post(
            f"{parties.url}/acceptances", json={"version": 1}, headers=parties.headers(coordinator)
        ),
        "cancellation": await propose(client, parties, coordinator, "0"),
        "approval": await approve(client, parties, body["id"], parties.consumers[1]),
    }

    assert {name: (r.status_code, r.json()["code"]) for name, r in responses.items()} == {
        "payment": (409, "agreement-not-payable"),
        "harvest": (409, "agreement-not-active"),
        "subscription": (409, "agreement-not-agreed"),
        "transfer": (409, "agreement-not-running"),
        "counter-proposal": (409, "agreement-not-negotiable"),
        "acceptance": (409, "nothing-to-accept"),
        "cancellation": (409, "agreement-not-cancellable"),
        "approval": (409, "cancellation-not-open"),
    }
    assert await refund_transactions(session, parties.agreement_id) == 1


@pytest.mark.parametrize(("refund", "each"), [("0", "365.00"), ("1000.00", "865.00")])
async def test_an_agreed_agreement_partly_paid_gives_back_the_refund_and_all_the_fund_holds(
    client: AsyncClient, session: AsyncSession, parties: Parties, refund: str, each: str
) -> None:
    """Two households paid 1365.00 each; the group passed 2000.00 on and still holds 730.00."""
    araya, boonmee = parties.household(0), parties.household(1)
    for household in (araya, boonmee):
        assert (await pay(client, parties, "1365.00", household)).status_code == 201
    assert (await pay(client, parties, "2000.00")).json()["agreement_status"] == "agreed"

    body = await carried(client, parties, refund)

    assert body["pool"] == money_text(73_000 + to_minor(refund))
    assert sorted((r["household_id"], r["amount"]) for r in body["refunds"]) == sorted(
        [(str(araya.id), each), (str(boonmee.id), each)]
    )
    money = await balances(session, parties.agreement_id)
    assert money[("group_fund", parties.season.consumer_group.id)] == 0
    assert money[("producer_received", parties.season.producer_group.id)] == 200_000 - to_minor(refund)
    assert sum(money.values()) == 0
    # Nothing delivered: all 100 kg go back to the plan.
    assert await session.scalar(select(PlanItem.committed_base).where(PlanItem.id == parties.season.items[0].id)) == 0


def to_minor(amount: str) -> int:
    return round(float(amount) * 100)


def money_text(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


async def test_nothing_paid_and_nothing_held_cancels_with_no_transaction(
    client: AsyncClient, session: AsyncSession, parties: Parties
) -> None:
    body = await carried(client, parties, "0")

    assert (body["pool"], body["refunds"], body["agreement_status"]) == ("0.00", [], "cancelled")
    assert await refund_transactions(session, parties.agreement_id) == 0


async def test_a_refund_above_what_the_producer_received_is_refused(
    client: AsyncClient, session: AsyncSession, parties: Parties
) -> None:
    assert (await pay(client, parties, "1365.00", parties.household(0))).status_code == 201
    assert (await pay(client, parties, "1000.00")).status_code == 201

    response = await propose(client, parties, parties.consumers[0], "1000.01")
    other_currency = await propose(client, parties, parties.consumers[0], "10", currency="VND")
    negative = await propose(client, parties, parties.consumers[0], "-1.00")
    listed = await client.get(f"{parties.url}/cancellations", headers=parties.headers(parties.consumers[0]))

    assert_problem(response, 409, "cancellation-refund-above-bound")
    assert response.json()["refund_max"] == "1000.00"
    assert_problem(other_currency, 422, "currency-mismatch")
    assert_problem(negative, 422, "validation-failed")
    assert listed.json()["data"] == []


async def test_a_new_proposal_supersedes_the_open_one(
    client: AsyncClient, session: AsyncSession, parties: Parties
) -> None:
    first = await proposed(client, parties, parties.consumers[0], "0")
    second = await proposed(client, parties, parties.producers[0], "0.00")

    late = await approve(client, parties, first, parties.producers[1])
    twice = await approve(client, parties, second, parties.producers[0])
    listed = await client.get(f"{parties.url}/cancellations", headers=parties.headers(parties.producers[1]))

    assert_problem(late, 409, "cancellation-not-open")
    assert_problem(twice, 409, "cancellation-already-approved")
    assert [(c["id"], c["status"], c["pool"]) for c in listed.json()["data"]] == [
        (first, "superseded", None),
        (second, "open", "0.00"),
    ]


async def test_an_approval_stops_counting_once_its_coordinator_leaves_office(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    parties = await create_parties(session, settings, consumer_coordinators=3)
    first, second, third = parties.consumers
    cancellation_id = await proposed(client, parties, first, "0")
    for producer in parties.producers:
        assert (await approve(client, parties, cancellation_id, producer)).status_code == 200
    await session.execute(
        update(Coordinator)
        .where(Coordinator.user_id == first.id, Coordinator.group_id == parties.season.consumer_group.id)
        .values(ended_at=datetime.now(UTC))
    )

    after_second = await approve(client, parties, cancellation_id, second)
    after_third = await approve(client, parties, cancellation_id, third)

    # Two coordinators remain in office, so two consumer approvals are needed: the first no longer counts.
    assert after_second.json()["status"] == "open"
    assert [(a["user_id"], a["in_office"]) for a in after_second.json()["approvals"] if a["side"] == "consumer"] == [
        (str(first.id), False),
        (str(second.id), True),
    ]
    assert after_third.json()["status"] == "carried"


async def test_a_harvest_since_the_proposal_that_lowers_the_bound_stops_the_carrying_approval(
    client: AsyncClient, session: AsyncSession, parties: Parties
) -> None:
    for index in range(3):
        assert (await pay(client, parties, "1365.00", parties.household(index))).status_code == 201
    assert (await pay(client, parties, "4550.00")).json()["agreement_status"] == "active"
    cancellation_id = await proposed(client, parties, parties.consumers[0], "4000.00")
    for user in (parties.consumers[1], parties.producers[0]):
        assert (await approve(client, parties, cancellation_id, user)).status_code == 200
    harvest = await client.post(
        f"{parties.url}/harvests", json=parties.season.harvest("40.000"), headers=parties.season.producer
    )

    refused = await approve(client, parties, cancellation_id, parties.producers[1])
    read = await client.get(
        f"{parties.url}/cancellations/{cancellation_id}", headers=parties.headers(parties.consumers[0])
    )

    assert harvest.status_code == 201
    assert_problem(refused, 409, "cancellation-no-longer-applies")
    assert refused.json()["refund_max"] == "2730.00"
    assert (read.json()["status"], read.json()["agreement_status"], len(read.json()["approvals"])) == (
        "open",
        "active",
        3,
    )
    assert await refund_transactions(session, parties.agreement_id) == 0


async def test_a_retried_approval_replays_and_approves_once(
    client: AsyncClient, session: AsyncSession, parties: Parties
) -> None:
    cancellation_id = await proposed(client, parties, parties.consumers[0], "0")

    first = await approve(client, parties, cancellation_id, parties.producers[0], key="approve-1")
    retry = await approve(client, parties, cancellation_id, parties.producers[0], key="approve-1")
    without_key = await client.post(
        f"{parties.url}/cancellations/{cancellation_id}/acceptances", headers=parties.headers(parties.producers[1])
    )

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert len(retry.json()["approvals"]) == 2
    assert_problem(without_key, 400, "idempotency-key-missing")


async def test_who_may_propose_and_approve(client: AsyncClient, session: AsyncSession, parties: Parties) -> None:
    season = parties.season
    cancellation_id = await proposed(client, parties, parties.consumers[0], "0")
    outsider_group = await create_parties(session, parties.season.settings)
    # The farmer eats in a farming household of the producer group; made a consumer coordinator too, they sit
    # on both sides.
    session.add(Coordinator(group_id=season.consumer_group.id, user_id=season.farmer.id, appointed_by=None))
    await session.flush()
    member = await season.member(session, 5)

    by_member = await propose(client, parties, member, "0")
    approved_by_member = await approve(client, parties, cancellation_id, member)
    by_other_groups_coordinator = await propose(client, parties, outsider_group.consumers[0], "0")
    approved_by_stranger = await approve(client, parties, cancellation_id, await create_user(session))
    by_both_sides = await propose(client, parties, season.farmer, "0")
    approved_by_both_sides = await approve(client, parties, cancellation_id, season.farmer)
    unknown = await approve(client, parties, str(outsider_group.agreement_id), parties.producers[0])
    read_by_stranger = await client.get(
        f"{parties.url}/cancellations/{cancellation_id}",
        headers=auth_headers(season.settings, outsider_group.producers[0].id),
    )

    assert_problem(by_member, 403, "not-party-coordinator")
    assert_problem(approved_by_member, 403, "not-party-coordinator")
    assert_problem(by_other_groups_coordinator, 404, "agreement-not-found")
    assert_problem(approved_by_stranger, 404, "agreement-not-found")
    assert_problem(by_both_sides, 409, "conflict-of-interest")
    assert_problem(approved_by_both_sides, 409, "conflict-of-interest")
    assert_problem(unknown, 404, "cancellation-not-found")
    assert_problem(read_by_stranger, 404, "agreement-not-found")


@pytest.mark.parametrize(
    ("stored", "due_in_days", "shown"),
    [
        (AgreementStatus.proposed, 20, "proposed"),
        (AgreementStatus.agreed, -1, "lapsed"),  # unpaid past its due date, before the job records it
        (AgreementStatus.lapsed, -1, "lapsed"),
        (AgreementStatus.completed, -1, "completed"),
    ],
)
async def test_only_an_agreed_or_active_agreement_can_be_cancelled(
    client: AsyncClient, session: AsyncSession, parties: Parties, stored: AgreementStatus, due_in_days: int, shown: str
) -> None:
    await session.execute(
        update(Agreement)
        .where(Agreement.id == parties.agreement_id)
        .values(status=stored, advance_due_on=today() + timedelta(days=due_in_days))
    )

    response = await propose(client, parties, parties.consumers[0], "0")

    assert_problem(response, 409, "agreement-not-cancellable")
    assert response.json()["agreement_status"] == shown


async def test_cancellations_are_read_by_both_groups(
    client: AsyncClient, session: AsyncSession, parties: Parties
) -> None:
    cancellation_id = await proposed(client, parties, parties.consumers[0], "0")

    by_producer = await client.get(
        f"{parties.url}/cancellations/{cancellation_id}", headers=parties.headers(parties.producers[1])
    )
    by_member = await client.get(
        f"{parties.url}/cancellations", headers=await parties.season.member_headers(session, 4)
    )

    assert by_producer.json()["approvals"][0]["user_id"] == str(parties.consumers[0].id)
    assert [c["id"] for c in by_member.json()["data"]] == [cancellation_id]
    assert UUID(by_member.json()["data"][0]["proposed_by_user_id"]) == parties.consumers[0].id


async def test_a_proposal_left_open_when_its_agreement_lapses_reads_void(
    client: AsyncClient, session: AsyncSession, parties: Parties
) -> None:
    cancellation_id = await proposed(client, parties, parties.consumers[0], "0")
    await session.execute(
        update(Agreement).where(Agreement.id == parties.agreement_id).values(advance_due_on=today() - timedelta(days=1))
    )

    read = await client.get(
        f"{parties.url}/cancellations/{cancellation_id}", headers=parties.headers(parties.producers[0])
    )
    approved = await approve(client, parties, cancellation_id, parties.producers[0])

    assert read.status_code == 200, read.text
    assert (read.json()["status"], read.json()["agreement_status"], read.json()["pool"]) == ("void", "lapsed", None)
    assert_problem(approved, 409, "agreement-not-cancellable")
