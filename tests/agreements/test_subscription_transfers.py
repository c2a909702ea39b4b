"""Handing a subscription on to another household of the group: offer, acceptance, withdrawal, the
history of holders, and harvests following the new holder."""

import asyncio

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agreements.models import AgreementStatus, Subscription, SubscriptionTransfer, TransferStatus
from app.core import money
from app.core.config import Settings
from app.groups.models import Household
from tests.factories import create_household
from tests.groups.test_router import assert_problem
from tests.harvests.builders import Season, create_season

# In the season, Araya, Boonmee and Chaiyaporn hold 3 shares each of 10; Araya's user coordinates.
ARAYA, BOONMEE, CHAIYAPORN, DUANGJAI, EKACHAI = range(5)


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    return await create_season(session, settings)


async def offer(
    client: AsyncClient, session: AsyncSession, season: Season, *, to: Household, by: int = BOONMEE
) -> Response:
    """Boonmee's subscription offered by a member of the `by`-th household."""
    return await offer_by(client, season, await season.member_headers(session, by), to=to)


async def offer_by(client: AsyncClient, season: Season, headers: dict[str, str], *, to: Household) -> Response:
    return await client.post(
        f"/v1/subscriptions/{season.subscriptions[BOONMEE].id}/transfers",
        json={"household_id": str(to.id)},
        headers=headers,
    )


async def accept(client: AsyncClient, session: AsyncSession, season: Season, transfer_id: str, *, by: int) -> Response:
    return await client.post(
        f"/v1/subscription-transfers/{transfer_id}/acceptances", headers=await season.member_headers(session, by)
    )


