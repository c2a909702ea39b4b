"""Liveness, readiness (the database answers) and Prometheus metrics."""

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from app.core.db import DbSession
from app.core.errors import PROBLEM_CONTENT, DomainError, Problem
from app.core.schemas import Schema

router = APIRouter(tags=["operations"])


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


@router.get(
    "/metrics", response_class=Response, responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}
)
async def read_metrics(request: Request) -> Response:
    """Prometheus metrics of this process."""
    body, content_type = request.app.state.metrics.exposition()
    return Response(body, media_type=content_type)
