"""Advance payment: households pay their group, the group pays the producer group, all through the
double-entry ledger. Money moves here; the agreement's status changes in agreements' lifecycle, which
this calls: full payment activates the agreement, an agreement not fully paid by its due date
lapses once every unit collected has gone back to its payer, and an agreement cancelled by mutual
consent gives its payers back what the producer group refunds and what the group still holds for it."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import events
from app.agreements import policies as agreements_policies
from app.agreements import repository as agreements_repository
from app.agreements.errors import AgreementNotFound
from app.agreements.models import Agreement, AgreementStatus, Subscription
from app.agreements.service import lifecycle
from app.core import money
from app.core.allocation import allocate
from app.core.errors import CurrencyMismatch
from app.core.pagination import paginate
from app.groups import policies as groups_policies
from app.groups import repository as groups_repository
from app.groups.errors import NotCoordinator
from app.ledger import service as ledger
from app.ledger.models import AccountKind, LedgerAccount, LedgerTransaction
from app.payments import credit
from app.payments.errors import (
    AgreementNotPayable,
    NoSubscription,
    NothingToApply,
    NotPermittedToPay,
    Overpayment,
    SettlementTooLarge,
    SharesNotHandedOn,
)
from app.payments.schemas import (
    AccountRead,
    CreditApplication,
    CreditMovementRead,
    ExcessPayment,
    HandedOnSettlement,
    LedgerRead,
    PaymentCreate,
    PaymentKind,
    PaymentRead,
    StatementLine,
    StatementRead,
    TransactionRead,
)


async def record_payment(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, payment: PaymentCreate
) -> PaymentRead:
    if payment.household_id is not None:
        # The household's row before the agreement's, on every path that takes both (see app.payments.credit).
        await groups_repository.get_household_for_update(session, payment.household_id)
    agreement = await agreements_policies.readable_agreement(session, principal, agreement_id, for_update=True)
    if payment.currency != agreement.currency:
        raise CurrencyMismatch(f"The agreement is priced in {agreement.currency}, not {payment.currency}.")
    amount = money.to_minor(payment.amount, payment.currency)
    if amount <= 0:
        raise money.InvalidAmount("A payment is more than zero.")
    credit: LedgerTransaction | None = None
    if payment.kind == PaymentKind.household_to_group:
        assert payment.household_id is not None
        transaction, credit = await _household_pays_group(
            session, principal, agreement, payment, payment.household_id, amount
        )
    else:
        transaction = await _group_pays_producer(session, principal, agreement, payment, amount)
    return await _payment_read(session, agreement, transaction, credit)


async def _payment_read(
    session: AsyncSession, agreement: Agreement, transaction: LedgerTransaction, credit: LedgerTransaction | None
) -> PaymentRead:
    transactions = [transaction] + ([credit] if credit is not None else [])
    accounts = await ledger.accounts_by_id(
        session, [entry.account_id for posted in transactions for entry in posted.entries]
    )
    currency = agreement.currency
    credited = sum(entry.amount_minor for entry in credit.entries if entry.amount_minor > 0) if credit else 0
    return PaymentRead(
        agreement_id=agreement.id,
        agreement_status=lifecycle.effective_status(agreement),
        currency=currency,
        transaction=TransactionRead.of(transaction, accounts, currency),
        credited=money.to_text(credited, currency),
        credit_transaction=TransactionRead.of(credit, accounts, currency) if credit is not None else None,
    )


async def _household_pays_group(
    session: AsyncSession,
    principal: Principal,
    agreement: Agreement,
    payment: PaymentCreate,
    household_id: UUID,
    amount: int,
) -> tuple[LedgerTransaction, LedgerTransaction | None]:
    """A household pays its shares to its group. The household's own members record it, or a
    coordinator of the group who received it (cash at a meeting). What it pays beyond what it owes is
    refused, unless a coordinator keeps it as the household's credit at the group."""
    if not await groups_policies.acts_for_household_at(session, principal, agreement.consumer_group_id, household_id):
        raise NotPermittedToPay("A household's payment is recorded by its members or the group's coordinators.")
    if lifecycle.effective_status(agreement) not in (AgreementStatus.agreed, AgreementStatus.active):
        raise AgreementNotPayable(f"The agreement is {lifecycle.effective_status(agreement)}; it takes no payment.")
    subscription = await agreements_repository.subscription_of(session, agreement.id, household_id)
    if subscription is None:
        raise NoSubscription("The household holds no shares of this agreement; subscribe first.")
    outstanding = subscription.amount_due_minor - await _paid_towards(session, agreement, subscription)
    excess = max(0, amount - outstanding)
    if excess and (payment.excess == ExcessPayment.refuse or outstanding <= 0):
        raise Overpayment(
            f"The household owes {money.to_text(outstanding, agreement.currency)} {agreement.currency} more."
            + (" Record money paid with nothing owed as a credit deposit." if outstanding <= 0 else ""),
            outstanding=money.to_text(outstanding, agreement.currency),
        )
    if excess and not await groups_repository.is_coordinator(session, principal.user_id, agreement.consumer_group_id):
        raise NotCoordinator("Only a coordinator keeps what a household paid beyond its due as its credit.")
    transaction = await _post_household_payment(
        session,
        agreement,
        household_id,
        amount - excess,
        kind=payment.kind,
        method=payment.method,
        reference=payment.reference,
        recorded_by=principal.user_id,
    )
    await _publish(session, agreement, transaction, payment.kind, household_id, amount - excess)
    if not excess:
        return transaction, None
    credit_transaction = await credit.post_credit(
        session,
        group_id=agreement.consumer_group_id,
        household_id=household_id,
        currency=agreement.currency,
        amount=excess,
        kind="credit_overpayment",
        recorded_by=principal.user_id,
        method=payment.method,
        reference=payment.reference,
        counterpart_id=transaction.id,
    )
    return transaction, credit_transaction


