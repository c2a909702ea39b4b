"""Entity tags over a resource's representation, for If-Match on updates (RFC 9110 §13.1.1)."""

import hashlib
from typing import Annotated

from fastapi import Header
from pydantic import BaseModel

from app.core.errors import PreconditionFailed

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
