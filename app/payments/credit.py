"""Household credit: money a consumer group holds for one of its households, to spend on later dues or to
hand back. It is a ledger balance on the group's own ledger, never a number typed in.

On that ledger each household has a `household_credit` account (its balance is minus the household's credit,
as a household's payments are on an agreement's ledger) and the group a `credit_fund` holding all of it.
Credit comes from money paid in beyond a due (at a coordinator's choice), from a refund the household leaves
at the group, and from a settlement of shares handed on; it goes to an agreement's dues or back to the
household. A movement that crosses to an agreement's ledger is two transactions, the later naming the
earlier as its counterpart.

Every movement locks the household's row first, so two of them never spend the same credit twice; paths
that also change an agreement lock the household before the agreement, on every path."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts.principal import Principal
from app.agreements.models import Agreement
from app.core import money
from app.core.pagination import paginate
from app.groups import policies as groups_policies
from app.groups import repository as groups_repository
from app.groups.errors import GroupNotFound, HouseholdNotFound, NotCoordinator
from app.groups.models import ConsumerGroup, Household
from app.ledger import service as ledger
from app.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction
from app.payments.errors import HouseholdsOwnCredit, InsufficientCredit, RefundNotFound, RefundNotThatLarge
from app.payments.schemas import (
    CreditBalance,
    CreditDeposit,
    CreditMovementRead,
    CreditPayout,
    CreditRead,
    GroupCreditRead,
    HouseholdCredit,
    KeptRefund,
    TransactionRead,
)

REFUND_KINDS = ("lapse_refund", "cancellation_refund")


# Who may act


async def group_of(session: AsyncSession, principal: Principal, group_id: UUID) -> ConsumerGroup:
    group = await groups_repository.get_group(session, group_id)
    if group is None or not principal.reaches(group_id):
        raise GroupNotFound(group_id)
    return group


async def require_treasurer(session: AsyncSession, principal: Principal, group: ConsumerGroup) -> None:
    """Money handed over in person or by transfer is recorded by a coordinator, who received or paid it."""
    if not await groups_repository.is_coordinator(session, principal.user_id, group.id):
        raise NotCoordinator(f"Only a coordinator of '{group.name}' records credit paid in or out.")


async def require_own_household(session: AsyncSession, principal: Principal, household_id: UUID) -> None:
    """Money that is the household's leaves it only by its own members' hand, never by a coordinator's alone."""
    if not await groups_repository.user_belongs_to_household(session, principal.user_id, household_id):
        raise HouseholdsOwnCredit("Only a member of the household records this; a coordinator cannot do it for it.")


async def locked_household(
    session: AsyncSession, principal: Principal, group: ConsumerGroup, household_id: UUID
) -> Household:
    """The household, locked, for whoever acts for it at this group: its members and the group's coordinators.
    A household that has left keeps its credit there, so membership is not required."""
    household = await groups_repository.get_household_for_update(session, household_id)
    if household is None or not await groups_policies.acts_for_household_at(session, principal, group.id, household_id):
        raise HouseholdNotFound(household_id, of_yours=False)
    return household


# The group's credit ledger


async def credit_account(session: AsyncSession, group_id: UUID, household_id: UUID, currency: str) -> LedgerAccount:
    return await ledger.account(
        session, consumer_group_id=group_id, kind=AccountKind.household_credit, owner_id=household_id, currency=currency
    )


async def fund_account(session: AsyncSession, group_id: UUID, currency: str) -> LedgerAccount:
    return await ledger.account(
        session, consumer_group_id=group_id, kind=AccountKind.credit_fund, owner_id=group_id, currency=currency
    )


async def credit_of(session: AsyncSession, group_id: UUID, household_id: UUID, currency: str) -> int:
    """The household's credit at the group, in minor units; 0 when it never had any."""
    statement = (
        select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerAccount.consumer_group_id == group_id,
            LedgerAccount.kind == AccountKind.household_credit,
            LedgerAccount.owner_id == household_id,
            LedgerAccount.currency == currency,
        )
    )
    return -int(await session.scalar(statement) or 0)


async def post_credit(
    session: AsyncSession,
    *,
    group_id: UUID,
    household_id: UUID,
    currency: str,
    amount: int,
    kind: str,
    recorded_by: UUID,
    method: str | None = None,
    reference: str | None = None,
    counterpart_id: UUID | None = None,
) -> LedgerTransaction:
    """Credit in (`amount` > 0) or out (`amount` < 0). The caller holds the household's lock and has checked
    that what goes out is there."""
    account = await credit_account(session, group_id, household_id, currency)
    fund = await fund_account(session, group_id, currency)
    return await ledger.post(
        session,
        consumer_group_id=group_id,
        kind=kind,
        legs=[(account, -amount), (fund, amount)],
        method=method,
        reference=reference,
        recorded_by_user_id=recorded_by,
        counterpart_id=counterpart_id,
    )


