"""Rate limits per API key, per user and per client address: who is counted with whom, the RateLimit fields
on counted answers, the 429 problem, and what is not counted. Each test runs on memory:// and on Redis
(TEST_REDIS_URL, under a key prefix of its own); without a reachable Redis the Redis runs fail."""

import hashlib
import os
import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, cast

import pytest
from fastapi import FastAPI, Response
from httpx import ASGITransport, AsyncClient
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.storage.redis.coredis import CoredisBridge
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import security
from app.core.config import Settings
from app.core.rate_limits import RateLimitCounts
from app.main import create_app
from tests.factories import auth_headers, create_user

PROBLEM_MEDIA_TYPE = "application/problem+json"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
LIMITS = {"per_api_key": "4/minute", "per_user": "3/minute", "anonymous": "2/minute"}
ORIGIN = "https://shop.example"
SETTINGS = Settings(
    environment="test",
    log_level="WARNING",
    log_json=False,
    cors_allowed_origins=[ORIGIN],
    rate_limit_per_api_key=LIMITS["per_api_key"],
    rate_limit_per_user=LIMITS["per_user"],
    rate_limit_anonymous=LIMITS["anonymous"],
)
SECRET = SETTINGS.jwt_secret.get_secret_value()
ANONYMOUS_POLICY = '"per-address";q=2;w=60'
USER_POLICY = '"per-user";q=3;w=60'
KEY_POLICY = '"per-api-key";q=4;w=60'
RATE_LIMIT = re.compile(r'^"(?P<policy>[a-z-]+)";r=(?P<r>\d+);t=(?P<t>\d+)$')


@pytest.fixture(params=["memory", "redis"])
async def limited_app(request: pytest.FixtureRequest) -> AsyncIterator[FastAPI]:
    """An app that reaches no database, with low limits and a route to count; its counts in memory or in
    Redis under a prefix no other run uses, removed afterwards."""
    app = create_app(SETTINGS, session_factory=async_sessionmaker())

    @app.get("/counted", include_in_schema=False)
    async def read_counted() -> dict[str, str]:
        return {"status": "counted"}

    @app.get("/refusing", include_in_schema=False)
    async def refuse_the_key() -> Response:
        return Response(status_code=401)  # as the real routes answer a made-up key

    if request.param == "redis":
        # A generous timeout: a loaded test machine must not pass for an unreachable Redis.
        counts = counts_in(REDIS_URL, key_prefix=f"test-rate-limits-{uuid.uuid4().hex}", timeout_seconds=5)
        assert isinstance(counts.storage, RedisStorage)
        try:
            reachable = await counts.storage.check()
        except Exception:
            reachable = False
        if not reachable:
            pytest.fail(f"Redis does not answer at TEST_REDIS_URL={REDIS_URL}; start it (see .ci/run).")
        app.state.rate_limits = counts
    yield app
    await app.state.rate_limits.reset()
    if request.param == "redis":
        redis_of(app.state.rate_limits).connection_pool.disconnect()


def counts_in(storage_uri: str, *, key_prefix: str = "LIMITS", timeout_seconds: float = 0.5) -> RateLimitCounts:
    return RateLimitCounts(
        storage_uri,
        per_api_key=LIMITS["per_api_key"],
        per_user=LIMITS["per_user"],
        anonymous=LIMITS["anonymous"],
        key_prefix=key_prefix,
        timeout_seconds=timeout_seconds,
    )


def redis_of(counts: RateLimitCounts) -> Any:
    assert isinstance(counts.storage, RedisStorage)
    return cast(CoredisBridge, counts.storage.bridge).storage


async def stored_names(counts: RateLimitCounts) -> list[Any]:
    if isinstance(counts.storage, RedisStorage):
        return list(await redis_of(counts).keys(f"{counts.storage.bridge.key_prefix}*"))
    assert isinstance(counts.storage, MemoryStorage)
    return list(counts.storage.events)


