"""What a browser is told, checked without one: CORS answers for the origins in CORS_ALLOWED_ORIGINS (preflights,
reads, problems, the 500), none for any other origin, and docs pages whose assets the service serves itself."""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.core.config import Settings
from app.main import create_app

STOREFRONT = "https://storefront.example"
ELSEWHERE = "https://elsewhere.example"
METRICS_TOKEN = "metrics-token-of-the-cross-origin-tests"
PROBLEM_MEDIA_TYPE = "application/problem+json"
EXPOSED = {"etag", "location", "x-request-id", "idempotent-replayed", "retry-after", "ratelimit", "ratelimit-policy"}


def app_with(**settings: Any) -> FastAPI:
    """An app that reaches no database: these answers need none."""
    test_settings = Settings(environment="test", log_level="WARNING", log_json=False, **settings)
    return create_app(test_settings, session_factory=async_sessionmaker())


@pytest.fixture(scope="module")
def shared_app() -> FastAPI:
    app = app_with(cors_allowed_origins=[STOREFRONT, "http://127.0.0.1:5173"], metrics_token=METRICS_TOKEN)

    @app.get("/crash", include_in_schema=False)
    async def crash() -> None:
        raise RuntimeError("a fault no handler knows")

    return app


@pytest.fixture(scope="module")
def closed_app() -> FastAPI:
    """The default: no origin listed."""
    return app_with()


def client_for(app: FastAPI) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test")


def preflight(origin: str, method: str = "POST", headers: str = "authorization, content-type") -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}


def listed(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",")}


# Preflights


async def test_a_preflight_from_an_allowed_origin_is_answered_with_what_it_may_send(shared_app: FastAPI) -> None:
    sent = "authorization, content-type, idempotency-key, if-match, if-none-match, x-request-id"

    async with client_for(shared_app) as client:
        response = await client.options("/v1/consumer-groups", headers=preflight(STOREFRONT, "PATCH", sent))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == STOREFRONT
    assert listed(sent) <= listed(response.headers["access-control-allow-headers"])
    assert {"get", "post", "patch", "put", "delete"} <= listed(response.headers["access-control-allow-methods"])
    assert int(response.headers["access-control-max-age"]) > 0
    assert "origin" in listed(response.headers["vary"])
    assert "access-control-allow-credentials" not in response.headers  # tokens travel in headers, not cookies


async def test_a_preflight_from_another_origin_is_refused_with_a_problem_and_no_allow_origin(
    shared_app: FastAPI,
) -> None:
    async with client_for(shared_app) as client:
        response = await client.options("/v1/consumer-groups", headers=preflight(ELSEWHERE))

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["code"] == "cross-origin-request-refused"
    assert ELSEWHERE in response.json()["detail"]
    assert "access-control-allow-origin" not in response.headers
    assert "origin" in listed(response.headers["vary"])


@pytest.mark.parametrize(
    ("_case", "method", "headers"),
    [("a method the API has no use for", "TRACE", "content-type"), ("a header it does not read", "GET", "x-secret")],
)
async def test_a_preflight_from_an_allowed_origin_asking_for_more_is_refused(
    shared_app: FastAPI, _case: str, method: str, headers: str
) -> None:
    async with client_for(shared_app) as client:
        response = await client.options("/v1/consumer-groups", headers=preflight(STOREFRONT, method, headers))

    assert response.status_code == 403
    assert response.json()["code"] == "cross-origin-request-refused"
    assert "access-control-allow-origin" not in response.headers


async def test_a_preflight_is_neither_counted_nor_limited_but_gets_the_protective_headers(
    shared_app: FastAPI,
) -> None:
    async with client_for(shared_app) as client:
        answered = await client.options(
            "/v1/consumer-groups", headers={**preflight(STOREFRONT), "Content-Length": str(10**9)}
        )
        metrics = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})

    assert answered.status_code == 200
    assert answered.headers["x-content-type-options"] == "nosniff"
    assert not re.search(r'http_requests_total\{method="OPTIONS"', metrics.text)


async def test_an_options_request_that_is_no_preflight_is_still_405(shared_app: FastAPI) -> None:
    async with client_for(shared_app) as client:
        response = await client.options("/healthz", headers={"Origin": STOREFRONT})

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["access-control-allow-origin"] == STOREFRONT


# Real requests


async def test_a_read_from_an_allowed_origin_carries_allow_origin_and_the_exposed_headers(shared_app: FastAPI) -> None:
    async with client_for(shared_app) as client:
        response = await client.get("/healthz", headers={"Origin": STOREFRONT})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == STOREFRONT
    assert listed(response.headers["access-control-expose-headers"]) == EXPOSED
    assert "origin" in listed(response.headers["vary"])
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("_case", "method", "path", "headers", "content", "status"),
    [
        ("no credentials", "POST", "/v1/consumer-groups", {"Content-Type": "application/json"}, b"{}", 401),
        ("a forged token", "GET", "/v1/agreements", {"Authorization": "Bearer forged"}, None, 401),
        ("no such path", "GET", "/v1/no-such-thing", {}, None, 404),
        ("a body too large", "POST", "/v1/consumer-groups", {"Content-Length": str(10**9)}, None, 413),
        ("a crash", "GET", "/crash", {}, None, 500),
    ],
)
async def test_a_problem_answered_to_an_allowed_origin_carries_allow_origin(
    shared_app: FastAPI,
    _case: str,
    method: str,
    path: str,
    headers: dict[str, str],
    content: bytes | None,
    status: int,
) -> None:
    async with client_for(shared_app) as client:
        response = await client.request(method, path, headers={"Origin": STOREFRONT, **headers}, content=content)

    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["access-control-allow-origin"] == STOREFRONT
    assert "x-request-id" in listed(response.headers["access-control-expose-headers"])


