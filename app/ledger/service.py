"""Posting to the double-entry ledger and reading balances. Entries are only ever added."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction


class UnbalancedTransaction(ValueError):
    """A programming error: a transaction whose entries do not sum to zero is never stored."""


async def account(
    session: AsyncSession, *, agreement_id: UUID, kind: AccountKind, owner_id: UUID, currency: str
) -> LedgerAccount:
    """The account, created on first use. Callers hold the agreement's row lock, so two requests
    cannot create the same account at once (a unique constraint backs this)."""
    statement = select(LedgerAccount).where(
        LedgerAccount.agreement_id == agreement_id,
        LedgerAccount.kind == kind,
        LedgerAccount.owner_id == owner_id,
        LedgerAccount.currency == currency,
    )
    found = await session.scalar(statement)
    if found is not None:
        return found
    created = LedgerAccount(agreement_id=agreement_id, kind=kind, owner_id=owner_id, currency=currency)
    session.add(created)
    await session.flush()
    return created


async def post(
    session: AsyncSession,
    *,
    agreement_id: UUID,
    kind: str,
    legs: Sequence[tuple[LedgerAccount, int]],
    method: str | None = None,
    reference: str | None = None,
    recorded_by_user_id: UUID | None = None,
) -> LedgerTransaction:
    """Record one transaction; its legs must sum to zero in each currency. Zero legs are left out."""
    legs = [(leg_account, amount) for leg_account, amount in legs if amount != 0]
    for currency in {leg_account.currency for leg_account, _ in legs}:
        if sum(amount for leg_account, amount in legs if leg_account.currency == currency) != 0:
            raise UnbalancedTransaction(f"{kind}: entries in {currency} do not sum to zero")
    transaction = LedgerTransaction(
        agreement_id=agreement_id,
        kind=kind,
        method=method,
        reference=reference,
        recorded_by_user_id=recorded_by_user_id,
        entries=[
            LedgerEntry(
                account_id=leg_account.id, position=position, amount_minor=amount, currency=leg_account.currency
            )
            for position, (leg_account, amount) in enumerate(legs)
        ],
    )
    session.add(transaction)
    await session.flush()
    return transaction


async def balance(session: AsyncSession, account_id: UUID) -> int:
    statement = select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(LedgerEntry.account_id == account_id)
    return int(await session.scalar(statement) or 0)


async def accounts_with_balances(session: AsyncSession, agreement_id: UUID) -> list[tuple[LedgerAccount, int]]:
    statement = (
        select(LedgerAccount, func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .outerjoin(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.agreement_id == agreement_id)
        .group_by(LedgerAccount.id)
        .order_by(LedgerAccount.created_at, LedgerAccount.id)
    )
    return [(row[0], int(row[1])) for row in (await session.execute(statement)).all()]


async def transactions(
    session: AsyncSession, agreement_id: UUID, *, account_ids: Sequence[UUID] | None = None
) -> Sequence[LedgerTransaction]:
    """The agreement's transactions, oldest first, optionally only those touching some accounts."""
    statement = select(LedgerTransaction).where(LedgerTransaction.agreement_id == agreement_id)
    if account_ids is not None:
        touching = select(LedgerEntry.transaction_id).where(LedgerEntry.account_id.in_(account_ids))
        statement = statement.where(LedgerTransaction.id.in_(touching))
    statement = statement.options(selectinload(LedgerTransaction.entries))
    return (await session.scalars(statement.order_by(LedgerTransaction.created_at, LedgerTransaction.id))).all()


async def accounts_by_id(session: AsyncSession, account_ids: Sequence[UUID]) -> dict[UUID, LedgerAccount]:
    if not account_ids:
        return {}
    found = await session.scalars(select(LedgerAccount).where(LedgerAccount.id.in_(account_ids)))
    return {found_account.id: found_account for found_account in found}
