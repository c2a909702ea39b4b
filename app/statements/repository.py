"""Queries for statement imports, their lines, CSV mappings, and the payers a statement is matched against."""

from collections.abc import Iterable, Sequence
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.agreements.models import Agreement, AgreementStatus, Subscription
from app.collection.models import PayeeKind, PayerKind, PaymentReference
from app.groups.models import ConsumerGroup, Household, HouseholdMember
from app.statements.models import CsvMapping, LineStatus, StatementImport, StatementLine

# IN lists are sent in chunks well below either database's limit of bound parameters.
CHUNK = 1000


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


async def get_mapping(session: AsyncSession, payee_id: UUID) -> CsvMapping | None:
    return await session.scalar(select(CsvMapping).where(CsvMapping.payee_id == payee_id))


async def known_fingerprints(session: AsyncSession, payee_id: UUID, fingerprints: Sequence[str]) -> set[str]:
    known: set[str] = set()
    for chunk in _chunks(fingerprints):
        statement = select(StatementLine.fingerprint).where(
            StatementLine.payee_id == payee_id, StatementLine.fingerprint.in_(chunk)
        )
        known.update((await session.scalars(statement)).all())
    return known


def imports_of(payee_id: UUID) -> Select[StatementImport]:
    return select(StatementImport).where(StatementImport.payee_id == payee_id)


async def get_import(session: AsyncSession, import_id: UUID) -> StatementImport | None:
    return await session.get(StatementImport, import_id)


def lines_of(payee_id: UUID, statuses: Sequence[LineStatus], import_id: UUID | None) -> Select[StatementLine]:
    statement = select(StatementLine).where(StatementLine.payee_id == payee_id, StatementLine.status.in_(statuses))
    if import_id is not None:
        statement = statement.where(StatementLine.import_id == import_id)
    return statement


async def get_line(session: AsyncSession, line_id: UUID, *, for_update: bool = False) -> StatementLine | None:
    if not for_update:
        return await session.get(StatementLine, line_id)
    statement = select(StatementLine).where(StatementLine.id == line_id).with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def matched_lines_for_update(session: AsyncSession, import_id: UUID) -> Sequence[StatementLine]:
    statement = (
        select(StatementLine)
        .where(StatementLine.import_id == import_id, StatementLine.status == LineStatus.matched)
        .order_by(StatementLine.created_at, StatementLine.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).all()


# The payers a statement is matched against


def _agreements_of(payee_kind: PayeeKind, payee_id: UUID) -> Select[Agreement]:
    payee_column = (
        Agreement.consumer_group_id if payee_kind == PayeeKind.consumer_group else Agreement.producer_group_id
    )
    return select(Agreement).where(payee_column == payee_id)


async def references_of_payee(
    session: AsyncSession, payee_kind: PayeeKind, payee_id: UUID, references: Sequence[str]
) -> dict[str, tuple[PaymentReference, Agreement]]:
    """Those of `references` its payers quote for the payee's agreements: another group's reference is
    not among them, whoever paid it in."""
    payer_kind = PayerKind.household if payee_kind == PayeeKind.consumer_group else PayerKind.consumer_group
    agreements = _agreements_of(payee_kind, payee_id).subquery()
    found: dict[str, tuple[PaymentReference, Agreement]] = {}
    for chunk in _chunks(references):
        statement = (
            select(PaymentReference, Agreement)
            .join(Agreement, Agreement.id == PaymentReference.agreement_id)
            .where(
                PaymentReference.reference.in_(chunk),
                PaymentReference.payer_kind == payer_kind,
                PaymentReference.agreement_id.in_(select(agreements.c.id)),
            )
        )
        for reference, agreement in (await session.execute(statement)).all():
            found[reference.reference] = (reference, agreement)
    return found


async def open_agreements(
    session: AsyncSession, payee_kind: PayeeKind, payee_id: UUID, statuses: Sequence[AgreementStatus]
) -> Sequence[Agreement]:
    statement = _agreements_of(payee_kind, payee_id).where(Agreement.status.in_(statuses))
    return (await session.scalars(statement)).all()


async def subscriptions_with_names(
    session: AsyncSession, agreement_ids: Sequence[UUID]
) -> Sequence[tuple[Subscription, str]]:
    if not agreement_ids:
        return []
    statement = (
        select(Subscription, Household.name)
        .join(Household, Household.id == Subscription.household_id)
        .where(Subscription.agreement_id.in_(agreement_ids))
    )
    return list((await session.execute(statement)).all())


async def member_names(session: AsyncSession, household_ids: Sequence[UUID]) -> dict[UUID, list[str]]:
    """The display names of each household's members: a transfer shows the account holder's name."""
    if not household_ids:
        return {}
    statement = (
        select(HouseholdMember.household_id, User.display_name)
        .join(User, User.id == HouseholdMember.user_id)
        .where(HouseholdMember.household_id.in_(household_ids))
    )
    names: dict[UUID, list[str]] = {}
    for household_id, name in (await session.execute(statement)).all():
        names.setdefault(household_id, []).append(name)
    return names


async def household_names(session: AsyncSession, household_ids: Sequence[UUID]) -> dict[UUID, str]:
    if not household_ids:
        return {}
    statement = select(Household.id, Household.name).where(Household.id.in_(household_ids))
    return dict((await session.execute(statement)).all())


async def group_names(session: AsyncSession, group_ids: Sequence[UUID]) -> dict[UUID, str]:
    if not group_ids:
        return {}
    statement = select(ConsumerGroup.id, ConsumerGroup.name).where(ConsumerGroup.id.in_(group_ids))
    return dict((await session.execute(statement)).all())