async def movement_read(
    session: AsyncSession,
    transaction: LedgerTransaction,
    *,
    household_id: UUID,
    currency: str,
    counterpart: LedgerTransaction | None = None,
) -> CreditMovementRead:
    assert transaction.consumer_group_id is not None
    ids = [entry.account_id for entry in transaction.entries]
    ids += [entry.account_id for entry in counterpart.entries] if counterpart is not None else []
    accounts = await ledger.accounts_by_id(session, ids)
    amount = -sum(
        entry.amount_minor for entry in transaction.entries if accounts[entry.account_id].owner_id == household_id
    )
    return CreditMovementRead(
        household_id=household_id,
        consumer_group_id=transaction.consumer_group_id,
        currency=currency,
        amount=money.to_text(amount, currency),
        credit=money.to_text(await credit_of(session, transaction.consumer_group_id, household_id, currency), currency),
        transaction=TransactionRead.of(transaction, accounts, currency),
        counterpart=TransactionRead.of(counterpart, accounts, currency) if counterpart is not None else None,
    )


# Paid in and out by hand


async def deposit(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID, data: CreditDeposit
) -> CreditMovementRead:
    """Money a household hands its group to keep as credit (a transfer with nothing owed, an advance on next
    season), recorded by a coordinator. The household must belong to the group."""
    group = await group_of(session, principal, group_id)
    await require_treasurer(session, principal, group)
    await locked_household(session, principal, group, household_id)
    if await groups_repository.get_membership(session, group.id, household_id) is None:
        raise HouseholdNotFound(household_id, of_yours=False)
    amount = _positive(data.amount, data.currency)
    transaction = await post_credit(
        session,
        group_id=group.id,
        household_id=household_id,
        currency=data.currency,
        amount=amount,
        kind="credit_deposit",
        recorded_by=principal.user_id,
        method=data.method,
        reference=data.reference,
    )
    return await movement_read(session, transaction, household_id=household_id, currency=data.currency)


async def pay_out(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID, data: CreditPayout
) -> CreditMovementRead:
    """The group hands a household back (some of) its credit. The household's own member records it, on receiving
    it: a coordinator alone could otherwise empty any household's credit into their own pocket."""
    group = await group_of(session, principal, group_id)
    await locked_household(session, principal, group, household_id)
    await require_own_household(session, principal, household_id)
    amount = _positive(data.amount, data.currency)
    await require_credit(session, group.id, household_id, data.currency, amount)
    transaction = await post_credit(
        session,
        group_id=group.id,
        household_id=household_id,
        currency=data.currency,
        amount=-amount,
        kind="credit_payout",
        recorded_by=principal.user_id,
        method=data.method,
        reference=data.reference,
    )
    return await movement_read(session, transaction, household_id=household_id, currency=data.currency)


async def require_credit(session: AsyncSession, group_id: UUID, household_id: UUID, currency: str, amount: int) -> None:
    available = await credit_of(session, group_id, household_id, currency)
    if amount > available:
        raise InsufficientCredit(
            f"The household's credit is {money.to_text(available, currency)} {currency}.",
            credit=money.to_text(available, currency),
        )


def _positive(amount_text: str, currency: str) -> int:
    amount = money.to_minor(amount_text, currency)
    if amount <= 0:
        raise money.InvalidAmount("An amount of credit is more than zero.")
    return amount


# A refund left at the group


async def keep_refund(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID, data: KeptRefund
) -> CreditMovementRead:
    """What a lapsed or cancelled agreement refunded the household stays at the group as credit instead of
    being handed back: at most what that refund gave the household, less what it already kept of it."""
    group = await group_of(session, principal, group_id)
    await locked_household(session, principal, group, household_id)
    # The refund is owed to the household: leaving it with the group is the household's choice alone.
    await require_own_household(session, principal, household_id)
    refund, agreement = await _refund_of_group(session, group.id, data.transaction_id)
    currency = agreement.currency
    available = await _refunded_to(session, refund, household_id) - await _already_kept(
        session, refund.id, household_id
    )
    amount = _positive(data.amount, currency) if data.amount is not None else available
    if available <= 0 or amount > available:
        raise RefundNotThatLarge(
            f"Of this refund, {money.to_text(max(0, available), currency)} {currency} is left to keep as credit.",
            available=money.to_text(max(0, available), currency),
        )
    transaction = await post_credit(
        session,
        group_id=group.id,
        household_id=household_id,
        currency=currency,
        amount=amount,
        kind="credit_refund_kept",
        recorded_by=principal.user_id,
        counterpart_id=refund.id,
    )
    return await movement_read(session, transaction, household_id=household_id, currency=currency, counterpart=refund)


