"""Queries for agreements: the two groups' view of them, locks for their limits, and their messages.
Other domains lock and read agreements through these too, so each lock is taken one way."""

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.agreements.models import (
    Agreement,
    AgreementCancellation,
    AgreementMessage,
    AgreementStatus,
    AgreementVersion,
    Approval,
    CancellationApproval,
    CancellationStatus,
    Side,
    Subscription,
    SubscriptionTransfer,
    TransferStatus,
)
from app.groups import repository as groups_repository
from app.plans.models import PlanItem, ProductionPlan
from app.producers import repository as producers_repository


async def get(session: AsyncSession, agreement_id: UUID) -> Agreement | None:
    return await session.get(Agreement, agreement_id)


async def get_for_update(session: AsyncSession, agreement_id: UUID) -> Agreement | None:
    # One row lock per agreement: negotiation, subscriptions, payments, the lapse job, deliveries and
    # absences on it queue here, so none of them can together pass one of its limits.
    # (SQLite ignores FOR UPDATE; there every transaction holds the write lock from BEGIN IMMEDIATE.)
    statement = select(Agreement).where(Agreement.id == agreement_id).with_for_update()
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def overdue_ids(session: AsyncSession, *, today: date) -> Sequence[UUID]:
    """Agreements that read as lapsed on `today` but are still stored as agreed: the SQL form of
    `lifecycle.is_overdue`, which the lapse job checks again under each agreement's lock."""
    statement = select(Agreement.id).where(Agreement.status == AgreementStatus.agreed, Agreement.advance_due_on < today)
    return (await session.scalars(statement)).all()


async def season_over_ids(session: AsyncSession, *, last_season_end: date) -> Sequence[UUID]:
    """Active agreements whose plan's season ended on or before `last_season_end`: the SQL form of
    `lifecycle.is_season_over`, which the completion job checks again under each agreement's lock."""
    statement = select(Agreement.id).where(
        Agreement.status == AgreementStatus.active, Agreement.season_ends_on <= last_season_end
    )
    return (await session.scalars(statement)).all()


async def get_with_versions(session: AsyncSession, agreement_id: UUID) -> Agreement | None:
    statement = (
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            selectinload(Agreement.versions).selectinload(AgreementVersion.items),
            selectinload(Agreement.versions).selectinload(AgreementVersion.approvals),
        )
        .execution_options(populate_existing=True)
    )
    return await session.scalar(statement)


async def get_version(session: AsyncSession, agreement_id: UUID, number: int) -> AgreementVersion | None:
    statement = (
        select(AgreementVersion)
        .where(AgreementVersion.agreement_id == agreement_id, AgreementVersion.number == number)
        .options(selectinload(AgreementVersion.items), selectinload(AgreementVersion.approvals))
    )
    return await session.scalar(statement)


async def approvals_in_office(session: AsyncSession, version_id: UUID, side: Side) -> int:
    """The side's approvals of the version whose coordinators are still in office: those the quorum counts."""
    statement = select(func.count()).where(Approval.version_id == version_id, Approval.side == side, Approval.in_office)
    return int(await session.scalar(statement) or 0)


async def get_plan(session: AsyncSession, plan_id: UUID) -> ProductionPlan | None:
    return await session.scalar(
        select(ProductionPlan).where(ProductionPlan.id == plan_id).options(selectinload(ProductionPlan.items))
    )


async def plan_items(session: AsyncSession, item_ids: Sequence[UUID]) -> dict[UUID, PlanItem]:
    if not item_ids:
        return {}
    items = await session.scalars(select(PlanItem).where(PlanItem.id.in_(item_ids)))
    return {item.id: item for item in items}