async def _post_household_payment(
    session: AsyncSession,
    agreement: Agreement,
    household_id: UUID,
    amount: int,
    *,
    kind: str,
    recorded_by: UUID,
    method: str | None = None,
    reference: str | None = None,
    counterpart_id: UUID | None = None,
) -> LedgerTransaction:
    paid_account = await _account(session, agreement, AccountKind.household_paid, household_id)
    fund = await _account(session, agreement, AccountKind.group_fund, agreement.consumer_group_id)
    return await ledger.post(
        session,
        agreement_id=agreement.id,
        kind=kind,
        legs=[(paid_account, -amount), (fund, amount)],
        method=method,
        reference=reference,
        recorded_by_user_id=recorded_by,
        counterpart_id=counterpart_id,
    )


async def _paid_towards(session: AsyncSession, agreement: Agreement, subscription: Subscription) -> int:
    """What every household that held the subscription paid towards it: shares handed on keep what was
    paid for them, so the new holder owes only the rest (the two households settle between themselves)."""
    holders = [subscription.household_id, *await agreements_repository.former_holders(session, subscription.id)]
    paid = 0
    for household_id in holders:
        account = await _account(session, agreement, AccountKind.household_paid, household_id)
        paid -= await ledger.balance(session, account.id)
    return paid


async def paid_towards(session: AsyncSession, subscription: Subscription) -> int:
    """What its holders, past and present, paid towards a subscription, read without creating any account
    (so it needs no lock): what payment instructions subtract from what is due."""
    holders = [subscription.household_id, *await agreements_repository.former_holders(session, subscription.id)]
    paid = 0
    for household_id in holders:
        for _, balance in await ledger.owner_accounts_with_balances(
            session, kind=AccountKind.household_paid, owner_id=household_id, agreement_ids=[subscription.agreement_id]
        ):
            paid -= balance
    return paid


async def _group_pays_producer(
    session: AsyncSession, principal: Principal, agreement: Agreement, payment: PaymentCreate, amount: int
) -> LedgerTransaction:
    """The group pays the producer group in advance, from what households paid in and, for shares
    nobody took, from its own money. The agreement turns active the moment the total is received.
    A coordinator of either group records it: the one who paid, or the one who found it on the statement."""
    if not await agreements_policies.coordinated_sides(session, principal, agreement):
        raise NotCoordinator("Only a coordinator of the consumer group or of the producer group records this.")
    current = lifecycle.effective_status(agreement)
    if current != AgreementStatus.agreed:
        raise AgreementNotPayable(f"The agreement is {current}; the producer is paid while it is agreed.")
    received_account = await _account(session, agreement, AccountKind.producer_received, agreement.producer_group_id)
    received = await ledger.balance(session, received_account.id)
    if received + amount > agreement.total_price_minor:
        outstanding = agreement.total_price_minor - received
        raise Overpayment(
            f"The producer group is owed {money.to_text(outstanding, agreement.currency)} {agreement.currency} more.",
            outstanding=money.to_text(outstanding, agreement.currency),
        )
    fund = await _account(session, agreement, AccountKind.group_fund, agreement.consumer_group_id)
    from_fund = min(amount, max(0, await ledger.balance(session, fund.id)))
    own = await _account(session, agreement, AccountKind.group_own, agreement.consumer_group_id)
    transaction = await ledger.post(
        session,
        agreement_id=agreement.id,
        kind=payment.kind,
        legs=[(fund, -from_fund), (own, -(amount - from_fund)), (received_account, amount)],
        method=payment.method,
        reference=payment.reference,
        recorded_by_user_id=principal.user_id,
    )
    await _publish(session, agreement, transaction, payment.kind, None, amount)
    await lifecycle.advance_received(session, agreement, received_minor=received + amount)
    return transaction


