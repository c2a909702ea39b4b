"""What every route shares: problem+json errors, request ids, health checks, metrics, the OpenAPI document."""

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from httpx import ASGITransport, AsyncClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from app.accounts.dependencies import PUBLIC_OPERATIONS, get_principal
from app.core.config import Settings
from app.core.db import create_engine, create_session_factory
from app.main import create_app

PROBLEM_MEDIA_TYPE = "application/problem+json"
GENERATED_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
METRICS_TOKEN = "metrics-token-of-the-convention-tests"
METRICS_AUTHORIZATION = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture
def app(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> FastAPI:
    """A fresh app, for tests that add a throwaway route or read the OpenAPI document."""
    return create_app(settings, session_factory=session_factory)


@pytest.fixture(scope="module")
def metrics_app() -> FastAPI:
    """An app that serves its metrics, with a route that has an id in its path; no database behind it."""
    settings = Settings(environment="test", log_level="WARNING", log_json=False, metrics_token=METRICS_TOKEN)
    app = create_app(settings, session_factory=async_sessionmaker())
    probes = APIRouter(prefix="/v1/probes")

    @probes.get("/{probe_id}")
    async def read_probe(probe_id: str) -> dict[str, str]:
        return {"id": probe_id}

    app.include_router(probes)
    return app


def client_for(app: FastAPI) -> AsyncClient:
    # raise_app_exceptions=False: answer as a server would instead of re-raising into the test.
    return AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test")


@pytest.fixture
async def unreachable_session_factory(
    database_url: str, tmp_path: Path
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A database of the test's kind that refuses at once: a file in a missing folder, or a closed port."""
    if database_url.startswith("sqlite"):
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'teikei.db'}", pool=False)
    else:
        engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none", pool=False)
    yield create_session_factory(engine)
    await engine.dispose()


async def test_unknown_path_answers_404_problem(client: AsyncClient) -> None:
    response = await client.get("/v1/no-such-resource")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {
        "type": "/problems/not-found",
        "code": "not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No resource lives at this address.",
    }


async def test_wrong_method_answers_405_problem_with_allow_header(client: AsyncClient) -> None:
    response = await client.delete("/healthz")

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["allow"] == "GET"
    assert response.json() == {
        "type": "/problems/method-not-allowed",
        "code": "method-not-allowed",
        "title": "Method not allowed",
        "status": 405,
        "detail": "This address answers to GET.",
    }


async def test_allow_header_names_every_method_of_the_path(client: AsyncClient) -> None:
    response = await client.delete("/v1/consumer-groups")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


async def test_unparsable_json_body_answers_400_problem(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register", content=b"{not json", headers={"content-type": "application/json"}
    )

    # Not a validation error: the body could not be read at all. The detail names the offending character.
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {
        "type": "/problems/malformed-json",
        "code": "malformed-json",
        "title": "The body is not valid JSON",
        "status": 400,
        "detail": "The body is not valid JSON: Expecting property name enclosed in double quotes at character 1.",
    }


async def test_validation_errors_name_the_fields_without_echoing_input(client: AsyncClient) -> None:
    response = await client.post("/v1/auth/register", json={"email": "no-at-sign", "password": "tiny-secret"})

    body = response.json()
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert set(body) == {"type", "code", "title", "status", "detail", "errors"}
    assert [(error["loc"], error["type"]) for error in body["errors"]] == [
        (["body", "email"], "value_error"),
        (["body", "display_name"], "missing"),
    ]
    assert all(set(error) == {"loc", "msg", "type"} for error in body["errors"])
    assert "no-at-sign" not in response.text
    assert "tiny-secret" not in response.text


async def test_unexpected_exception_answers_500_problem_without_trace(app: FastAPI) -> None:
    @app.get("/explode", include_in_schema=False)
    async def explode() -> None:
        raise RuntimeError("connection string postgresql://admin:hunter2@db")

    with capture_logs(processors=[merge_contextvars]) as logs:
        async with client_for(app) as client:
            response = await client.get("/explode")

    request_id = response.headers["x-request-id"]
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {
        "type": "/problems/internal-error",
        "code": "internal-error",
        "title": "Internal server error",
        "status": 500,
        "detail": "Something went wrong on our side; it was logged with this request's id.",
    }
    assert "Traceback" not in response.text
    assert "hunter2" not in response.text
    assert GENERATED_REQUEST_ID.match(request_id)
    # The trace goes to the log only, under the id the client was given.
    assert [(entry["request_id"], entry["exc_info"]) for entry in logs if entry["event"] == "unhandled_error"] == [
        (request_id, True)
    ]


async def test_a_database_error_that_is_no_outage_answers_500_and_is_logged(app: FastAPI) -> None:
    """Only a lost connection is a 503 worth retrying; any other driver error is a bug."""

    @app.get("/violate", include_in_schema=False)
    async def violate() -> None:
        raise IntegrityError("INSERT INTO product …", {}, Exception("duplicate key value"))

    with capture_logs(processors=[merge_contextvars]) as logs:
        async with client_for(app) as client:
            response = await client.get("/violate")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["code"] == "internal-error"
    assert "duplicate key" not in response.text
    assert [entry["exc_info"] for entry in logs if entry["event"] == "unhandled_error"] == [True]


async def test_every_response_carries_a_fresh_request_id(client: AsyncClient) -> None:
    responses = [await client.get("/healthz"), await client.get("/no-such-path"), await client.delete("/healthz")]

    request_ids = [response.headers["x-request-id"] for response in responses]
    assert all(GENERATED_REQUEST_ID.match(request_id) for request_id in request_ids)
    assert len(set(request_ids)) == 3


async def test_valid_incoming_request_id_is_echoed(client: AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "checkout-2026.11_27-abc"})

    assert response.headers["x-request-id"] == "checkout-2026.11_27-abc"


@pytest.mark.parametrize(
    ("_case", "offered"),
    [
        ("too long", "a" * 300),
        ("one past the limit", "a" * 65),
        ("contains spaces", "abc def"),
        ("contains markup", '"><script>'),
    ],
)
async def test_invalid_incoming_request_id_is_replaced(client: AsyncClient, _case: str, offered: str) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": offered})

    assert GENERATED_REQUEST_ID.match(response.headers["x-request-id"])


async def test_liveness_answers_ok(client: AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_answers_ready_when_the_database_answers(client: AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readiness_answers_503_problem_when_the_database_is_unreachable(
    settings: Settings, unreachable_session_factory: async_sessionmaker[AsyncSession]
) -> None:
    app = create_app(settings, session_factory=unreachable_session_factory)

    async with client_for(app) as client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {
        "type": "/problems/database-unavailable",
        "code": "database-unavailable",
        "title": "The database does not answer",
        "status": 503,
        "detail": "The database did not answer a trivial query.",
    }


async def test_metrics_count_requests_by_route_template(metrics_app: FastAPI) -> None:
    async with client_for(metrics_app) as client:
        await client.get("/healthz")
        await client.get("/healthz")
        await client.get("/no-such-path")
        response = await client.get("/metrics", headers=METRICS_AUTHORIZATION)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'http_requests_total{method="GET",route="/healthz",status="200"} 2.0' in response.text
    # Unknown paths share one label, so scanners cannot grow the series without bound.
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in response.text
    assert "/no-such-path" not in response.text


async def test_metrics_label_a_path_with_an_id_by_its_template(metrics_app: FastAPI) -> None:
    async with client_for(metrics_app) as client:
        await client.get("/v1/probes/3f2a9c")
        await client.get("/v1/probes/77b1d0")
        response = await client.get("/metrics", headers=METRICS_AUTHORIZATION)

    assert 'http_requests_total{method="GET",route="/v1/probes/{probe_id}",status="200"} 2.0' in response.text
    assert "3f2a9c" not in response.text
    assert "77b1d0" not in response.text


async def test_every_operation_is_routed_to_its_endpoint(app: FastAPI) -> None:
    """Routers turn away paths none of their routes could match (app/core/routing.py): none may turn
    away one of its own."""
    misrouted = []
    async with client_for(app) as client:
        for route in iter_route_contexts(app.routes):
            if not isinstance(route.original_route, APIRoute):
                continue
            path = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000001", route.path_format or "")
            for method in route.methods or ():
                response = await client.request(method, path)
                unrouted = response.status_code == 405 or (
                    response.status_code == 404 and response.json()["code"] == "not-found"
                )
                if unrouted:
                    misrouted.append(f"{method} {path}")

    assert misrouted == []


def test_every_operation_has_a_unique_id_a_tag_and_problem_errors(app: FastAPI) -> None:
    operations = [
        (f"{method.upper()} {path}", operation)
        for path, path_item in app.openapi()["paths"].items()
        for method, operation in path_item.items()
    ]

    operation_ids = [operation.get("operationId") for _, operation in operations]
    untagged = [name for name, operation in operations if not operation.get("tags")]
    errors_not_problems = [
        (name, status, sorted(response.get("content", {})))
        for name, operation in operations
        for status, response in operation["responses"].items()
        if status[0] in "45" and list(response.get("content", {})) != [PROBLEM_MEDIA_TYPE]
    ]
    assert operations
    assert None not in operation_ids
    assert len(operation_ids) == len(set(operation_ids))
    assert untagged == []
    assert errors_not_problems == []


def _calls(dependant: Dependant, function: object) -> bool:
    return dependant.call is function or any(_calls(sub, function) for sub in dependant.dependencies)


def test_every_operation_needs_a_login_or_is_listed_as_public(settings: Settings) -> None:
    operations = [
        (f"{method} {context.path_format}", _calls(context.route.dependant, get_principal))
        for context in iter_route_contexts(create_app(settings).routes)
        if isinstance(context.route, APIRoute)
        for method in context.route.methods or ()
    ]

    unguarded = [operation for operation, guarded in operations if not guarded and operation not in PUBLIC_OPERATIONS]
    guarded_public = [operation for operation, guarded in operations if guarded and operation in PUBLIC_OPERATIONS]

    assert len(operations) > 30
    assert unguarded == []
    assert guarded_public == []


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_over_the_limit_is_refused_with_413(
    client: AsyncClient, settings: Settings, chunked: bool
) -> None:
    body = b'{"name": "' + b"x" * settings.max_request_bytes + b'"}'

    async def stream() -> AsyncIterator[bytes]:
        yield body

    response = await client.post(
        "/v1/auth/register", content=stream() if chunked else body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["code"] == "payload-too-large"


async def test_a_database_that_refuses_connections_answers_503_problem(
    settings: Settings, unreachable_session_factory: async_sessionmaker[AsyncSession]
) -> None:
    if settings.database_url.startswith("sqlite"):
        pytest.skip("a SQLite file that cannot be opened is a broken deployment (500), not an outage")
    app = create_app(settings, session_factory=unreachable_session_factory)

    async with client_for(app) as client:
        response = await client.get("/v1/exchange-rates")

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["retry-after"] == "1"
    assert response.json()["code"] == "database-unavailable"
