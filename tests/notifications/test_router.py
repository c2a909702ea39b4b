"""The caller's own feed over HTTP: newest first, unread filter, marking one or all read, preferences; another
user's notification is not found."""

from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.notifications.models import Notification, NotificationKind, NotificationPreference, SubjectType
from app.notifications.service import Note, notify
from tests.factories import auth_headers, create_user
from tests.groups.test_router import assert_problem
from tests.notifications.builders import emails, kinds_of

MAIL_SETTINGS = {"smtp_host": "127.0.0.1", "smtp_port": 2525, "smtp_starttls": False}


def note(kind: NotificationKind = NotificationKind.harvest_allocated, key: str | None = None) -> Note:
    return Note(
        kind=kind,
        key=key or f"test:{uuid4()}",
        title="Your share of a harvest",
        text="Your household's share waits at the hall.",
        subject_type=SubjectType.harvest,
        subject_id=uuid4(),
    )


async def given_notifications(session: AsyncSession, settings: Settings, user_id: UUID, count: int) -> None:
    for _ in range(count):
        await notify(session, settings, [user_id], note())


async def test_the_feed_lists_the_callers_notifications_newest_first_in_pages(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user, other = await create_user(session), await create_user(session)
    await given_notifications(session, settings, user.id, 3)
    await given_notifications(session, settings, other.id, 1)
    stored = (
        await session.scalars(
            select(Notification.id).where(Notification.user_id == user.id).order_by(Notification.created_at.desc())
        )
    ).all()

    first = await client.get("/v1/me/notifications", params={"limit": 2}, headers=auth_headers(settings, user.id))
    second = await client.get(
        "/v1/me/notifications",
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
        headers=auth_headers(settings, user.id),
    )

    assert first.status_code == 200, first.text
    ids = [item["id"] for item in first.json()["data"] + second.json()["data"]]
    assert ids == [str(notification_id) for notification_id in stored]
    assert (first.json()["has_more"], second.json()["has_more"]) == (True, False)
    item = first.json()["data"][0]
    assert set(item) == {"id", "kind", "title", "text", "subject", "created_at", "read_at"}
    assert (item["kind"], item["subject"]["type"], item["read_at"]) == ("harvest_allocated", "harvest", None)


async def test_marking_one_read_keeps_its_first_time_and_the_unread_filter_leaves_it_out(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    await given_notifications(session, settings, user.id, 2)
    headers = auth_headers(settings, user.id)
    listed = (await client.get("/v1/me/notifications", headers=headers)).json()["data"]

    read = await client.post(f"/v1/me/notifications/{listed[0]['id']}/read", headers=headers)
    again = await client.post(f"/v1/me/notifications/{listed[0]['id']}/read", headers=headers)
    unread = await client.get("/v1/me/notifications", params={"unread": "true"}, headers=headers)

    assert read.status_code == 200, read.text
    assert read.json()["read_at"] is not None
    assert again.json()["read_at"] == read.json()["read_at"]
    assert [item["id"] for item in unread.json()["data"]] == [listed[1]["id"]]


async def test_marking_all_read_touches_the_callers_alone(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user, other = await create_user(session), await create_user(session)
    await given_notifications(session, settings, user.id, 3)
    await given_notifications(session, settings, other.id, 2)

    marked = await client.post("/v1/me/notifications/read", headers=auth_headers(settings, user.id))
    again = await client.post("/v1/me/notifications/read", headers=auth_headers(settings, user.id))

    assert (marked.status_code, marked.json()) == (200, {"marked_read": 3})
    assert again.json() == {"marked_read": 0}
    unread_of_other = await client.get(
        "/v1/me/notifications", params={"unread": "true"}, headers=auth_headers(settings, other.id)
    )
    assert len(unread_of_other.json()["data"]) == 2


async def test_another_users_notification_is_not_found_and_stays_unread(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner, intruder = await create_user(session), await create_user(session)
    await given_notifications(session, settings, owner.id, 1)
    notification = await session.scalar(select(Notification).where(Notification.user_id == owner.id))
    assert notification is not None

    response = await client.post(
        f"/v1/me/notifications/{notification.id}/read", headers=auth_headers(settings, intruder.id)
    )
    missing = await client.post(f"/v1/me/notifications/{uuid4()}/read", headers=auth_headers(settings, owner.id))

    assert_problem(response, 404, "notification-not-found")
    assert_problem(missing, 404, "notification-not-found")
    await session.refresh(notification)
    assert notification.read_at is None


async def test_the_feed_needs_a_login(client: AsyncClient) -> None:
    response = await client.get("/v1/me/notifications")

    assert_problem(response, 401, "not-authenticated")


async def test_preferences_read_every_kind_on_by_default_and_are_replaced_whole(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    headers = auth_headers(settings, user.id)
    every_kind = [kind.value for kind in NotificationKind]

    default = await client.get("/v1/me/notification-preferences", headers=headers)
    chosen = await client.put(
        "/v1/me/notification-preferences",
        json={"kinds": ["payment_due", "approval_awaited"], "email_kinds": ["payment_due"], "reminder_days": [1, 3]},
        headers=headers,
    )
    read_back = await client.get("/v1/me/notification-preferences", headers=headers)

    assert default.json() == {
        "kinds": every_kind,
        "email_kinds": every_kind,
        "reminder_days": [7, 1],
        "email_enabled": False,
    }
    assert chosen.status_code == 200, chosen.text
    assert (
        read_back.json()
        == chosen.json()
        == {
            "kinds": ["approval_awaited", "payment_due"],
            "email_kinds": ["payment_due"],
            "reminder_days": [3, 1],
            "email_enabled": False,
        }
    )


@pytest.mark.parametrize(
    ("_case", "body"),
    [
        ("an unknown kind", {"kinds": ["gossip"], "email_kinds": [], "reminder_days": [7]}),
        ("a day too far ahead", {"kinds": [], "email_kinds": [], "reminder_days": [61]}),
        ("a day past", {"kinds": [], "email_kinds": [], "reminder_days": [-1]}),
        ("a day twice", {"kinds": [], "email_kinds": [], "reminder_days": [7, 7]}),
        ("a day that is no number", {"kinds": [], "email_kinds": [], "reminder_days": [False]}),
        ("a kind twice", {"kinds": ["payment_due", "payment_due"], "email_kinds": [], "reminder_days": []}),
        ("a field missing", {"kinds": [], "email_kinds": []}),
    ],
)
async def test_invalid_preferences_are_refused_and_nothing_is_stored(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, body: dict[str, object]
) -> None:
    user = await create_user(session)

    response = await client.put("/v1/me/notification-preferences", json=body, headers=auth_headers(settings, user.id))

    assert_problem(response, 422, "validation-failed")
    assert await session.get(NotificationPreference, user.id) is None


async def test_a_kind_turned_off_is_not_notified_and_one_not_mailed_is_notified_without_email(
    session: AsyncSession, settings: Settings
) -> None:
    mailing = settings.model_copy(update=MAIL_SETTINGS)
    muted, unmailed, default = await create_user(session), await create_user(session), await create_user(session)
    session.add_all(
        [
            NotificationPreference(user_id=muted.id, muted_kinds=["harvest_allocated"]),
            NotificationPreference(user_id=unmailed.id, unmailed_kinds=["harvest_allocated"]),
        ]
    )
    await session.flush()

    newly = await notify(session, mailing, [muted.id, unmailed.id, default.id], note())

    assert set(newly) == {unmailed.id, default.id}
    assert await kinds_of(session, muted.id) == []
    assert await kinds_of(session, unmailed.id) == [NotificationKind.harvest_allocated]
    assert [email.to_address for email in await emails(session)] == [default.email]


async def test_no_email_is_queued_while_smtp_is_not_set_up(session: AsyncSession, settings: Settings) -> None:
    user = await create_user(session)

    await notify(session, settings, [user.id], note())

    assert settings.smtp_host is None
    assert await kinds_of(session, user.id) == [NotificationKind.harvest_allocated]
    assert await emails(session) == []


async def test_the_same_occasion_tells_a_user_once(session: AsyncSession, settings: Settings) -> None:
    user = await create_user(session)
    occasion = note(key="payment_due:agreement:household:7")

    first = await notify(session, settings.model_copy(update=MAIL_SETTINGS), [user.id], occasion)
    second = await notify(session, settings.model_copy(update=MAIL_SETTINGS), [user.id], occasion)

    assert (first, second) == ([user.id], [])
    assert len(await kinds_of(session, user.id)) == 1
    assert len(await emails(session)) == 1
