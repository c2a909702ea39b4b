"""Handing a subscription on: a household offers its shares of a running season to another member
household of its consumer group, which accepts them. The subscription changes holder and nothing else:
its shares, their price and what was paid towards it stay as they were. Transfers are kept, so the
history of who held a subscription stays readable.

Every change takes the agreement's lock and then the subscription's, the order subscribing and
harvests take them in: a holder changes once, never while a harvest is allocated to it."""

from collections.abc import Callable
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import repository
from app.agreements.errors import (
    AgreementNotRunning,
    AlreadySubscribed,
    NotAGroupHousehold,
    SubscriptionNotFound,
    TransferAlreadyOffered,
    TransferNotFound,
    TransferNotOffered,
)
from app.agreements.models import Agreement, AgreementStatus, Subscription, SubscriptionTransfer, TransferStatus
from app.agreements.schemas import SubscriptionTransferAccepted, SubscriptionTransferRead
from app.agreements.service import lifecycle
from app.agreements.service.subscriptions import subscription_read
from app.core.db import utc_now
from app.core.pagination import paginate
from app.core.schemas import Page
from app.groups import repository as groups_repository

RUNNING = (AgreementStatus.agreed, AgreementStatus.active)
HouseholdOf = Callable[[SubscriptionTransfer], UUID]


async def offer(
    session: AsyncSession, principal: Principal, *, subscription_id: UUID, household_id: UUID
) -> SubscriptionTransferRead:
    """The holding household offers its subscription to another member household of the group."""
    subscription = await _held_by_caller(session, principal, subscription_id)
    agreement, subscription = await _lock(session, subscription)
    if not await groups_repository.user_belongs_to_household(session, principal.user_id, subscription.household_id):
        raise SubscriptionNotFound(subscription_id)  # handed on while this request waited for the locks
    _require_running(agreement)
    if await repository.offered_transfer(session, subscription.id) is not None:
        raise TransferAlreadyOffered("Withdraw the open offer of this subscription before offering it again.")
    await _require_can_receive(session, agreement, household_id)
    transfer = SubscriptionTransfer(
        subscription_id=subscription.id,
        from_household_id=subscription.household_id,
        to_household_id=household_id,
        offered_by_user_id=principal.user_id,
    )
    session.add(transfer)
    await session.flush()
    return SubscriptionTransferRead.model_validate(transfer)


async def accept(session: AsyncSession, principal: Principal, *, transfer_id: UUID) -> SubscriptionTransferAccepted:
    """The receiving household takes the subscription over; allocations from now on are its own."""
    transfer = await _transfer_for(session, principal, transfer_id, household_of=lambda t: t.to_household_id)
    subscription = await session.get_one(Subscription, transfer.subscription_id)
    agreement, subscription = await _lock(session, subscription)
    transfer = await _still_offered(session, transfer_id)
    _require_running(agreement)
    await _require_can_receive(session, agreement, transfer.to_household_id)
    # Only the holder changes. What the offering household paid stays recorded as its payment in the
    # ledger and is not moved to the receiving household: the two settle between themselves, outside
    # the service.
    subscription.household_id = transfer.to_household_id
    transfer.status = TransferStatus.accepted
    transfer.accepted_by_user_id = principal.user_id
    transfer.accepted_at = utc_now()
    await session.flush()
    return SubscriptionTransferAccepted(
        **SubscriptionTransferRead.model_validate(transfer).model_dump(),
        subscription=subscription_read(subscription, agreement.currency),
        payments_moved=False,
    )


async def withdraw(session: AsyncSession, principal: Principal, *, transfer_id: UUID) -> None:
    """The offering household takes its offer back while it is still offered."""
    transfer = await _transfer_for(session, principal, transfer_id, household_of=lambda t: t.from_household_id)
    await _lock(session, await session.get_one(Subscription, transfer.subscription_id))
    transfer = await _still_offered(session, transfer_id)
    transfer.status = TransferStatus.withdrawn
    transfer.withdrawn_at = utc_now()
    await session.flush()