async def test_household_hands_its_subscription_on_to_one_that_accepts(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    boonmee, duangjai = season.households[BOONMEE], season.households[DUANGJAI]
    subscription = season.subscriptions[1]

    offered = await offer(client, session, season, to=duangjai)
    accepted = await accept(client, session, season, offered.json()["id"], by=DUANGJAI)

    assert offered.status_code == 201, offered.text
    assert {key: offered.json()[key] for key in ("subscription_id", "from_household_id", "to_household_id")} == {
        "subscription_id": str(subscription.id),
        "from_household_id": str(boonmee.id),
        "to_household_id": str(duangjai.id),
    }
    assert (offered.json()["status"], offered.json()["accepted_at"]) == ("offered", None)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["accepted_at"] is not None
    assert accepted.json()["payments_moved"] is False
    # The shares and their price go with the subscription; only the holder changes.
    assert {key: accepted.json()["subscription"][key] for key in ("id", "household_id", "shares")} == {
        "id": str(subscription.id),
        "household_id": str(duangjai.id),
        "shares": 3,
    }
    await session.refresh(subscription)
    assert subscription.household_id == duangjai.id


async def test_history_of_holders_is_read_by_both_households_and_the_coordinators(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    offered = await offer(client, session, season, to=season.households[DUANGJAI])
    await accept(client, session, season, offered.json()["id"], by=DUANGJAI)
    url = f"/v1/subscriptions/{season.subscriptions[1].id}/transfers"

    readers = [await season.member_headers(session, i) for i in (BOONMEE, DUANGJAI)]
    pages = [
        await client.get(url, headers=headers) for headers in [*readers, season.headers(season.consumer_coordinator)]
    ]
    stranger = await client.get(url, headers=await season.member_headers(session, EKACHAI))

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert [[(t["status"], t["to_household_id"]) for t in page.json()["data"]] for page in pages] == [
        [("accepted", str(season.households[DUANGJAI].id))]
    ] * 3
    assert_problem(stranger, 404, "subscription-not-found")


async def test_harvests_after_the_transfer_go_to_the_new_holder(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    araya, boonmee, chaiyaporn, duangjai = season.households[:4]
    offered = await offer(client, session, season, to=duangjai)
    await accept(client, session, season, offered.json()["id"], by=DUANGJAI)

    harvest = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("10.000"), headers=season.producer
    )

    assert harvest.status_code == 201, harvest.text
    assert sorted((a["household_id"], a["share_holder_id"], a["quantity"]) for a in harvest.json()["allocations"]) == (
        sorted(
            [
                (str(araya.id), str(araya.id), "3.000"),
                (str(duangjai.id), str(duangjai.id), "3.000"),
                (str(chaiyaporn.id), str(chaiyaporn.id), "3.000"),
            ]
        )
    )
    assert str(boonmee.id) not in {a["household_id"] for a in harvest.json()["allocations"]}


async def test_only_the_holding_household_offers(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    response = await offer(client, session, season, to=season.households[DUANGJAI], by=EKACHAI)

    assert_problem(response, 404, "subscription-not-found")


async def test_offer_to_a_household_outside_the_group_is_refused(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    stranger = await create_household(session)

    response = await offer(client, session, season, to=stranger)

    assert_problem(response, 409, "household-not-in-group")


async def test_offer_to_a_household_already_subscribed_is_refused(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    to_a_holder = await offer(client, session, season, to=season.households[CHAIYAPORN])
    to_itself = await offer(client, session, season, to=season.households[BOONMEE])

    assert_problem(to_a_holder, 409, "already-subscribed")
    assert_problem(to_itself, 409, "already-subscribed")


async def test_one_open_offer_at_a_time(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    first = await offer(client, session, season, to=season.households[DUANGJAI])
    second = await offer(client, session, season, to=season.households[EKACHAI])

    assert first.status_code == 201
    assert_problem(second, 409, "subscription-transfer-already-offered")


async def test_subscriptions_of_an_agreement_that_is_over_stay_with_their_holder(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings, status=AgreementStatus.completed)

    response = await offer(client, session, season, to=season.households[DUANGJAI])

    assert_problem(response, 409, "agreement-not-running")


async def test_only_the_receiving_household_accepts(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    offered = await offer(client, session, season, to=season.households[DUANGJAI])

    by_another = await accept(client, session, season, offered.json()["id"], by=EKACHAI)
    by_the_offerer = await accept(client, session, season, offered.json()["id"], by=BOONMEE)

    assert_problem(by_another, 404, "subscription-transfer-not-found")
    assert_problem(by_the_offerer, 404, "subscription-transfer-not-found")


async def test_receiving_household_that_subscribed_meanwhile_cannot_accept(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    duangjai = season.households[DUANGJAI]
    offered = await offer(client, session, season, to=duangjai)
    session.add(
        Subscription(
            agreement_id=season.agreement.id, household_id=duangjai.id, shares=1, first_share=9, amount_due_minor=1
        )
    )
    await session.flush()

    response = await accept(client, session, season, offered.json()["id"], by=DUANGJAI)

    assert_problem(response, 409, "already-subscribed")


async def test_offering_household_withdraws_its_offer_while_offered(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    offered = await offer(client, session, season, to=season.households[DUANGJAI])
    url = f"/v1/subscription-transfers/{offered.json()['id']}"

    by_the_receiver = await client.delete(url, headers=await season.member_headers(session, DUANGJAI))
    withdrawn = await client.delete(url, headers=await season.member_headers(session, BOONMEE))
    again = await client.delete(url, headers=await season.member_headers(session, BOONMEE))
    accepted = await accept(client, session, season, offered.json()["id"], by=DUANGJAI)
    offered_anew = await offer(client, session, season, to=season.households[EKACHAI])
    history = await client.get(
        f"/v1/subscriptions/{season.subscriptions[1].id}/transfers",
        params={"limit": 1},
        headers=await season.member_headers(session, BOONMEE),
    )

    assert_problem(by_the_receiver, 404, "subscription-transfer-not-found")
    assert withdrawn.status_code == 204
    assert_problem(again, 409, "subscription-transfer-not-offered")
    assert_problem(accepted, 409, "subscription-transfer-not-offered")
    assert offered_anew.status_code == 201
    assert [t["status"] for t in history.json()["data"]] == ["withdrawn"]
    assert history.json()["has_more"] is True
    rest = await client.get(
        f"/v1/subscriptions/{season.subscriptions[1].id}/transfers",
        params={"cursor": history.json()["next_cursor"]},
        headers=await season.member_headers(session, BOONMEE),
    )
    assert [t["status"] for t in rest.json()["data"]] == ["offered"]


async def test_two_acceptances_at_once_accept_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        season = await create_season(session, settings)
        headers = await season.member_headers(session, DUANGJAI)
        holder = await season.member_headers(session, BOONMEE)
    offered = await offer_by(committing_client, season, holder, to=season.households[DUANGJAI])
    url = f"/v1/subscription-transfers/{offered.json()['id']}/acceptances"

    await asyncio.gather(*[committing_client.get("/readyz") for _ in range(2)])
    responses = await asyncio.gather(*[committing_client.post(url, headers=headers) for _ in range(2)])

    assert sorted(response.status_code for response in responses) == [200, 409]
    async with committing_session_factory() as session:
        subscription = await session.get_one(Subscription, season.subscriptions[1].id)
        assert subscription.household_id == season.households[DUANGJAI].id


async def test_acceptance_racing_a_second_offer_stays_consistent(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        season = await create_season(session, settings)
        receiver = await season.member_headers(session, DUANGJAI)
        holder = await season.member_headers(session, BOONMEE)
    offered = await offer_by(committing_client, season, holder, to=season.households[DUANGJAI])

    await asyncio.gather(*[committing_client.get("/readyz") for _ in range(2)])
    accepted, second = await asyncio.gather(
        committing_client.post(f"/v1/subscription-transfers/{offered.json()['id']}/acceptances", headers=receiver),
        committing_client.post(
            f"/v1/subscriptions/{season.subscriptions[1].id}/transfers",
            json={"household_id": str(season.households[EKACHAI].id)},
            headers=holder,
        ),
    )

    assert accepted.status_code == 200, accepted.text
    # Before the acceptance, the first offer is still open; after it, Boonmee no longer holds the subscription.
    assert second.status_code in (404, 409), second.text
    async with committing_session_factory() as session:
        subscription = await session.get_one(Subscription, season.subscriptions[1].id)
        statuses = await session.scalars(
            select(SubscriptionTransfer.status).where(SubscriptionTransfer.subscription_id == subscription.id)
        )
        assert subscription.household_id == season.households[DUANGJAI].id
        assert list(statuses) == [TransferStatus.accepted]


async def test_the_new_holders_statement_owes_only_what_the_former_holder_did_not_pay(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    duangjai = season.households[DUANGJAI]
    subscription = season.subscriptions[BOONMEE]
    due = subscription.amount_due_minor
    paid = await client.post(
        f"/v1/agreements/{season.agreement.id}/payments",
        json={
            "kind": "household_to_group",
            "household_id": str(season.households[BOONMEE].id),
            "amount": money.to_text(due // 3, "THB"),
            "currency": "THB",
            "method": "cash",
        },
        headers={**await season.member_headers(session, BOONMEE), "Idempotency-Key": "boonmee-first-third"},
    )
    assert paid.status_code == 201, paid.text
    offered = await offer(client, session, season, to=duangjai)
    await accept(client, session, season, offered.json()["id"], by=DUANGJAI)

    statement = await client.get(
        f"/v1/households/{duangjai.id}/statement", headers=await season.member_headers(session, DUANGJAI)
    )

    assert statement.status_code == 200, statement.text
    [line] = statement.json()["data"]
    assert (line["paid"], line["paid_by_former_holders"], line["outstanding"]) == (
        "0.00",
        money.to_text(due // 3, "THB"),
        money.to_text(due - due // 3, "THB"),
    )