async def _publish(
    session: AsyncSession,
    agreement: Agreement,
    transaction: LedgerTransaction,
    kind: PaymentKind,
    household_id: UUID | None,
    amount: int,
) -> None:
    """The payment, for both groups' integrators; before any change of status it brings about."""
    await events.publish(
        session,
        agreement,
        "payment.recorded",
        payment={
            "transaction_id": str(transaction.id),
            "kind": kind.value,
            "household_id": str(household_id) if household_id else None,
            "amount": money.to_text(amount, agreement.currency),
            "currency": agreement.currency,
        },
    )


async def _account(session: AsyncSession, agreement: Agreement, kind: AccountKind, owner_id: UUID) -> LedgerAccount:
    return await ledger.account(
        session, agreement_id=agreement.id, kind=kind, owner_id=owner_id, currency=agreement.currency
    )


# Credit spent on dues, and shares handed on settled through the group


async def apply_credit(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID, data: CreditApplication
) -> CreditMovementRead:
    """The household's credit pays (part of) its dues for one agreement of the group, on its members' or a
    coordinator's request: by default as much as both allow."""
    group = await credit.group_of(session, principal, group_id)
    await credit.locked_household(session, principal, group, household_id)
    agreement = await agreements_policies.readable_agreement(session, principal, data.agreement_id, for_update=True)
    if agreement.consumer_group_id != group.id:
        raise AgreementNotFound(agreement.id)
    if lifecycle.effective_status(agreement) not in (AgreementStatus.agreed, AgreementStatus.active):
        raise AgreementNotPayable(f"The agreement is {lifecycle.effective_status(agreement)}; it takes no payment.")
    subscription = await agreements_repository.subscription_of(session, agreement.id, household_id)
    if subscription is None:
        raise NoSubscription("The household holds no shares of this agreement.")
    currency = agreement.currency
    outstanding = subscription.amount_due_minor - await _paid_towards(session, agreement, subscription)
    available = await credit.credit_of(session, group.id, household_id, currency)
    amount = money.to_minor(data.amount, currency) if data.amount is not None else min(available, outstanding)
    if amount <= 0:
        raise NothingToApply(
            f"The household's credit is {money.to_text(available, currency)} {currency} and it owes "
            f"{money.to_text(max(0, outstanding), currency)} {currency}."
        )
    await credit.require_credit(session, group.id, household_id, currency, amount)
    if amount > outstanding:
        raise Overpayment(
            f"The household owes {money.to_text(outstanding, currency)} {currency} more.",
            outstanding=money.to_text(outstanding, currency),
        )
    spent = await credit.post_credit(
        session,
        group_id=group.id,
        household_id=household_id,
        currency=currency,
        amount=-amount,
        kind="credit_applied",
        recorded_by=principal.user_id,
    )
    paid = await _post_household_payment(
        session,
        agreement,
        household_id,
        amount,
        kind="credit_applied",
        recorded_by=principal.user_id,
        counterpart_id=spent.id,
    )
    await _publish(session, agreement, paid, PaymentKind.household_to_group, household_id, amount)
    return await credit.movement_read(session, spent, household_id=household_id, currency=currency, counterpart=paid)


