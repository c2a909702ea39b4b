"""HTTP edge of advance payments and the ledger. Payments need an Idempotency-Key."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.dependencies import AppSettings, CurrentUser
from app.accounts.principal import Principal
from app.agreements.errors import AgreementNotFound
from app.core import idempotency
from app.core.config import Settings
from app.core.contract import set_location
from app.core.db import DbSession
from app.core.errors import CurrencyMismatch, DomainError, NotAuthenticated, problem_responses
from app.core.http import CSV_MEDIA_TYPE, prefers_csv
from app.core.money import InvalidAmount
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.groups.errors import GroupNotFound, HouseholdNotFound, NotCoordinator
from app.payments import credit, dues, errors, service
from app.payments.schemas import (
    CreditApplication,
    CreditDeposit,
    CreditMovementRead,
    CreditPayout,
    CreditRead,
    DuesRead,
    GroupCreditRead,
    HandedOnSettlement,
    KeptRefund,
    LedgerRead,
    PaymentCreate,
    PaymentRead,
    StatementRead,
)

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
        caller_id=principal.caller_id,
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


# Household credit

IDEMPOTENCY_PROBLEMS: tuple[type[DomainError], ...] = (
    idempotency.IdempotencyKeyMissing,
    idempotency.IdempotencyKeyReused,
    idempotency.IdempotencyKeyInFlight,
)
CREDIT = "/consumer-groups/{group_id}/households/{household_id}/credit"
CREDIT_PROBLEMS = (GroupNotFound, HouseholdNotFound, InvalidAmount, *IDEMPOTENCY_PROBLEMS)


@dataclass(frozen=True)
class CreditRequest:
    """What every movement of credit is answered with: one session, the caller, and its Idempotency-Key."""

    request: Request
    session: AsyncSession
    principal: Principal
    settings: Settings
    response: Response
    idempotency_key: str | None

    async def move(
        self, body: BaseModel, move: Callable[[], Awaitable[CreditMovementRead]]
    ) -> CreditMovementRead | JSONResponse:
        """A retry with the same Idempotency-Key returns the first answer and moves nothing."""
        path = self.request.url.path
        claim = await idempotency.claim(
            self.session,
            key=self.idempotency_key,
            caller_id=self.principal.caller_id,
            route=f"POST {path}",
            payload=body.model_dump(mode="json"),
            retention=idempotency.retention_of(self.settings),
        )
        # A movement has no address of its own: it is read in the household's credit.
        credit_path = path.rsplit("/", 1)[0]
        if claim.replay is not None:
            set_location(claim.replay, credit_path)
            return claim.replay
        set_location(self.response, credit_path)
        movement = await move()
        await idempotency.complete(
            self.session, claim, status=status.HTTP_201_CREATED, body=movement.model_dump(mode="json")
        )
        return movement


async def _credit_request(
    request: Request,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    response: Response,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> CreditRequest:
    return CreditRequest(request, session, principal, settings, response, idempotency_key)


CreditCall = Annotated[CreditRequest, Depends(_credit_request)]


def _credit_route(suffix: str, *problems: type[DomainError]) -> Callable[[Any], Any]:
    return router.post(
        f"{CREDIT}/{suffix}",
        status_code=status.HTTP_201_CREATED,
        response_model=CreditMovementRead,
        responses=problem_responses(*CREDIT_PROBLEMS, *problems),
    )


@router.get(
    CREDIT, response_model=CreditRead, responses=problem_responses(GroupNotFound, HouseholdNotFound, InvalidCursor)
)
async def read_household_credit(
    group_id: UUID,
    household_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> CreditRead:
    """The household's credit at the group, per currency, and its movements; for the household's members and
    the group's coordinators."""
    return await credit.household_credit(
        session, principal, group_id=group_id, household_id=household_id, limit=limit, cursor=cursor
    )


@router.get(
    "/consumer-groups/{group_id}/credit",
    response_model=GroupCreditRead,
    responses=problem_responses(GroupNotFound, NotCoordinator),
)
async def read_group_credit(group_id: UUID, session: DbSession, principal: CurrentUser) -> GroupCreditRead:
    """What the group holds as its households' credit, household by household; for its coordinators."""
    return await credit.group_credit(session, principal, group_id=group_id)


@_credit_route("deposits", NotCoordinator)
async def deposit_credit(
    group_id: UUID,
    household_id: UUID,
    body: CreditDeposit,
    call: CreditCall,
) -> CreditMovementRead | JSONResponse:
    """Record money a member household handed the group to keep as its credit; coordinators only."""
    return await call.move(
        body,
        lambda: credit.deposit(call.session, call.principal, group_id=group_id, household_id=household_id, data=body),
    )


@_credit_route("payouts", errors.HouseholdsOwnCredit, errors.InsufficientCredit)
async def pay_out_credit(
    group_id: UUID,
    household_id: UUID,
    body: CreditPayout,
    call: CreditCall,
) -> CreditMovementRead | JSONResponse:
    """Record credit the group handed back to the household; the household's own members, on receiving it."""
    return await call.move(
        body,
        lambda: credit.pay_out(call.session, call.principal, group_id=group_id, household_id=household_id, data=body),
    )


@_credit_route("kept-refunds", errors.HouseholdsOwnCredit, errors.RefundNotFound, errors.RefundNotThatLarge)
async def keep_refund_as_credit(
    group_id: UUID,
    household_id: UUID,
    body: KeptRefund,
    call: CreditCall,
) -> CreditMovementRead | JSONResponse:
    """Leave (part of) a refund of a lapsed or cancelled agreement at the group as credit, instead of taking it
    back; the household's own members only."""
    return await call.move(
        body,
        lambda: credit.keep_refund(
            call.session, call.principal, group_id=group_id, household_id=household_id, data=body
        ),
    )


@_credit_route(
    "applications",
    AgreementNotFound,
    errors.AgreementNotPayable,
    errors.NoSubscription,
    errors.NothingToApply,
    errors.InsufficientCredit,
    errors.Overpayment,
)
async def apply_credit(
    group_id: UUID,
    household_id: UUID,
    body: CreditApplication,
    call: CreditCall,
) -> CreditMovementRead | JSONResponse:
    """Pay the household's dues for one of the group's agreements from its credit; the household's members or a
    coordinator. It shows in the agreement's ledger as a `credit_applied` payment."""
    return await call.move(
        body,
        lambda: service.apply_credit(
            call.session, call.principal, group_id=group_id, household_id=household_id, data=body
        ),
    )


@_credit_route(
    "handed-on-settlements", NotCoordinator, AgreementNotFound, errors.SharesNotHandedOn, errors.SettlementTooLarge
)
async def settle_handed_on_shares(
    group_id: UUID,
    household_id: UUID,
    body: HandedOnSettlement,
    call: CreditCall,
) -> CreditMovementRead | JSONResponse:
    """The household that took over shares `household_id` handed on has paid the group what `household_id` had
    paid for them: `household_id` receives it as credit, and that payment now counts as the new holder's.
    Coordinators only, who received the money."""
    return await call.move(
        body,
        lambda: service.settle_handed_on_shares(
            call.session, call.principal, group_id=group_id, household_id=household_id, data=body
        ),
    )
