"""The application factory: settings, database, middleware, error handlers and routers."""

import asyncio
import contextlib
import copy
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.responses import Response
from starlette.types import Scope

from app import api, health
from app.accounts.dependencies import PUBLIC_OPERATIONS
from app.accounts.errors import InvalidToken
from app.accounts.service import LoginThrottle, counted_address
from app.api_keys.errors import ApiKeyCreatorLostRights, InsufficientScope, InvalidApiKey
from app.api_keys.scopes import OPERATION_SCOPES
from app.core import contract
from app.core.config import Settings, get_settings
from app.core.db import (
    create_engine,
    create_read_session_factory,
    create_session_factory,
    read_connections_of,
    read_engine,
)
from app.core.errors import PROBLEM_CONTENT, NotAuthenticated, Problem, install_error_handlers
from app.core.http import ConditionalReads, CrossOriginRequests, ProtectiveHeaders, RequestBodyLimit
from app.core.observability import Metrics, RequestContextMiddleware, RouteTemplates, configure_logging
from app.core.rate_limits import UNCOUNTED_PATHS, RateLimitCounts, RateLimited, RateLimits
from app.notifications import jobs as notification_jobs
from app.outbox import delivery
from app.statements import router as statements_router

YOUNG_COLLECTION_THRESHOLD = 10_000  # allocations net of frees; Python's default is 700

# Swagger UI's and ReDoc's scripts, styles and icon, from a pinned package: the docs load nothing from a CDN.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS_URL = "/docs/assets"
SWAGGER_UI_OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"

DESCRIPTION = """
Community-supported agriculture on the Teikei partnership rules, and a cross-border fair-trade
catalogue, for South-East Asia. Every error is `application/problem+json` with a stable `code`;
lists are cursor-paginated (`limit`, `cursor` → `data`, `has_more`, `next_cursor`).
"""


def create_app(
    settings: Settings | None = None,
    *,
    session_factory: async_sessionmaker[AsyncSession] | None = None,
) -> FastAPI:
    """Build the app. Tests pass their own session factory (for reads too); otherwise the engine comes from
    settings."""
    settings = settings or get_settings()
    openapi_url, docs_url, redoc_url = _document_urls(settings)
    configure_logging(settings.log_level, json=settings.log_json)
    engine: AsyncEngine | None = None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What exists now (modules, routes, schemas) lives as long as the process. Frozen, it is left out
        # of the collector's full passes, each of which otherwise held every request for ~0.1 s.
        gc.collect()
        gc.freeze()
        # Requests free almost everything they allocate by reference counting; at the default threshold
        # the young generation was still collected every ten requests or so (~1 ms each under load).
        gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
        # `make run` delivers webhooks and makes notifications from the API process itself; production runs
        # `app.worker webhooks` and `app.worker notifications` beside it.
        background = [
            asyncio.create_task(work(app.state.session_factory, settings))
            for work, wanted in (
                (delivery.run, settings.webhook_delivery_in_process),
                (notification_jobs.run, settings.notifications_in_process),
            )
            if wanted
        ]
        yield
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if engine is not None:
            await engine.dispose()

    app = FastAPI(
        title="Teikei marketplace API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=openapi_url,
        # Served below from the service's own assets; FastAPI's pages would load theirs from a CDN.
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.settings = settings
    engine = _attach_database(app, settings, session_factory)
    app.state.metrics = Metrics()
    storage_uri = settings.rate_limit_storage_uri
    storage = storage_from_string(storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}")
    app.state.login_throttle = LoginThrottle.from_settings(MovingWindowRateLimiter(storage), settings)

    install_error_handlers(app)
    app.add_middleware(
        RequestBodyLimit, max_bytes=settings.max_request_bytes, limited_by_route=statements_router.UPLOAD_PATH
    )
    # Inside the request context, so a 304 is logged and counted as what was answered.
    app.add_middleware(ConditionalReads)
    # Inside the request context, so a 429 carries the request id and is logged; outside the conditional
    # reads, so a 304 keeps the RateLimit fields.
    app.state.rate_limits = RateLimitCounts.from_settings(settings)
    if settings.rate_limits_enabled:
        app.add_middleware(
            RateLimits, jwt_secret=settings.jwt_secret.get_secret_value(), counted_address=counted_address
        )
    # One table of route templates for both middlewares: built on the first request, it walks every route.
    route_template = RouteTemplates()
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics, route_template=route_template)
    # Outside the request context, so a preflight is answered before it is counted, logged or its body
    # limited, and every answer from within (problems and the request context's 500 included) carries the
    # CORS headers. Installed with an empty list too: a preflight then gets the same clear refusal.
    app.add_middleware(CrossOriginRequests, allowed_origins=settings.cors_allowed_origins)
    # Outermost, so that every response has its headers, the request context's 500 included.
    app.add_middleware(ProtectiveHeaders, public_reads=_public_reads(), route_template=route_template)
    app.include_router(health.router)
    if settings.metrics_token is not None:
        app.include_router(health.metrics_router)
    api.include_routers(app)
    if openapi_url is not None and docs_url is not None and redoc_url is not None:
        _serve_docs(app, openapi_url=openapi_url, docs_url=docs_url, redoc_url=redoc_url)
    _register_problem_schema(app)
    return app