async def settle_handed_on_shares(
    session: AsyncSession, principal: Principal, *, group_id: UUID, household_id: UUID, data: HandedOnSettlement
) -> CreditMovementRead:
    """The household now holding shares that `household_id` handed on pays the group what `household_id` had
    paid for them, instead of settling between the two households: `household_id` receives it as credit, and
    on the agreement's ledger that part of its payment becomes the new holder's, so what the new holder owes
    is unchanged. A coordinator, who received the money, records it."""
    group = await credit.group_of(session, principal, group_id)
    await credit.require_treasurer(session, principal, group)
    await credit.locked_household(session, principal, group, household_id)
    agreement = await agreements_policies.readable_agreement(session, principal, data.agreement_id, for_update=True)
    if agreement.consumer_group_id != group.id:
        raise AgreementNotFound(agreement.id)
    holder = await agreements_repository.holder_after(session, agreement.id, household_id)
    if holder is None:
        raise SharesNotHandedOn("The household handed on no shares of this agreement.")
    currency = agreement.currency
    amount = money.to_minor(data.amount, currency)
    if amount <= 0:
        raise money.InvalidAmount("A settlement is more than zero.")
    former_account = await _account(session, agreement, AccountKind.household_paid, household_id)
    paid_by_former = -await ledger.balance(session, former_account.id)
    if amount > paid_by_former:
        raise SettlementTooLarge(
            f"The household paid {money.to_text(paid_by_former, currency)} {currency} towards the shares it handed on.",
            paid=money.to_text(paid_by_former, currency),
        )
    holder_account = await _account(session, agreement, AccountKind.household_paid, holder)
    moved = await ledger.post(
        session,
        agreement_id=agreement.id,
        kind="handed_on_settled",
        legs=[(holder_account, -amount), (former_account, amount)],
        method=data.method,
        reference=data.reference,
        recorded_by_user_id=principal.user_id,
    )
    kept = await credit.post_credit(
        session,
        group_id=group.id,
        household_id=household_id,
        currency=currency,
        amount=amount,
        kind="credit_handed_on",
        recorded_by=principal.user_id,
        method=data.method,
        reference=data.reference,
        counterpart_id=moved.id,
    )
    return await credit.movement_read(session, kept, household_id=household_id, currency=currency, counterpart=moved)


# Lapse: not fully paid by the due date


async def lapse_overdue(session: AsyncSession, *, today: date) -> list[UUID]:
    """Lapse every agreement overdue on `today`, refunding what was collected first: the lifecycle
    finds and locks them and marks them lapsed; the money is returned here.
    Run daily (`python -m app.worker lapse`); safe to run again and alongside requests."""
    lapsed = []
    async for agreement in lifecycle.overdue_agreements(session, today=today):
        await _refund_everything(session, agreement)
        await lifecycle.lapse(session, agreement)
        lapsed.append(agreement.id)
    return lapsed


async def _refund_everything(session: AsyncSession, agreement: Agreement) -> None:
    """One transaction returns every unit: the producer's receipts to the group's fund, and from
    the fund each household's payments to it and the group's own money to the group."""
    balances = await ledger.accounts_with_balances(session, agreement.id)
    fund = await _account(session, agreement, AccountKind.group_fund, agreement.consumer_group_id)
    legs = [(account, -balance) for account, balance in balances if account.id != fund.id and balance != 0]
    legs.append((fund, -sum(amount for _, amount in legs)))
    if any(amount for _, amount in legs):
        await ledger.post(session, agreement_id=agreement.id, kind="lapse_refund", legs=legs)


# Cancelled by mutual consent


@dataclass(frozen=True)
class Holdings:
    """Where the agreement's money is now, as the terms of a cancellation weigh it."""

    received_by_producer: int
    in_group_fund: int


async def holdings(session: AsyncSession, agreement: Agreement) -> Holdings:
    """Read only, never creating an account: a proposal can be read without the agreement's lock."""
    by_kind: dict[AccountKind, int] = {}
    for account, balance in await ledger.accounts_with_balances(session, agreement.id):
        by_kind[account.kind] = by_kind.get(account.kind, 0) + balance
    return Holdings(
        received_by_producer=by_kind.get(AccountKind.producer_received, 0),
        in_group_fund=by_kind.get(AccountKind.group_fund, 0),
    )


@dataclass(frozen=True)
class CancellationRefund:
    pool_minor: int  # what went back to the payers in all
    transaction: LedgerTransaction | None  # None when there was nothing to give back


