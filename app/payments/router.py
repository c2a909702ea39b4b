"""HTTP edge of advance payments and the ledger. Payments need an Idempotency-Key."""

from uuid import UUID

from fastapi import Request, Response, status
from fastapi.responses import JSONResponse

from app.accounts.dependencies import AppSettings, CurrentUser
from app.agreements.errors import AgreementNotFound
from app.core import idempotency
from app.core.contract import set_location
from app.core.db import DbSession
from app.core.errors import CurrencyMismatch, NotAuthenticated, problem_responses
from app.core.http import CSV_MEDIA_TYPE, prefers_csv
from app.core.money import InvalidAmount
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.groups.errors import HouseholdNotFound, NotCoordinator
from app.payments import dues, errors, service
from app.payments.schemas import DuesRead, LedgerRead, PaymentCreate, PaymentRead, StatementRead

CSV_MAX_LENGTH = 5_000_000
DUES_CSV_EXAMPLE = (
    "household,household_id,shares,amount_due,paid,outstanding\r\n"
    "Araya,5b0d6f8e-2c4a-4c1e-9a57-3f2d8e1b7c90,2,12300.00,4000.00,8300.00\r\n"
    "Total,,2,12300.00,4000.00,8300.00\r\n"
)

router = DomainRouter(tags=["payments"], responses=problem_responses(NotAuthenticated))


@router.post(
    "/agreements/{agreement_id}/payments",
    status_code=status.HTTP_201_CREATED,
    response_model=PaymentRead,
    responses=problem_responses(
        AgreementNotFound,
        errors.AgreementNotPayable,
        CurrencyMismatch,
        errors.NoSubscription,
        errors.Overpayment,
        errors.NotPermittedToPay,
        NotCoordinator,
        InvalidAmount,
        idempotency.IdempotencyKeyMissing,
        idempotency.IdempotencyKeyReused,
        idempotency.IdempotencyKeyInFlight,
    ),
)
async def record_payment(
    agreement_id: UUID,
    body: PaymentCreate,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    response: Response,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> PaymentRead | JSONResponse:
    """Record an advance payment: a household to its group, or the group to the producer group.
    Retrying with the same Idempotency-Key and body returns the first response and records nothing new."""
    claim = await idempotency.claim(
        session,
        key=idempotency_key,
        caller_id=principal.user_id,
        route=f"POST /v1/agreements/{agreement_id}/payments",
        payload=body.model_dump(mode="json"),
        retention=idempotency.retention_of(settings),
    )
    # A payment has no address of its own: it is read in the agreement's ledger.
    ledger = f"/v1/agreements/{agreement_id}/ledger"
    if claim.replay is not None:
        set_location(claim.replay, ledger)
        return claim.replay
    set_location(response, ledger)
    payment = await service.record_payment(session, principal, agreement_id=agreement_id, payment=body)
    await idempotency.complete(session, claim, status=status.HTTP_201_CREATED, body=payment.model_dump(mode="json"))
    return payment


@router.get(
    "/agreements/{agreement_id}/ledger",
    response_model=LedgerRead,
    responses=problem_responses(AgreementNotFound, InvalidCursor),
)
async def read_agreement_ledger(
    agreement_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> LedgerRead:
    """Where every unit of the agreement's money went, for its two groups: its transactions page by page in
    the order they were recorded, and on every page the balances and totals of all of them."""
    return await service.agreement_ledger(session, principal, agreement_id=agreement_id, limit=limit, cursor=cursor)


@router.get(
    "/households/{household_id}/statement",
    response_model=StatementRead,
    responses=problem_responses(HouseholdNotFound, InvalidCursor),
)
async def read_household_statement(
    household_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> StatementRead:
    """Your household's shares, dues, payments and refunds, agreement by agreement, in the order it subscribed."""
    return await service.household_statement(session, principal, household_id=household_id, limit=limit, cursor=cursor)


@router.get(
    "/agreements/{agreement_id}/dues",
    response_model=DuesRead,
    responses={
        200: {
            "description": "The dues as JSON, or as CSV (one row per household, then the total) with "
            "`Accept: text/csv`.",
            "content": {
                CSV_MEDIA_TYPE: {
                    "schema": {"type": "string", "maxLength": CSV_MAX_LENGTH},
                    "example": DUES_CSV_EXAMPLE,
                }
            },
        },
        **problem_responses(AgreementNotFound, NotCoordinator),
    },
)
async def read_agreement_dues(
    agreement_id: UUID, session: DbSession, principal: CurrentUser, request: Request, response: Response
) -> DuesRead | Response:
    """For the consumer group's coordinators: what each household has paid and still owes, the shares the
    group pays for itself, what the producer group is still owed, and the days left to the due date."""
    read = await dues.agreement_dues(session, principal, agreement_id=agreement_id)
    if prefers_csv(request.headers.get("accept")):
        return Response(
            dues.as_csv(read),
            media_type=CSV_MEDIA_TYPE,
            headers={"Vary": "Accept", "Content-Disposition": f'attachment; filename="dues-{agreement_id}.csv"'},
        )
    response.headers["Vary"] = "Accept"
    return read