async def plan_items_for_update(session: AsyncSession, item_ids: Sequence[UUID]) -> dict[UUID, PlanItem]:
    # Locked in id order, so two acceptances touching the same items cannot deadlock.
    statement = (
        select(PlanItem)
        .where(PlanItem.id.in_(item_ids))
        .order_by(PlanItem.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {item.id: item for item in await session.scalars(statement)}


def readable_by(user_id: UUID) -> Select[Agreement]:
    """Agreements the user's groups are party to: the edge of every agreement's private data."""
    return select(Agreement).where(
        or_(
            Agreement.consumer_group_id.in_(groups_repository.groups_of_user(user_id)),
            Agreement.producer_group_id.in_(producers_repository.producer_groups_of_user(user_id)),
        )
    )


async def subscription_of(session: AsyncSession, agreement_id: UUID, household_id: UUID) -> Subscription | None:
    statement = select(Subscription).where(
        Subscription.agreement_id == agreement_id, Subscription.household_id == household_id
    )
    return await session.scalar(statement)


async def subscriptions(session: AsyncSession, agreement_id: UUID) -> Sequence[Subscription]:
    """The households' shares in share order (`first_share`): the order allocation ties are broken in."""
    statement = select(Subscription).where(Subscription.agreement_id == agreement_id)
    return (await session.scalars(statement.order_by(Subscription.first_share, Subscription.id))).all()


def agreement_subscriptions(agreement_id: UUID) -> Select[Subscription]:
    return select(Subscription).where(Subscription.agreement_id == agreement_id)


def household_subscriptions(household_id: UUID) -> Select[Subscription]:
    return select(Subscription).where(Subscription.household_id == household_id)


async def subscription_for_update(session: AsyncSession, subscription_id: UUID) -> Subscription | None:
    # Taken after the agreement's lock, never before it: offers and acceptances of one subscription
    # queue here, so it changes holder once and never has two open offers.
    statement = select(Subscription).where(Subscription.id == subscription_id).with_for_update()
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def get_transfer(
    session: AsyncSession, transfer_id: UUID, *, for_update: bool = False
) -> SubscriptionTransfer | None:
    statement = select(SubscriptionTransfer).where(SubscriptionTransfer.id == transfer_id)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def offered_transfer(session: AsyncSession, subscription_id: UUID) -> SubscriptionTransfer | None:
    statement = select(SubscriptionTransfer).where(
        SubscriptionTransfer.subscription_id == subscription_id, SubscriptionTransfer.status == TransferStatus.offered
    )
    return await session.scalar(statement)


async def transfer_household_ids(session: AsyncSession, subscription_id: UUID) -> set[UUID]:
    """Every household that offered or was offered the subscription: the ones its history concerns."""
    statement = select(SubscriptionTransfer.from_household_id, SubscriptionTransfer.to_household_id).where(
        SubscriptionTransfer.subscription_id == subscription_id
    )
    return {household_id for row in await session.execute(statement) for household_id in row}


async def former_holders(session: AsyncSession, subscription_id: UUID) -> list[UUID]:
    """The households that held a subscription before handing it on."""
    statement = select(SubscriptionTransfer.from_household_id).where(
        SubscriptionTransfer.subscription_id == subscription_id,
        SubscriptionTransfer.status == TransferStatus.accepted,
    )
    return list((await session.scalars(statement)).all())


async def former_holders_of(session: AsyncSession, subscription_ids: Sequence[UUID]) -> dict[UUID, list[UUID]]:
    """The households that handed each of the subscriptions on, in one query."""
    if not subscription_ids:
        return {}
    statement = select(SubscriptionTransfer.subscription_id, SubscriptionTransfer.from_household_id).where(
        SubscriptionTransfer.subscription_id.in_(subscription_ids),
        SubscriptionTransfer.status == TransferStatus.accepted,
    )
    former: dict[UUID, list[UUID]] = {}
    for subscription_id, household_id in (await session.execute(statement)).all():
        former.setdefault(subscription_id, []).append(household_id)
    return former


async def holder_after(session: AsyncSession, agreement_id: UUID, household_id: UUID) -> UUID | None:
    """Who now holds the agreement's shares that the household handed on; None if it handed none on (or
    they came back to it)."""
    handed_on = select(SubscriptionTransfer.subscription_id).where(
        SubscriptionTransfer.from_household_id == household_id,
        SubscriptionTransfer.status == TransferStatus.accepted,
    )
    statement = select(Subscription.household_id).where(
        Subscription.agreement_id == agreement_id,
        Subscription.id.in_(handed_on),
        Subscription.household_id != household_id,
    )
    return await session.scalar(statement)


def subscription_transfers(subscription_id: UUID) -> Select[SubscriptionTransfer]:
    return select(SubscriptionTransfer).where(SubscriptionTransfer.subscription_id == subscription_id)


async def agreements_by_id(session: AsyncSession, agreement_ids: Sequence[UUID]) -> dict[UUID, Agreement]:
    if not agreement_ids:
        return {}
    found = await session.scalars(select(Agreement).where(Agreement.id.in_(agreement_ids)))
    return {agreement.id: agreement for agreement in found}


def messages(agreement_id: UUID) -> Select[AgreementMessage]:
    return select(AgreementMessage).where(AgreementMessage.agreement_id == agreement_id)


# Cancellation by mutual consent: read after the agreement's lock, so each reads what the last change left.


async def get_cancellation(
    session: AsyncSession, agreement_id: UUID, cancellation_id: UUID
) -> AgreementCancellation | None:
    statement = (
        select(AgreementCancellation)
        .where(AgreementCancellation.id == cancellation_id, AgreementCancellation.agreement_id == agreement_id)
        .options(selectinload(AgreementCancellation.approvals))
        .execution_options(populate_existing=True)
    )
    return await session.scalar(statement)


async def open_cancellation(session: AsyncSession, agreement_id: UUID) -> AgreementCancellation | None:
    statement = select(AgreementCancellation).where(
        AgreementCancellation.agreement_id == agreement_id, AgreementCancellation.status == CancellationStatus.open
    )
    return await session.scalar(statement.execution_options(populate_existing=True))


async def cancellation_approvals_in_office(session: AsyncSession, cancellation_id: UUID, side: Side) -> int:
    """The side's approvals of the cancellation whose coordinators are still in office: those the quorum counts."""
    statement = select(func.count()).where(
        CancellationApproval.cancellation_id == cancellation_id,
        CancellationApproval.side == side,
        CancellationApproval.in_office,
    )
    return int(await session.scalar(statement) or 0)


def cancellations(agreement_id: UUID) -> Select[AgreementCancellation]:
    statement = select(AgreementCancellation).where(AgreementCancellation.agreement_id == agreement_id)
    return statement.options(selectinload(AgreementCancellation.approvals))