async def refund_cancelled(
    session: AsyncSession, agreement: Agreement, refund_minor: int, *, recorded_by_user_id: UUID | None = None
) -> CancellationRefund:
    """The producer group gives back `refund_minor`, and the group gives back all it still holds for the
    agreement: it was collected for an agreement that no longer runs. The two together go to everyone
    who paid, households (former holders of shares handed on too) and the group from its own money, in
    proportion to what each paid, by the largest remainder. One transaction; the caller holds the
    agreement's lock and has checked the refund against what the producer group may give back."""
    balances = await ledger.accounts_with_balances(session, agreement.id)
    received = sum(balance for account, balance in balances if account.kind == AccountKind.producer_received)
    if not 0 <= refund_minor <= received:
        raise ValueError(f"a refund of {refund_minor} from {received} received")
    in_fund = sum(balance for account, balance in balances if account.kind == AccountKind.group_fund)
    payers = [
        (account, -balance)
        for account, balance in balances
        if account.kind in (AccountKind.household_paid, AccountKind.group_own) and balance < 0
    ]
    pool = refund_minor + in_fund
    if pool == 0:
        return CancellationRefund(pool_minor=0, transaction=None)
    parts = allocate(pool, [paid for _, paid in payers])
    received_account = await _account(session, agreement, AccountKind.producer_received, agreement.producer_group_id)
    fund = await _account(session, agreement, AccountKind.group_fund, agreement.consumer_group_id)
    legs = [(received_account, -refund_minor), (fund, refund_minor - pool)]
    legs += [(account, part) for (account, _), part in zip(payers, parts, strict=True)]
    transaction = await ledger.post(
        session,
        agreement_id=agreement.id,
        kind="cancellation_refund",
        legs=legs,
        recorded_by_user_id=recorded_by_user_id,
    )
    return CancellationRefund(pool_minor=pool, transaction=transaction)


async def refunds_to_payers(
    session: AsyncSession, agreement: Agreement, transaction_id: UUID
) -> list[tuple[AccountKind, UUID, int]]:
    """What a cancellation's refund gave each payer: (household_paid or group_own, owner, amount)."""
    statement = ledger.transactions_of(agreement.id).where(LedgerTransaction.id == transaction_id)
    transaction = (await session.scalars(statement)).one()
    accounts = await ledger.accounts_by_id(session, [entry.account_id for entry in transaction.entries])
    payer_kinds = (AccountKind.household_paid, AccountKind.group_own)
    return [
        (accounts[entry.account_id].kind, accounts[entry.account_id].owner_id, entry.amount_minor)
        for entry in transaction.entries
        if accounts[entry.account_id].kind in payer_kinds
    ]


# Reading


async def agreement_ledger(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, limit: int, cursor: str | None
) -> LedgerRead:
    agreement = await agreements_policies.readable_agreement(session, principal, agreement_id)
    page = await paginate(
        session,
        ledger.transactions_of(agreement.id),
        created_at=LedgerTransaction.created_at,
        id_column=LedgerTransaction.id,
        limit=limit,
        cursor=cursor,
    )
    # Read after the page, so every account its entries name is among them (accounts are never removed).
    balances = await ledger.accounts_with_balances(session, agreement.id)
    accounts = {account.id: account for account, _ in balances}
    by_kind: dict[AccountKind, int] = {}
    for account, balance in balances:
        by_kind[account.kind] = by_kind.get(account.kind, 0) + balance
    currency = agreement.currency
    received = by_kind.get(AccountKind.producer_received, 0)
    return LedgerRead(
        data=[TransactionRead.of(transaction, accounts, currency) for transaction in page.rows],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
        agreement_id=agreement.id,
        status=lifecycle.effective_status(agreement),
        currency=currency,
        total_price=money.to_text(agreement.total_price_minor, currency),
        advance_due_on=agreement.advance_due_on,
        collected_from_households=money.to_text(-by_kind.get(AccountKind.household_paid, 0), currency),
        paid_from_group_funds=money.to_text(-by_kind.get(AccountKind.group_own, 0), currency),
        received_by_producer=money.to_text(received, currency),
        outstanding_to_producer=money.to_text(max(0, agreement.total_price_minor - received), currency),
        accounts=[
            AccountRead(account=account.kind, owner_id=account.owner_id, balance=money.to_text(balance, currency))
            for account, balance in balances
        ],
    )


