"""Queries for collection accounts and payment references."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.collection.models import (
    AccountApproval,
    AccountProposal,
    CollectionAccount,
    CollectionAccountStatus,
    PayeeKind,
    PayerKind,
    PaymentReference,
    ProposalStatus,
)
from app.groups import repository as groups_repository
from app.producers import repository as producers_repository


def accounts_of(payee_id: UUID) -> Select[CollectionAccount]:
    return select(CollectionAccount).where(CollectionAccount.payee_id == payee_id)


async def get_account(
    session: AsyncSession, payee_kind: PayeeKind, payee_id: UUID, account_id: UUID
) -> CollectionAccount | None:
    """The group's account, read afresh: callers hold the group's lock, and what they read before it may
    have changed while they waited."""
    statement = accounts_of(payee_id).where(
        CollectionAccount.id == account_id, CollectionAccount.payee_kind == payee_kind
    )
    return await session.scalar(statement.execution_options(populate_existing=True))


async def default_account(session: AsyncSession, payee_id: UUID) -> CollectionAccount | None:
    return await session.scalar(
        accounts_of(payee_id).where(
            CollectionAccount.is_default.is_(True), CollectionAccount.status == CollectionAccountStatus.active
        )
    )


async def clear_default(session: AsyncSession, payee_id: UUID) -> None:
    await session.execute(
        update(CollectionAccount)
        .where(CollectionAccount.payee_id == payee_id, CollectionAccount.is_default.is_(True))
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )


async def open_proposal(session: AsyncSession, account_id: UUID) -> AccountProposal | None:
    statement = select(AccountProposal).where(
        AccountProposal.account_id == account_id, AccountProposal.status == ProposalStatus.open
    )
    return await session.scalar(statement.execution_options(populate_existing=True))


async def open_proposals(session: AsyncSession, account_ids: Sequence[UUID]) -> Sequence[AccountProposal]:
    statement = select(AccountProposal).where(
        AccountProposal.account_id.in_(account_ids), AccountProposal.status == ProposalStatus.open
    )
    return (await session.scalars(statement)).all()


async def has_approved(session: AsyncSession, proposal_id: UUID, user_id: UUID) -> bool:
    statement = select(AccountApproval.id).where(
        AccountApproval.proposal_id == proposal_id, AccountApproval.user_id == user_id
    )
    return await session.scalar(statement) is not None


def coordinating(payee_kind: PayeeKind, payee_id: UUID) -> Select[UUID]:
    """The users coordinating the group now."""
    if payee_kind == PayeeKind.consumer_group:
        return groups_repository.coordinator_terms.coordinating(payee_id)
    return producers_repository.coordinator_terms.coordinating(payee_id)


async def coordinators_in_office(session: AsyncSession, payee_kind: PayeeKind, payee_id: UUID) -> set[UUID]:
    return set((await session.scalars(coordinating(payee_kind, payee_id))).all())


async def approvals_in_office(session: AsyncSession, proposal_id: UUID, in_office: Select[UUID]) -> int:
    """The proposal's approvals whose coordinators hold office now: an ended term's approval no longer counts."""
    statement = select(func.count()).where(
        AccountApproval.proposal_id == proposal_id, AccountApproval.user_id.in_(in_office)
    )
    return int(await session.scalar(statement) or 0)


async def approvals_of(session: AsyncSession, proposal_ids: Sequence[UUID]) -> Sequence[AccountApproval]:
    statement = select(AccountApproval).where(AccountApproval.proposal_id.in_(proposal_ids))
    return (await session.scalars(statement.order_by(AccountApproval.created_at, AccountApproval.user_id))).all()


async def reference_of(
    session: AsyncSession, agreement_id: UUID, payer_kind: PayerKind, payer_id: UUID
) -> PaymentReference | None:
    return await session.scalar(
        select(PaymentReference).where(
            PaymentReference.agreement_id == agreement_id,
            PaymentReference.payer_kind == payer_kind,
            PaymentReference.payer_id == payer_id,
        )
    )


async def reference_taken(session: AsyncSession, reference: str) -> bool:
    return await session.scalar(select(PaymentReference.id).where(PaymentReference.reference == reference)) is not None
