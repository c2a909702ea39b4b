"""Dues: for the consumer group's treasurer, who has paid what towards an agreement, what each household
and the group itself still owe, and what the producer group is still owed, with the days left to the due
date. Read from the ledger as it stands; reading records nothing and creates no account."""

import csv
import io
from collections.abc import Mapping, Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import policies as agreements_policies
from app.agreements import repository as agreements_repository
from app.agreements.models import Subscription
from app.agreements.service import lifecycle
from app.core import money
from app.groups import repository as groups_repository
from app.groups.errors import NotCoordinator
from app.groups.models import Household
from app.ledger import service as ledger
from app.ledger.models import AccountKind
from app.payments.schemas import DuesAmounts, DuesLine, DuesRead, GroupPartDues, ProducerDues
from app.payments.service import ENDED_WITH_REFUND

CSV_HEADER = ("household", "household_id", "shares", "amount_due", "paid", "outstanding")
# A cell a spreadsheet would read as a formula is written as text (a household names itself).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


async def agreement_dues(session: AsyncSession, principal: Principal, *, agreement_id: UUID) -> DuesRead:
    """The dues of every holder of shares and of the group, for the consumer group's coordinators.
    Households' members read their own dues in their household's statement: another household's
    payments are not theirs to see. The same few queries however many households hold shares."""
    agreement = await agreements_policies.readable_agreement(session, principal, agreement_id)
    if not await groups_repository.is_coordinator(session, principal.user_id, agreement.consumer_group_id):
        raise NotCoordinator("Only the consumer group's coordinators see every household's dues.")
    holders = await _holders(session, agreement.id)
    former = await agreements_repository.former_holders_of(session, [subscription.id for subscription, _ in holders])
    balances = await ledger.accounts_with_balances(session, agreement.id)
    paid_by_household: dict[UUID, int] = {}
    by_kind: dict[AccountKind, int] = {}
    for account, balance in balances:
        by_kind[account.kind] = by_kind.get(account.kind, 0) + balance
        if account.kind == AccountKind.household_paid:
            paid_by_household[account.owner_id] = paid_by_household.get(account.owner_id, 0) - balance
    status = lifecycle.effective_status(agreement)
    owes = status not in ENDED_WITH_REFUND  # what was paid went back, or goes back
    currency = agreement.currency

    def amounts(due: int, paid: int) -> tuple[str, str, str]:
        outstanding = max(0, due - paid) if owes else 0
        return money.to_text(due, currency), money.to_text(paid, currency), money.to_text(outstanding, currency)

    lines = []
    due_total = paid_total = outstanding_total = 0
    for subscription, name in holders:
        paid = _paid_towards(subscription, former.get(subscription.id, ()), paid_by_household)
        due, paid_text, outstanding = amounts(subscription.amount_due_minor, paid)
        lines.append(
            DuesLine(
                household_id=subscription.household_id,
                household_name=name,
                shares=subscription.shares,
                amount_due=due,
                paid=paid_text,
                outstanding=outstanding,
            )
        )
        due_total += subscription.amount_due_minor
        paid_total += paid
        outstanding_total += max(0, subscription.amount_due_minor - paid) if owes else 0
    group_due = agreement.total_price_minor - due_total
    group_paid = -by_kind.get(AccountKind.group_own, 0)
    group_amounts = amounts(max(0, group_due), group_paid)
    received = by_kind.get(AccountKind.producer_received, 0)
    today = lifecycle.today()
    return DuesRead(
        agreement_id=agreement.id,
        status=status,
        currency=currency,
        advance_due_on=agreement.advance_due_on,
        days_to_due=None if agreement.advance_due_on is None else (agreement.advance_due_on - today).days,
        households=lines,
        households_total=DuesAmounts(
            amount_due=money.to_text(due_total, currency),
            paid=money.to_text(paid_total, currency),
            outstanding=money.to_text(outstanding_total, currency),
        ),
        group_part=GroupPartDues(
            shares=agreement.shares - agreement.subscribed_shares,
            amount_due=group_amounts[0],
            paid=group_amounts[1],
            outstanding=group_amounts[2],
        ),
        producer=ProducerDues(
            total=money.to_text(agreement.total_price_minor, currency),
            received_by_producer=money.to_text(received, currency),
            outstanding=money.to_text(max(0, agreement.total_price_minor - received) if owes else 0, currency),
            held_by_group=money.to_text(by_kind.get(AccountKind.group_fund, 0), currency),
        ),
    )


def _paid_towards(subscription: Subscription, former: Sequence[UUID], paid_by_household: Mapping[UUID, int]) -> int:
    """As payments' rule has it: shares handed on keep what every earlier holder paid for them."""
    return sum(paid_by_household.get(household_id, 0) for household_id in (subscription.household_id, *former))


async def _holders(session: AsyncSession, agreement_id: UUID) -> Sequence[tuple[Subscription, str]]:
    """Every subscription with its holder's name, by name: the order a treasurer looks a household up in."""
    statement = (
        select(Subscription, Household.name)
        .join(Household, Household.id == Subscription.household_id)
        .where(Subscription.agreement_id == agreement_id)
        .order_by(Household.name, Household.id)
    )
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


def as_csv(dues: DuesRead) -> str:
    """One row per household, by name as in the JSON, then the households' total; amounts as decimal text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in dues.households:
        writer.writerow(
            [_cell(line.household_name), line.household_id, line.shares, line.amount_due, line.paid, line.outstanding]
        )
    total = dues.households_total
    shares = sum(line.shares for line in dues.households)
    writer.writerow(["Total", "", shares, total.amount_due, total.paid, total.outstanding])
    return buffer.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
