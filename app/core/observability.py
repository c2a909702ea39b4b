"""Request ids, structured JSON logs and Prometheus metrics for every request."""

import logging
import re
import sys
import time
import uuid

import structlog
from fastapi.routing import iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import unexpected_error_response

REQUEST_ID_HEADER = "x-request-id"
# A client may pass its own id to correlate logs; anything odd is replaced rather than logged.
ACCEPTED_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def configure_logging(level: str, *, json: bool) -> None:
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["method", "route"],
            registry=self.registry,
        )

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class RouteTemplates:
    """The path template of the route that served a request (`/v1/consumer-groups/{group_id}`), so metrics
    do not explode per id. Routing leaves the route in `scope["route"]`, but a route of an included router
    knows only its own prefix; iter_route_contexts gives the full templates, as for OpenAPI. Built once,
    on the first request, instead of matching every route again per request."""

    def __init__(self) -> None:
        self.by_route: dict[int, str] | None = None

    def __call__(self, scope: Scope) -> str:
        if self.by_route is None:
            routes = getattr(scope.get("app"), "routes", [])
            self.by_route = {
                id(context.original_route): context.path_format or "unmatched"
                for context in iter_route_contexts(routes)
            }
        route = scope.get("route")
        return self.by_route.get(id(route), "unmatched") if route is not None else "unmatched"


class RequestContextMiddleware:
    """Gives each request an id (echoed in `X-Request-ID` and bound to every log line) and measures it."""

    def __init__(self, app: ASGIApp, metrics: Metrics, route_template: RouteTemplates) -> None:
        self.app = app
        self.metrics = metrics
        self.logger = structlog.get_logger("teikei.access")
        self.route_template = route_template

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = offered if ACCEPTED_REQUEST_ID.match(offered) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Inside the middleware (Starlette's own 500 page sits outside it), so even a crash
            # answers problem+json with the request id, and the trace goes to the log only.
            self.logger.exception("unhandled_error", method=scope["method"], path=scope["path"])
            if response_started:
                raise
            await unexpected_error_response()(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = self.route_template(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(elapsed)
            self.logger.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round(elapsed * 1000, 1),
            )