def client_for(app: FastAPI, address: str = "192.0.2.1") -> AsyncClient:
    transport = ASGITransport(app=app, raise_app_exceptions=False, client=(address, 50000))
    return AsyncClient(transport=transport, base_url="http://test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def access_token(user_id: uuid.UUID | None = None, *, secret: str = SECRET, minutes: int = 5) -> str:
    return security.issue_access_token(user_id or uuid.uuid4(), secret=secret, lifetime=timedelta(minutes=minutes))


async def statuses(app: FastAPI, count: int, address: str = "192.0.2.1", **request: Any) -> list[int]:
    async with client_for(app, address) as client:
        return [(await client.get("/counted", **request)).status_code for _ in range(count)]


def remaining(response: Any) -> int:
    match = RATE_LIMIT.match(response.headers["ratelimit"])
    assert match is not None, response.headers["ratelimit"]
    return int(match["r"])


# Anonymous callers, per address


async def test_anonymous_calls_are_counted_per_address(limited_app: FastAPI) -> None:
    assert await statuses(limited_app, 3, "192.0.2.1") == [200, 200, 429]
    assert await statuses(limited_app, 3, "192.0.2.2") == [200, 200, 429]


async def test_ipv6_addresses_of_one_64_are_counted_together(limited_app: FastAPI) -> None:
    assert await statuses(limited_app, 1, "2001:db8:1:2::1") == [200]
    assert await statuses(limited_app, 2, "2001:db8:1:2:ffff::9") == [200, 429]
    assert await statuses(limited_app, 1, "2001:db8:1:3::1") == [200]


# Users, per account


async def test_users_are_counted_per_account(limited_app: FastAPI) -> None:
    first, second = access_token(), access_token()

    assert await statuses(limited_app, 4, headers=bearer(first)) == [200, 200, 200, 429]
    assert await statuses(limited_app, 4, headers=bearer(second)) == [200, 200, 200, 429]
    # The address's own anonymous count was never touched.
    assert await statuses(limited_app, 2) == [200, 200]


async def test_a_user_is_counted_once_from_every_address(limited_app: FastAPI) -> None:
    user_id = uuid.uuid4()

    assert await statuses(limited_app, 2, "192.0.2.1", headers=bearer(access_token(user_id))) == [200, 200]
    # A fresh token of the same account, from elsewhere.
    assert await statuses(limited_app, 2, "198.51.100.7", headers=bearer(access_token(user_id))) == [200, 429]


@pytest.mark.parametrize(
    ("_case", "token"),
    [
        ("signed with another key", access_token(secret="another-key-of-at-least-thirty-two-bytes!")),
        ("expired", access_token(minutes=-1)),
        ("not a token", "not-a-token"),
    ],
)
async def test_a_bearer_that_does_not_verify_is_counted_for_its_address(
    limited_app: FastAPI, _case: str, token: str
) -> None:
    async with client_for(limited_app) as client:
        responses = [await client.get("/counted", headers=bearer(token)) for _ in range(2)]
        anonymous = await client.get("/counted")

    assert [response.headers["ratelimit-policy"] for response in responses] == [ANONYMOUS_POLICY] * 2
    assert anonymous.status_code == 429


# API keys, per key


async def test_api_keys_are_counted_per_key(limited_app: FastAPI) -> None:
    first, second = f"tk_{uuid.uuid4().hex}", f"tk_{uuid.uuid4().hex}"

    assert await statuses(limited_app, 5, headers=bearer(first)) == [200, 200, 200, 200, 429]
    assert await statuses(limited_app, 1, "198.51.100.7", headers=bearer(first)) == [429]
    assert await statuses(limited_app, 1, headers=bearer(second)) == [200]
    assert await statuses(limited_app, 2) == [200, 200]


async def test_made_up_keys_are_counted_for_their_address_too(limited_app: FastAPI) -> None:
    async def refused(address: str) -> int:
        async with client_for(limited_app, address) as client:
            return (await client.get("/refusing", headers=bearer(f"tk_{uuid.uuid4().hex}"))).status_code

    assert [await refused("192.0.2.1") for _ in range(3)] == [401, 401, 429]
    assert await refused("198.51.100.7") == 401
    # The address's key requests wait for its window; its other requests are counted as before.
    assert await statuses(limited_app, 1, headers=bearer(f"tk_{uuid.uuid4().hex}")) == [429]
    assert await statuses(limited_app, 2) == [200, 200]


async def test_an_api_key_is_counted_under_its_digest_never_in_clear(limited_app: FastAPI) -> None:
    key = f"tk_{uuid.uuid4().hex}"
    await statuses(limited_app, 1, headers=bearer(key))

    counts: RateLimitCounts = limited_app.state.rate_limits
    digest = hashlib.sha256(key.encode()).hexdigest()
    stats = await counts.limiter.get_window_stats(counts.per_api_key.limit, "requests", "per-api-key", digest)
    assert stats.remaining == 3
    names = [str(name) for name in await stored_names(counts)]
    assert any(digest in name for name in names)
    assert not any(key in name for name in names)


# What a caller is told


async def test_counted_answers_announce_the_policy_and_what_remains(limited_app: FastAPI) -> None:
    async with client_for(limited_app) as client:
        first = await client.get("/counted", headers=bearer(access_token()))
        anonymous = await client.get("/counted")

    assert first.status_code == 200
    assert first.headers["ratelimit-policy"] == USER_POLICY
    match = RATE_LIMIT.match(first.headers["ratelimit"])
    assert match is not None
    assert (match["policy"], match["r"]) == ("per-user", "2")
    assert 0 <= int(match["t"]) <= 60
    assert anonymous.headers["ratelimit-policy"] == ANONYMOUS_POLICY
    assert remaining(anonymous) == 1


async def test_over_the_limit_is_a_429_problem_with_retry_after_and_the_usual_headers(limited_app: FastAPI) -> None:
    key = f"tk_{uuid.uuid4().hex}"
    async with client_for(limited_app) as client:
        answered = [await client.get("/counted", headers=bearer(key)) for _ in range(4)]
        refused = await client.get("/counted", headers={**bearer(key), "Origin": ORIGIN, "X-Request-ID": "r-429"})

    assert [remaining(response) for response in answered] == [3, 2, 1, 0]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = refused.json()
    assert body["code"] == "rate-limited"
    assert body["status"] == 429
    assert body["violated-policies"] == ["per-api-key"]
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert refused.headers["ratelimit-policy"] == KEY_POLICY
    assert refused.headers["ratelimit"] == f'"per-api-key";r=0;t={retry_after}'
    assert refused.headers["x-request-id"] == "r-429"
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert refused.headers["access-control-allow-origin"] == ORIGIN
    assert "RateLimit" in refused.headers["access-control-expose-headers"]


async def test_a_refused_request_does_not_reach_the_route_nor_read_its_body(limited_app: FastAPI) -> None:
    reached = 0

    @limited_app.post("/counted-writes", include_in_schema=False)
    async def write() -> dict[str, str]:
        nonlocal reached
        reached += 1
        return {}

    async with client_for(limited_app) as client:
        answers = [(await client.post("/counted-writes", json={})).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    assert reached == 2


# What is not counted


async def test_health_checks_and_docs_are_not_counted(limited_app: FastAPI) -> None:
    async with client_for(limited_app) as client:
        for _ in range(3):
            for path in ("/healthz", "/openapi.json", "/docs", "/redoc", "/docs/assets/swagger-ui.css"):
                response = await client.get(path)
                assert response.status_code == 200, path
                assert "ratelimit" not in response.headers
        assert [(await client.get("/counted")).status_code for _ in range(2)] == [200, 200]


async def test_preflights_are_not_counted(limited_app: FastAPI) -> None:
    preflight = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    async with client_for(limited_app) as client:
        answers = [await client.options("/counted", headers=preflight) for _ in range(3)]
        counted = [(await client.get("/counted", headers={"Origin": ORIGIN})).status_code for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200] * 3
    assert all("ratelimit" not in answer.headers for answer in answers)
    assert counted == [200, 200]


async def test_no_limits_when_disabled() -> None:
    app = create_app(SETTINGS.model_copy(update={"rate_limits_enabled": False}), session_factory=async_sessionmaker())

    @app.get("/counted", include_in_schema=False)
    async def read_counted() -> dict[str, str]:
        return {"status": "counted"}

    @app.get("/refusing", include_in_schema=False)
    async def refuse_the_key() -> Response:
        return Response(status_code=401)  # as the real routes answer a made-up key

    async with client_for(app) as client:
        responses = [await client.get("/counted") for _ in range(3)]

    assert [response.status_code for response in responses] == [200] * 3
    assert all("ratelimit" not in response.headers for response in responses)


async def test_an_unreachable_redis_lets_requests_through_and_warns_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = create_app(SETTINGS, session_factory=async_sessionmaker())
    # Nothing listens on the discard port of this machine.
    app.state.rate_limits = counts_in("redis://127.0.0.1:9")

    @app.get("/counted", include_in_schema=False)
    async def read_counted() -> dict[str, str]:
        return {"status": "counted"}

    @app.get("/refusing", include_in_schema=False)
    async def refuse_the_key() -> Response:
        return Response(status_code=401)  # as the real routes answer a made-up key

    async with client_for(app) as client:
        responses = [await client.get("/counted") for _ in range(3)]

    assert [response.status_code for response in responses] == [200] * 3
    assert all("ratelimit" not in response.headers for response in responses)
    assert capsys.readouterr().err.count("rate_limits_not_counted") == 1


# Through the real app


async def test_an_api_call_announces_the_callers_limit(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)

    response = await client.get("/v1/me", headers=auth_headers(settings, user.id))

    assert response.status_code == 200
    assert response.headers["ratelimit-policy"] == '"per-user";q=300;w=60'
    assert remaining(response) == 299
