"""Entity tags over a resource's representation, for If-Match on updates (RFC 9110 §13.1.1)."""

import hashlib
from typing import Annotated

from fastapi import Header
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import PreconditionFailed, problem

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
