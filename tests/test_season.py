"""A whole Teikei season over HTTP, from the producer's plan to the pickup list and the renewal,
asserting the numbers at each step; and a season whose advance payment never arrives."""

from datetime import timedelta
from uuid import UUID, uuid4

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.service.lifecycle import complete_finished
from app.core.config import Settings
from app.outbox.models import EventAudience, OutboxEvent
from app.payments.service import lapse_overdue
from tests.agreements.builders import today
from tests.agreements.test_subscriptions import households_of_group
from tests.factories import auth_headers, coordinator_ids, create_group, create_user, first_member


class Season:
    """The two groups and the people who act for them."""

    def __init__(self, client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
        self.client, self.session, self.settings = client, session, settings
        self.producer_group: dict = {}

    async def set_up(self) -> None:
        self.group = await create_group(self.session, households=15, coordinators=2)
        first, second = await coordinator_ids(self.session, self.group)
        self.coordinator, self.co_coordinator = self.headers(first), self.headers(second)
        self.farmer = await create_user(self.session, display_name="Somchai")
        self.producer = self.headers(self.farmer.id)
        households = await households_of_group(self.session, self.group.id)
        self.small, self.large = households[-2], households[-1]
        self.small_member = self.headers((await first_member(self.session, self.small)).id)
        self.large_member = self.headers((await first_member(self.session, self.large)).id)

    def headers(self, user_id) -> dict[str, str]:
        return auth_headers(self.settings, user_id)

    async def post(self, url: str, body: dict, headers: dict, expected: int = 201) -> dict:
        response = await self.client.post(url, json=body, headers=headers)
        assert response.status_code == expected, response.text
        return response.json()

    async def plan(self, season_name: str) -> dict:
        starts = today() - timedelta(days=10)
        plan = await self.post(
            f"/v1/producer-groups/{self.producer_group['id']}/production-plans",
            {
                "season_name": season_name,
                "season_starts_on": starts.isoformat(),
                "season_ends_on": (starts + timedelta(days=160)).isoformat(),
                "currency": "THB",
                "items": [
                    {
                        "crop": "rice",
                        "variety": "jasmine",
                        "unit": "kg",
                        "max_quantity": "1000",
                        "harvest_from": starts.isoformat(),
                        "harvest_to": (starts + timedelta(days=160)).isoformat(),
                    },
                    {
                        "crop": "eggs",
                        "unit": "piece",
                        "max_quantity": "3000",
                        "harvest_from": starts.isoformat(),
                        "harvest_to": (starts + timedelta(days=160)).isoformat(),
                    },
                ],
            },
            self.producer,
        )
        return await self.post(f"/v1/production-plans/{plan['id']}/publish", {}, self.producer, expected=200)

    def terms(self, plan: dict, rice_price: str) -> dict:
        rice, eggs = plan["items"]
        return {
            "shares": 4,
            "advance_due_on": (today() + timedelta(days=7)).isoformat(),
            "distribution_mode": "producer_delivers",
            "items": [
                {"plan_item_id": rice["id"], "quantity": "400.000", "unit_price": rice_price},
                {"plan_item_id": eggs["id"], "quantity": "1200", "unit_price": "4.00"},
            ],
        }

    async def pay(self, agreement_id: str, headers: dict, **body) -> dict:
        return await self.post(
            f"/v1/agreements/{agreement_id}/payments",
            {"currency": "THB", "method": "promptpay", **body},
            {**headers, "Idempotency-Key": str(uuid4())},
        )


async def test_a_whole_season_from_plan_to_pickup_list_and_renewal(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = Season(client, session, settings)
    await season.set_up()
    season.producer_group = await season.post(
        "/v1/producer-groups",
        {"name": "Mae Taeng Organic", "legal_form": "cooperative", "country": "TH", "region": "Chiang Mai"},
        season.producer,
    )
    station = await season.post(
        f"/v1/consumer-groups/{season.group.id}/pickup-stations",
        {"name": "Temple hall", "address": "Soi Wat 12"},
        season.coordinator,
    )

    # Plan: published with its capacity.
    plan = await season.plan("Rainy season")
    assert [(i["crop"], i["max_quantity"], i["remaining_quantity"]) for i in plan["items"]] == [
        ("rice", "1000.000", "1000.000"),
        ("eggs", "3000", "3000"),
    ]

    # Proposal by consumers, counter-proposal by producers, quorum acceptance by two coordinators.
    proposal = await season.post(
        "/v1/agreements",
        {"production_plan_id": plan["id"], "consumer_group_id": str(season.group.id), **season.terms(plan, "45.50")},
        season.coordinator,
    )
    assert proposal["versions"][0]["total_price"] == "23000.00"  # 400 kg × 45.50 + 1200 × 4.00
    agreement_id = proposal["id"]
    countered = await season.post(
        f"/v1/agreements/{agreement_id}/counter-proposals",
        {"version": 1, **season.terms(plan, "48.00")},
        season.producer,
    )
    assert countered["versions"][1]["total_price"] == "24000.00"
    halfway = await season.post(f"/v1/agreements/{agreement_id}/acceptances", {"version": 2}, season.coordinator, 200)
    assert (halfway["status"], halfway["versions"][1]["status"]) == ("proposed", "awaiting_approval")
    agreed = await season.post(f"/v1/agreements/{agreement_id}/acceptances", {"version": 2}, season.co_coordinator, 200)
    assert (agreed["status"], agreed["agreed_version"], agreed["total_price"]) == ("agreed", 2, "24000.00")
    assert len(agreed["versions"][1]["approvals"]) == 2
    capacity = (await client.get(f"/v1/production-plans/{plan['id']}", headers=season.small_member)).json()
    assert [i["remaining_quantity"] for i in capacity["items"]] == ["600.000", "1800"]

    # Subscriptions: 1 + 2 of 4 shares, 6000.00 a share; one share stays with the group.
    small = await season.post(
        f"/v1/agreements/{agreement_id}/subscriptions",
        {"household_id": str(season.small.id), "shares": 1},
        season.small_member,
    )
    large = await season.post(
        f"/v1/agreements/{agreement_id}/subscriptions",
        {"household_id": str(season.large.id), "shares": 2},
        season.large_member,
    )
    assert (small["amount_due"], large["amount_due"]) == ("6000.00", "12000.00")

    # Advance payment: households to the group, the group to the producer; active on the last unit.
    await season.pay(
        agreement_id,
        season.small_member,
        kind="household_to_group",
        household_id=str(season.small.id),
        amount="6000.00",
    )
    await season.pay(
        agreement_id,
        season.large_member,
        kind="household_to_group",
        household_id=str(season.large.id),
        amount="12000.00",
    )
    first_part = await season.pay(agreement_id, season.coordinator, kind="group_to_producer", amount="20000.00")
    assert first_part["agreement_status"] == "agreed"
    last_part = await season.pay(agreement_id, season.coordinator, kind="group_to_producer", amount="4000.00")
    assert last_part["agreement_status"] == "active"
    ledger = (await client.get(f"/v1/agreements/{agreement_id}/ledger", headers=season.producer)).json()
    assert (ledger["collected_from_households"], ledger["paid_from_group_funds"], ledger["received_by_producer"]) == (
        "18000.00",
        "6000.00",
        "24000.00",
    )

    # Two harvests, accepted in full and allocated by shares 1 : 2 : 1 (the group's unsubscribed share).
    rice_id, eggs_id = plan["items"][0]["id"], plan["items"][1]["id"]
    first_harvest = await season.post(
        f"/v1/agreements/{agreement_id}/harvests",
        {
            "delivered_on": (today() - timedelta(days=1)).isoformat(),
            "pickup_station_id": station["id"],
            "lines": [{"plan_item_id": rice_id, "quantity": "100"}, {"plan_item_id": eggs_id, "quantity": "300"}],
        },
        season.producer,
    )
    assert sorted(
        (a["household_id"], a["plan_item_id"], a["quantity"]) for a in first_harvest["allocations"]
    ) == sorted(
        [
            (str(season.small.id), rice_id, "25.000"),
            (str(season.large.id), rice_id, "50.000"),
            (str(season.small.id), eggs_id, "75"),
            (str(season.large.id), eggs_id, "150"),
        ]
    )
    assert sorted((s["plan_item_id"], s["quantity"]) for s in first_harvest["surplus"]) == sorted(
        [
            (rice_id, "25.000"),
            (eggs_id, "75"),
        ]
    )
    second_harvest = await season.post(
        f"/v1/agreements/{agreement_id}/harvests",
        {
            "delivered_on": today().isoformat(),
            "pickup_station_id": station["id"],
            "lines": [{"plan_item_id": rice_id, "quantity": "50.001"}],
        },
        season.producer,
    )
    # 50001 g by 1:2:1 → 12500.25, 25000.5, 12500.25: the one leftover gram goes to the largest remainder.
    assert sorted(a["quantity"] for a in second_harvest["allocations"]) == ["12.500", "25.001"]
    assert [s["quantity"] for s in second_harvest["surplus"]] == ["12.500"]
    too_much = await client.post(
        f"/v1/agreements/{agreement_id}/harvests",
        json={
            "delivered_on": today().isoformat(),
            "pickup_station_id": station["id"],
            "lines": [{"plan_item_id": rice_id, "quantity": "250.000"}],
        },
        headers=season.producer,
    )
    assert (too_much.status_code, too_much.json()["code"]) == (409, "delivery-exceeds-agreement")

    # The pickup list a volunteer prints for today's station.
    pickup = await client.get(
        f"/v1/pickup-stations/{station['id']}/pickup-lists",
        params={"date": today().isoformat()},
        headers=season.coordinator,
    )
    rows = {h["household_id"]: [(i["crop"], i["quantity"]) for i in h["items"]] for h in pickup.json()["households"]}
    assert rows == {str(season.small.id): [("rice", "12.500")], str(season.large.id): [("rice", "25.001")]}
    printable = await client.get(
        f"/v1/pickup-stations/{station['id']}/pickup-lists",
        params={"date": today().isoformat()},
        headers={**season.coordinator, "Accept": "text/csv"},
    )
    assert printable.headers["content-type"].startswith("text/csv")
    assert printable.text.splitlines()[0] == "household,crop,variety,unit,quantity"

    # Renewal for the next season: the same terms proposed again, the history readable.
    next_plan = await season.plan("Dry season")
    renewal = await season.post(
        f"/v1/agreements/{agreement_id}/renewals",
        {"production_plan_id": next_plan["id"], "advance_due_on": (today() + timedelta(days=30)).isoformat()},
        season.coordinator,
    )
    assert (renewal["status"], renewal["renewed_from_id"], renewal["versions"][0]["total_price"]) == (
        "proposed",
        agreement_id,
        "24000.00",
    )
    history = (await client.get("/v1/agreements", headers=season.producer)).json()["data"]
    assert [(a["id"], a["status"]) for a in history] == [(agreement_id, "active"), (renewal["id"], "proposed")]

    # Once the season's deliveries are over, the daily job completes it. Each step was an event for both groups.
    assert await complete_finished(session, today=today() + timedelta(days=365)) == [UUID(agreement_id)]
    assert await event_types(session, agreement_id) == [
        "agreement.proposed",
        "agreement.countered",
        "agreement.agreed",
        *["subscription.created"] * 2,
        *["payment.recorded"] * 4,
        "agreement.activated",
        *["harvest.recorded"] * 2,
        "agreement.completed",
    ]


async def event_types(session: AsyncSession, agreement_id: str) -> list[str]:
    """The events about the agreement, in the order they happened, each for both of its groups."""
    events = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.occurred_at))).all()
    about = [event for event in events if event.data.get("agreement", {}).get("id") == agreement_id]
    for event in about:
        audience = await session.scalar(select(func.count()).where(EventAudience.event_id == event.id))
        assert audience == 2
    return [event.type for event in about]


