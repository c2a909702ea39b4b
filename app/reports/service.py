"""Reports that read across domains which may not read each other: the money of agreements (payments)
beside that of trade orders (trade), both kept in the one ledger."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core import money
from app.core.pagination import paginate
from app.ledger.models import AccountKind, LedgerEntry
from app.producers import policies as producers_policies
from app.producers import repository as producers_repository
from app.producers.errors import ProducerGroupNotFound
from app.reports import repository
from app.reports.schemas import CurrencyTotals, ProducerStatementRead, StatementEntry


async def producer_statement(
    session: AsyncSession, principal: Principal, *, producer_group_id: UUID, limit: int, cursor: str | None
) -> ProducerStatementRead:
    """What the producer group received, for its coordinators: a page of ledger entries, oldest first,
    across its agreements (advance payments, and what it gave back when one was cancelled or lapsed) and
    the trade orders of the trading organisation that sells for it (pre-finance, settlements, the premium).

    Entries rather than a page of agreements and orders: a treasurer ticks the statement off against the
    bank's, payment by payment and in the order the money moved, and each entry names its agreement or
    order. The totals per currency beside every page cover every entry; currencies are never added up.
    A page costs the same few queries however many entries it shows."""
    group = await producers_repository.get_producer_group(session, producer_group_id)
    if group is None:
        raise ProducerGroupNotFound(producer_group_id)
    await producers_policies.require_coordinator(session, principal, group)
    organisation_id = await repository.organisation_acting_for(session, group.id)
    page = await paginate(
        session,
        repository.entries_of(group.id, organisation_id),
        created_at=LedgerEntry.created_at,
        id_column=LedgerEntry.id,
        limit=limit,
        cursor=cursor,
    )
    accounts, transaction_kinds = await repository.accounts_and_transactions(session, page.rows)
    entries = []
    for entry in page.rows:
        account = accounts[entry.account_id]
        entries.append(
            StatementEntry(
                id=entry.id,
                recorded_at=entry.created_at,
                transaction_id=entry.transaction_id,
                kind=transaction_kinds[entry.transaction_id],
                account=account.kind,
                agreement_id=account.agreement_id,
                trade_order_id=account.trade_order_id,
                currency=entry.currency,
                amount=money.to_text(entry.amount_minor, entry.currency),
            )
        )
    return ProducerStatementRead(
        data=entries,
        has_more=page.has_more,
        next_cursor=page.next_cursor,
        producer_group_id=group.id,
        trading_organisation_id=organisation_id,
        totals=await _totals(session, group.id, organisation_id),
    )


async def _totals(session: AsyncSession, producer_group_id: UUID, organisation_id: UUID | None) -> list[CurrencyTotals]:
    sums: dict[str, dict[AccountKind, tuple[int, int]]] = {}
    for currency, kind, into, out in await repository.sums_by_currency_and_kind(
        session, producer_group_id, organisation_id
    ):
        sums.setdefault(currency, {})[kind] = (into, out)
    totals = []
    for currency in sorted(sums):
        by_kind = sums[currency]

        def text(minor: int, currency: str = currency) -> str:
            return money.to_text(minor, currency)

        advance_in, advance_out = by_kind.get(AccountKind.producer_received, (0, 0))
        prefinance_in, prefinance_out = by_kind.get(AccountKind.prefinance_outstanding, (0, 0))
        goods = sum(by_kind.get(AccountKind.seller_received, (0, 0)))
        premium = sum(by_kind.get(AccountKind.premium_fund, (0, 0)))
        totals.append(
            CurrencyTotals(
                currency=currency,
                advance_payments_received=text(advance_in),
                advance_payments_refunded=text(-advance_out),
                prefinance_received=text(prefinance_in),
                prefinance_outstanding=text(prefinance_in + prefinance_out),
                goods_received=text(goods),
                premium_received=text(premium),
                net_received=text(sum(into + out for into, out in by_kind.values())),
            )
        )
    return totals
