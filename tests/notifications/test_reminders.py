"""The daily reminders: a payment due in the days each user chose (their household's shares, or for the
consumer group's coordinators the group's advance to the producer group) and a pickup tomorrow; the job run
twice on one day reminds no one twice."""

from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import worker
from app.agreements.models import AgreementStatus
from app.core.config import Settings
from app.notifications import reminders
from app.notifications.models import Notification, NotificationKind, NotificationPreference, SubjectType
from tests.harvests.builders import Season, create_season, today
from tests.notifications.builders import kinds_of, notifications_of, process_events, told
from tests.payments.test_dues import household_pays

# create_season: 10 shares at 455.00 THB; Araya, Boonmee and Chaiyaporn hold 3 each (1365.00 each).


@pytest.fixture
async def season(session: AsyncSession, settings: Settings) -> Season:
    season = await create_season(session, settings, status=AgreementStatus.agreed)
    season.agreement.advance_due_on = today() + timedelta(days=7)
    await session.flush()
    return season


async def notification_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Notification)) or 0)


async def test_a_payment_due_in_seven_days_reminds_the_households_that_owe_and_the_coordinators(
    client: AsyncClient, session: AsyncSession, settings: Settings, season: Season
) -> None:
    araya, boonmee = season.households[:2]
    await household_pays(client, season, araya, "1365.00")  # in full
    await household_pays(client, season, boonmee, "365.00")  # 1000.00 still owed
    boonmee_member = await season.member(session, 1)
    chaiyaporn_member = await season.member(session, 2)
    no_shares = await season.member(session, 5)

    told_now = await reminders.remind(session, settings, today=today())

    # Araya's member is the group's coordinator: reminded of the group's payment alone.
    assert await told(session, NotificationKind.payment_due) == {
        boonmee_member.id,
        chaiyaporn_member.id,
        season.consumer_coordinator.id,
    }
    assert told_now == 3
    [owed] = await notifications_of(session, boonmee_member.id)
    assert owed.title == "Advance payment due in 7 days"
    assert "1000.00 THB" in owed.text
    assert (owed.subject_type, owed.subject_id) == (SubjectType.agreement, season.agreement.id)
    [group] = await notifications_of(session, season.consumer_coordinator.id)
    assert "4550.00 THB" in group.text
    assert season.producer_group.name in group.title
    assert await kinds_of(session, no_shares.id) == []
    assert await kinds_of(session, season.producer_coordinator.id) == []


async def test_the_daily_job_run_twice_on_one_day_reminds_once(
    session: AsyncSession, settings: Settings, season: Season
) -> None:
    first = await worker.remind(session, settings)
    count = await notification_count(session)
    second = await worker.remind(session, settings)

    assert count == 4  # the three holders' members and the coordinator (who is Araya's member too)
    assert await notification_count(session) == count
    assert first.endswith("made 4 reminder(s) of payments due and pickups.")
    assert second.endswith("made 0 reminder(s) of payments due and pickups.")


@pytest.mark.parametrize(("_case", "days_left", "reminded"), [("a week", 7, True), ("five days", 5, False)])
async def test_only_on_the_days_chosen(
    session: AsyncSession, settings: Settings, season: Season, _case: str, days_left: int, reminded: bool
) -> None:
    season.agreement.advance_due_on = today() + timedelta(days=days_left)
    chaiyaporn_member = await season.member(session, 2)
    await session.flush()

    await reminders.remind(session, settings, today=today())

    assert (chaiyaporn_member.id in await told(session, NotificationKind.payment_due)) is reminded


async def test_a_user_choosing_other_days_is_reminded_on_those(
    session: AsyncSession, settings: Settings, season: Season
) -> None:
    season.agreement.advance_due_on = today() + timedelta(days=3)
    chaiyaporn_member, boonmee_member = await season.member(session, 2), await season.member(session, 1)
    session.add(NotificationPreference(user_id=chaiyaporn_member.id, reminder_days=[3]))
    await session.flush()

    await reminders.remind(session, settings, today=today())

    assert await told(session, NotificationKind.payment_due, [chaiyaporn_member.id, boonmee_member.id]) == {
        chaiyaporn_member.id
    }


async def test_a_user_who_turned_payment_reminders_off_is_not_reminded(
    session: AsyncSession, settings: Settings, season: Season
) -> None:
    boonmee_member = await season.member(session, 1)
    session.add(NotificationPreference(user_id=boonmee_member.id, muted_kinds=["payment_due"]))
    await session.flush()

    await reminders.remind(session, settings, today=today())

    assert await kinds_of(session, boonmee_member.id) == []
    assert await kinds_of(session, (await season.member(session, 2)).id) == [NotificationKind.payment_due]


async def test_a_lapsed_or_past_due_agreement_reminds_no_one(
    session: AsyncSession, settings: Settings, season: Season
) -> None:
    season.agreement.advance_due_on = today() - timedelta(days=1)
    await session.flush()

    await reminders.remind(session, settings, today=today())

    assert await notification_count(session) == 0


async def test_a_pickup_tomorrow_is_reminded_once_whether_the_job_or_the_harvest_came_first(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings)
    holder = await season.member(session, 0)
    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("30.000", delivered_on=today() + timedelta(days=1)),
        headers=season.producer,
    )
    assert response.status_code == 201, response.text

    await reminders.remind(session, settings, today=today())
    await reminders.remind(session, settings, today=today())
    await process_events(session, settings)

    assert await kinds_of(session, holder.id) == [NotificationKind.pickup_tomorrow, NotificationKind.harvest_allocated]
    assert await told(session, NotificationKind.pickup_tomorrow) == {
        (await season.member(session, index)).id for index in range(3)
    }