def _document_urls(settings: Settings) -> tuple[str | None, str | None, str | None]:
    """Where the OpenAPI document, Swagger UI and ReDoc are served; None where they are not."""
    openapi_url = "/openapi.json" if settings.openapi_enabled else None
    return openapi_url, *(("/docs", "/redoc") if settings.docs_enabled else (None, None))


class DocsAssets(StaticFiles):
    """The docs' assets may be kept by any cache, but are checked again (ETag) on use: they change with
    the package's version, which their URLs do not name."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("Cache-Control", "public, no-cache")
        return response


def _serve_docs(app: FastAPI, *, openapi_url: str, docs_url: str, redoc_url: str) -> None:
    """Swagger UI and ReDoc, each page loading only what the service itself serves."""
    app.mount(DOCS_ASSETS_URL, DocsAssets(directory=DOCS_ASSETS), name="docs-assets")
    favicon_url = f"{DOCS_ASSETS_URL}/favicon.png"

    # Plain routes, as FastAPI's own docs are: pages of the service, not operations of the API.
    async def swagger_ui(_: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=SWAGGER_UI_OAUTH2_REDIRECT_URL,
            swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=favicon_url,
            # No validator badge: it would send the document's address to a third party.
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def swagger_ui_oauth2_redirect(_: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(_: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{DOCS_ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=favicon_url,
            with_google_fonts=False,
        )

    app.add_route(docs_url, swagger_ui, include_in_schema=False)
    app.add_route(SWAGGER_UI_OAUTH2_REDIRECT_URL, swagger_ui_oauth2_redirect, include_in_schema=False)
    app.add_route(redoc_url, redoc, include_in_schema=False)


def _public_reads() -> frozenset[str]:
    """The API's reads anyone may make: a shared cache may keep their answers when no credentials were sent.
    Not the health checks: a probe must reach the service, never a cache's memory of it."""
    return frozenset(operation for operation in PUBLIC_OPERATIONS if operation.startswith("GET /v1/"))


def _attach_database(
    app: FastAPI, settings: Settings, session_factory: async_sessionmaker[AsyncSession] | None
) -> AsyncEngine | None:
    """Where requests get their sessions and read connections; the engine, if the app made one."""
    if session_factory is not None:
        app.state.session_factory = app.state.read_session_factory = session_factory
        app.state.read_connections = read_connections_of(session_factory)
        return None
    engine = create_engine(
        settings.database_url, pool_size=settings.database_pool_size, max_overflow=settings.database_max_overflow
    )
    app.state.session_factory = create_session_factory(engine)
    app.state.read_session_factory = create_read_session_factory(engine)
    app.state.read_connections = read_engine(engine).connect
    return engine


