"""What the service keeps to itself: metrics behind a token, the OpenAPI document only when enabled, headers that
keep responses from being sniffed or cached, and bodies refused unless they are the JSON an operation reads."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastapi import FastAPI, Response
from httpx import ASGITransport, AsyncClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.models import User
from app.core.config import Settings
from app.groups.models import ConsumerGroup, Household
from app.main import create_app
from app.models import Base
from tests.factories import PASSWORD, auth_headers, coordinator_ids, create_group, create_user

PROBLEM_MEDIA_TYPE = "application/problem+json"
METRICS_TOKEN = "metrics-token-of-the-hardening-tests"
NEVER_STORED = "Never stored"  # the name every refused body carries


def app_with(**settings: Any) -> FastAPI:
    """An app that reaches no database: these tests read nothing from one."""
    test_settings = Settings(environment="test", log_level="WARNING", log_json=False, **settings)
    return create_app(test_settings, session_factory=async_sessionmaker())


@pytest.fixture(scope="module")
def hardened_app() -> FastAPI:
    """Metrics served to the token's bearer, no OpenAPI document, no docs; a route that chooses its own caching."""
    app = app_with(metrics_token=METRICS_TOKEN, openapi_enabled=False, docs_enabled=False)

    @app.get("/cached", include_in_schema=False)
    async def read_cached(response: Response) -> dict[str, str]:
        response.headers["Cache-Control"] = "public, max-age=60"
        return {"status": "cached"}

    return app


@pytest.fixture(scope="module")
def undocumented_app() -> FastAPI:
    """No metrics token, the OpenAPI document without the docs page."""
    return app_with(docs_enabled=False)


def client_for(app: FastAPI) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test")


# Metrics


async def test_metrics_are_not_served_when_no_token_is_set(undocumented_app: FastAPI) -> None:
    async with client_for(undocumented_app) as client:
        response = await client.get("/metrics", headers={"Authorization": "Bearer anything"})

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert "/metrics" not in undocumented_app.openapi()["paths"]


async def test_metrics_are_served_to_the_bearer_of_the_token(hardened_app: FastAPI) -> None:
    async with client_for(hardened_app) as client:
        await client.get("/healthz")
        response = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'http_requests_total{method="GET",route="/healthz",status="200"}' in response.text


@pytest.mark.parametrize(
    ("_case", "authorization"),
    [
        ("no credentials", None),
        ("another token", "Bearer metrics-token-of-another-service"),
        ("the token's beginning", f"Bearer {METRICS_TOKEN[:-1]}"),
        ("the token and more", f"Bearer {METRICS_TOKEN}x"),
        ("the token in another scheme", f"Basic {METRICS_TOKEN}"),
    ],
)
async def test_metrics_refuse_any_other_caller_with_401_problem(
    hardened_app: FastAPI, _case: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    async with client_for(hardened_app) as client:
        response = await client.get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "not-authenticated"
    assert "http_requests_total" not in response.text


async def test_health_checks_need_no_credentials(client: AsyncClient) -> None:
    responses = [await client.get("/healthz"), await client.get("/readyz")]

    assert [response.status_code for response in responses] == [200, 200]


# The OpenAPI document and the docs


async def test_openapi_document_and_docs_are_not_served_when_disabled(hardened_app: FastAPI) -> None:
    async with client_for(hardened_app) as client:
        responses = [await client.get("/openapi.json"), await client.get("/docs")]

    assert [response.status_code for response in responses] == [404, 404]


async def test_openapi_document_is_served_without_the_docs(undocumented_app: FastAPI) -> None:
    async with client_for(undocumented_app) as client:
        document = await client.get("/openapi.json")
        docs = await client.get("/docs")

    assert document.status_code == 200
    assert document.json()["openapi"].startswith("3.")
    assert docs.status_code == 404


def test_docs_without_the_openapi_document_are_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="DOCS_ENABLED needs OPENAPI_ENABLED"):
        Settings(environment="test", docs_enabled=True, openapi_enabled=False)


# Headers


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/healthz", 200), ("GET", "/no-such-path", 404), ("DELETE", "/healthz", 405), ("GET", "/metrics", 401)],
)
async def test_every_response_forbids_sniffing_its_type(
    hardened_app: FastAPI, method: str, path: str, status: int
) -> None:
    async with client_for(hardened_app) as client:
        response = await client.request(method, path)

    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_refused_oversized_body_forbids_sniffing_and_storing_too(hardened_app: FastAPI) -> None:
    """Refused before routing, by the body limit: the headers still wrap it."""
    body = b"x" * (hardened_app.state.settings.max_request_bytes + 1)

    async with client_for(hardened_app) as client:
        response = await client.post("/v1/auth/register", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 413
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"


async def test_a_health_check_is_never_cached(hardened_app: FastAPI) -> None:
    async with client_for(hardened_app) as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.headers.get_list("cache-control") == ["private, no-store"]


@pytest.mark.parametrize(
    ("_case", "method", "path", "headers"),
    [
        ("a public read sent with credentials", "GET", "/healthz", {"Authorization": "Bearer some-token"}),
        ("the metrics", "GET", "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"}),
        ("an unknown path", "GET", "/no-such-path", {}),
        ("a public operation that is no read", "POST", "/v1/auth/register", {}),
    ],
)
async def test_any_other_answer_is_private_and_not_stored(
    hardened_app: FastAPI, _case: str, method: str, path: str, headers: dict[str, str]
) -> None:
    async with client_for(hardened_app) as client:
        response = await client.request(method, path, headers=headers)

    assert response.headers.get_list("cache-control") == ["private, no-store"]


