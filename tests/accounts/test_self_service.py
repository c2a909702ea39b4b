"""An account changes itself: its display name, and its password, which ends every other session."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt
import pytest
from httpx import AsyncClient, Response
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts import service
from app.accounts.models import RefreshToken, User
from app.accounts.principal import Principal
from app.accounts.service import LoginThrottle
from app.core import security
from app.core.config import Settings
from tests.factories import PASSWORD, PASSWORD_HASH, auth_headers, create_user

NEW_PASSWORD = "a brand new passphrase"


def assert_problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def token_issued_earlier(settings: Settings, user_id: UUID, *, seconds: int = 10) -> str:
    """An access token as a login some seconds ago issued it, still unexpired."""
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "iat": now - timedelta(seconds=seconds),
        "exp": now + timedelta(minutes=5),
        "aud": security.ACCESS_TOKEN_AUDIENCE,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=security.JWT_ALGORITHM)


async def log_in(client: AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


async def live_refresh_tokens(session: AsyncSession, user_id: UUID) -> int:
    statement = select(func.count()).select_from(RefreshToken)
    return int(
        await session.scalar(statement.where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))) or 0
    )


async def stored_user(session: AsyncSession, user_id: UUID) -> User:
    return (
        await session.scalars(select(User).where(User.id == user_id).execution_options(populate_existing=True))
    ).one()


# The display name


async def test_you_rename_yourself_with_the_etag_you_read(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user, neighbour = await create_user(session, display_name="Mai"), await create_user(session, display_name="Lan")
    headers = auth_headers(settings, user.id)
    read = await client.get("/v1/me", headers=headers)

    changed = await client.patch(
        "/v1/me", json={"display_name": "  Mai Tran "}, headers={**headers, "If-Match": read.headers["etag"]}
    )
    again = await client.get("/v1/me", headers=headers)

    assert changed.status_code == 200, changed.text
    assert changed.json()["display_name"] == "Mai Tran"
    assert changed.headers["etag"] != read.headers["etag"]
    assert again.headers["etag"] == changed.headers["etag"]
    assert (await stored_user(session, user.id)).display_name == "Mai Tran"
    assert (await stored_user(session, neighbour.id)).display_name == "Lan"


async def test_a_rename_against_a_stale_etag_is_refused_and_changes_nothing(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, display_name="Mai")
    headers = auth_headers(settings, user.id)
    stale = (await client.get("/v1/me", headers=headers)).headers["etag"]
    await client.patch("/v1/me", json={"display_name": "Mai Tran"}, headers=headers)

    refused = await client.patch(
        "/v1/me", json={"display_name": "Someone else"}, headers={**headers, "If-Match": stale}
    )

    assert_problem(refused, 412, "precondition-failed")
    assert (await stored_user(session, user.id)).display_name == "Mai Tran"


async def test_a_blank_name_or_an_email_in_the_body_is_refused_and_changes_nothing(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, email="mai@example.org", display_name="Mai")
    headers = auth_headers(settings, user.id)

    blank = await client.patch("/v1/me", json={"display_name": " \u200b "}, headers=headers)
    email = await client.patch("/v1/me", json={"email": "someone@example.org"}, headers=headers)

    assert_problem(blank, 422, "validation-failed")
    assert_problem(email, 422, "validation-failed")
    stored = await stored_user(session, user.id)
    assert (stored.display_name, stored.email) == ("Mai", "mai@example.org")


async def test_changing_your_account_needs_a_login(client: AsyncClient) -> None:
    renamed = await client.patch("/v1/me", json={"display_name": "Nobody"})
    password = await client.post("/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert_problem(renamed, 401, "not-authenticated")
    assert_problem(password, 401, "not-authenticated")


# The password


async def test_a_password_change_ends_every_other_session_and_opens_a_new_one(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    phone, laptop = await log_in(client, user.email), await log_in(client, user.email)
    earlier_access = token_issued_earlier(settings, user.id)

    changed = await client.post(
        "/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(phone["access_token"]),
    )
    tokens = changed.json()

    assert changed.status_code == 200, changed.text
    assert changed.headers.get_list("cache-control") == ["no-store"]
    assert changed.headers["pragma"] == "no-cache"
    for old in (phone, laptop):
        assert_problem(
            await client.post("/v1/auth/refresh", json={"refresh_token": old["refresh_token"]}), 401, "invalid-token"
        )
    assert_problem(await client.get("/v1/me", headers=bearer(earlier_access)), 401, "invalid-token")
    # Issued in the same second as the change, the new access token works at once.
    assert (await client.get("/v1/me", headers=bearer(tokens["access_token"]))).status_code == 200
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    assert (await client.get("/v1/me", headers=bearer(refreshed.json()["access_token"]))).status_code == 200
    assert (await client.post("/v1/auth/token", data={"username": user.email, "password": PASSWORD})).status_code == 401
    await log_in(client, user.email, NEW_PASSWORD)
    stored = await stored_user(session, user.id)
    assert stored.password_hash.startswith("$argon2id$") and stored.password_hash != PASSWORD_HASH
    assert stored.credentials_changed_at is not None and stored.credentials_changed_at.microsecond == 0


async def test_a_wrong_current_password_changes_nothing(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    tokens = await log_in(client, user.email)
    earlier_access = token_issued_earlier(settings, user.id)

    refused = await client.post(
        "/v1/me/password",
        json={"current_password": "not the password", "new_password": NEW_PASSWORD},
        headers=bearer(tokens["access_token"]),
    )

    assert_problem(refused, 403, "wrong-password")
    assert refused.headers.get_list("cache-control") == ["no-store"]
    stored = await stored_user(session, user.id)
    assert (stored.password_hash, stored.credentials_changed_at) == (PASSWORD_HASH, None)
    assert await live_refresh_tokens(session, user.id) == 1
    assert (await client.get("/v1/me", headers=bearer(earlier_access))).status_code == 200
    assert (await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).status_code == 200


async def test_wrong_current_passwords_count_as_failed_logins(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    """A stolen access token guesses at the password no faster than a login could."""
    user = await create_user(session)
    headers = auth_headers(settings, user.id)
    for _ in range(settings.login_failures_allowed):
        await client.post(
            "/v1/me/password", json={"current_password": "a wrong guess", "new_password": NEW_PASSWORD}, headers=headers
        )

    right = await client.post(
        "/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=headers
    )
    login = await client.post("/v1/auth/token", data={"username": user.email, "password": PASSWORD})

    assert_problem(right, 429, "too-many-login-failures")
    assert_problem(login, 429, "too-many-login-failures")
    assert (await stored_user(session, user.id)).password_hash == PASSWORD_HASH


async def test_the_new_password_is_checked_as_at_registration(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)

    refused = await client.post(
        "/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=auth_headers(settings, user.id),
    )

    assert_problem(refused, 422, "validation-failed")
    assert [error["loc"] for error in refused.json()["errors"]] == [["body", "new_password"]]
    assert "short" not in refused.text.replace("string_too_short", "")
    assert (await stored_user(session, user.id)).password_hash == PASSWORD_HASH


@pytest.mark.parametrize("in_flight", ["refresh", "login"])
async def test_a_session_opening_while_the_password_changes_is_ended_too(
    committing_client: AsyncClient,
    committing_session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    in_flight: str,
) -> None:
    """A refresh or a login has issued its tokens but not yet committed when the change runs: the change
    must wait for it and revoke that token too, not only the tokens it saw when it began."""
    async with committing_session_factory.begin() as session:
        user = await create_user(session)
    old = await log_in(committing_client, user.email)
    throttle = LoginThrottle.from_settings(MovingWindowRateLimiter(MemoryStorage()), settings)

    async def change_password() -> None:
        async with committing_session_factory() as changing:  # it commits once itself, before hashing
            await service.change_password(
                changing,
                throttle,
                security.password_hasher(),
                settings,
                Principal(user_id=user.id),
                current_password=PASSWORD,
                new_password=NEW_PASSWORD,
                address="192.0.2.1",
            )
            await changing.commit()

    async with committing_session_factory() as opening:
        if in_flight == "refresh":
            opened = await service.refresh(opening, settings, refresh_token=old["refresh_token"])
        else:
            opened = await service.log_in(
                opening, throttle, security.password_hasher(), settings, email=user.email, password=PASSWORD, address=""
            )
        change = asyncio.create_task(change_password())
        await until_another_transaction_waits(committing_session_factory, settings)
        await opening.commit()
    await change

    again = await committing_client.post("/v1/auth/refresh", json={"refresh_token": opened.refresh_token})
    assert_problem(again, 401, "invalid-token")
    async with committing_session_factory() as session:
        assert await live_refresh_tokens(session, user.id) == 1  # the change's own


async def until_another_transaction_waits(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """Until a transaction waits for a lock another holds. SQLite queues a writer at BEGIN, so a pause does."""
    if settings.database_url.startswith("sqlite"):
        await asyncio.sleep(0.5)
        return
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with session_factory() as probe:
        for _ in range(500):
            if await probe.scalar(waiting):
                return
            await probe.rollback()  # a fresh snapshot of the activity each time
            await asyncio.sleep(0.01)
    raise AssertionError("no transaction ever waited for a lock")


async def test_of_two_changes_at_once_with_the_same_current_password_one_wins(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        user = await create_user(session)
    headers = auth_headers(settings, user.id)

    responses = await asyncio.gather(
        *[
            committing_client.post(
                "/v1/me/password", json={"current_password": PASSWORD, "new_password": password}, headers=headers
            )
            for password in ("first new passphrase", "second new passphrase")
        ]
    )

    statuses = [response.status_code for response in responses]
    # The other was checked against a password no longer current; or, let in after the change, its token
    # (issued before it) no longer is.
    assert sorted(statuses) in ([200, 401], [200, 403])
    winner = ["first new passphrase", "second new passphrase"][statuses.index(200)]
    async with committing_session_factory() as session:
        stored = await session.scalar(select(User.password_hash).where(User.id == user.id))
        assert stored is not None and await security.password_hasher().verify(winner, stored)
        assert await live_refresh_tokens(session, user.id) == 1
