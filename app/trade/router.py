"""HTTP edge of cross-border trade orders. Orders and money-moving transitions need an Idempotency-Key;
only members of the buying and the selling organisation see an order."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.dependencies import AppSettings, CurrentUser
from app.catalogue.errors import (
    NoExchangeRate,
    NotOrganisationMember,
    PriceBelowMinimum,
    PriceNotPositive,
    ProductNotFound,
    TradingOrganisationNotFound,
)
from app.core import idempotency
from app.core.contract import replayed_id, set_location, sets_etag
from app.core.db import DbSession
from app.core.errors import ConflictOfInterest, DomainError, NotAuthenticated, problem_responses
from app.core.http import etag_for
from app.core.money import AmountTooLarge, InvalidAmount
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.quantity import InvalidQuantity
from app.core.routing import DomainRouter
from app.core.schemas import Page
from app.trade import errors
from app.trade.models import TradeOrderStatus, Transition
from app.trade.schemas import (
    PrefinancePaymentCreate,
    PrefinanceRequestCreate,
    Role,
    SettlementPaymentCreate,
    TradeOrderConfirmation,
    TradeOrderCreate,
    TradeOrderRead,
    TradeOrderSummary,
    TransitionNote,
)
from app.trade.service import lifecycle, payments, reading

router = DomainRouter(prefix="/trade-orders", tags=["trade orders"], responses=problem_responses(NotAuthenticated))

KEY_PROBLEMS = (
    idempotency.IdempotencyKeyMissing,
    idempotency.IdempotencyKeyReused,
    idempotency.IdempotencyKeyInFlight,
)


def transition_problems(*problems: type[DomainError], moves_money: bool = False) -> dict[int | str, dict[str, Any]]:
    """A transition that moves money refuses to run without an Idempotency-Key; the others take one if sent."""
    keys = KEY_PROBLEMS if moves_money else KEY_PROBLEMS[1:]
    return problem_responses(errors.TradeOrderNotFound, errors.IllegalTransition, ConflictOfInterest, *problems, *keys)


async def _idempotent(
    session: AsyncSession,
    principal: CurrentUser,
    *,
    key: str | None,
    retention: timedelta,
    required: bool,
    route: str,
    payload: Any,
    success_status: int,
    work: Callable[[], Awaitable[TradeOrderRead]],
) -> TradeOrderRead | JSONResponse:
    """Run `work` once per Idempotency-Key: a retry with the same key and body replays the first response.
    Without a key, a transition that moves no money simply runs."""
    if key is None and not required:
        return await work()
    claim = await idempotency.claim(
        session, key=key, caller_id=principal.caller_id, route=route, payload=payload, retention=retention
    )
    if claim.replay is not None:
        return claim.replay
    order = await work()
    await idempotency.complete(session, claim, status=success_status, body=order.model_dump(mode="json"))
    return order


def _route(order_id: UUID, transition: Transition) -> str:
    # The order and the transition are part of the key's scope: one key never replays another order's answer.
    return f"POST /v1/trade-orders/{order_id}/{transition.value}"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TradeOrderRead,
    responses=problem_responses(
        TradingOrganisationNotFound,
        NotOrganisationMember,
        ProductNotFound,
        errors.BuyerIsSeller,
        errors.DuplicateProduct,
        errors.ProductNotFromSeller,
        errors.MixedCurrencies,
        errors.BelowMinimumOrderQuantity,
        InvalidQuantity,
        ConflictOfInterest,
        *KEY_PROBLEMS,
    ),
)
async def place_trade_order(
    body: TradeOrderCreate,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    response: Response,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> TradeOrderRead | JSONResponse:
    """Order products of one seller for your organisation; the order waits for the seller to confirm."""
    placed = await _idempotent(
        session,
        principal,
        key=idempotency_key,
        retention=idempotency.retention_of(settings),
        required=True,
        route="POST /v1/trade-orders",
        payload=body.model_dump(mode="json"),
        success_status=status.HTTP_201_CREATED,
        work=lambda: lifecycle.place_order(session, principal, body),
    )
    if isinstance(placed, JSONResponse):
        set_location(placed, f"/v1/trade-orders/{replayed_id(placed)}")
    else:
        set_location(response, f"/v1/trade-orders/{placed.id}")
    return placed


@router.get("", response_model=Page[TradeOrderSummary], responses=problem_responses(InvalidCursor))
async def list_trade_orders(
    session: DbSession,
    principal: CurrentUser,
    status_filter: Annotated[TradeOrderStatus | None, Query(alias="status")] = None,
    role: Annotated[Role | None, Query(description="Only orders your organisations buy, or sell.")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[TradeOrderSummary]:
    """Trade orders of your organisations, oldest first."""
    return await reading.list_orders(session, principal, status=status_filter, role=role, limit=limit, cursor=cursor)


@router.get(
    "/{order_id}", response_model=TradeOrderRead, responses=problem_responses(errors.TradeOrderNotFound) | sets_etag()
)
async def read_trade_order(
    order_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> TradeOrderRead:
    """An order with its lines, prices, fixed rate, pre-finance, settlement, history and ledger."""
    order = await reading.read_order(session, principal, order_id=order_id)
    response.headers["ETag"] = etag_for(order)
    return order


@router.post(
    "/{order_id}/confirm",
    response_model=TradeOrderRead,
    responses=transition_problems(
        errors.NotSellerMember,
        errors.ProductNotInOrder,
        errors.DuplicateProduct,
        AmountTooLarge,
        PriceBelowMinimum,
        PriceNotPositive,
        NoExchangeRate,
        InvalidAmount,
    ),
)
async def confirm_trade_order(
    order_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    body: TradeOrderConfirmation | None = None,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> TradeOrderRead | JSONResponse:
    """The seller confirms the prices agreed with the buyer (never below a product's minimum price); a
    product left out keeps its listed price. When the buyer pays in another currency, the exchange rate in
    force today is fixed on the order now, and later rates change nothing."""
    confirmation = body or TradeOrderConfirmation()
    return await _idempotent(
        session,
        principal,
        key=idempotency_key,
        retention=idempotency.retention_of(settings),
        required=False,
        route=_route(order_id, Transition.confirm),
        payload=confirmation.model_dump(mode="json"),
        success_status=status.HTTP_200_OK,
        work=lambda: lifecycle.confirm(session, principal, order_id=order_id, confirmation=confirmation),
    )


@router.post(
    "/{order_id}/request-prefinance",
    response_model=TradeOrderRead,
    responses=transition_problems(errors.NotSellerMember, errors.PrefinanceAboveCeiling, errors.PrefinanceBelowMinimum),
)
async def request_trade_order_prefinance(
    order_id: UUID,
    body: PrefinanceRequestCreate,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> TradeOrderRead | JSONResponse:
    """The seller asks for pre-finance of `percent` of the order value (rounded down to the minor unit):
    1 to 100 under WFTO terms, 1 to 60 under Fairtrade terms (more is refused with 422). The order
    cannot ship until it is paid."""
    return await _idempotent(
        session,
        principal,
        key=idempotency_key,
        retention=idempotency.retention_of(settings),
        required=False,
        route=_route(order_id, Transition.request_prefinance),
        payload=body.model_dump(mode="json"),
        success_status=status.HTTP_200_OK,
        work=lambda: lifecycle.request_prefinance(
            session, principal, order_id=order_id, percent=body.percent, note=body.note
        ),
    )


@router.post(
    "/{order_id}/prefinance",
    response_model=TradeOrderRead,
    responses=transition_problems(
        errors.NotBuyerMember,
        errors.CurrencyMismatch,
        errors.PrefinanceBelowMinimum,
        errors.PrefinanceAboveRequest,
        InvalidAmount,
        moves_money=True,
    ),
)
async def pay_trade_order_prefinance(
    order_id: UUID,
    body: PrefinancePaymentCreate,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> TradeOrderRead | JSONResponse:
    """The buyer pays the requested pre-finance, in the order's currency, with an Idempotency-Key.
    Fairtrade terms: exactly the amount requested. WFTO terms: at least half the order value (rounded up)
    or the amount requested if that is less, and at most the amount requested."""
    return await _idempotent(
        session,
        principal,
        key=idempotency_key,
        retention=idempotency.retention_of(settings),
        required=True,
        route=_route(order_id, Transition.prefinance),
        payload=body.model_dump(mode="json"),
        success_status=status.HTTP_200_OK,
        work=lambda: payments.pay_prefinance(session, principal, order_id=order_id, payment=body),
    )


@router.post(
    "/{order_id}/ship",
    response_model=TradeOrderRead,
    responses=transition_problems(errors.NotSellerMember, errors.PrefinanceUnpaid),
)
async def ship_trade_order(
    order_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    body: TransitionNote | None = None,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> TradeOrderRead | JSONResponse:
    """The seller ships the goods, once any pre-finance it requested has been paid."""
    note = body or TransitionNote()
    return await _idempotent(
        session,
        principal,
        key=idempotency_key,
        retention=idempotency.retention_of(settings),
        required=False,
        route=_route(order_id, Transition.ship),
        payload=note.model_dump(mode="json"),
        success_status=status.HTTP_200_OK,
        work=lambda: lifecycle.ship(session, principal, order_id=order_id, note=note.note),
    )


@router.post(
    "/{order_id}/deliver",
    response_model=TradeOrderRead,
    responses=transition_problems(errors.NotBuyerMember),
)
async def deliver_trade_order(
    order_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    body: TransitionNote | None = None,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> TradeOrderRead | JSONResponse:
    """The buyer records that the goods arrived."""
    note = body or TransitionNote()
    return await _idempotent(
        session,
        principal,
        key=idempotency_key,
        retention=idempotency.retention_of(settings),
        required=False,
        route=_route(order_id, Transition.deliver),
        payload=note.model_dump(mode="json"),
        success_status=status.HTTP_200_OK,
        work=lambda: lifecycle.deliver(session, principal, order_id=order_id, note=note.note),
    )


@router.post(
    "/{order_id}/settle",
    response_model=TradeOrderRead,
    responses=transition_problems(errors.NotBuyerMember, moves_money=True),
)
async def settle_trade_order(
    order_id: UUID,
    body: SettlementPaymentCreate,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> TradeOrderRead | JSONResponse:
    """The buyer settles a delivered order, with an Idempotency-Key: the order value less the pre-finance
    recovered goes to the seller, and the premium, on top, into the producers' collective fund."""
    return await _idempotent(
        session,
        principal,
        key=idempotency_key,
        retention=idempotency.retention_of(settings),
        required=True,
        route=_route(order_id, Transition.settle),
        payload=body.model_dump(mode="json"),
        success_status=status.HTTP_200_OK,
        work=lambda: payments.settle(session, principal, order_id=order_id, payment=body),
    )


@router.post("/{order_id}/cancel", response_model=TradeOrderRead, responses=transition_problems())
async def cancel_trade_order(
    order_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    body: TransitionNote | None = None,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> TradeOrderRead | JSONResponse:
    """Either party cancels an order that has not shipped. Pre-finance already paid is refunded to the
    buyer, so that cancel needs an Idempotency-Key."""
    note = body or TransitionNote()
    return await _idempotent(
        session,
        principal,
        key=idempotency_key,
        retention=idempotency.retention_of(settings),
        required=False,
        route=_route(order_id, Transition.cancel),
        payload=note.model_dump(mode="json"),
        success_status=status.HTTP_200_OK,
        work=lambda: payments.cancel(
            session, principal, order_id=order_id, note=note.note, idempotency_key_sent=idempotency_key is not None
        ),
    )