async def test_a_route_that_sets_its_own_cache_control_keeps_it(hardened_app: FastAPI) -> None:
    async with client_for(hardened_app) as client:
        response = await client.get("/cached", headers={"Authorization": "Bearer some-token"})

    assert response.status_code == 200
    assert response.headers.get_list("cache-control") == ["public, max-age=60"]


async def test_a_catalogue_read_without_credentials_may_be_cached_a_minute(client: AsyncClient) -> None:
    response = await client.get("/v1/catalogue/products")

    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers.get_list("cache-control") == ["public, max-age=60"]


async def test_the_same_read_with_credentials_is_private(client: AsyncClient) -> None:
    response = await client.get("/v1/catalogue/products", headers={"Authorization": "Bearer some-token"})

    assert response.headers.get_list("cache-control") == ["private, no-store"]


async def test_an_authenticated_read_is_private_and_not_stored(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)

    response = await client.get("/v1/me", headers=auth_headers(settings, user.id))

    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"


async def test_a_login_form_is_still_accepted_and_its_tokens_are_not_stored(
    client: AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session)

    response = await client.post("/v1/auth/token", data={"username": user.email, "password": PASSWORD})

    # The token route sets its own (RFC 6749 §5.1), which is left as it is.
    assert response.status_code == 200
    assert response.json()["access_token"]
    assert len(response.headers.get_list("cache-control")) == 1
    assert "no-store" in response.headers["cache-control"]


# Bodies that are not the JSON an operation reads

Request = tuple[str, str, dict[str, str], dict[str, Any]]  # method, path, headers, JSON body
Operation = Callable[[AsyncSession, Settings], Awaitable[Request]]


async def register(session: AsyncSession, settings: Settings) -> Request:
    body = {"email": "never-stored@example.org", "password": "a long enough password", "display_name": NEVER_STORED}
    return "POST", "/v1/auth/register", {}, body


async def create_household(session: AsyncSession, settings: Settings) -> Request:
    user = await create_user(session)
    return "POST", "/v1/households", auth_headers(settings, user.id), {"name": NEVER_STORED}


async def found_group(session: AsyncSession, settings: Settings) -> Request:
    user = await create_user(session)
    body = {"name": NEVER_STORED, "legal_form": "association", "country": "TH", "region": "Bangkok"}
    return "POST", "/v1/consumer-groups", auth_headers(settings, user.id), body


async def rename_group(session: AsyncSession, settings: Settings) -> Request:
    group = await create_group(session)
    (coordinator,) = await coordinator_ids(session, group)
    return "PATCH", f"/v1/consumer-groups/{group.id}", auth_headers(settings, coordinator), {"name": NEVER_STORED}


OPERATIONS = [register, create_household, found_group, rename_group]


async def stored(session: AsyncSession) -> tuple[dict[str, int], int]:
    """The rows of every table, and how many rows carry the refused bodies' name (an update adds no row)."""
    counts = {
        table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
        for table in Base.metadata.sorted_tables
    }
    named = [
        select(func.count()).where(User.display_name == NEVER_STORED),
        select(func.count()).where(Household.name == NEVER_STORED),
        select(func.count()).where(ConsumerGroup.name == NEVER_STORED),
    ]
    return counts, sum([int(await session.scalar(statement) or 0) for statement in named])


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.__name__)
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded", None])
async def test_a_json_body_of_another_media_type_is_refused_with_415_and_nothing_stored(
    client: AsyncClient, session: AsyncSession, settings: Settings, operation: Operation, content_type: str | None
) -> None:
    method, path, headers, body = await operation(session, settings)
    before = await stored(session)
    declared = {"Content-Type": content_type} if content_type else {}

    response = await client.request(method, path, content=json.dumps(body).encode(), headers=headers | declared)

    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["accept"] == "application/json"
    assert response.json()["code"] == "unsupported-media-type"
    assert await stored(session) == before


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.__name__)
@pytest.mark.parametrize(
    ("_case", "content"),
    [
        ("cut short", b'{"name":'),
        ("unquoted name", b"{name: 1}"),
        ("trailing comma", b'{"name": "x",}'),
        ("not UTF-8", b'{"name": "\xff"}'),
    ],
)
async def test_malformed_json_is_refused_with_400_and_nothing_stored(
    client: AsyncClient, session: AsyncSession, settings: Settings, operation: Operation, _case: str, content: bytes
) -> None:
    method, path, headers, _ = await operation(session, settings)
    before = await stored(session)

    response = await client.request(
        method, path, content=content, headers=headers | {"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["code"] == "malformed-json"
    assert await stored(session) == before


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/merge-patch+json"])
async def test_json_in_any_json_media_type_is_read(
    client: AsyncClient, session: AsyncSession, settings: Settings, content_type: str
) -> None:
    method, path, headers, body = await rename_group(session, settings)

    response = await client.request(
        method, path, content=json.dumps(body).encode(), headers=headers | {"Content-Type": content_type}
    )

    assert response.status_code == 200, response.text
    assert response.json()["name"] == NEVER_STORED


def test_the_openapi_document_declares_415_for_exactly_the_operations_that_read_json(
    undocumented_app: FastAPI,
) -> None:
    operations = {
        f"{method.upper()} {path}": operation
        for path, path_item in undocumented_app.openapi()["paths"].items()
        for method, operation in path_item.items()
    }

    reading_json = {name for name, operation in operations.items() if "requestBody" in operation} - {
        "POST /v1/auth/token"  # a form, as OAuth2 wants
    }
    declaring_415 = {name for name, operation in operations.items() if "415" in operation["responses"]}
    assert len(reading_json) > 30
    assert declaring_415 == reading_json
    assert all(list(operations[name]["responses"]["415"]["content"]) == [PROBLEM_MEDIA_TYPE] for name in declaring_415)
    assert all("400" in operations[name]["responses"] for name in reading_json)