async def test_a_season_whose_advance_payment_never_arrives_lapses_and_refunds_everyone(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = Season(client, session, settings)
    await season.set_up()
    season.producer_group = await season.post(
        "/v1/producer-groups",
        {"name": "Merapi farmers", "legal_form": "self_help_group", "country": "ID", "region": "Yogyakarta"},
        season.producer,
    )
    plan = await season.plan("Rainy season")
    agreement = await season.post(
        "/v1/agreements",
        {"production_plan_id": plan["id"], "consumer_group_id": str(season.group.id), **season.terms(plan, "45.50")},
        season.coordinator,
    )
    await season.post(f"/v1/agreements/{agreement['id']}/acceptances", {"version": 1}, season.producer, 200)
    await season.post(
        f"/v1/agreements/{agreement['id']}/subscriptions",
        {"household_id": str(season.small.id), "shares": 1},
        season.small_member,
    )
    await season.pay(
        agreement["id"],
        season.small_member,
        kind="household_to_group",
        household_id=str(season.small.id),
        amount="5750.00",
    )
    await season.pay(agreement["id"], season.coordinator, kind="group_to_producer", amount="10000.00")

    # The due date passes with 13000.00 of 23000.00 unpaid; the daily job runs the day after.
    lapsed = await lapse_overdue(session, today=today() + timedelta(days=8))

    assert [str(agreement_id) for agreement_id in lapsed] == [agreement["id"]]
    assert (await event_types(session, agreement["id"]))[-1] == "agreement.lapsed"
    ledger = (await client.get(f"/v1/agreements/{agreement['id']}/ledger", headers=season.coordinator)).json()
    assert ledger["status"] == "lapsed"
    assert {a["balance"] for a in ledger["accounts"]} == {"0.00"}
    assert sorted((e["account"], e["amount"]) for e in ledger["data"][-1]["entries"]) == [
        ("group_own", "4250.00"),
        ("household_paid", "5750.00"),
        ("producer_received", "-10000.00"),
    ]
    statement = (await client.get(f"/v1/households/{season.small.id}/statement", headers=season.small_member)).json()
    assert (statement["data"][0]["paid"], statement["data"][0]["outstanding"]) == ("0.00", "0.00")
    capacity = (await client.get(f"/v1/production-plans/{plan['id']}", headers=season.producer)).json()
    assert [i["remaining_quantity"] for i in capacity["items"]] == ["1000.000", "3000"]
    refused = await client.post(
        f"/v1/agreements/{agreement['id']}/harvests",
        json={
            "delivered_on": today().isoformat(),
            "pickup_station_id": str(uuid4()),
            "lines": [{"plan_item_id": plan["items"][0]["id"], "quantity": "1"}],
        },
        headers=season.producer,
    )
    assert refused.status_code in (409, 422)
