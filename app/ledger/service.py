"""Posting to the double-entry ledger and reading balances. Entries are only ever added.

Every function works on one owner's money: pass exactly one of `agreement_id`, `trade_order_id` and
`consumer_group_id` (its households' credit)."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction


class UnbalancedTransaction(ValueError):
    """A programming error: a transaction whose entries do not sum to zero is never stored."""


def _owners(
    agreement_id: UUID | None, trade_order_id: UUID | None, consumer_group_id: UUID | None = None
) -> dict[str, UUID | None]:
    owners = {"agreement_id": agreement_id, "trade_order_id": trade_order_id, "consumer_group_id": consumer_group_id}
    # A programming error, like an unbalanced transaction: the database's CHECK would refuse it too.
    if sum(owner is not None for owner in owners.values()) != 1:
        raise ValueError("pass exactly one of agreement_id, trade_order_id and consumer_group_id")
    return owners


def _belongs(
    model: type[LedgerAccount] | type[LedgerTransaction],
    agreement_id: UUID | None,
    trade_order_id: UUID | None,
    consumer_group_id: UUID | None = None,
) -> ColumnElement[bool]:
    owners = _owners(agreement_id, trade_order_id, consumer_group_id)
    column, owner = next((column, owner) for column, owner in owners.items() if owner is not None)
    owner_column: ColumnElement[UUID | None] = getattr(model, column)
    return owner_column == owner


def _owners_of(leg_account: LedgerAccount) -> tuple[UUID | None, UUID | None, UUID | None]:
    return leg_account.agreement_id, leg_account.trade_order_id, leg_account.consumer_group_id


async def account(
    session: AsyncSession,
    *,
    agreement_id: UUID | None = None,
    trade_order_id: UUID | None = None,
    consumer_group_id: UUID | None = None,
    kind: AccountKind,
    owner_id: UUID,
    currency: str,
) -> LedgerAccount:
    """The account, created on first use. Callers hold the row lock of the agreement, the order or (for a
    household's credit) the household, so two requests cannot create the same account at once (a unique
    constraint backs this)."""
    statement = select(LedgerAccount).where(
        _belongs(LedgerAccount, agreement_id, trade_order_id, consumer_group_id),
        LedgerAccount.kind == kind,
        LedgerAccount.owner_id == owner_id,
        LedgerAccount.currency == currency,
    )
    found = await session.scalar(statement)
    if found is not None:
        return found
    created = LedgerAccount(
        **_owners(agreement_id, trade_order_id, consumer_group_id), kind=kind, owner_id=owner_id, currency=currency
    )
    session.add(created)
    await session.flush()
    return created


async def post(
    session: AsyncSession,
    *,
    agreement_id: UUID | None = None,
    trade_order_id: UUID | None = None,
    consumer_group_id: UUID | None = None,
    kind: str,
    legs: Sequence[tuple[LedgerAccount, int]],
    method: str | None = None,
    reference: str | None = None,
    recorded_by_user_id: UUID | None = None,
    counterpart_id: UUID | None = None,
) -> LedgerTransaction:
    """Record one transaction; its legs must sum to zero in each currency. Zero legs are left out.
    `counterpart_id` names the transaction on the other owner's side of a movement between two owners."""
    owners: dict[str, Any] = _owners(agreement_id, trade_order_id, consumer_group_id)
    legs = [(leg_account, amount) for leg_account, amount in legs if amount != 0]
    for leg_account, _ in legs:
        if _owners_of(leg_account) != (agreement_id, trade_order_id, consumer_group_id):
            raise ValueError(f"{kind}: a leg on an account of another owner")
    for currency in {leg_account.currency for leg_account, _ in legs}:
        if sum(amount for leg_account, amount in legs if leg_account.currency == currency) != 0:
            raise UnbalancedTransaction(f"{kind}: entries in {currency} do not sum to zero")
    transaction = LedgerTransaction(
        **owners,
        kind=kind,
        method=method,
        reference=reference,
        recorded_by_user_id=recorded_by_user_id,
        counterpart_id=counterpart_id,
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


async def accounts_with_balances(
    session: AsyncSession, agreement_id: UUID | None = None, *, trade_order_id: UUID | None = None
) -> list[tuple[LedgerAccount, int]]:
    statement = (
        select(LedgerAccount, func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .outerjoin(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(_belongs(LedgerAccount, agreement_id, trade_order_id))
        .group_by(LedgerAccount.id)
        .order_by(LedgerAccount.created_at, LedgerAccount.id)
    )
    return [(row[0], int(row[1])) for row in (await session.execute(statement)).all()]


async def transactions(
    session: AsyncSession, agreement_id: UUID | None = None, *, trade_order_id: UUID | None = None
) -> Sequence[LedgerTransaction]:
    """The agreement's or order's transactions, oldest first, each with its entries."""
    statement = transactions_of(agreement_id, trade_order_id=trade_order_id)
    return (await session.scalars(statement.order_by(LedgerTransaction.created_at, LedgerTransaction.id))).all()


def transactions_of(
    agreement_id: UUID | None = None, *, trade_order_id: UUID | None = None
) -> Select[LedgerTransaction]:
    """The agreement's or order's transactions, to read page by page; each page's entries come in one more query."""
    statement = select(LedgerTransaction).where(_belongs(LedgerTransaction, agreement_id, trade_order_id))
    return statement.options(selectinload(LedgerTransaction.entries))


async def owner_accounts_with_balances(
    session: AsyncSession, *, kind: AccountKind, owner_id: UUID, agreement_ids: Sequence[UUID]
) -> list[tuple[LedgerAccount, int]]:
    """One owner's accounts of one kind across several agreements, each with its balance, in one query."""
    return await owners_accounts_with_balances(session, kind=kind, owner_ids=[owner_id], agreement_ids=agreement_ids)


async def owners_accounts_with_balances(
    session: AsyncSession, *, kind: AccountKind, owner_ids: Sequence[UUID], agreement_ids: Sequence[UUID]
) -> list[tuple[LedgerAccount, int]]:
    """Several owners' accounts of one kind across several agreements, each with its balance, in one query."""
    if not agreement_ids or not owner_ids:
        return []
    statement = (
        select(LedgerAccount, func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .outerjoin(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(
            LedgerAccount.kind == kind,
            LedgerAccount.owner_id.in_(owner_ids),
            LedgerAccount.agreement_id.in_(agreement_ids),
        )
        .group_by(LedgerAccount.id)
    )
    return [(row[0], int(row[1])) for row in (await session.execute(statement)).all()]


async def transactions_touching(session: AsyncSession, account_ids: Sequence[UUID]) -> Sequence[LedgerTransaction]:
    """Every transaction with an entry on one of the accounts, oldest first, each with all its entries."""
    if not account_ids:
        return []
    touching = select(LedgerEntry.transaction_id).where(LedgerEntry.account_id.in_(account_ids))
    statement = select(LedgerTransaction).where(LedgerTransaction.id.in_(touching))
    statement = statement.options(selectinload(LedgerTransaction.entries))
    return (await session.scalars(statement.order_by(LedgerTransaction.created_at, LedgerTransaction.id))).all()


async def accounts_by_id(session: AsyncSession, account_ids: Sequence[UUID]) -> dict[UUID, LedgerAccount]:
    if not account_ids:
        return {}
    found = await session.scalars(select(LedgerAccount).where(LedgerAccount.id.in_(account_ids)))
    return {found_account.id: found_account for found_account in found}
