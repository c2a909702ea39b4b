"""An active agreement completes once its season's deliveries are over: reads show it at once, the
daily job records it once, and a completed agreement takes nothing new but can be renewed."""

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import Agreement, AgreementStatus, AgreementVersion, Subscription
from app.agreements.service import lifecycle
from app.agreements.service.lifecycle import DELIVERY_GRACE_DAYS, complete_finished
from app.core.config import Settings
from app.harvests.models import Harvest
from app.ledger.models import LedgerTransaction
from app.plans.models import ProductionPlan
from tests.agreements.builders import Partnership, agree, create_partnership, create_plan, today
from tests.agreements.test_subscriptions import member_households
from tests.factories import auth_headers, create_user, first_member
from tests.groups.test_router import assert_problem
from tests.harvests.builders import create_season


@pytest.fixture
async def partnership(session: AsyncSession, settings: Settings) -> Partnership:
    return await create_partnership(session, settings)


async def pay(client: AsyncClient, agreement_id: str, headers: dict[str, str], **body: Any) -> Any:
    payload = {"currency": "THB", "method": "cash", **body}
    return await client.post(
        f"/v1/agreements/{agreement_id}/payments", json=payload, headers={**headers, "Idempotency-Key": str(uuid4())}
    )


async def active_agreement(client: AsyncClient, partnership: Partnership) -> str:
    """Agreed for 18450.00 THB in three shares, paid in full by the group from its own money."""
    agreement = await agree(client, partnership, shares=3)
    paid = await pay(client, agreement["id"], partnership.first, kind="group_to_producer", amount="18450.00")
    assert paid.json()["agreement_status"] == "active", paid.text
    return str(agreement["id"])


async def season_ended(session: AsyncSession, plan_id: UUID, *, days_ago: int) -> None:
    ends_on = today() - timedelta(days=days_ago)
    await session.execute(
        update(ProductionPlan)
        .where(ProductionPlan.id == plan_id)
        .values(season_starts_on=ends_on - timedelta(days=150), season_ends_on=ends_on)
    )


async def stored_status(session: AsyncSession, agreement_id: str) -> AgreementStatus:
    statement = select(Agreement.status).where(Agreement.id == UUID(agreement_id))
    return (await session.execute(statement.execution_options(populate_existing=True))).scalar_one()


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def test_completion_waits_for_the_last_day_a_harvest_may_bear() -> None:
    ends_on = today()
    assert not lifecycle.deliveries_over(ends_on, on=ends_on + timedelta(days=DELIVERY_GRACE_DAYS))
    assert lifecycle.deliveries_over(ends_on, on=ends_on + timedelta(days=DELIVERY_GRACE_DAYS + 1))