async def list_transfers(
    session: AsyncSession, principal: Principal, *, subscription_id: UUID, limit: int, cursor: str | None
) -> Page[SubscriptionTransferRead]:
    """The subscription's transfers, oldest first: for the households they concern and the group's coordinators."""
    subscription = await session.get(Subscription, subscription_id)
    if subscription is None or not await _may_read_history(session, principal, subscription):
        raise SubscriptionNotFound(subscription_id)
    page = await paginate(
        session,
        repository.subscription_transfers(subscription.id),
        created_at=SubscriptionTransfer.offered_at,
        id_column=SubscriptionTransfer.id,
        limit=limit,
        cursor=cursor,
    )
    return page.to(SubscriptionTransferRead)


async def _held_by_caller(session: AsyncSession, principal: Principal, subscription_id: UUID) -> Subscription:
    """The subscription, if the caller belongs to the household holding it; private to anyone else."""
    subscription = await session.get(Subscription, subscription_id)
    if subscription is None or not await groups_repository.user_belongs_to_household(
        session, principal.user_id, subscription.household_id
    ):
        raise SubscriptionNotFound(subscription_id)
    return subscription


async def _transfer_for(
    session: AsyncSession,
    principal: Principal,
    transfer_id: UUID,
    *,
    household_of: Callable[[SubscriptionTransfer], UUID],
) -> SubscriptionTransfer:
    """The transfer, if the caller belongs to the household that acts on it; not found to anyone else."""
    transfer = await repository.get_transfer(session, transfer_id)
    if transfer is None or not await groups_repository.user_belongs_to_household(
        session, principal.user_id, household_of(transfer)
    ):
        raise TransferNotFound(transfer_id)
    return transfer


async def _lock(session: AsyncSession, subscription: Subscription) -> tuple[Agreement, Subscription]:
    """The agreement's lock, then the subscription's: read again under them, as they are now."""
    agreement = await repository.get_for_update(session, subscription.agreement_id)
    locked = await repository.subscription_for_update(session, subscription.id)
    assert agreement is not None and locked is not None  # a subscription goes only with its agreement
    return agreement, locked


async def _still_offered(session: AsyncSession, transfer_id: UUID) -> SubscriptionTransfer:
    """The transfer read again under the locks: of two acceptances at once, the second finds it accepted."""
    transfer = await repository.get_transfer(session, transfer_id, for_update=True)
    assert transfer is not None
    if transfer.status != TransferStatus.offered:
        raise TransferNotOffered(f"The transfer was {transfer.status}.", status=transfer.status.value)
    return transfer


def _require_running(agreement: Agreement) -> None:
    status = lifecycle.effective_status(agreement)
    if status not in RUNNING:
        raise AgreementNotRunning(
            f"The agreement is {status}; subscriptions are handed on while it is agreed or active."
        )


async def _require_can_receive(session: AsyncSession, agreement: Agreement, household_id: UUID) -> None:
    """A member household of the group that holds no shares of the agreement yet: one subscription each."""
    if await groups_repository.get_membership(session, agreement.consumer_group_id, household_id) is None:
        raise NotAGroupHousehold(
            "Subscriptions are handed on only to member households of the agreement's consumer group.",
            household_id=str(household_id),
        )
    if await repository.subscription_of(session, agreement.id, household_id) is not None:
        raise AlreadySubscribed("The household already holds shares of this agreement.", household_id=str(household_id))


async def _may_read_history(session: AsyncSession, principal: Principal, subscription: Subscription) -> bool:
    households = {subscription.household_id} | await repository.transfer_household_ids(session, subscription.id)
    for household_id in households:
        if await groups_repository.user_belongs_to_household(session, principal.user_id, household_id):
            return True
    agreement = await repository.get(session, subscription.agreement_id)
    assert agreement is not None
    return await groups_repository.is_coordinator(session, principal.user_id, agreement.consumer_group_id)