async def _refund_of_group(
    session: AsyncSession, group_id: UUID, transaction_id: UUID
) -> tuple[LedgerTransaction, Agreement]:
    statement = (
        select(LedgerTransaction, Agreement)
        .join(Agreement, Agreement.id == LedgerTransaction.agreement_id)
        .where(
            LedgerTransaction.id == transaction_id,
            LedgerTransaction.kind.in_(REFUND_KINDS),
            Agreement.consumer_group_id == group_id,
        )
        .options(selectinload(LedgerTransaction.entries))
    )
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise RefundNotFound(f"No refund {transaction_id} of an agreement of this group.")
    return row[0], row[1]


async def _refunded_to(session: AsyncSession, refund: LedgerTransaction, household_id: UUID) -> int:
    accounts = await ledger.accounts_by_id(session, [entry.account_id for entry in refund.entries])
    return sum(
        entry.amount_minor
        for entry in refund.entries
        if accounts[entry.account_id].kind == AccountKind.household_paid
        and accounts[entry.account_id].owner_id == household_id
    )


async def _already_kept(session: AsyncSession, refund_id: UUID, household_id: UUID) -> int:
    statement = (
        select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerTransaction.counterpart_id == refund_id,
            LedgerTransaction.kind == "credit_refund_kept",
            LedgerAccount.kind == AccountKind.household_credit,
            LedgerAccount.owner_id == household_id,
        )
    )
    return -int(await session.scalar(statement) or 0)


# Reading


async def household_credit(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID, limit: int, cursor: str | None
) -> CreditRead:
    """For the household's members and the group's coordinators."""
    group = await group_of(session, principal, group_id)
    if not await groups_policies.acts_for_household_at(session, principal, group.id, household_id):
        raise HouseholdNotFound(household_id, of_yours=False)
    accounts = (
        await session.scalars(
            select(LedgerAccount).where(
                LedgerAccount.consumer_group_id == group.id,
                LedgerAccount.kind == AccountKind.household_credit,
                LedgerAccount.owner_id == household_id,
            )
        )
    ).all()
    touching = select(LedgerEntry.transaction_id).where(LedgerEntry.account_id.in_([a.id for a in accounts]))
    page = await paginate(
        session,
        select(LedgerTransaction)
        .where(LedgerTransaction.id.in_(touching))
        .options(selectinload(LedgerTransaction.entries)),
        created_at=LedgerTransaction.created_at,
        id_column=LedgerTransaction.id,
        limit=limit,
        cursor=cursor,
    )
    transactions: Sequence[LedgerTransaction] = page.rows
    named = await ledger.accounts_by_id(
        session, [entry.account_id for transaction in transactions for entry in transaction.entries]
    )
    return CreditRead(
        data=[TransactionRead.of(transaction, named, transaction.entries[0].currency) for transaction in transactions],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
        household_id=household_id,
        consumer_group_id=group.id,
        balances=[
            CreditBalance(currency=account.currency, credit=money.to_text(credit, account.currency))
            for account, credit in await _credits(session, group.id, household_id=household_id)
        ],
    )


async def group_credit(session: AsyncSession, principal: Principal, *, group_id: UUID) -> GroupCreditRead:
    """Every household's credit at the group, for its coordinators: what the group holds and owes back."""
    group = await group_of(session, principal, group_id)
    await require_treasurer(session, principal, group)
    credits = await _credits(session, group.id)
    names = dict(
        (
            await session.execute(
                select(Household.id, Household.name).where(Household.id.in_([a.owner_id for a, _ in credits]))
            )
        ).all()
    )
    totals: dict[str, int] = {}
    for account, credit in credits:
        totals[account.currency] = totals.get(account.currency, 0) + credit
    return GroupCreditRead(
        consumer_group_id=group.id,
        households=[
            HouseholdCredit(
                household_id=account.owner_id,
                household_name=names.get(account.owner_id, ""),
                currency=account.currency,
                credit=money.to_text(credit, account.currency),
            )
            for account, credit in sorted(credits, key=lambda row: (names.get(row[0].owner_id, ""), row[0].currency))
            if credit != 0
        ],
        totals=[
            CreditBalance(currency=currency, credit=money.to_text(total, currency))
            for currency, total in sorted(totals.items())
        ],
    )


async def _credits(
    session: AsyncSession, group_id: UUID, *, household_id: UUID | None = None
) -> list[tuple[LedgerAccount, int]]:
    """The group's household credit accounts (one household's, if given), each with its credit, in one query."""
    statement = (
        select(LedgerAccount, func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .outerjoin(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.consumer_group_id == group_id, LedgerAccount.kind == AccountKind.household_credit)
        .group_by(LedgerAccount.id)
        .order_by(LedgerAccount.currency)
    )
    if household_id is not None:
        statement = statement.where(LedgerAccount.owner_id == household_id)
    return [(row[0], -int(row[1])) for row in (await session.execute(statement)).all()]
