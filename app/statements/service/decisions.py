"""Deciding a statement line: confirming records it in the ledger once, however often it is confirmed or
by how many treasurers at once; dismissing sets it aside, and can be undone."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements.models import Agreement
from app.collection.models import PayeeKind, PayerKind
from app.core import money
from app.core.db import utc_now
from app.core.errors import DomainError
from app.payments import credit as payments_credit
from app.payments import service as payments
from app.payments.schemas import CreditDeposit, ExcessPayment, PaymentCreate, PaymentKind
from app.statements import repository
from app.statements.errors import (
    StatementImportNotFound,
    StatementLineAlreadyDecided,
    StatementLineNotAssignable,
    StatementLineNotFound,
    StatementLinePayerNeeded,
)
from app.statements.models import (
    ConfirmedAs,
    LineStatus,
    StatementLine,
)
from app.statements.policies import is_treasurer
from app.statements.schemas import (
    BulkConfirmationRead,
    DismissalCreate,
    LineConfirmationCreate,
    LineNotConfirmed,
)
from app.statements.service.representations import line_reads

# How a confirmed line's money moved, as the ledger records it.
METHOD = "bank_transfer"


# Deciding a line


async def _line_to_decide(session: AsyncSession, principal: Principal, line_id: UUID) -> StatementLine:
    """The line, its row locked after its payee's: every decision on a payee's lines takes the payee's lock
    first (as uploads do), so two treasurers deciding one line at once take turns, and the second finds it
    decided. Read again once locked, as the first may have changed it."""
    line = await repository.get_line(session, line_id)
    if line is None or not await is_treasurer(session, principal, line.payee_kind, line.payee_id, for_update=True):
        raise StatementLineNotFound(f"No statement line {line_id}.")
    locked = await repository.get_line(session, line_id, for_update=True)
    assert locked is not None
    return locked


async def confirm_line(
    session: AsyncSession, principal: Principal, *, line_id: UUID, decision: LineConfirmationCreate
) -> StatementLine:
    """Record the line in the ledger: as the payment it was matched to, to the payer the treasurer names,
    or as a household's credit. A line already confirmed is returned as it is, recording nothing again."""
    line = await _line_to_decide(session, principal, line_id)
    if line.status == LineStatus.confirmed:
        return line
    if line.status == LineStatus.dismissed:
        raise StatementLineAlreadyDecided("The line was dismissed; undo the dismissal to confirm it.")
    await _record(session, principal, line, decision)
    return line


async def _record(
    session: AsyncSession, principal: Principal, line: StatementLine, decision: LineConfirmationCreate
) -> None:
    if decision.as_credit:
        household_id = await _credited_household(line, decision)
        transaction_id = await _record_credit(session, principal, line, household_id)
        line.agreement_id, line.payer_kind, line.payer_id = None, PayerKind.household, household_id
        line.confirmed_as = ConfirmedAs.credit
    else:
        agreement, payer_kind, payer_id = await _payer(session, line, decision)
        transaction_id = await _record_payment(session, principal, line, agreement, payer_kind, payer_id, decision)
        line.agreement_id, line.payer_kind, line.payer_id = agreement.id, payer_kind, payer_id
        line.confirmed_as = ConfirmedAs.payment
    line.status = LineStatus.confirmed
    line.ledger_transaction_id = transaction_id
    line.decided_by = principal.user_id
    line.decided_at = utc_now()
    await session.flush()


async def _payer(
    session: AsyncSession, line: StatementLine, decision: LineConfirmationCreate
) -> tuple[Agreement, PayerKind, UUID]:
    """The payer the treasurer names, else the one the line's reference matched."""
    agreement_id = decision.agreement_id or line.agreement_id
    if agreement_id is None:
        raise StatementLinePayerNeeded(
            "The line matched no payer by reference: name agreement_id and payer_id (a suggestion's, or another)."
        )
    agreement = await session.get(Agreement, agreement_id)
    if agreement is None or _payee_of(agreement, line.payee_kind) != line.payee_id:
        raise StatementLineNotAssignable(f"Agreement {agreement_id} is not one of this group's agreements.")
    if line.payee_kind == PayeeKind.producer_group:
        # The one payer of an agreement to a producer group is its consumer group.
        if decision.payer_id not in (None, agreement.consumer_group_id):
            raise StatementLineNotAssignable("The agreement's payer is its consumer group.")
        return agreement, PayerKind.consumer_group, agreement.consumer_group_id
    payer_id = decision.payer_id if decision.agreement_id is not None else line.payer_id
    if payer_id is None:
        raise StatementLinePayerNeeded("Name the paying household: payer_id.")
    return agreement, PayerKind.household, payer_id


def _payee_of(agreement: Agreement, payee_kind: PayeeKind) -> UUID:
    """Who the agreement's payers of this kind pay: households their consumer group, it the producer group."""
    return agreement.consumer_group_id if payee_kind == PayeeKind.consumer_group else agreement.producer_group_id


