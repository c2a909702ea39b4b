"""Answers that carry tokens are never kept by a cache, errors included (RFC 6749 §5.1, §5.2)."""

from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, create_user


def assert_not_cacheable(response: Response) -> None:
    assert response.headers.get_list("cache-control") == ["no-store"]
    assert response.headers["pragma"] == "no-cache"


async def test_login_answers_are_not_cacheable_whether_it_succeeds_or_fails(
    client: AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session)

    answers = [
        await client.post("/v1/auth/token", data={"username": user.email, "password": PASSWORD}),
        await client.post("/v1/auth/token", data={"username": user.email, "password": "wrong"}),
        await client.post("/v1/auth/token", data={"username": user.email}),
    ]

    assert [response.status_code for response in answers] == [200, 401, 422]
    for response in answers:
        assert_not_cacheable(response)


async def test_refresh_answers_are_not_cacheable_whether_it_succeeds_or_fails(
    client: AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session)
    login = await client.post("/v1/auth/token", data={"username": user.email, "password": PASSWORD})

    answers = [
        await client.post("/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}),
        await client.post("/v1/auth/refresh", json={"refresh_token": "made-up"}),
        await client.post("/v1/auth/refresh", json={}),
    ]

    assert [response.status_code for response in answers] == [200, 401, 422]
    for response in answers:
        assert_not_cacheable(response)
