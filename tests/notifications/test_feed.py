"""Notifications made from the outbox's events, through the real flows: an agreement proposed and countered,
a cancellation proposed, a motion moved, a harvest recorded; each user told once, whatever is read again."""

from datetime import timedelta
from uuid import uuid4

from httpx import AsyncClient
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import AgreementStatus
from app.core.config import Settings
from app.core.db import utc_now
from app.notifications import from_events
from app.notifications.models import EventCursor, Notification, NotificationKind, SubjectType
from app.outbox.models import OutboxEvent
from tests.agreements.builders import create_partnership
from tests.cancellations.builders import create_parties, proposed
from tests.factories import auth_headers, coordinator_ids
from tests.harvests.builders import create_season, today
from tests.notifications.builders import kinds_of, notifications_of, process_events, told
from tests.producers.test_motions import create_farm


async def test_a_proposal_asks_the_other_sides_coordinators_and_a_counter_proposal_the_first(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    partnership = await create_partnership(session, settings)
    first, second = partnership.consumer_coordinators
    producer = partnership.producer_coordinator

    response = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)
    assert response.status_code == 201, response.text
    agreement_id = response.json()["id"]
    await process_events(session, settings)

    [asked] = await notifications_of(session, producer.id)
    assert (asked.kind, asked.subject_type, str(asked.subject_id)) == (
        NotificationKind.approval_awaited,
        SubjectType.agreement,
        agreement_id,
    )
    assert asked.title == "An agreement awaits your approval"
    assert partnership.consumer_group.name in asked.text
    assert await kinds_of(session, first.id) == await kinds_of(session, second.id) == []

    countered = await client.post(
        f"/v1/agreements/{agreement_id}/counter-proposals",
        json={"version": 1, **partnership.terms(rice="250.000")},
        headers=partnership.producer,
    )
    assert countered.status_code == 201, countered.text
    await process_events(session, settings)

    assert await kinds_of(session, first.id) == [NotificationKind.approval_awaited]
    assert await kinds_of(session, second.id) == [NotificationKind.approval_awaited]
    assert len(await notifications_of(session, producer.id)) == 1


