"""Ending an agreement by mutual consent (principles 4 and 7): either side proposes what the producer
group gives back, and the cancellation is carried once each side's quorum of coordinators in office has
approved it. Carrying refunds the payers (payments), gives what was not delivered back to the plan and
marks the agreement cancelled (agreements' lifecycle), all under the agreement's lock, in one transaction.

The refund is bounded by what the producer group received and by the price of what it has not delivered
(harvests): produce delivered was grown and eaten, and is never refunded."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import events, policies
from app.agreements import repository as agreements_repository
from app.agreements.models import (
    Agreement,
    AgreementCancellation,
    CancellationApproval,
    CancellationStatus,
    Side,
)
from app.agreements.service import lifecycle
from app.cancellations.errors import (
    AgreementNotCancellable,
    CancellationAlreadyApproved,
    CancellationNoLongerApplies,
    CancellationNotFound,
    CancellationNotOpen,
    RefundAboveBound,
)
from app.cancellations.schemas import (
    CancellationApprovalRead,
    CancellationCreate,
    CancellationRead,
    Payer,
    PayerRefundRead,
)
from app.core import money
from app.core.db import utc_now
from app.core.errors import CurrencyMismatch
from app.core.pagination import paginate
from app.core.schemas import Page
from app.harvests.service import deliveries
from app.ledger.models import AccountKind
from app.payments import service as payments

# Proposing


async def propose(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, data: CancellationCreate
) -> CancellationRead:
    """A coordinator of either side proposes terms; their approval counts for their side. An open proposal
    is superseded by the new one, as a counter-proposal supersedes a version."""
    agreement = await policies.readable_agreement(session, principal, agreement_id, for_update=True)
    side = await policies.negotiating_side(session, principal, agreement)
    await policies.refuse_conflict_of_interest(session, principal, agreement, acting_for=side)
    _require_cancellable(agreement)
    if data.currency != agreement.currency:
        raise CurrencyMismatch(f"The agreement is priced in {agreement.currency}, not {data.currency}.")
    refund_minor = money.to_minor(data.refund_amount, data.currency)
    refund_max = await _refund_bound(session, agreement)
    if refund_minor > refund_max:
        raise RefundAboveBound(
            f"The producer group can give back at most {_text(refund_max, agreement)} {agreement.currency}: "
            "what it received, and no more than the price of what it has not delivered.",
            refund_max=_text(refund_max, agreement),
        )
    previous = await agreements_repository.open_cancellation(session, agreement.id)
    if previous is not None:
        previous.status = CancellationStatus.superseded
        previous.superseded_at = utc_now()
        await session.flush()  # before the new one: an agreement has one open proposal at a time
    cancellation = AgreementCancellation(
        agreement_id=agreement.id,
        proposed_by_side=side,
        proposed_by_user_id=principal.user_id,
        status=CancellationStatus.open,
        refund_minor=refund_minor,
    )
    session.add(cancellation)
    await session.flush()
    await _approve(session, principal, agreement, cancellation, side)
    await events.publish(
        session,
        agreement,
        "agreement.cancellation_proposed",
        cancellation={
            "id": str(cancellation.id),
            "proposed_by_side": str(side),
            "refund_amount": money.to_text(refund_minor, agreement.currency),
        },
    )
    return await _read(session, agreement, cancellation.id)


# Approving and carrying


async def approve(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, cancellation_id: UUID
) -> CancellationRead:
    """A coordinator of either side approves the open proposal for their side. The approval that brings
    both sides to their quorum carries it."""
    agreement = await policies.readable_agreement(session, principal, agreement_id, for_update=True)
    cancellation = await agreements_repository.get_cancellation(session, agreement.id, cancellation_id)
    if cancellation is None:
        raise CancellationNotFound(cancellation_id)
    side = await policies.negotiating_side(session, principal, agreement)
    await policies.refuse_conflict_of_interest(session, principal, agreement, acting_for=side)
    # Read under the agreement's lock: of two coordinators giving the last approval at once, the second
    # finds the cancellation carried already.
    if cancellation.status != CancellationStatus.open:
        raise CancellationNotOpen(
            f"The cancellation is {cancellation.status}; nothing waits for approval.", status=cancellation.status.value
        )
    _require_cancellable(agreement)
    if any(approval.user_id == principal.user_id for approval in cancellation.approvals):
        raise CancellationAlreadyApproved("You approved this cancellation already; another coordinator must approve.")
    await _approve(session, principal, agreement, cancellation, side)
    return await _read(session, agreement, cancellation.id)


async def _approve(
    session: AsyncSession, principal: Principal, agreement: Agreement, cancellation: AgreementCancellation, side: Side
) -> None:
    """Record the approval, and carry the cancellation if it is the one both sides' quorums still wanted.
    The terms are checked again first: a harvest or a payment since the proposal may have lowered the
    bound, and then nothing is recorded and the proposal stays open."""
    counts = {
        each: await agreements_repository.cancellation_approvals_in_office(session, cancellation.id, each)
        for each in Side
    }
    counts[side] += 1  # the approver coordinates the side now: negotiating_side found them in office
    carries = all([counts[each] >= await policies.side_quorum(session, agreement, each) for each in Side])
    remaining = await deliveries.undelivered(session, agreement) if carries else []
    if carries:
        refund_max = await _refund_bound(session, agreement, remaining)
        if cancellation.refund_minor > refund_max:
            raise CancellationNoLongerApplies(
                f"Since the proposal, the producer group may give back at most {_text(refund_max, agreement)} "
                f"{agreement.currency}, less than the {_text(cancellation.refund_minor, agreement)} proposed; "
                "propose new terms.",
                refund_max=_text(refund_max, agreement),
            )
    session.add(CancellationApproval(cancellation_id=cancellation.id, user_id=principal.user_id, side=side))
    await session.flush()
    if not carries:
        return
    refund = await payments.refund_cancelled(
        session, agreement, cancellation.refund_minor, recorded_by_user_id=principal.user_id
    )
    await lifecycle.cancel(
        session, agreement, undelivered_base={item.plan_item_id: item.quantity_base for item in remaining}
    )
    cancellation.status = CancellationStatus.carried
    cancellation.pool_minor = refund.pool_minor
    cancellation.refund_transaction_id = refund.transaction.id if refund.transaction else None
    cancellation.carried_at = utc_now()
    cancellation.carried_by_user_id = principal.user_id
    await session.flush()
    await events.publish(session, agreement, "agreement.cancelled")


def _require_cancellable(agreement: Agreement) -> None:
    status = lifecycle.effective_status(agreement)
    if status not in lifecycle.CANCELLABLE:
        raise AgreementNotCancellable(
            f"The agreement is {status}; only an agreed or active agreement is cancelled by mutual consent.",
            agreement_status=status.value,
        )


async def _refund_bound(
    session: AsyncSession, agreement: Agreement, remaining: list[deliveries.Undelivered] | None = None
) -> int:
    """What the producer group received, but no more than the price of what it has not delivered."""
    if remaining is None:
        remaining = await deliveries.undelivered(session, agreement)
    received = (await payments.holdings(session, agreement)).received_by_producer
    return max(0, min(received, sum(item.value_minor for item in remaining)))


# Reading


async def get_cancellation(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, cancellation_id: UUID
) -> CancellationRead:
    """A cancellation with who approved it and, once carried, what each payer got back; for both groups."""
    agreement = await policies.readable_agreement(session, principal, agreement_id)
    return await _read(session, agreement, cancellation_id)


async def list_cancellations(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, limit: int, cursor: str | None
) -> Page[CancellationRead]:
    """The agreement's cancellation proposals, oldest first, for both groups."""
    agreement = await policies.readable_agreement(session, principal, agreement_id)
    page = await paginate(
        session,
        agreements_repository.cancellations(agreement.id),
        created_at=AgreementCancellation.created_at,
        id_column=AgreementCancellation.id,
        limit=limit,
        cursor=cursor,
    )
    in_fund = (await payments.holdings(session, agreement)).in_group_fund
    return Page[CancellationRead](
        data=[await _cancellation_read(session, agreement, row, in_fund) for row in page.rows],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


async def _read(session: AsyncSession, agreement: Agreement, cancellation_id: UUID) -> CancellationRead:
    cancellation = await agreements_repository.get_cancellation(session, agreement.id, cancellation_id)
    if cancellation is None:
        raise CancellationNotFound(cancellation_id)
    in_fund = (await payments.holdings(session, agreement)).in_group_fund
    return await _cancellation_read(session, agreement, cancellation, in_fund)


def effective_status(cancellation: AgreementCancellation, agreement: Agreement) -> CancellationStatus:
    """An open proposal whose agreement ended otherwise (lapsed, completed) waits for nothing: it reads `void`."""
    if (
        cancellation.status == CancellationStatus.open
        and lifecycle.effective_status(agreement) not in lifecycle.CANCELLABLE
    ):
        return CancellationStatus.void
    return cancellation.status


async def _cancellation_read(
    session: AsyncSession, agreement: Agreement, cancellation: AgreementCancellation, in_fund: int
) -> CancellationRead:
    status = effective_status(cancellation, agreement)
    if status == CancellationStatus.carried:
        pool: int | None = cancellation.pool_minor
    elif status == CancellationStatus.open:
        pool = cancellation.refund_minor + in_fund
    else:
        pool = None
    refunds = (
        await payments.refunds_to_payers(session, agreement, cancellation.refund_transaction_id)
        if cancellation.refund_transaction_id
        else []
    )
    return CancellationRead(
        id=cancellation.id,
        agreement_id=agreement.id,
        agreement_status=lifecycle.effective_status(agreement),
        status=status,
        proposed_by_side=cancellation.proposed_by_side,
        proposed_by_user_id=cancellation.proposed_by_user_id,
        currency=agreement.currency,
        refund_amount=_text(cancellation.refund_minor, agreement),
        pool=None if pool is None else _text(pool, agreement),
        created_at=cancellation.created_at,
        carried_at=cancellation.carried_at,
        approvals=[CancellationApprovalRead.model_validate(approval) for approval in cancellation.approvals],
        refunds=[
            PayerRefundRead(
                payer=Payer.household if kind == AccountKind.household_paid else Payer.group,
                household_id=owner_id if kind == AccountKind.household_paid else None,
                amount=_text(amount, agreement),
            )
            for kind, owner_id, amount in refunds
        ],
    )


def _text(minor: int, agreement: Agreement) -> str:
    return money.to_text(minor, agreement.currency)