async def household_statement(
    session: AsyncSession, principal: Principal, *, household_id: UUID, limit: int, cursor: str | None
) -> StatementRead:
    """A page of the agreements the household holds shares of: what it owes, paid and got back, entry by
    entry. A page costs the same few queries however many agreements and transactions it shows."""
    household = await groups_policies.household_acted_for_by(session, principal, household_id)
    page = await paginate(
        session,
        agreements_repository.household_subscriptions(household.id),
        created_at=Subscription.created_at,
        id_column=Subscription.id,
        limit=limit,
        cursor=cursor,
    )
    subscriptions: Sequence[Subscription] = page.rows
    agreements = await agreements_repository.agreements_by_id(session, [s.agreement_id for s in subscriptions])
    payments = await _household_payments(session, household.id, list(agreements))
    before = await _paid_by_former_holders(session, subscriptions)
    lines = [
        _statement_line(subscription, agreements[subscription.agreement_id], payments, before.get(subscription.id, 0))
        for subscription in subscriptions
    ]
    return StatementRead(data=lines, has_more=page.has_more, next_cursor=page.next_cursor, household_id=household.id)


@dataclass(frozen=True)
class _HouseholdPayments:
    """What a household paid towards several agreements, loaded for all of them at once."""

    paid_accounts: Mapping[UUID | None, tuple[LedgerAccount, int]]  # by agreement
    transactions_by_account: Mapping[UUID, list[LedgerTransaction]]
    accounts: Mapping[UUID, LedgerAccount]  # every account the transactions' entries name

    def paid(self, agreement_id: UUID) -> int:
        # No account yet: the household has paid nothing towards this agreement.
        _, balance = self.paid_accounts.get(agreement_id, (None, 0))
        return -balance

    def transactions(self, agreement_id: UUID) -> list[LedgerTransaction]:
        paid_account, _ = self.paid_accounts.get(agreement_id, (None, 0))
        return [] if paid_account is None else self.transactions_by_account.get(paid_account.id, [])


async def _household_payments(
    session: AsyncSession, household_id: UUID, agreement_ids: Sequence[UUID]
) -> _HouseholdPayments:
    paid_accounts = {
        account.agreement_id: (account, balance)
        for account, balance in await ledger.owner_accounts_with_balances(
            session, kind=AccountKind.household_paid, owner_id=household_id, agreement_ids=agreement_ids
        )
    }
    transactions = await ledger.transactions_touching(session, [account.id for account, _ in paid_accounts.values()])
    by_account: dict[UUID, list[LedgerTransaction]] = {}
    for transaction in transactions:
        for account_id in dict.fromkeys(entry.account_id for entry in transaction.entries):
            by_account.setdefault(account_id, []).append(transaction)
    accounts = await ledger.accounts_by_id(session, list(by_account))
    return _HouseholdPayments(paid_accounts, by_account, accounts)


# A lapsed or cancelled agreement asks nothing more of anyone: what was paid went back.
ENDED_WITH_REFUND = (AgreementStatus.lapsed, AgreementStatus.cancelled)


async def _paid_by_former_holders(session: AsyncSession, subscriptions: Sequence[Subscription]) -> dict[UUID, int]:
    """What the households that handed each subscription on had paid towards it: the new holder owes only the
    rest. Two queries for the whole page."""
    former = await agreements_repository.former_holders_of(session, [s.id for s in subscriptions])
    if not former:
        return {}
    balances = await ledger.owners_accounts_with_balances(
        session,
        kind=AccountKind.household_paid,
        owner_ids=sorted({household for households in former.values() for household in households}),
        agreement_ids=sorted({s.agreement_id for s in subscriptions}),
    )
    paid = {(account.agreement_id, account.owner_id): -balance for account, balance in balances}
    return {
        subscription.id: sum(
            paid.get((subscription.agreement_id, household), 0) for household in former[subscription.id]
        )
        for subscription in subscriptions
        if subscription.id in former
    }


def _statement_line(
    subscription: Subscription, agreement: Agreement, payments: _HouseholdPayments, paid_before: int
) -> StatementLine:
    currency = agreement.currency
    paid = payments.paid(agreement.id)
    return StatementLine(
        agreement_id=agreement.id,
        status=lifecycle.effective_status(agreement),
        currency=currency,
        shares=subscription.shares,
        amount_due=money.to_text(subscription.amount_due_minor, currency),
        paid=money.to_text(paid, currency),
        paid_by_former_holders=money.to_text(paid_before, currency),
        outstanding=money.to_text(
            max(0, subscription.amount_due_minor - paid - paid_before)
            if agreement.status not in ENDED_WITH_REFUND
            else 0,
            currency,
        ),
        transactions=[
            TransactionRead.of(transaction, payments.accounts, currency)
            for transaction in payments.transactions(agreement.id)
        ],
    )
