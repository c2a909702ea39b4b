"""Liveness, readiness (the database answers) and Prometheus metrics."""

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import text

from app.core.db import DbSession
from app.core.errors import PROBLEM_CONTENT, DomainError, NotAuthenticated, Problem
from app.core.schemas import Schema

router = APIRouter(tags=["operations"])
# Served only when METRICS_TOKEN is set (app/main.py includes it then), and only to its bearer: the
# metrics tell how the service is used and how it fails.
metrics_router = APIRouter(tags=["operations"])
metrics_bearer = HTTPBearer(
    auto_error=False, scheme_name="metricsToken", description="The METRICS_TOKEN the service was started with."
)


class HealthRead(Schema):
    status: str


class DatabaseUnavailable(DomainError):
    status = 503
    code = "database-unavailable"
    title = "The database does not answer"


@router.get("/healthz", response_model=HealthRead)
async def read_health() -> HealthRead:
    """The process is up."""
    return HealthRead(status="ok")


@router.get(
    "/readyz",
    response_model=HealthRead,
    responses={503: {"model": Problem, "description": "The database does not answer.", "content": PROBLEM_CONTENT}},
)
async def read_readiness(session: DbSession) -> HealthRead:
    """The service can reach its database and serve requests."""
    try:
        await session.execute(text("SELECT 1"))
    except Exception as error:  # any driver failure means "not ready", never a 500
        raise DatabaseUnavailable("The database did not answer a trivial query.") from error
    return HealthRead(status="ready")


async def require_metrics_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(metrics_bearer)]
) -> None:
    expected = request.app.state.settings.metrics_token.get_secret_value().encode()
    offered = credentials.credentials.encode() if credentials is not None else b""
    # In constant time, so the answer's timing tells nothing of how much of a guess was right.
    if not hmac.compare_digest(offered, expected):
        raise NotAuthenticated("Send 'Authorization: Bearer <METRICS_TOKEN>' to read the metrics.")


@metrics_router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(require_metrics_token)],
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        401: {"model": Problem, "description": "Authentication required.", "content": PROBLEM_CONTENT},
    },
)
async def read_metrics(request: Request) -> Response:
    """Prometheus metrics of this process, for the bearer of METRICS_TOKEN."""
    body, content_type = request.app.state.metrics.exposition()
    return Response(body, media_type=content_type)
