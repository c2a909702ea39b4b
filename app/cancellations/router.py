"""HTTP edge of cancelling an agreement by mutual consent. Proposing and approving may move money, so
both need an Idempotency-Key, as payments do."""

from uuid import UUID

from fastapi import Response, status
from fastapi.responses import JSONResponse

from app.accounts.dependencies import AppSettings, CurrentUser
from app.agreements.errors import AgreementNotFound, NotPartyCoordinator
from app.cancellations import errors, service
from app.cancellations.schemas import CancellationCreate, CancellationRead
from app.core import idempotency
from app.core.contract import replayed_id, set_location
from app.core.db import DbSession
from app.core.errors import ConflictOfInterest, CurrencyMismatch, NotAuthenticated, problem_responses
from app.core.money import InvalidAmount
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import Page

router = DomainRouter(
    prefix="/agreements", tags=["agreement cancellations"], responses=problem_responses(NotAuthenticated)
)

IDEMPOTENCY_PROBLEMS = (
    idempotency.IdempotencyKeyMissing,
    idempotency.IdempotencyKeyReused,
    idempotency.IdempotencyKeyInFlight,
)


@router.post(
    "/{agreement_id}/cancellations",
    status_code=status.HTTP_201_CREATED,
    response_model=CancellationRead,
    responses=problem_responses(
        AgreementNotFound,
        NotPartyCoordinator,
        ConflictOfInterest,
        errors.AgreementNotCancellable,
        errors.RefundAboveBound,
        errors.CancellationNoLongerApplies,
        CurrencyMismatch,
        InvalidAmount,
        *IDEMPOTENCY_PROBLEMS,
    ),
)
async def propose_cancellation(
    agreement_id: UUID,
    body: CancellationCreate,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    response: Response,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> CancellationRead | JSONResponse:
    """Propose ending an agreed or active agreement, with what the producer group gives back. Your approval
    counts for your side; an open proposal is superseded. Retrying with the same Idempotency-Key and body
    returns the first response and proposes nothing new."""
    claim = await idempotency.claim(
        session,
        key=idempotency_key,
        caller_id=principal.caller_id,
        route=f"POST /v1/agreements/{agreement_id}/cancellations",
        payload=body.model_dump(mode="json"),
        retention=idempotency.retention_of(settings),
    )
    if claim.replay is not None:
        set_location(claim.replay, f"/v1/agreements/{agreement_id}/cancellations/{replayed_id(claim.replay)}")
        return claim.replay
    cancellation = await service.propose(session, principal, agreement_id=agreement_id, data=body)
    set_location(response, f"/v1/agreements/{agreement_id}/cancellations/{cancellation.id}")
    await idempotency.complete(
        session, claim, status=status.HTTP_201_CREATED, body=cancellation.model_dump(mode="json")
    )
    return cancellation


@router.get(
    "/{agreement_id}/cancellations",
    response_model=Page[CancellationRead],
    responses=problem_responses(AgreementNotFound, InvalidCursor),
)
async def list_cancellations(
    agreement_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[CancellationRead]:
    """The agreement's cancellation proposals, oldest first, for its two groups."""
    return await service.list_cancellations(session, principal, agreement_id=agreement_id, limit=limit, cursor=cursor)


@router.get(
    "/{agreement_id}/cancellations/{cancellation_id}",
    response_model=CancellationRead,
    responses=problem_responses(AgreementNotFound, errors.CancellationNotFound),
)
async def read_cancellation(
    agreement_id: UUID, cancellation_id: UUID, session: DbSession, principal: CurrentUser
) -> CancellationRead:
    """A cancellation with who approved it for which side and, once carried, what each payer got back."""
    return await service.get_cancellation(
        session, principal, agreement_id=agreement_id, cancellation_id=cancellation_id
    )


@router.post(
    "/{agreement_id}/cancellations/{cancellation_id}/acceptances",
    response_model=CancellationRead,
    responses=problem_responses(
        AgreementNotFound,
        errors.CancellationNotFound,
        NotPartyCoordinator,
        ConflictOfInterest,
        errors.CancellationNotOpen,
        errors.AgreementNotCancellable,
        errors.CancellationAlreadyApproved,
        errors.CancellationNoLongerApplies,
        *IDEMPOTENCY_PROBLEMS,
    ),
)
async def accept_cancellation(
    agreement_id: UUID,
    cancellation_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> CancellationRead | JSONResponse:
    """Approve the open cancellation for your side. Once both sides' quorums of coordinators in office have
    approved, the agreement is cancelled and the payers refunded, in proportion to what each paid."""
    claim = await idempotency.claim(
        session,
        key=idempotency_key,
        caller_id=principal.caller_id,
        route=f"POST /v1/agreements/{agreement_id}/cancellations/{cancellation_id}/acceptances",
        payload={},
        retention=idempotency.retention_of(settings),
    )
    if claim.replay is not None:
        return claim.replay
    cancellation = await service.approve(session, principal, agreement_id=agreement_id, cancellation_id=cancellation_id)
    await idempotency.complete(session, claim, status=status.HTTP_200_OK, body=cancellation.model_dump(mode="json"))
    return cancellation
