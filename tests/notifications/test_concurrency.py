"""Several workers at once: they read the outbox's events one after another and tell each user once, and
they claim e-mails without sending one twice. Real commits on separate connections."""

import asyncio
from collections import Counter
from datetime import timedelta
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import utc_now
from app.groups.models import GroupKind, Motion, MotionApproval, MotionKind, MotionStatus
from app.main import create_app
from app.notifications import from_events, mail
from app.notifications.models import Notification, NotificationKind, SubjectType
from app.notifications.service import Note, notify
from app.outbox import events
from app.outbox.models import OrganisationKind
from tests.conftest import settings_for
from tests.factories import coordinator_ids, create_group, create_user

Sessions = async_sessionmaker[AsyncSession]


async def test_two_workers_reading_the_events_at_once_tell_each_coordinator_once(
    committing_session_factory: Sessions, settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        group = await create_group(session, households=4, coordinators=4)
        mover, *others = await coordinator_ids(session, group)
        for _ in range(30):
            motion = Motion(
                group_id=group.id,
                kind=MotionKind.lower_quorum,
                approval_quorum=1,
                moved_by=mover,
                status=MotionStatus.open,
            )
            session.add(motion)
            await session.flush()
            session.add(MotionApproval(motion_id=motion.id, user_id=mover))
            data = {"motion": {"id": str(motion.id), "group_kind": GroupKind.consumer, "group_id": str(group.id)}}
            await events.emit(session, "motion.moved", data, audience=[(OrganisationKind.consumer_group, group.id)])
    later = utc_now() + timedelta(seconds=settings.event_feed_settle_seconds + 1)

    async def worker() -> int:
        read = 0
        while True:
            async with committing_session_factory.begin() as session:
                batch = await from_events.process_batch(session, settings, now=later, limit=7)
            read += batch
            if not batch:
                return read

    first, second = await asyncio.gather(worker(), worker())

    async with committing_session_factory() as session:
        told = Counter((await session.scalars(select(Notification.user_id))).all())
    assert first + second == 30
    assert told == dict.fromkeys(others, 30)


async def test_two_daily_jobs_at_once_remind_once(committing_session_factory: Sessions, settings: Settings) -> None:
    async with committing_session_factory.begin() as session:
        user = await create_user(session)
    note = Note(
        kind=NotificationKind.pickup_tomorrow,
        key="pickup:station:2027-03-06",
        title="Pickup tomorrow",
        text="Tomorrow your household's share waits at the hall.",
        subject_type=SubjectType.pickup_station,
        subject_id=uuid4(),
    )

    async def job() -> list[UUID]:
        async with committing_session_factory.begin() as session:
            return await notify(session, settings, [user.id], note)

    results = await asyncio.gather(job(), job())

    async with committing_session_factory() as session:
        stored = (await session.scalars(select(Notification).where(Notification.user_id == user.id))).all()
    assert sorted(len(result) for result in results) == [0, 1]
    assert len(stored) == 1


async def test_two_senders_claiming_at_once_never_claim_the_same_email(
    committing_session_factory: Sessions, settings: Settings
) -> None:
    mailing = settings.model_copy(update={"smtp_host": "127.0.0.1"})
    async with committing_session_factory.begin() as session:
        users = [await create_user(session) for _ in range(15)]
        note = Note(
            kind=NotificationKind.harvest_allocated,
            key="test:harvest",
            title="Your share of a harvest",
            text="It waits at the hall.",
            subject_type=SubjectType.harvest,
            subject_id=uuid4(),
        )
        await notify(session, mailing, [user.id for user in users], note)

    first, second = await asyncio.gather(
        mail.claim(committing_session_factory, limit=10), mail.claim(committing_session_factory, limit=10)
    )

    assert {claimed.email_id for claimed in first}.isdisjoint({claimed.email_id for claimed in second})
    assert sorted([len(first), len(second)]) == [5, 10]
    assert await mail.claim(committing_session_factory) == []  # all leased now


async def test_the_api_process_makes_notifications_itself_when_asked(
    committing_session_factory: Sessions, database_url: str
) -> None:
    async with committing_session_factory.begin() as session:
        group = await create_group(session, households=2, coordinators=2)
        mover, other = await coordinator_ids(session, group)
        motion = Motion(
            group_id=group.id, kind=MotionKind.lower_quorum, approval_quorum=1, moved_by=mover, status=MotionStatus.open
        )
        session.add(motion)
        await session.flush()
        session.add(MotionApproval(motion_id=motion.id, user_id=mover))
        data = {"motion": {"id": str(motion.id), "group_kind": GroupKind.consumer, "group_id": str(group.id)}}
        await events.emit(session, "motion.moved", data, audience=[(OrganisationKind.consumer_group, group.id)])
    in_process = settings_for(database_url).model_copy(
        update={"notifications_in_process": True, "event_feed_settle_seconds": 0}
    )
    app = create_app(in_process)

    async with app.router.lifespan_context(app):
        told = await _told_within(committing_session_factory, seconds=10)

    assert told == [other]


async def _told_within(sessions: Sessions, *, seconds: float) -> list[UUID]:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        async with sessions() as session:
            told = list((await session.scalars(select(Notification.user_id))).all())
        if told or asyncio.get_running_loop().time() > deadline:
            return told
        await asyncio.sleep(0.1)