TAGS = {
    "operations": "Health checks and metrics for the platform that runs the service.",
    "accounts": "Registration, login (OAuth2 password flow), token refresh and the caller's own account.",
    "api keys": "Keys an integrator's systems use instead of a user's login, each limited to its scopes.",
    "households": "Households: the members who share one subscription, and the groups they belong to.",
    "consumer groups": "Groups of households buying together: members, waiting list, coordinators, pickup "
    "stations and the motions their coordinators vote on.",
    "producer groups": "Farming households growing together: members, coordinators, certifications, motions.",
    "motions": "Decisions a group's coordinators take together, carried by a quorum of approvals.",
    "production plans": "What a producer group will grow in a season, and how much of it is still free.",
    "agreements": "The partnership of a consumer group and a producer group for one plan: versions, approvals, "
    "renewals and the households' shares.",
    "agreement messages": "What the two groups of an agreement write to each other.",
    "subscription transfers": "A household handing its shares of an agreement to another.",
    "agreement cancellations": "Ending an agreement early, with the refunds it carries.",
    "gatherings": "Farm days and other events of a group, and who signs up for them.",
    "harvests": "Harvests shared out to the households, absences, surplus and pickup lists.",
    "payments": "Advance payments, the agreement's ledger and a household's statement.",
    "trading organisations": "Buyers and sellers of the fair-trade catalogue, and their members.",
    "catalogue": "The fair-trade catalogue: products, their prices and certifications, and its change feed.",
    "exchange rates": "The rates the catalogue's display prices are converted with.",
    "trade orders": "Orders between trading organisations, from placing through shipping to settlement.",
    "webhooks": "Endpoints that receive the organisation's events, and their deliveries.",
    "events": "The feed of events webhooks deliver, for reading again.",
    "networks": "Networks of community-based enterprises, their members and monitoring programmes, and the "
    "enrolment of groups and trading organisations by their coordinators' consent.",
    "registry": "Households pledging as socially enterprising consumers, and the public counts per country "
    "against one million.",
    "learning events": "The shared training calendar: events networks and trainers host for the members of any "
    "group, their sign-ups and attendance.",
    "indicators": "Indicators per community-based enterprise and season, computed from recorded facts, rolled up "
    "per country, as JSON, CSV and SVG charts; and each ASEAN member's monitored CBEs against the target.",
    "statements": "Bank statements a treasurer uploads, matched line by line to the payers, and confirmed "
    "into the ledger.",
    "notifications": "What needs you: approvals awaited, payments due, harvests shared out, pickups and motions, "
    "and how you want to hear of them.",
}

CONTRACT = contract.Contract(
    tags=TAGS,
    servers=[
        {
            "url": "/",
            "description": "This deployment (production, staging or local): the API is served where this document is.",
            "x-internal": False,
        }
    ],
    any_operation=contract.Problems.of(
        internal_error=(500, "Internal server error"),
        database_unavailable=(503, "The database does not answer"),
        validation_failed=(422, "The request is not valid"),
    ),
    with_body=contract.Problems.of(
        malformed_request=(400, "The request could not be read"),
        payload_too_large=(413, "The request body is too large"),
    ),
    with_json_body=contract.Problems.of(
        malformed_json=(400, "The body is not valid JSON"),
        unsupported_media_type=(415, "Unsupported media type"),
    ),
    # Any bearer may be an API key: refused as unknown, or for an operation beyond its scope or its creator's rights.
    authenticated=contract.Problems.of(
        NotAuthenticated, InvalidToken, InvalidApiKey, InsufficientScope, ApiKeyCreatorLostRights
    ),
    counted=contract.Problems.of(RateLimited),
    uncounted_paths=UNCOUNTED_PATHS,
    oauth2_description=(
        "A user's access token: a JWT signed with HS256, short-lived (ACCESS_TOKEN_MINUTES), issued by "
        "POST /v1/auth/token and renewed with a refresh token at POST /v1/auth/refresh. Its algorithm, "
        "audience, expiry and issue time are always verified, as RFC8725 (JWT Best Current Practices) asks."
    ),
    refresh_url="/v1/auth/refresh",
    api_key_description=(
        "An integrator's API key, `tk_…`, sent as `Authorization: Bearer tk_…`. It may call only the operations "
        "that list the `ApiKey` scheme, and only with the scope each names."
    ),
    api_key_scopes={operation: str(scope) for operation, scope in OPERATION_SCOPES.items()},
)


def _register_problem_schema(app: FastAPI) -> None:
    """Replace FastAPI's own validation-error schema (every error here is a Problem), and finish the document
    as app/core/contract.py describes."""
    original = app.openapi

    def openapi() -> dict:  # type: ignore[type-arg]
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    if "application/problem+json" in content:
                        content.pop("application/json", None)
                _declare_unsupported_media_type(operation)
        app.openapi_schema = contract.finish(schema, CONTRACT)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _declare_unsupported_media_type(operation: dict) -> None:  # type: ignore[type-arg]
    """An operation that reads a JSON body answers 415 to a body of another media type (app/core/errors.py)."""
    if "application/json" not in operation.get("requestBody", {}).get("content", {}):
        return
    unsupported = {
        "description": "The body is not application/json.",
        "content": copy.deepcopy(PROBLEM_CONTENT),
        "headers": {"Accept": {"description": "The media type to send instead.", "schema": {"type": "string"}}},
    }
    operation["responses"] = dict(sorted({**operation["responses"], "415": unsupported}.items()))
