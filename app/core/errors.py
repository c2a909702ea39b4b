"""Domain errors and their one rendering as RFC 9457 problem+json."""

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

PROBLEM_MEDIA_TYPE = "application/problem+json"


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"  # part of the API: clients branch on it
    title: ClassVar[str] = "Bad request"
    headers: ClassVar[Mapping[str, str] | None] = None
    # True when the request's changes must be stored although it answers with this error.
    keeps_changes: ClassVar[bool] = False

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotAuthenticated(DomainError):
    status = 401
    code = "not-authenticated"
    title = "Authentication required"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not permitted"


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflicts with the current state"


class ConflictOfInterest(Conflict):
    """No one sits on both sides: a user of one party does not act for the other."""

    code = "conflict-of-interest"
    title = "No one acts for both sides"


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition-failed"
    title = "The resource has changed"


class Unprocessable(DomainError):
    status = 422
    code = "unprocessable"
    title = "The request cannot be carried out"


class TooManyRequests(DomainError):
    status = 429
    code = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


# Problems of amounts and quantities that any domain may meet.


class PriceNotPositive(Unprocessable):
    code = "price-not-positive"
    title = "The price must be above zero"


class QuantityNotPositive(Unprocessable):
    code = "quantity-not-positive"
    title = "The quantity must be above zero"


class CurrencyMismatch(Unprocessable):
    code = "currency-mismatch"
    title = "The payment is not in the currency it is due in"


PROBLEM_CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class ValidationIssue(BaseModel):
    loc: list[Annotated[str, Field(max_length=200)] | int] = Field(
        max_length=64, description="Where: `body`, `query`, `path` or `header`, then names."
    )
    msg: str = Field(max_length=4000)
    type: str = Field(max_length=100)


class Problem(BaseModel):
    """RFC 9457 problem details; `code` is the stable identifier clients branch on. A problem may carry more
    members (e.g. `currency`): clients ignore those they do not know."""

    type: str = Field(max_length=120, pattern=r"^/problems/[a-z0-9-]+$", examples=["/problems/not-found"])
    code: str = Field(max_length=100, pattern=PROBLEM_CODE_PATTERN)
    title: str = Field(max_length=200)
    status: int = Field(ge=400, le=599)
    detail: str = Field(max_length=4000)
    errors: list[ValidationIssue] | None = Field(default=None, max_length=1000)


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> JSONResponse:
    body = {"type": f"/problems/{code}", "code": code, "title": title, "status": status, "detail": detail}
    # The standard members win: an extension never overrides `status` or `code`.
    return JSONResponse(
        {**(extensions or {}), **body}, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


async def render_domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = dict(exc.headers or {})
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    return problem(exc.status, exc.code, exc.title, exc.detail, headers or None, exc.extensions)


JSON_MEDIA_TYPE = "application/json"


def unsupported_media_type() -> JSONResponse:
    return problem(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        "Send the body as JSON, with the header 'Content-Type: application/json'.",
        # RFC 9110 §15.5.16: Accept in a 415 names the media types the request could have used.
        {"Accept": JSON_MEDIA_TYPE},
    )


def malformed_json(detail: str) -> JSONResponse:
    return problem(400, "malformed-json", "The body is not valid JSON", detail)


async def render_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # FastAPI parses a body as JSON only when its Content-Type says it is JSON; any other body (none declared
    # included) reaches validation as the raw bytes. Form bodies arrive parsed, so this is a JSON operation.
    if isinstance(exc.body, bytes):
        return unsupported_media_type()
    for error in exc.errors():
        if error["type"] == "json_invalid":
            reason, position = error.get("ctx", {}).get("error", "invalid JSON"), error["loc"][-1]
            return malformed_json(f"The body is not valid JSON: {reason} at character {position}.")
    # loc, msg and type only: `input` would echo passwords back.
    issues = [
        {
            "loc": [str(part) if not isinstance(part, int) else part for part in error["loc"]],
            "msg": error["msg"],
            "type": error["type"],
        }
        for error in exc.errors()
    ]
    return problem(
        422,
        "validation-failed",
        "The request is not valid",
        "Some fields are missing or not valid; see `errors`.",
        extensions={"errors": issues},
    )


HTTP_CODES = {
    400: ("malformed-request", "The request could not be read"),
    401: ("not-authenticated", "Authentication required"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("payload-too-large", "The request body is too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


async def render_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = HTTP_CODES.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    headers = dict(exc.headers or {})
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI's answer to a JSON body that is not text in UTF-8 (RFC 8259 §8.1).
        return malformed_json("The body is not valid JSON: it is not text in UTF-8.")
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No resource lives at this address."
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
        detail = f"This address answers to {headers['Allow']}."
    return problem(exc.status_code, code, title, detail, headers or None)


def allowed_methods(request: Request) -> list[str]:
    """Every method any route at this path answers to; Starlette names only the first route's."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def render_lost_database(_: Request, exc: Exception) -> JSONResponse:
    """The database connection broke or could not be made: the request is worth sending again.

    Pooled connections are not pinged before use (on asyncpg a ping is three round trips), so after
    the database restarts the first request on each stale connection lands here; the pool then drops
    every connection older than the failure. Nothing of the request was stored: its transaction died
    with the connection."""
    if isinstance(exc, DBAPIError) and not exc.connection_invalidated:
        raise exc  # a bug, not an outage: the middleware logs it and answers 500
    return problem(
        503,
        "database-unavailable",
        "The database does not answer",
        "The connection to the database was lost; nothing was stored. Send the request again.",
        {"Retry-After": "1"},
    )


def unexpected_error_response() -> JSONResponse:
    return problem(
        500,
        "internal-error",
        "Internal server error",
        "Something went wrong on our side; it was logged with this request's id.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, render_domain_error)
    app.add_exception_handler(RequestValidationError, render_validation_error)
    app.add_exception_handler(StarletteHTTPException, render_http_error)
    app.add_exception_handler(DBAPIError, render_lost_database)
    # asyncpg raises a bare ConnectionRefusedError when the server does not accept connections.
    app.add_exception_handler(ConnectionError, render_lost_database)


PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


# The member of a documented problem response listing the codes it may carry; app/main.py turns it into the
# `code` enum and the named examples of the response's schema.
PROBLEM_CODES = "x-problem-codes"


def problem_responses(*errors: type[DomainError], **described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for the problems a route can answer with, so clients and schemathesis know them:
    each status with the codes of `errors` it may carry. The problems any operation may meet (a body that
    is not JSON, a failed validation, an outage) are added to every operation's responses by app/main.py."""
    statuses: dict[int, list[str]] = {422: ["The request is not valid."], 400: ["The body could not be read."]}
    codes: dict[int, dict[str, str]] = {}
    for error in errors:
        statuses.setdefault(error.status, []).append(error.title + ".")
        codes.setdefault(error.status, {})[error.code] = error.title
    for status_text, text in described.items():
        statuses.setdefault(int(status_text.removeprefix("status_")), []).append(text)
    return {
        status: {
            "model": Problem,
            "description": " ".join(dict.fromkeys(texts)),
            "content": PROBLEM_CONTENT,
            PROBLEM_CODES: codes.get(status, {}),
        }
        for status, texts in sorted(statuses.items())
    }
