"""HTTP details every route shares: entity tags for If-Match on updates (RFC 9110 §13.1.1), the request
body limit, and the headers that keep responses from being sniffed or cached where they should not be."""

import hashlib
from typing import Annotated

from fastapi import Header
from pydantic import BaseModel
from starlette.exceptions import HTTPException
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
    """Refuse bodies over `max_bytes` (OWASP API4): at once by Content-Length, else while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
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


NO_STORE = b"private, no-store"


class ProtectiveHeaders:
    """`X-Content-Type-Options: nosniff` on every response, so a browser never runs a body as something other
    than its declared type; and `Cache-Control: private, no-store` on every response but a public read, so
    no cache keeps what was meant for one caller (tokens, statements, orders). A public read is a GET of an
    operation in `public_reads` ("GET /v1/catalogue/products") sent without credentials; those, and routes
    that set their own Cache-Control, keep theirs."""

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
                if not chose_its_own and not self._is_public_read(scope):
                    headers.append((b"cache-control", NO_STORE))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_protected)

    def _is_public_read(self, scope: Scope) -> bool:
        if any(name == b"authorization" for name, _ in scope["headers"]):
            return False
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        # The route is known once routing has run, which it has by the time a response starts.
        return f"{method} {self.route_template(scope)}" in self.public_reads