async def test_an_active_agreement_reads_completed_the_day_after_its_deliveries_end(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement_id = await active_agreement(client, partnership)

    await season_ended(session, partnership.plan.id, days_ago=DELIVERY_GRACE_DAYS)
    on_the_last_day = await client.get(f"/v1/agreements/{agreement_id}", headers=partnership.producer)
    await season_ended(session, partnership.plan.id, days_ago=DELIVERY_GRACE_DAYS + 1)
    the_day_after = await client.get(f"/v1/agreements/{agreement_id}", headers=partnership.producer)
    listed = await client.get("/v1/agreements", headers=partnership.first)
    ledger = await client.get(f"/v1/agreements/{agreement_id}/ledger", headers=partnership.first)

    assert on_the_last_day.json()["status"] == "active"
    assert the_day_after.json()["status"] == "completed"
    assert [a["status"] for a in listed.json()["data"] if a["id"] == agreement_id] == ["completed"]
    assert ledger.json()["status"] == "completed"
    assert await stored_status(session, agreement_id) == AgreementStatus.active  # until the job records it


async def test_the_job_records_completion_once_and_only_of_finished_seasons(
    client: AsyncClient, session: AsyncSession, partnership: Partnership, settings: Settings
) -> None:
    agreement_id = await active_agreement(client, partnership)
    other = await create_partnership(session, settings)
    still_running = await active_agreement(client, other)
    unpaid = await create_partnership(session, settings)
    agreed = await agree(client, unpaid, shares=3)
    await season_ended(session, partnership.plan.id, days_ago=DELIVERY_GRACE_DAYS + 1)
    await season_ended(session, other.plan.id, days_ago=DELIVERY_GRACE_DAYS)
    await season_ended(session, unpaid.plan.id, days_ago=DELIVERY_GRACE_DAYS + 1)

    first_run = await complete_finished(session, today=today())
    second_run = await complete_finished(session, today=today())

    assert (first_run, second_run) == ([UUID(agreement_id)], [])
    assert await stored_status(session, agreement_id) == AgreementStatus.completed
    assert await stored_status(session, still_running) == AgreementStatus.active
    assert await stored_status(session, agreed["id"]) == AgreementStatus.agreed  # lapsing is not completing
    read = await client.get(f"/v1/agreements/{agreement_id}", headers=partnership.first)
    assert read.json()["status"] == "completed"


async def test_a_completed_agreement_takes_no_payment_subscription_or_amendment(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement = await agree(client, partnership, shares=3)
    agreement_id = str(agreement["id"])
    *_, household, newcomer = await member_households(session, partnership)
    household_headers = auth_headers(partnership.settings, (await first_member(session, household)).id)
    subscribed = await client.post(
        f"/v1/agreements/{agreement_id}/subscriptions",
        json={"household_id": str(household.id), "shares": 1},
        headers=household_headers,
    )
    assert subscribed.status_code == 201
    await pay(client, agreement_id, partnership.first, kind="group_to_producer", amount="18450.00")
    await season_ended(session, partnership.plan.id, days_ago=DELIVERY_GRACE_DAYS + 1)
    before = [await count(session, model) for model in (LedgerTransaction, Subscription, AgreementVersion)]

    household_pays = await pay(
        client, agreement_id, household_headers, kind="household_to_group", household_id=str(household.id), amount="1"
    )
    group_pays = await pay(client, agreement_id, partnership.first, kind="group_to_producer", amount="1")
    newcomer_subscribes = await client.post(
        f"/v1/agreements/{agreement_id}/subscriptions",
        json={"household_id": str(newcomer.id), "shares": 1},
        headers=auth_headers(partnership.settings, (await first_member(session, newcomer)).id),
    )
    amendment = await client.post(
        f"/v1/agreements/{agreement_id}/counter-proposals",
        json={**partnership.terms(shares=3), "version": 1},
        headers=partnership.producer,
    )

    assert_problem(household_pays, 409, "agreement-not-payable")
    assert_problem(group_pays, 409, "agreement-not-payable")
    assert_problem(newcomer_subscribes, 409, "agreement-not-agreed")
    assert_problem(amendment, 409, "agreement-not-negotiable")
    assert [await count(session, model) for model in (LedgerTransaction, Subscription, AgreementVersion)] == before


async def test_harvests_stand_within_the_grace_and_none_is_recorded_once_completion_is_recorded(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings)
    agreement_id = str(season.agreement.id)
    await season_ended(session, season.plan.id, days_ago=DELIVERY_GRACE_DAYS)
    last_day = today()
    within_grace = await client.post(
        f"/v1/agreements/{agreement_id}/harvests",
        json=season.harvest("10", delivered_on=last_day),
        headers=season.producer,
    )
    await season_ended(session, season.plan.id, days_ago=DELIVERY_GRACE_DAYS + 1)
    completed = await complete_finished(session, today=today())
    after_completion = await client.post(
        f"/v1/agreements/{agreement_id}/harvests",
        json=season.harvest("10", delivered_on=last_day - timedelta(days=1)),
        headers=season.producer,
    )
    harvests = await client.get(f"/v1/agreements/{agreement_id}/harvests", headers=season.producer)

    assert within_grace.status_code == 201, within_grace.text
    assert_problem(after_completion, 409, "agreement-not-active")
    assert completed == [season.agreement.id]
    assert await count(session, Harvest) == 1
    assert harvests.status_code == 200
    assert [h["id"] for h in harvests.json()["data"]] == [within_grace.json()["id"]]


async def test_a_completed_agreement_is_renewed_for_the_next_season(
    client: AsyncClient, session: AsyncSession, partnership: Partnership
) -> None:
    agreement_id = await active_agreement(client, partnership)
    await season_ended(session, partnership.plan.id, days_ago=DELIVERY_GRACE_DAYS + 1)
    await complete_finished(session, today=today())
    next_plan = await create_plan(session, partnership.producer_group, season_name="Rainy season 2028")
    body = {"production_plan_id": str(next_plan.id), "advance_due_on": (today() + timedelta(days=10)).isoformat()}
    outsider = auth_headers(partnership.settings, (await create_user(session)).id)
    before = await count(session, Agreement)

    refused = await client.post(f"/v1/agreements/{agreement_id}/renewals", json=body, headers=outsider)
    renewal = await client.post(f"/v1/agreements/{agreement_id}/renewals", json=body, headers=partnership.first)

    assert_problem(refused, 404, "agreement-not-found")
    assert renewal.status_code == 201, renewal.text
    assert (renewal.json()["status"], renewal.json()["renewed_from_id"]) == ("proposed", agreement_id)
    assert await count(session, Agreement) == before + 1
