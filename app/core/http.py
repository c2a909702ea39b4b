"""HTTP details every route shares: entity tags for If-Match on updates (RFC 9110 §13.1.1), the request
body limit, the headers that keep responses from being sniffed or cached where they should not be, and
which other web origins may call the API from a browser."""

import hashlib
import re
from typing import Annotated

from fastapi import Header
from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import PreconditionFailed, problem
from app.core.observability import RouteTemplates

IfMatch = Annotated[
    str | None,
    Header(max_length=500, description="The ETag you read; the update is refused with 412 if it changed since."),
]


def etag_for(representation: BaseModel) -> str:
    return '"' + hashlib.sha256(representation.model_dump_json().encode()).hexdigest()[:32] + '"'


def require_match(if_match: str | None, current: BaseModel) -> None:
    """Refuse an update made against a representation that has changed since the client read it."""
    if if_match is None or if_match.strip() == "*":
        return
    offered = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if etag_for(current) not in offered:
        raise PreconditionFailed("The resource changed since you read it; read it again and reapply your change.")


class RequestBodyLimit:
    """Refuse bodies over `max_bytes` (OWASP API4): at once by Content-Length, else while reading. Paths
    matching `limited_by_route` are left to their route, which enforces a limit of its own (a file upload)."""

    def __init__(self, app: ASGIApp, max_bytes: int, limited_by_route: re.Pattern[str] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limited_by_route = limited_by_route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.limited_by_route and self.limited_by_route.match(scope["path"])):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # An HTTPException, since FastAPI turns any other error while reading a body into a 400.
                raise HTTPException(413, self._detail())
            return message

        await self.app(scope, counting_receive, send)

    def _detail(self) -> str:
        return f"Send at most {self.max_bytes} bytes in a request body."

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, "payload-too-large", "The request body is too large", self._detail())
        await response(scope, receive, send)


CSV_MEDIA_TYPE = "text/csv"


def prefers_csv(accept: str | None) -> bool:
    """Whether the Accept header ranks CSV above JSON (by q, then by order); JSON is the default."""
    best: tuple[float, int, bool] | None = None
    for position, entry in enumerate((accept or "").split(",")):
        media_type, *parameters = (part.strip() for part in entry.split(";"))
        is_csv = media_type.lower() == CSV_MEDIA_TYPE
        if not is_csv and media_type.lower() not in {"application/json", "application/*", "*/*"}:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (quality, -position) > best[:2]):
            best = (quality, -position, is_csv)
    return best is not None and best[2]


NO_STORE = b"private, no-store"
# A public read may be kept a minute by any cache: a storefront's visitors then cost the service one read a
# minute per page, and a listing changed is seen everywhere within that minute.
PUBLIC_MAX_AGE = b"public, max-age=60"


class ProtectiveHeaders:
    """`X-Content-Type-Options: nosniff` on every response, so a browser never runs a body as something other
    than its declared type; and `Cache-Control: private, no-store` on every response but a public read, so
    no cache keeps what was meant for one caller (tokens, statements, orders). A public read is a GET of an
    operation in `public_reads` ("GET /v1/catalogue/products") sent without credentials: it may be cached
    a minute (`PUBLIC_MAX_AGE`). Routes that set their own Cache-Control keep theirs."""

    def __init__(self, app: ASGIApp, public_reads: frozenset[str], route_template: RouteTemplates) -> None:
        self.app = app
        self.public_reads = public_reads
        self.route_template = route_template

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_protected(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"x-content-type-options", b"nosniff")]
                chose_its_own = any(name.lower() == b"cache-control" for name, _ in headers)
                if not chose_its_own:
                    headers.append((b"cache-control", PUBLIC_MAX_AGE if self._is_public_read(scope) else NO_STORE))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_protected)

    def _is_public_read(self, scope: Scope) -> bool:
        if any(name == b"authorization" for name, _ in scope["headers"]):
            return False
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        # The route is known once routing has run, which it has by the time a response starts.
        return f"{method} {self.route_template(scope)}" in self.public_reads


class ConditionalReads:
    """A GET whose `If-None-Match` names the ETag of the answer gets `304 Not Modified` without the body
    (RFC 9110 §13.1.2): a client that kept a copy (a storefront's mirror, a browser) is told it is still
    current, and nothing is sent twice. The route runs as usual; only the answer is shortened."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get("if-none-match")
        if offered is None:
            await self.app(scope, receive, send)
            return
        not_modified = False

        async def send_conditionally(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = Headers(raw=message.get("headers", []))
                if _matches(offered, headers.get("etag")):
                    not_modified = True
                    kept = [(name, value) for name, value in message.get("headers", []) if name.lower() in KEPT_ON_304]
                    message = {**message, "status": 304, "headers": kept}
            elif message["type"] == "http.response.body" and not_modified:
                if message.get("more_body", False):
                    return  # the rest of a body nobody will read
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app(scope, receive, send_conditionally)


# The headers a 304 repeats (RFC 9110 §15.4.5); the body's own (length, type) go with the body.
KEPT_ON_304 = frozenset({b"etag", b"cache-control", b"vary", b"date", b"expires", b"x-request-id"})


def _matches(offered: str, etag: str | None) -> bool:
    """Weak comparison, as If-None-Match asks: `W/"x"` and `"x"` name the same representation."""
    if etag is None:
        return False
    if offered.strip() == "*":
        return True
    tags = {tag.strip().removeprefix("W/") for tag in offered.split(",")}
    return etag.removeprefix("W/") in tags


# What a page on another origin may send and read. Credentials travel in the Authorization header, never
# in cookies, so no request carries them unless the page's own script adds them.
CROSS_ORIGIN_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
CROSS_ORIGIN_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "X-Request-ID",
)
CROSS_ORIGIN_EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "X-Request-ID",
    "Idempotent-Replayed",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
)
PREFLIGHT_MAX_AGE_SECONDS = 600


class CrossOriginRequests(CORSMiddleware):
    """CORS for the origins in the allow-list: a preflight is answered here, before the request is counted
    or its body read; every other response to an allowed origin (problems included) carries
    `Access-Control-Allow-Origin` and the headers a client reads. A refused preflight is a 403 problem
    without that header, so the browser keeps the request from being sent."""

    def __init__(self, app: ASGIApp, allowed_origins: list[str]) -> None:
        super().__init__(
            app,
            allow_origins=allowed_origins,
            allow_methods=CROSS_ORIGIN_METHODS,
            allow_headers=CROSS_ORIGIN_REQUEST_HEADERS,
            expose_headers=CROSS_ORIGIN_EXPOSED_HEADERS,
            max_age=PREFLIGHT_MAX_AGE_SECONDS,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        if answer.status_code < 400:
            return answer
        origin = request_headers["origin"]
        if not self.is_allowed_origin(origin):
            detail = f"Pages of {origin} may not call this API from a browser."
        else:
            detail = (
                f"Send one of the methods {', '.join(CROSS_ORIGIN_METHODS)} with no headers but "
                f"{', '.join(CROSS_ORIGIN_REQUEST_HEADERS)} and the CORS-safelisted ones."
            )
        # The Vary header stays: a cache must not hand this refusal to a preflight from another origin.
        vary = {"Vary": answer.headers["vary"]} if "vary" in answer.headers else None
        return problem(403, "cross-origin-request-refused", "The cross-origin request is refused", detail, vary)