async def _record_payment(
    session: AsyncSession,
    principal: Principal,
    line: StatementLine,
    agreement: Agreement,
    payer_kind: PayerKind,
    payer_id: UUID,
    decision: LineConfirmationCreate,
) -> UUID:
    household = payer_kind == PayerKind.household
    payment = PaymentCreate(
        kind=PaymentKind.household_to_group if household else PaymentKind.group_to_producer,
        household_id=payer_id if household else None,
        amount=money.to_text(line.amount_minor, line.currency),
        currency=line.currency,
        method=METHOD,
        reference=_ledger_reference(line),
        excess=decision.excess if household else ExcessPayment.refuse,
    )
    recorded = await payments.record_payment(session, principal, agreement_id=agreement.id, payment=payment)
    line.credit_transaction_id = recorded.credit_transaction.id if recorded.credit_transaction else None
    return recorded.transaction.id


def _ledger_reference(line: StatementLine) -> str:
    """What the ledger shows a reader: the payer's reference and the bank's id of the transfer."""
    parts = [part for part in (line.reference, line.bank_transaction_id) if part]
    return " / ".join(parts) or f"statement line {line.id}"


async def _credited_household(line: StatementLine, decision: LineConfirmationCreate) -> UUID:
    """Credit is a household's at its consumer group: a producer group keeps none."""
    if line.payee_kind != PayeeKind.consumer_group:
        raise StatementLineNotAssignable("Only a consumer group keeps credit, for its households.")
    household_id = decision.payer_id or (line.payer_id if line.payer_kind == PayerKind.household else None)
    if household_id is None:
        raise StatementLinePayerNeeded("Name the household to credit: payer_id.")
    return household_id


async def _record_credit(session: AsyncSession, principal: Principal, line: StatementLine, household_id: UUID) -> UUID:
    deposit = CreditDeposit(
        amount=money.to_text(line.amount_minor, line.currency),
        currency=line.currency,
        method=METHOD,
        reference=_ledger_reference(line),
    )
    recorded = await payments_credit.deposit(
        session, principal, group_id=line.payee_id, household_id=household_id, data=deposit
    )
    return recorded.transaction.id


async def dismiss_line(
    session: AsyncSession, principal: Principal, *, line_id: UUID, dismissal: DismissalCreate
) -> StatementLine:
    """Not a payment to the group (interest, a supplier's refund): kept, out of the queue, and can be undone."""
    line = await _line_to_decide(session, principal, line_id)
    if line.status == LineStatus.confirmed:
        raise StatementLineAlreadyDecided("The line is recorded in the ledger; it cannot be dismissed.")
    if line.status != LineStatus.dismissed:
        line.status = LineStatus.dismissed
        line.dismissal_reason = dismissal.reason
        line.decided_by = principal.user_id
        line.decided_at = utc_now()
        await session.flush()
    return line


async def undo_dismissal(session: AsyncSession, principal: Principal, *, line_id: UUID) -> StatementLine:
    """The line waits again, as it was matched when read."""
    line = await _line_to_decide(session, principal, line_id)
    if line.status == LineStatus.confirmed:
        raise StatementLineAlreadyDecided("The line is recorded in the ledger; it was never dismissed.")
    if line.status == LineStatus.dismissed:
        line.status = (
            LineStatus.matched
            if line.agreement_id is not None
            else LineStatus.suggested
            if line.suggestions
            else LineStatus.unmatched
        )
        line.dismissal_reason = line.decided_by = line.decided_at = None
        await session.flush()
    return line


async def confirm_matched(session: AsyncSession, principal: Principal, *, import_id: UUID) -> BulkConfirmationRead:
    """Confirm every line of the import its reference matched, each as its own savepoint: a line that
    cannot be recorded (more than is owed, an agreement that takes no payment now) waits on, with the
    problem it met, and the others are recorded."""
    statement_import = await repository.get_import(session, import_id)
    if statement_import is None or not await is_treasurer(
        session, principal, statement_import.payee_kind, statement_import.payee_id, for_update=True
    ):
        raise StatementImportNotFound(f"No statement import {import_id}.")
    confirmed: list[StatementLine] = []
    not_confirmed: list[LineNotConfirmed] = []
    for line in await repository.matched_lines_for_update(session, import_id):
        try:
            async with session.begin_nested():
                await _record(session, principal, line, LineConfirmationCreate())
        except DomainError as error:
            await session.refresh(line)
            not_confirmed.append(LineNotConfirmed(line_id=line.id, code=error.code, detail=error.detail))
            continue
        confirmed.append(line)
    return BulkConfirmationRead(
        import_id=import_id, confirmed=await line_reads(session, confirmed), not_confirmed=not_confirmed
    )
