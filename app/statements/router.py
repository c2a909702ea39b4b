"""HTTP edge of bank statements: uploads (the raw file as the body), the queue of lines, decisions on a
line, and the CSV column mapping. For a payee group's coordinators only."""

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request, Response, status
from fastapi.responses import JSONResponse

from app.accounts.dependencies import AppSettings, CurrentUser
from app.agreements.errors import AgreementNotFound
from app.collection.models import PayeeKind
from app.core import idempotency
from app.core.contract import set_location
from app.core.db import DbSession
from app.core.errors import CurrencyMismatch, NotAuthenticated, problem_responses
from app.core.money import InvalidAmount
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import Page
from app.groups.errors import GroupNotFound, HouseholdNotFound, NotCoordinator
from app.payments.errors import AgreementNotPayable, NoSubscription, NotPermittedToPay, Overpayment
from app.producers.errors import NotProducerCoordinator, ProducerGroupNotFound
from app.statements import errors, service
from app.statements.models import StatementFormat
from app.statements.schemas import (
    BulkConfirmationRead,
    CsvMappingRead,
    CsvMappingWrite,
    DismissalCreate,
    LineConfirmationCreate,
    LineFilter,
    StatementImportRead,
    StatementLineRead,
)

router = DomainRouter(tags=["statements"], responses=problem_responses(NotAuthenticated))

# Uploads bring a file of their own size limit (STATEMENT_MAX_BYTES), which the route enforces itself:
# the app's general limit on request bodies leaves these paths to it.
UPLOAD_PATH = re.compile(r"^/v1/(consumer-groups|producer-groups)/[^/]+/statement-imports$")
MEDIA_TYPES = {
    "text/csv": StatementFormat.csv,
    "application/xml": StatementFormat.camt053,
    "text/xml": StatementFormat.camt053,
    "application/x-mt940": StatementFormat.mt940,
    "text/plain": StatementFormat.mt940,
}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The statement file as exported by the bank: CSV (read by the group's saved column "
        "mapping), ISO 20022 camt.053 XML, or SWIFT MT940; at most STATEMENT_MAX_BYTES (5 MiB by default).",
        # application/x-mt940 is read too; documented as text/plain, which generated clients know how to send.
        "content": {
            media_type: {"schema": {"type": "string", "maxLength": 5_242_880}}
            for media_type in MEDIA_TYPES
            if media_type != "application/x-mt940"
        },
    }
}
FormatQuery = Annotated[
    StatementFormat | None, Query(description="The file's format, when its Content-Type does not say.")
]
FileNameQuery = Annotated[
    str | None, Query(max_length=200, pattern=r"^[^\x00-\x1f]*$", description="The file's name, kept for reference.")
]
StatusQuery = Annotated[LineFilter, Query(description="`waiting` (the default): matched, suggested or unmatched.")]
ImportQuery = Annotated[UUID | None, Query(description="Only the lines of this import.")]
UPLOAD_PROBLEMS = (
    errors.StatementMalformed,
    errors.StatementTooLarge,
    errors.StatementFormatUnknown,
    errors.StatementMappingMissing,
)
CONFIRM_PROBLEMS = (
    AgreementNotFound,
    AgreementNotPayable,
    CurrencyMismatch,
    NoSubscription,
    Overpayment,
    NotPermittedToPay,
    NotCoordinator,
    HouseholdNotFound,
    InvalidAmount,
    errors.StatementLineNotFound,
    errors.StatementLineAlreadyDecided,
    errors.StatementLinePayerNeeded,
    errors.StatementLineNotAssignable,
    idempotency.IdempotencyKeyMissing,
    idempotency.IdempotencyKeyReused,
    idempotency.IdempotencyKeyInFlight,
)


