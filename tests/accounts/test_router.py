import asyncio
from datetime import timedelta

import jwt
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.models import RefreshToken, User
from app.core import security
from app.core.config import Settings
from tests.factories import PASSWORD, auth_headers, create_user


async def login(client: AsyncClient, email: str, password: str = PASSWORD) -> dict:
    response = await client.post("/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


async def test_register_then_log_in_then_read_me(client: AsyncClient) -> None:
    registered = await client.post(
        "/v1/auth/register",
        json={"email": "Mai@Example.org", "password": "long enough secret", "display_name": "Mai"},
    )
    tokens = await login(client, "mai@example.org", "long enough secret")
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})

    assert registered.status_code == 201
    assert registered.json()["email"] == "mai@example.org"
    assert "password" not in registered.text and "hash" not in registered.text
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 15 * 60
    assert me.status_code == 200
    assert me.json()["id"] == registered.json()["id"]


async def test_password_is_stored_as_argon2id(client: AsyncClient, session: AsyncSession) -> None:
    await client.post(
        "/v1/auth/register", json={"email": "a@example.org", "password": "long enough secret", "display_name": "A"}
    )

    stored = await session.scalar(select(User.password_hash).where(User.email == "a@example.org"))

    assert stored is not None and stored.startswith("$argon2id$")


async def test_second_registration_of_an_email_is_refused(client: AsyncClient, session: AsyncSession) -> None:
    await create_user(session, email="taken@example.org")

    response = await client.post(
        "/v1/auth/register", json={"email": "TAKEN@example.org", "password": "long enough secret", "display_name": "B"}
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "email-taken"
    assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_short_password_is_refused_without_echoing_it(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register", json={"email": "c@example.org", "password": "short", "display_name": "C"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "password"]
    assert "short" not in response.text.replace("string_too_short", "")


async def test_unknown_email_and_wrong_password_answer_alike(client: AsyncClient, session: AsyncSession) -> None:
    user = await create_user(session)

    unknown = await client.post("/v1/auth/token", data={"username": "nobody@example.org", "password": PASSWORD})
    wrong = await client.post("/v1/auth/token", data={"username": user.email, "password": "not the password"})

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert unknown.headers["www-authenticate"] == "Bearer"


async def test_repeated_failures_are_refused_even_with_the_right_password(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    for _ in range(settings.login_failures_allowed):
        await client.post("/v1/auth/token", data={"username": user.email, "password": "wrong password"})

    response = await client.post("/v1/auth/token", data={"username": user.email, "password": PASSWORD})

    assert response.status_code == 429
    assert response.json()["code"] == "too-many-login-failures"
    assert 1 <= int(response.headers["retry-after"]) <= settings.login_failure_window_seconds + 1


async def test_refresh_rotates_and_the_old_token_stops_working(client: AsyncClient, session: AsyncSession) -> None:
    user = await create_user(session)
    first = await login(client, user.email)

    second = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    replayed = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    after_theft = await client.post("/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]})

    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "refresh-token-reused"
    # Reuse revoked the whole family, including the token the legitimate client holds.
    assert after_theft.status_code == 401
    assert (
        await session.scalar(select(func.count()).select_from(RefreshToken).where(RefreshToken.revoked_at.is_(None)))
        == 0
    )


async def test_unknown_refresh_token_is_refused(client: AsyncClient) -> None:
    response = await client.post("/v1/auth/refresh", json={"refresh_token": "made-up"})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid-token"


async def test_me_refuses_missing_expired_and_forged_tokens(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    secret = settings.jwt_secret.get_secret_value()
    expired = security.issue_access_token(user.id, secret=secret, lifetime=timedelta(seconds=-1))
    forged = security.issue_access_token(
        user.id, secret="another-secret-of-at-least-32-bytes!!", lifetime=timedelta(minutes=5)
    )
    unsigned = jwt.encode({"sub": str(user.id)}, key=None, algorithm="none")

    responses = [
        await client.get("/v1/me"),
        *[
            await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
            for token in (expired, forged, unsigned)
        ],
    ]

    assert [response.status_code for response in responses] == [401, 401, 401, 401]
    assert {response.headers["content-type"] for response in responses} == {"application/problem+json"}
    assert (await client.get("/v1/me", headers=auth_headers(settings, user.id))).status_code == 200


async def test_concurrent_registrations_of_one_email_store_one_account(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession]
) -> None:
    body = {"email": "race@example.org", "password": "long enough secret", "display_name": "Race"}
    responses = await asyncio.gather(*[committing_client.post("/v1/auth/register", json=body) for _ in range(4)])

    assert sorted(response.status_code for response in responses) == [201, 409, 409, 409]
    async with committing_session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1
