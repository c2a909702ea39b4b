"""Queries across the ledger for one producer group's money: the accounts it owns in agreements, and
those of the trading organisation that sells for it in trade orders."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalogue.models import TradingOrganisation
from app.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction

# The producer group's own account in every agreement, and the seller's accounts in every trade order.
AGREEMENT_KINDS = (AccountKind.producer_received,)
TRADE_KINDS = (AccountKind.seller_received, AccountKind.premium_fund, AccountKind.prefinance_outstanding)


async def organisation_acting_for(session: AsyncSession, producer_group_id: UUID) -> UUID | None:
    """The trading organisation that acts for the producer group; a group has one at most."""
    statement = select(TradingOrganisation.id).where(TradingOrganisation.producer_group_id == producer_group_id)
    return await session.scalar(statement)


def _owned(producer_group_id: UUID, organisation_id: UUID | None) -> ColumnElement[bool]:
    owned = and_(LedgerAccount.kind.in_(AGREEMENT_KINDS), LedgerAccount.owner_id == producer_group_id)
    if organisation_id is None:
        return owned
    return or_(owned, and_(LedgerAccount.kind.in_(TRADE_KINDS), LedgerAccount.owner_id == organisation_id))


def entries_of(producer_group_id: UUID, organisation_id: UUID | None) -> Select[LedgerEntry]:
    """The entries on the group's accounts, to read page by page."""
    accounts = select(LedgerAccount.id).where(_owned(producer_group_id, organisation_id))
    return select(LedgerEntry).where(LedgerEntry.account_id.in_(accounts))


async def accounts_and_transactions(
    session: AsyncSession, entries: Sequence[LedgerEntry]
) -> tuple[dict[UUID, LedgerAccount], dict[UUID, str]]:
    """The accounts a page of entries is on, and the kind of each entry's transaction: two queries."""
    if not entries:
        return {}, {}
    account_ids = {entry.account_id for entry in entries}
    accounts = await session.scalars(select(LedgerAccount).where(LedgerAccount.id.in_(account_ids)))
    transaction_ids = {entry.transaction_id for entry in entries}
    kinds = await session.execute(
        select(LedgerTransaction.id, LedgerTransaction.kind).where(LedgerTransaction.id.in_(transaction_ids))
    )
    return {account.id: account for account in accounts}, {row[0]: row[1] for row in kinds.all()}


async def sums_by_currency_and_kind(
    session: AsyncSession, producer_group_id: UUID, organisation_id: UUID | None
) -> list[tuple[str, AccountKind, int, int]]:
    """(currency, account kind, sum in, sum out) over every entry on the group's accounts, in one query."""
    amount = LedgerEntry.amount_minor
    statement = (
        select(
            LedgerAccount.currency,
            LedgerAccount.kind,
            func.coalesce(func.sum(case((amount > 0, amount), else_=0)), 0),
            func.coalesce(func.sum(case((amount < 0, amount), else_=0)), 0),
        )
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(_owned(producer_group_id, organisation_id))
        .group_by(LedgerAccount.currency, LedgerAccount.kind)
    )
    return [(row[0], AccountKind(row[1]), int(row[2]), int(row[3])) for row in (await session.execute(statement)).all()]