async def test_another_origin_gets_no_allow_origin_on_any_answer(shared_app: FastAPI) -> None:
    async with client_for(shared_app) as client:
        read = await client.get("/healthz", headers={"Origin": ELSEWHERE})
        refused = await client.post("/v1/consumer-groups", json={}, headers={"Origin": ELSEWHERE})

    assert [read.status_code, refused.status_code] == [200, 401]
    assert "access-control-allow-origin" not in read.headers
    assert "access-control-allow-origin" not in refused.headers


async def test_no_origin_is_allowed_by_default(closed_app: FastAPI) -> None:
    async with client_for(closed_app) as client:
        asked = await client.options("/v1/consumer-groups", headers=preflight(STOREFRONT))
        read = await client.get("/healthz", headers={"Origin": STOREFRONT})

    assert asked.status_code == 403
    assert asked.json()["code"] == "cross-origin-request-refused"
    assert "access-control-allow-origin" not in asked.headers
    assert "access-control-allow-origin" not in read.headers


# The setting


@pytest.mark.parametrize(
    ("written", "origins"),
    [
        ("", []),
        ("https://storefront.example", ["https://storefront.example"]),
        (" https://a.example , http://127.0.0.1:5173,", ["https://a.example", "http://127.0.0.1:5173"]),
        ('["https://a.example", "http://[::1]:8080"]', ["https://a.example", "http://[::1]:8080"]),
        ("HTTPS://Shop.Example", ["https://shop.example"]),
        ("*", ["*"]),
    ],
)
def test_allowed_origins_are_read_comma_separated_or_as_json(
    monkeypatch: pytest.MonkeyPatch, written: str, origins: list[str]
) -> None:
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", written)

    assert Settings(environment="test").cors_allowed_origins == origins


@pytest.mark.parametrize(
    "written", ["https://a.example/", "https://a.example/shop", "a.example", "ftp://a.example", '["https://a.example"']
)
def test_what_is_not_an_origin_is_refused_at_start(monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", written)

    with pytest.raises(ValidationError, match="CORS_ALLOWED_ORIGINS"):
        Settings(environment="test")


def test_every_origin_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match=r"CORS_ALLOWED_ORIGINS=\* is refused in production"):
        Settings(environment="production", jwt_secret="k" * 40, cors_allowed_origins=["*"])

    assert Settings(environment="production", jwt_secret="k" * 40, cors_allowed_origins=[STOREFRONT])


# The docs and their assets


async def test_the_docs_pages_load_only_what_the_service_serves(closed_app: FastAPI) -> None:
    async with client_for(closed_app) as client:
        pages = [await client.get("/docs"), await client.get("/redoc")]
        for page in pages:
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            loaded = re.findall(r'(?:src|href)="([^"]+)"', page.text)
            assert loaded
            assert all(url.startswith("/docs/assets/") for url in loaded), loaded
            assets = [await client.get(url) for url in loaded]
            assert [asset.status_code for asset in assets] == [200] * len(assets)

    assert "fonts.googleapis.com" not in pages[1].text
    assert '"validatorUrl": null' in pages[0].text


@pytest.mark.parametrize(
    ("asset", "media_type"),
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("redoc.standalone.js", "text/javascript"),
        ("favicon.png", "image/png"),
    ],
)
async def test_the_docs_assets_have_their_media_types_and_may_be_cached(
    closed_app: FastAPI, asset: str, media_type: str
) -> None:
    async with client_for(closed_app) as client:
        response = await client.get(f"/docs/assets/{asset}")
        again = await client.get(f"/docs/assets/{asset}", headers={"If-None-Match": response.headers["etag"]})

    assert response.status_code == 200
    # nosniff makes the browser hold the media type to its word: a script must be served as one.
    assert response.headers["content-type"].split(";")[0] in {media_type, "application/javascript"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "public, no-cache"
    assert again.status_code == 304


async def test_no_file_outside_the_docs_assets_is_served(closed_app: FastAPI) -> None:
    async with client_for(closed_app) as client:
        responses = [
            await client.get("/docs/assets/no-such-file.js"),
            await client.get("/docs/assets/%2e%2e/__init__.py"),
            await client.get("/docs/assets/../../app/main.py"),
        ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert {response.headers["content-type"] for response in responses} == {PROBLEM_MEDIA_TYPE}


async def test_the_docs_and_their_assets_are_not_served_when_disabled() -> None:
    app = app_with(docs_enabled=False)

    async with client_for(app) as client:
        responses = [
            await client.get("/docs"),
            await client.get("/redoc"),
            await client.get("/docs/assets/swagger-ui-bundle.js"),
            await client.get("/docs/oauth2-redirect"),
        ]

    assert [response.status_code for response in responses] == [404, 404, 404, 404]
