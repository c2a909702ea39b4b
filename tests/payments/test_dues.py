"""Dues per agreement: what each household paid and owes (shares handed on keep what was paid for them),
the shares the group pays for itself, what the producer group is still owed, and the days to the due date;
as JSON and as CSV, for the consumer group's coordinators alone, in the same few queries for any size."""

import csv
import io
from datetime import timedelta
from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.agreements.models import AgreementStatus, Subscription, SubscriptionTransfer, TransferStatus
from app.core.config import Settings
from app.groups.models import Household
from app.ledger import service as ledger
from app.ledger.models import AccountKind, LedgerAccount
from tests.factories import auth_headers, coordinator_ids, create_group, create_user
from tests.groups.test_router import assert_problem
from tests.harvests.builders import Season, create_season, subscribe, today
from tests.paging import page_and_statements
from tests.payments.test_payments import pay

# create_season: 10 shares at 455.00 THB (4550.00 in all); Araya, Boonmee and Chaiyaporn hold 3 each
# (1365.00 each), and the group pays for the tenth share itself (455.00).


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    season = await create_season(session, settings, status=AgreementStatus.agreed)
    season.agreement.advance_due_on = today() + timedelta(days=10)
    await session.flush()
    return season


def dues_url(season: Season) -> str:
    return f"/v1/agreements/{season.agreement.id}/dues"


async def household_pays(client: AsyncClient, season: Season, household: Household, amount: str) -> None:
    """The coordinator records a household's payment, as one received in cash at a meeting."""
    response = await pay(
        client,
        str(season.agreement.id),
        season.headers(season.consumer_coordinator),
        kind="household_to_group",
        household_id=str(household.id),
        amount=amount,
    )
    assert response.status_code == 201, response.text


async def hand_on(session: AsyncSession, season: Season, subscription: Subscription, to: Household) -> None:
    """The subscription's holder hands it on to another household, which accepted it."""
    session.add(
        SubscriptionTransfer(
            subscription_id=subscription.id,
            from_household_id=subscription.household_id,
            to_household_id=to.id,
            status=TransferStatus.accepted,
            offered_by_user_id=season.consumer_coordinator.id,
        )
    )
    subscription.household_id = to.id
    await session.flush()


