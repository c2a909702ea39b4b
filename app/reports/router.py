"""HTTP edge of the reports that span several domains."""

from uuid import UUID

from app.accounts.dependencies import CurrentUser
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, problem_responses
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.producers.errors import NotProducerCoordinator, ProducerGroupNotFound
from app.reports import service
from app.reports.schemas import ProducerStatementRead

# Money received, so listed with the payments (the tags are declared in app.main).
router = DomainRouter(tags=["payments"], responses=problem_responses(NotAuthenticated))


@router.get(
    "/producer-groups/{producer_group_id}/statement",
    response_model=ProducerStatementRead,
    responses=problem_responses(ProducerGroupNotFound, NotProducerCoordinator, InvalidCursor),
)
async def read_producer_statement(
    producer_group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> ProducerStatementRead:
    """For the producer group's coordinators: every payment it received and gave back, across its agreements
    and the trade orders of the organisation that sells for it, oldest first, with its totals per currency."""
    return await service.producer_statement(
        session, principal, producer_group_id=producer_group_id, limit=limit, cursor=cursor
    )