async def test_a_version_superseded_before_its_event_is_read_asks_nothing(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    partnership = await create_partnership(session, settings)
    proposed_agreement = await client.post("/v1/agreements", json=partnership.proposal(), headers=partnership.first)
    agreement_id = proposed_agreement.json()["id"]
    await client.post(
        f"/v1/agreements/{agreement_id}/counter-proposals",
        json={"version": 1, **partnership.terms(rice="250.000")},
        headers=partnership.producer,
    )

    await process_events(session, settings)

    # Version 1 was superseded by the time its event was read: only version 2 asks anything.
    assert await kinds_of(session, partnership.producer_coordinator.id) == []
    assert await told(session, NotificationKind.approval_awaited) == {
        user.id for user in partnership.consumer_coordinators
    }


async def test_a_cancellation_proposed_asks_every_coordinator_who_has_not_approved_it(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    parties = await create_parties(session, settings)
    proposer, other_consumer = parties.consumers

    await proposed(client, parties, proposer, "0.00")
    await process_events(session, settings)

    asked = await told(session, NotificationKind.approval_awaited)
    assert asked == {other_consumer.id, *(user.id for user in parties.producers)}
    [notification] = await notifications_of(session, parties.producers[0].id)
    assert notification.title == "A cancellation awaits your approval"
    assert (notification.subject_type, notification.subject_id) == (SubjectType.agreement, parties.agreement_id)


async def test_a_motion_moved_asks_the_groups_other_coordinators(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    partnership = await create_partnership(session, settings, coordinators=3)
    group = partnership.consumer_group
    group.approval_quorum = 3
    await session.flush()
    mover, second, third = await coordinator_ids(session, group)

    moved = await client.post(
        f"/v1/consumer-groups/{group.id}/motions",
        json={"kind": "lower_quorum", "approval_quorum": 2},
        headers=auth_headers(settings, mover),
    )
    assert moved.status_code == 201, moved.text
    event = await session.scalar(select(OutboxEvent).where(OutboxEvent.type == "motion.moved"))
    assert event is not None
    assert event.data == {
        "motion": {
            "id": moved.json()["id"],
            "kind": "lower_quorum",
            "status": "open",
            "group_kind": "consumer",
            "group_id": str(group.id),
        }
    }

    await process_events(session, settings)

    assert await told(session, NotificationKind.motion_to_approve) == {second, third}
    [notification] = await notifications_of(session, second)
    assert (notification.subject_type, str(notification.subject_id)) == (SubjectType.motion, moved.json()["id"])
    assert "lower the group's approval quorum" in notification.text


async def test_a_harvest_tells_the_households_with_a_share_and_of_a_pickup_tomorrow(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings, subscribed=(3, 3, 3))
    holders = [await season.member(session, index) for index in range(3)]
    no_share = await season.member(session, 3)
    tomorrow = today() + timedelta(days=1)

    response = await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests",
        json=season.harvest("30.000", delivered_on=tomorrow),
        headers=season.producer,
    )
    assert response.status_code == 201, response.text
    await process_events(session, settings)

    assert await told(session, NotificationKind.harvest_allocated) == {user.id for user in holders}
    assert await told(session, NotificationKind.pickup_tomorrow) == {user.id for user in holders}
    assert await kinds_of(session, no_share.id) == []
    allocated, pickup = await notifications_of(session, holders[1].id)
    assert (allocated.subject_type, str(allocated.subject_id)) == (SubjectType.harvest, response.json()["id"])
    assert season.station.name in allocated.text
    assert (pickup.subject_type, pickup.subject_id) == (SubjectType.pickup_station, season.station.id)
    assert tomorrow.isoformat() in pickup.text
    # No other household's name or share in what a household is told.
    assert all(household.name not in allocated.text for household in season.households)


async def test_reading_the_events_again_tells_no_one_twice(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings)
    await client.post(
        f"/v1/agreements/{season.agreement.id}/harvests", json=season.harvest("30.000"), headers=season.producer
    )
    await process_events(session, settings)
    made = await session.scalar(select(func.count()).select_from(Notification))

    await session.execute(delete(EventCursor))  # as if the cursor had been lost
    read_again = await process_events(session, settings)

    assert made == 3
    assert read_again == 1
    assert await session.scalar(select(func.count()).select_from(Notification)) == made


async def test_events_not_settled_yet_wait_and_the_cursor_moves_past_what_was_read(
    session: AsyncSession, settings: Settings
) -> None:
    season = await create_season(session, settings, status=AgreementStatus.agreed)
    event = OutboxEvent(
        id=uuid4(), type="harvest.recorded", occurred_at=utc_now(), data={"harvest": {"id": str(uuid4())}}
    )
    session.add(event)
    await session.flush()

    too_soon = await from_events.process_batch(session, settings, now=utc_now())
    settled = await process_events(session, settings)
    nothing_left = await process_events(session, settings)

    cursor = await session.get_one(EventCursor, "outbox")
    assert (too_soon, settled, nothing_left) == (0, 1, 0)
    assert (cursor.occurred_at, cursor.event_id) == (event.occurred_at, event.id)
    assert await kinds_of(session, season.consumer_coordinator.id) == []


async def test_a_producer_groups_removal_motion_asks_its_other_coordinators_without_saying_who_or_why(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=2)
    mover, other = farm.coordinators
    removal = {"kind": "remove_household", "household_id": str(farm.other_household.id), "reason": "Left the farm."}

    moved = await client.post(
        f"/v1/producer-groups/{farm.group.id}/motions", json=removal, headers=auth_headers(settings, mover.id)
    )
    assert moved.status_code == 201, moved.text
    await process_events(session, settings)

    [asked] = await notifications_of(session, other.id)
    assert (asked.kind, str(asked.subject_id)) == (NotificationKind.motion_to_approve, moved.json()["id"])
    assert "remove a household" in asked.text
    assert farm.farmer.display_name not in asked.text and "Left the farm." not in asked.text
    assert await kinds_of(session, mover.id) == []


async def test_a_motion_carried_before_its_event_is_read_asks_no_one(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    farm = await create_farm(session, coordinators=2)
    mover, other = farm.coordinators
    moved = await client.post(
        f"/v1/producer-groups/{farm.group.id}/motions",
        json={"kind": "lower_quorum", "approval_quorum": 1},
        headers=auth_headers(settings, mover.id),
    )
    carried = await client.post(f"/v1/motions/{moved.json()['id']}/approvals", headers=auth_headers(settings, other.id))
    assert carried.json()["status"] == "carried", carried.text

    await process_events(session, settings)

    assert await told(session, NotificationKind.motion_to_approve) == set()