async def _upload(
    request: Request,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    *,
    payee_kind: PayeeKind,
    payee_id: UUID,
    statement_format: StatementFormat | None,
    file_name: str | None,
) -> StatementImportRead:
    chosen = statement_format or _format_of(request.headers.get("content-type"))
    content = await _body(request, settings.statement_max_bytes)
    statement_import = await service.import_statement(
        session,
        principal,
        payee_kind=payee_kind,
        payee_id=payee_id,
        content=content,
        statement_format=chosen,
        file_name=file_name,
    )
    return service.import_read(statement_import)


def _format_of(content_type: str | None) -> StatementFormat:
    media_type = (content_type or "").partition(";")[0].strip().lower()
    if media_type not in MEDIA_TYPES:
        raise errors.StatementFormatUnknown(
            f"Send the file as {', '.join(MEDIA_TYPES)}, or say its format (?format=csv, camt053 or mt940).",
            content_type=media_type,
        )
    return MEDIA_TYPES[media_type]


async def _body(request: Request, max_bytes: int) -> bytes:
    """The body, refused once it passes `max_bytes`: at once by Content-Length, else while reading."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise errors.StatementTooLarge(f"Send a statement of at most {max_bytes} bytes.", max_bytes=max_bytes)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > max_bytes:
            raise errors.StatementTooLarge(f"Send a statement of at most {max_bytes} bytes.", max_bytes=max_bytes)
    return bytes(received)


# A consumer group's statements


@router.post(
    "/consumer-groups/{group_id}/statement-imports",
    status_code=status.HTTP_201_CREATED,
    response_model=StatementImportRead,
    responses=problem_responses(GroupNotFound, NotCoordinator, *UPLOAD_PROBLEMS),
    openapi_extra=UPLOAD_BODY,
)
async def create_group_statement_import(
    group_id: UUID,
    request: Request,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    response: Response,
    format: FormatQuery = None,
    file_name: FileNameQuery = None,
) -> StatementImportRead:
    """Upload a bank statement of the group's account; its credit lines are matched to the households."""
    created = await _upload(
        request,
        session,
        principal,
        settings,
        payee_kind=PayeeKind.consumer_group,
        payee_id=group_id,
        statement_format=format,
        file_name=file_name,
    )
    set_location(response, f"/v1/statement-imports/{created.id}")
    return created