async def partly_paid(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    """Araya paid in full; Boonmee paid 500.00 and handed its shares on to Duangjai, who paid 200.00 more;
    Chaiyaporn paid nothing; the group paid the producer 2520.00: all 2065.00 collected and 455.00 of its own."""
    araya, boonmee, _, duangjai = season.households[:4]
    await household_pays(client, season, araya, "1365.00")
    await household_pays(client, season, boonmee, "500.00")
    await hand_on(session, season, season.subscriptions[1], duangjai)
    await household_pays(client, season, duangjai, "200.00")
    response = await pay(
        client,
        str(season.agreement.id),
        season.headers(season.consumer_coordinator),
        kind="group_to_producer",
        amount="2520.00",
    )
    assert response.status_code == 201, response.text


def lines_of(body: dict) -> list[tuple[str, int, str, str, str]]:
    return [
        (line["household_name"], line["shares"], line["amount_due"], line["paid"], line["outstanding"])
        for line in body["households"]
    ]


async def test_a_partly_paid_season_shows_who_paid_what_and_what_is_still_owed(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    await partly_paid(client, session, season)

    response = await client.get(dues_url(season), headers=season.headers(season.consumer_coordinator))

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["currency"], body["days_to_due"]) == ("agreed", "THB", 10)
    assert body["advance_due_on"] == (today() + timedelta(days=10)).isoformat()
    assert lines_of(body) == [
        ("Araya", 3, "1365.00", "1365.00", "0.00"),
        ("Chaiyaporn", 3, "1365.00", "0.00", "1365.00"),
        ("Duangjai", 3, "1365.00", "700.00", "665.00"),  # Boonmee's 500.00 stays with the shares
    ]
    assert body["households"][2]["household_id"] == str(season.households[3].id)
    assert body["households_total"] == {"amount_due": "4095.00", "paid": "2065.00", "outstanding": "2030.00"}
    assert body["group_part"] == {"shares": 1, "amount_due": "455.00", "paid": "455.00", "outstanding": "0.00"}
    assert body["producer"] == {
        "total": "4550.00",
        "received_by_producer": "2520.00",
        "outstanding": "2030.00",
        "held_by_group": "0.00",
    }
    assert "Accept" in response.headers["vary"]


async def test_reading_dues_records_nothing(client: AsyncClient, session: AsyncSession, season: Season) -> None:
    accounts_before = await session.scalar(select(func.count()).select_from(LedgerAccount))

    response = await client.get(dues_url(season), headers=season.headers(season.consumer_coordinator))

    assert response.status_code == 200
    assert {line[3] for line in lines_of(response.json())} == {"0.00"}
    assert response.json()["producer"]["outstanding"] == "4550.00"
    assert await session.scalar(select(func.count()).select_from(LedgerAccount)) == accounts_before


@pytest.mark.parametrize("status", [AgreementStatus.lapsed, AgreementStatus.cancelled])
async def test_a_lapsed_or_cancelled_agreement_owes_nothing(
    client: AsyncClient, session: AsyncSession, season: Season, status: AgreementStatus
) -> None:
    await household_pays(client, season, season.households[0], "1000.00")
    season.agreement.status = status
    await session.flush()

    body = (await client.get(dues_url(season), headers=season.headers(season.consumer_coordinator))).json()

    assert body["status"] == status.value
    assert {line[4] for line in lines_of(body)} == {"0.00"}
    assert body["households_total"]["outstanding"] == "0.00"
    assert (body["group_part"]["outstanding"], body["producer"]["outstanding"]) == ("0.00", "0.00")


async def test_an_agreement_past_its_due_date_unpaid_reads_as_lapsed_and_owes_nothing(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    season.agreement.advance_due_on = today() - timedelta(days=2)  # the lapse job has not run yet
    await session.flush()

    body = (await client.get(dues_url(season), headers=season.headers(season.consumer_coordinator))).json()

    assert (body["status"], body["days_to_due"]) == ("lapsed", -2)
    assert body["households_total"] == {"amount_due": "4095.00", "paid": "0.00", "outstanding": "0.00"}


async def test_days_to_due_are_negative_once_past_and_null_when_no_date_was_agreed(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    active = await create_season(session, settings)  # active, due 30 days ago
    coordinator = active.headers(active.consumer_coordinator)

    past = (await client.get(dues_url(active), headers=coordinator)).json()
    active.agreement.advance_due_on = None
    await session.flush()
    undated = (await client.get(dues_url(active), headers=coordinator)).json()

    assert (past["status"], past["days_to_due"]) == ("active", -30)
    assert (undated["advance_due_on"], undated["days_to_due"]) == (None, None)


async def test_the_dues_as_csv_one_row_per_household_and_a_total(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    await partly_paid(client, session, season)
    season.households[2].name = "=HYPERLINK(1)"  # a name a spreadsheet would run
    await session.flush()

    response = await client.get(
        dues_url(season), headers={**season.headers(season.consumer_coordinator), "Accept": "text/csv"}
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "Accept" in response.headers["vary"]
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        ["household", "household_id", "shares", "amount_due", "paid", "outstanding"],
        ["'=HYPERLINK(1)", str(season.households[2].id), "3", "1365.00", "0.00", "1365.00"],
        ["Araya", str(season.households[0].id), "3", "1365.00", "1365.00", "0.00"],
        ["Duangjai", str(season.households[3].id), "3", "1365.00", "700.00", "665.00"],
        ["Total", "", "9", "4095.00", "2065.00", "2030.00"],
    ]


async def test_json_stays_the_default_when_csv_is_ranked_lower(client: AsyncClient, season: Season) -> None:
    response = await client.get(
        dues_url(season),
        headers={**season.headers(season.consumer_coordinator), "Accept": "application/json, text/csv;q=0.5"},
    )

    assert response.headers["content-type"] == "application/json"
    assert response.json()["agreement_id"] == str(season.agreement.id)


async def test_only_the_consumer_groups_coordinators_read_the_dues(
    client: AsyncClient, session: AsyncSession, season: Season
) -> None:
    [other_coordinator] = await coordinator_ids(session, await create_group(session))
    stranger = await create_user(session)

    member = await client.get(dues_url(season), headers=await season.member_headers(session, 1))
    producer = await client.get(dues_url(season), headers=season.producer)
    other_group = await client.get(dues_url(season), headers=auth_headers(season.settings, other_coordinator))
    outsider = await client.get(dues_url(season), headers=auth_headers(season.settings, stranger.id))
    anonymous = await client.get(dues_url(season))
    unknown = await client.get(f"/v1/agreements/{uuid4()}/dues", headers=season.headers(season.consumer_coordinator))

    # A member reads its own dues in its household's statement; other households' payments are not its own.
    assert_problem(member, 403, "not-coordinator")
    assert_problem(producer, 403, "not-coordinator")
    # Nobody outside the agreement's two groups learns that it exists.
    assert_problem(other_group, 404, "agreement-not-found")
    assert_problem(outsider, 404, "agreement-not-found")
    assert_problem(unknown, 404, "agreement-not-found")
    assert anonymous.status_code == 401


async def add_households(session: AsyncSession, season: Season, count: int) -> None:
    """`count` more households take a share each and pay 100.00 for it, one in ten after a hand-on."""
    agreement = season.agreement
    households = [Household(name=f"Household {index:03}") for index in range(count)]
    session.add_all(households)
    await session.flush()
    agreement.shares += count
    subscriptions = await subscribe(session, agreement, [(household, 1) for household in households])
    fund = await ledger.account(
        session,
        agreement_id=agreement.id,
        kind=AccountKind.group_fund,
        owner_id=agreement.consumer_group_id,
        currency=agreement.currency,
    )
    for index, household in enumerate(households):
        paid = await ledger.account(
            session,
            agreement_id=agreement.id,
            kind=AccountKind.household_paid,
            owner_id=household.id,
            currency=agreement.currency,
        )
        await ledger.post(
            session, agreement_id=agreement.id, kind="household_to_group", legs=[(paid, -100_00), (fund, 100_00)]
        )
        if index % 10 == 0:
            newcomer = Household(name=f"Newcomer {index:03}")
            session.add(newcomer)
            await session.flush()
            await hand_on(session, season, subscriptions[index], newcomer)
    await session.flush()


async def test_dues_cost_as_many_statements_for_150_households_as_for_3(
    client: AsyncClient, session: AsyncSession, engine: AsyncEngine, season: Season
) -> None:
    await partly_paid(client, session, season)
    coordinator = season.headers(season.consumer_coordinator)
    three, for_three = await page_and_statements(engine, client, dues_url(season), coordinator)
    await add_households(session, season, 147)

    many, for_many = await page_and_statements(engine, client, dues_url(season), coordinator)

    assert (len(three["households"]), len(many["households"])) == (3, 150)
    assert {line["paid"] for line in many["households"] if line["household_name"].startswith("Newcomer")} == {"100.00"}
    assert many["households_total"]["paid"] == "16765.00"  # 2065.00 + 147 × 100.00
    assert len(for_many) == len(for_three), for_many
