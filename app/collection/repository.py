"""Queries for collection accounts and payment references."""

from uuid import UUID

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.collection.models import CollectionAccount, PayerKind, PaymentReference


def accounts_of(payee_id: UUID) -> Select[CollectionAccount]:
    return select(CollectionAccount).where(CollectionAccount.payee_id == payee_id)


async def has_accounts(session: AsyncSession, payee_id: UUID) -> bool:
    return await session.scalar(accounts_of(payee_id).limit(1)) is not None


async def default_account(session: AsyncSession, payee_id: UUID) -> CollectionAccount | None:
    return await session.scalar(accounts_of(payee_id).where(CollectionAccount.is_default.is_(True)))


async def clear_default(session: AsyncSession, payee_id: UUID) -> None:
    await session.execute(
        update(CollectionAccount)
        .where(CollectionAccount.payee_id == payee_id, CollectionAccount.is_default.is_(True))
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )


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
