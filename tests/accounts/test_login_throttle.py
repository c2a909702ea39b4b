"""Failed logins are counted per email and per client address (app/accounts/service.py says why both)."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.dependencies import get_password_hasher
from app.accounts.models import RefreshToken
from app.accounts.service import LoginThrottle
from app.core import security
from app.core.config import Settings
from tests.factories import PASSWORD, PASSWORD_HASH, create_user

PER_EMAIL = 2
PER_ADDRESS = 3
WINDOW_SECONDS = 300
HOME, NEIGHBOUR, ELSEWHERE = "192.0.2.10", "198.51.100.20", "203.0.113.30"


class QuickHasher(security.PasswordHasher):
    """The counting is what these tests are about: an exact comparison instead of Argon2's second of work."""

    async def verify(self, password: str, hashed: str | None) -> bool:
        return hashed == PASSWORD_HASH and password == PASSWORD


@pytest.fixture
def small_limits(application: FastAPI, settings: Settings) -> Iterator[None]:
    """Limits of a few failures, so a test reaches them in a few requests; the app's own afterwards."""
    limits = settings.model_copy(
        update={
            "login_failures_allowed": PER_EMAIL,
            "login_failures_allowed_per_address": PER_ADDRESS,
            "login_failure_window_seconds": WINDOW_SECONDS,
        }
    )
    original = application.state.login_throttle
    application.state.login_throttle = LoginThrottle.from_settings(MovingWindowRateLimiter(MemoryStorage()), limits)
    application.dependency_overrides[get_password_hasher] = lambda: QuickHasher(1)
    yield
    application.dependency_overrides.pop(get_password_hasher)
    application.state.login_throttle = original


@pytest.fixture
async def client_at(
    application: FastAPI, client: AsyncClient, small_limits: None
) -> AsyncIterator[Callable[[str], AsyncClient]]:
    """Clients of the app every test uses (`client` points it at this test's sessions), each
    connecting from the address given."""
    opened: list[AsyncClient] = []

    def connect_from(address: str) -> AsyncClient:
        opened.append(
            AsyncClient(transport=ASGITransport(app=application, client=(address, 4711)), base_url="http://t")
        )
        return opened[-1]

    yield connect_from
    for each in opened:
        await each.aclose()


async def log_in(client: AsyncClient, email: str, password: str = PASSWORD) -> Response:
    return await client.post("/v1/auth/token", data={"username": email, "password": password})


async def stored_refresh_tokens(session: AsyncSession) -> int | None:
    return await session.scalar(select(func.count()).select_from(RefreshToken))


def assert_throttled(response: Response) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "too-many-login-failures"
    assert 1 <= int(response.headers["retry-after"]) <= WINDOW_SECONDS + 1


async def test_failures_from_one_address_across_many_emails_are_refused_at_the_address_limit(
    client_at: Callable[[str], AsyncClient], session: AsyncSession
) -> None:
    user = await create_user(session)
    home = client_at(HOME)
    failures = [await log_in(home, f"guess-{number}@example.org", "wrong") for number in range(PER_ADDRESS)]

    refused = await log_in(home, user.email)

    assert [response.status_code for response in failures] == [401] * PER_ADDRESS
    assert_throttled(refused)
    assert "network address" in refused.json()["detail"]
    assert await stored_refresh_tokens(session) == 0


async def test_the_per_email_limit_still_applies_to_failures_from_many_addresses(
    client_at: Callable[[str], AsyncClient], session: AsyncSession
) -> None:
    user = await create_user(session)
    failures = [await log_in(client_at(address), user.email, "wrong") for address in (HOME, NEIGHBOUR)]

    refused = await log_in(client_at(ELSEWHERE), user.email)

    assert [response.status_code for response in failures] == [401] * PER_EMAIL
    assert_throttled(refused)
    assert "this email" in refused.json()["detail"]
    assert await stored_refresh_tokens(session) == 0


async def test_failures_from_one_address_do_not_throttle_another(
    client_at: Callable[[str], AsyncClient], session: AsyncSession
) -> None:
    user = await create_user(session)
    home, neighbour = client_at(HOME), client_at(NEIGHBOUR)
    for number in range(PER_ADDRESS):
        await log_in(home, f"guess-{number}@example.org", "wrong")

    from_home = await log_in(home, user.email)
    from_neighbour = await log_in(neighbour, user.email)

    assert from_home.status_code == 429
    assert from_neighbour.status_code == 200
    assert await stored_refresh_tokens(session) == 1


async def test_a_successful_login_does_not_clear_the_address_count(
    client_at: Callable[[str], AsyncClient], session: AsyncSession
) -> None:
    """Otherwise whoever has one account could clear their address's count between guesses at others."""
    user = await create_user(session)
    home = client_at(HOME)

    statuses = [
        (await log_in(home, "guess-1@example.org", "wrong")).status_code,
        (await log_in(home, user.email)).status_code,
        (await log_in(home, "guess-2@example.org", "wrong")).status_code,
        (await log_in(home, "guess-3@example.org", "wrong")).status_code,
        (await log_in(home, user.email)).status_code,
    ]

    assert statuses == [401, 200, 401, 401, 429]
    assert await stored_refresh_tokens(session) == 1


async def test_addresses_of_one_ipv6_64_share_a_count(
    client_at: Callable[[str], AsyncClient], session: AsyncSession
) -> None:
    """One subscriber gets a whole /64: counted per address, each guess could come from a new one."""
    user = await create_user(session)
    for number in range(PER_ADDRESS):
        await log_in(client_at(f"2001:db8:1:2::{number + 1:x}"), f"guess-{number}@example.org", "wrong")

    same_64 = await log_in(client_at("2001:db8:1:2:ffff::1"), user.email)
    next_64 = await log_in(client_at("2001:db8:1:3::1"), user.email)

    assert_throttled(same_64)
    assert next_64.status_code == 200
    assert await stored_refresh_tokens(session) == 1


async def test_concurrent_failures_get_no_more_answers_than_the_limit(
    committing_client: AsyncClient,
    committing_session_factory: async_sessionmaker[AsyncSession],
    small_limits: None,
) -> None:
    """Sent at once, attempts all pass the check made before the password; the failure counted after
    it turns the ones over the limit into 429s, so no more guesses are answered than allowed."""
    attempts = 3 * PER_EMAIL

    responses = await asyncio.gather(
        *[log_in(committing_client, "target@example.org", f"guess {number}") for number in range(attempts)]
    )

    assert sorted(response.status_code for response in responses) == [401] * PER_EMAIL + [429] * (attempts - PER_EMAIL)
    async with committing_session_factory() as session:
        assert await stored_refresh_tokens(session) == 0