@router.get(
    "/consumer-groups/{group_id}/statement-imports",
    response_model=Page[StatementImportRead],
    responses=problem_responses(GroupNotFound, NotCoordinator, InvalidCursor),
)
async def list_group_statement_imports(
    group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[StatementImportRead]:
    """The group's uploaded statements, oldest first."""
    return await service.list_imports(
        session, principal, payee_kind=PayeeKind.consumer_group, payee_id=group_id, limit=limit, cursor=cursor
    )


@router.get(
    "/consumer-groups/{group_id}/statement-lines",
    response_model=Page[StatementLineRead],
    responses=problem_responses(GroupNotFound, NotCoordinator, InvalidCursor),
)
async def list_group_statement_lines(
    group_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    status: StatusQuery = LineFilter.waiting,
    import_id: ImportQuery = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[StatementLineRead]:
    """The lines waiting for a treasurer's decision, in the order the statements list them; or, by
    `status` and `import_id`, any of the group's lines."""
    return await service.list_lines(
        session,
        principal,
        payee_kind=PayeeKind.consumer_group,
        payee_id=group_id,
        status=status,
        import_id=import_id,
        limit=limit,
        cursor=cursor,
    )


@router.put(
    "/consumer-groups/{group_id}/statement-mapping",
    response_model=CsvMappingRead,
    responses=problem_responses(GroupNotFound, NotCoordinator),
)
async def save_group_statement_mapping(
    group_id: UUID, body: CsvMappingWrite, session: DbSession, principal: CurrentUser
) -> CsvMappingRead:
    """Save where the group's bank puts each field in its CSV export; later CSV uploads are read by it."""
    saved = await service.save_mapping(
        session, principal, payee_kind=PayeeKind.consumer_group, payee_id=group_id, mapping=body
    )
    return service.mapping_read(saved)


@router.get(
    "/consumer-groups/{group_id}/statement-mapping",
    response_model=CsvMappingRead,
    responses=problem_responses(GroupNotFound, NotCoordinator, errors.StatementMappingMissing),
)
async def read_group_statement_mapping(group_id: UUID, session: DbSession, principal: CurrentUser) -> CsvMappingRead:
    """The group's saved CSV column mapping."""
    saved = await service.get_mapping(session, principal, payee_kind=PayeeKind.consumer_group, payee_id=group_id)
    return service.mapping_read(saved)


# A producer group's statements


@router.post(
    "/producer-groups/{producer_group_id}/statement-imports",
    status_code=status.HTTP_201_CREATED,
    response_model=StatementImportRead,
    responses=problem_responses(ProducerGroupNotFound, NotProducerCoordinator, *UPLOAD_PROBLEMS),
    openapi_extra=UPLOAD_BODY,
)
async def create_producer_statement_import(
    producer_group_id: UUID,
    request: Request,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    response: Response,
    format: FormatQuery = None,
    file_name: FileNameQuery = None,
) -> StatementImportRead:
    """Upload a bank statement of the producer group's account; its credit lines are matched to the
    consumer groups that pay it in advance."""
    created = await _upload(
        request,
        session,
        principal,
        settings,
        payee_kind=PayeeKind.producer_group,
        payee_id=producer_group_id,
        statement_format=format,
        file_name=file_name,
    )
    set_location(response, f"/v1/statement-imports/{created.id}")
    return created


@router.get(
    "/producer-groups/{producer_group_id}/statement-imports",
    response_model=Page[StatementImportRead],
    responses=problem_responses(ProducerGroupNotFound, NotProducerCoordinator, InvalidCursor),
)
async def list_producer_statement_imports(
    producer_group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[StatementImportRead]:
    """The producer group's uploaded statements, oldest first."""
    return await service.list_imports(
        session, principal, payee_kind=PayeeKind.producer_group, payee_id=producer_group_id, limit=limit, cursor=cursor
    )


@router.get(
    "/producer-groups/{producer_group_id}/statement-lines",
    response_model=Page[StatementLineRead],
    responses=problem_responses(ProducerGroupNotFound, NotProducerCoordinator, InvalidCursor),
)
async def list_producer_statement_lines(
    producer_group_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    status: StatusQuery = LineFilter.waiting,
    import_id: ImportQuery = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[StatementLineRead]:
    """The producer group's lines waiting for a decision; or, by `status` and `import_id`, any of them."""
    return await service.list_lines(
        session,
        principal,
        payee_kind=PayeeKind.producer_group,
        payee_id=producer_group_id,
        status=status,
        import_id=import_id,
        limit=limit,
        cursor=cursor,
    )


@router.put(
    "/producer-groups/{producer_group_id}/statement-mapping",
    response_model=CsvMappingRead,
    responses=problem_responses(ProducerGroupNotFound, NotProducerCoordinator),
)
async def save_producer_statement_mapping(
    producer_group_id: UUID, body: CsvMappingWrite, session: DbSession, principal: CurrentUser
) -> CsvMappingRead:
    """Save where the producer group's bank puts each field in its CSV export."""
    saved = await service.save_mapping(
        session, principal, payee_kind=PayeeKind.producer_group, payee_id=producer_group_id, mapping=body
    )
    return service.mapping_read(saved)


@router.get(
    "/producer-groups/{producer_group_id}/statement-mapping",
    response_model=CsvMappingRead,
    responses=problem_responses(ProducerGroupNotFound, NotProducerCoordinator, errors.StatementMappingMissing),
)
async def read_producer_statement_mapping(
    producer_group_id: UUID, session: DbSession, principal: CurrentUser
) -> CsvMappingRead:
    """The producer group's saved CSV column mapping."""
    saved = await service.get_mapping(
        session, principal, payee_kind=PayeeKind.producer_group, payee_id=producer_group_id
    )
    return service.mapping_read(saved)


# An import and its lines, by id


@router.get(
    "/statement-imports/{import_id}",
    response_model=StatementImportRead,
    responses=problem_responses(errors.StatementImportNotFound),
)
async def read_statement_import(import_id: UUID, session: DbSession, principal: CurrentUser) -> StatementImportRead:
    """An uploaded statement and what reading it found."""
    return service.import_read(await service.get_import(session, principal, import_id=import_id))


@router.post(
    "/statement-imports/{import_id}/confirmations",
    response_model=BulkConfirmationRead,
    responses=problem_responses(
        errors.StatementImportNotFound,
        idempotency.IdempotencyKeyMissing,
        idempotency.IdempotencyKeyReused,
        idempotency.IdempotencyKeyInFlight,
    ),
)
async def confirm_statement_import(
    import_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> BulkConfirmationRead | JSONResponse:
    """Record every line of the statement that its reference matched; lines that cannot be recorded
    wait on, each with the problem it met."""
    claim = await idempotency.claim(
        session,
        key=idempotency_key,
        caller_id=principal.caller_id,
        route=f"POST /v1/statement-imports/{import_id}/confirmations",
        payload={},
        retention=idempotency.retention_of(settings),
    )
    if claim.replay is not None:
        return claim.replay
    result = await service.confirm_matched(session, principal, import_id=import_id)
    await idempotency.complete(session, claim, status=status.HTTP_200_OK, body=result.model_dump(mode="json"))
    return result


@router.get(
    "/statement-lines/{line_id}",
    response_model=StatementLineRead,
    responses=problem_responses(errors.StatementLineNotFound),
)
async def read_statement_line(line_id: UUID, session: DbSession, principal: CurrentUser) -> StatementLineRead:
    """A statement line, its match or suggestions, and how it was decided."""
    line = await service.get_line(session, principal, line_id=line_id)
    [read] = await service.line_reads(session, [line])
    return read


@router.post(
    "/statement-lines/{line_id}/confirmations",
    response_model=StatementLineRead,
    responses=problem_responses(*CONFIRM_PROBLEMS),
)
async def confirm_statement_line(
    line_id: UUID,
    body: LineConfirmationCreate,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> StatementLineRead | JSONResponse:
    """Record the line in the ledger: as matched, to the payer named, or as a household's credit.
    A line already confirmed is answered as it is: nothing is recorded twice."""
    claim = await idempotency.claim(
        session,
        key=idempotency_key,
        caller_id=principal.caller_id,
        route=f"POST /v1/statement-lines/{line_id}/confirmations",
        payload=body.model_dump(mode="json"),
        retention=idempotency.retention_of(settings),
    )
    if claim.replay is not None:
        return claim.replay
    line = await service.confirm_line(session, principal, line_id=line_id, decision=body)
    [read] = await service.line_reads(session, [line])
    await idempotency.complete(session, claim, status=status.HTTP_200_OK, body=read.model_dump(mode="json"))
    return read


@router.post(
    "/statement-lines/{line_id}/dismissal",
    response_model=StatementLineRead,
    responses=problem_responses(errors.StatementLineNotFound, errors.StatementLineAlreadyDecided),
)
async def dismiss_statement_line(
    line_id: UUID, body: DismissalCreate, session: DbSession, principal: CurrentUser
) -> StatementLineRead:
    """Set the line aside as no payment to the group (interest, a supplier's refund); it is kept."""
    line = await service.dismiss_line(session, principal, line_id=line_id, dismissal=body)
    [read] = await service.line_reads(session, [line])
    return read


@router.delete(
    "/statement-lines/{line_id}/dismissal",
    response_model=StatementLineRead,
    responses=problem_responses(errors.StatementLineNotFound, errors.StatementLineAlreadyDecided),
)
async def undo_statement_line_dismissal(line_id: UUID, session: DbSession, principal: CurrentUser) -> StatementLineRead:
    """Put a dismissed line back in the queue."""
    line = await service.undo_dismissal(session, principal, line_id=line_id)
    [read] = await service.line_reads(session, [line])
    return read
