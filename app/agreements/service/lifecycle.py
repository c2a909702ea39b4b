"""An agreement's lifecycle: the status it reads as, and every change of status.

proposed → agreed: one side accepts the other's version; the agreement takes its items from the plan.
agreed → active: the producer group has received the whole total in advance.
agreed → lapsed: the total was not paid by the due date; the agreement gives its items back to the plan.
active → completed: the season is over, and with it the days a harvest may still be delivered.
agreed or active → cancelled: both groups consented, each by its quorum; what was not delivered goes back to the plan.

No money moves here: payments records it in the ledger and calls these when it changes an agreement's standing."""

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements import events, repository
from app.agreements.errors import CapacityExceeded
from app.agreements.models import Agreement, AgreementStatus, AgreementVersion, VersionStatus
from app.core import quantity
from app.core.db import utc_now

# A harvest may bear a date up to this many days after the last day of its plan's season (a late crop,
# the last harvest recorded some weeks on). An active agreement completes only once these days are
# over, the day after `season_ends_on + DELIVERY_GRACE_DAYS`, so completion cuts off no delivery the
# season allows. Harvests read the constant from here: the rule is written once.
DELIVERY_GRACE_DAYS = 60


def today() -> date:
    return datetime.now(UTC).date()


def deliveries_over(season_ends_on: date, *, on: date) -> bool:
    """True once `on` is past the last day a harvest of the season may bear."""
    # A difference of dates never overflows, where 9999-12-31 + 60 days would.
    return (on - season_ends_on).days > DELIVERY_GRACE_DAYS


def is_overdue(agreement: Agreement, *, on: date) -> bool:
    """Agreed but not fully paid once its due date has passed: such an agreement lapses."""
    due = agreement.advance_due_on
    return agreement.status == AgreementStatus.agreed and due is not None and due < on


def is_season_over(agreement: Agreement, *, on: date) -> bool:
    """Active and past the last day of deliveries: such an agreement completes."""
    return agreement.status == AgreementStatus.active and deliveries_over(agreement.season_ends_on, on=on)


def effective_status(agreement: Agreement) -> AgreementStatus:
    """An agreed agreement not fully paid by its due date is lapsed, and an active one whose season's
    deliveries are over is completed, even before the scheduled jobs record it."""
    day = today()
    if is_overdue(agreement, on=day):
        return AgreementStatus.lapsed
    if is_season_over(agreement, on=day):
        return AgreementStatus.completed
    return agreement.status


# Agreed (principles 2, 4 and 7)


async def put_in_force(
    session: AsyncSession, agreement: Agreement, proposal: AgreementVersion, *, accepted_by: UUID
) -> None:
    """The accepted version becomes the terms in force, replacing those of an earlier version if any."""
    previous = (
        await repository.get_version(session, agreement.id, agreement.agreed_version)
        if agreement.agreed_version
        else None
    )
    await _take_capacity(session, previous, proposal)
    if previous is not None:
        previous.status = VersionStatus.superseded
    proposal.status = VersionStatus.accepted
    proposal.accepted_at = utc_now()
    proposal.accepted_by_user_id = accepted_by
    agreement.status = AgreementStatus.agreed
    agreement.agreed_version = proposal.number
    agreement.shares = proposal.shares
    agreement.total_price_minor = proposal.total_price_minor
    agreement.advance_due_on = proposal.advance_due_on
    agreement.agreed_at = agreement.agreed_at or utc_now()
    await session.flush()
    await events.publish(session, agreement, "agreement.agreed")


async def _take_capacity(session: AsyncSession, previous: AgreementVersion | None, proposal: AgreementVersion) -> None:
    """Principle 2: all agreed quantities of a plan item together never exceed what the farms can grow.
    The items are locked, so concurrent acceptances queue; a CHECK constraint backs it."""
    change: dict[UUID, int] = {}
    for item in proposal.items:
        change[item.plan_item_id] = change.get(item.plan_item_id, 0) + item.quantity_base
    for item in previous.items if previous else []:
        change[item.plan_item_id] = change.get(item.plan_item_id, 0) - item.quantity_base
    items = await repository.plan_items_for_update(session, sorted(change))
    for item_id, delta in change.items():
        plan_item = items[item_id]
        if plan_item.committed_base + delta > plan_item.max_quantity_base:
            raise CapacityExceeded(
                f"{plan_item.crop}: the plan grows {quantity.to_text(plan_item.max_quantity_base, plan_item.unit)} "
                f"{plan_item.unit}, of which {quantity.to_text(plan_item.remaining_base, plan_item.unit)} remain.",
                plan_item_id=str(item_id),
                remaining=quantity.to_text(plan_item.remaining_base, plan_item.unit),
            )
        plan_item.committed_base += delta


async def release_capacity(session: AsyncSession, agreement: Agreement) -> None:
    """A lapsed agreement no longer takes any of the plan."""
    if agreement.agreed_version is None:
        return
    terms = await repository.get_version(session, agreement.id, agreement.agreed_version)
    assert terms is not None
    items = await repository.plan_items_for_update(session, sorted({item.plan_item_id for item in terms.items}))
    for item in terms.items:
        items[item.plan_item_id].committed_base -= item.quantity_base
    await session.flush()


# Active: paid in advance (principle 4)


async def advance_received(session: AsyncSession, agreement: Agreement, *, received_minor: int) -> None:
    """The producer group has now received `received_minor` of the total: the agreement turns active
    the moment that is all of it, and stays agreed until then. The caller holds the agreement's lock."""
    if received_minor != agreement.total_price_minor:
        return
    agreement.status = AgreementStatus.active
    agreement.activated_at = utc_now()
    await session.flush()
    await events.publish(session, agreement, "agreement.activated")


# Lapsed: not fully paid by the due date


async def overdue_agreements(session: AsyncSession, *, today: date) -> AsyncIterator[Agreement]:
    """Every agreement overdue on `today`, locked, one after another. One paid, or given a later due
    date, since it was found is passed over: the rule is checked again under the lock."""
    for agreement_id in await repository.overdue_ids(session, today=today):
        agreement = await repository.get_for_update(session, agreement_id)
        if agreement is not None and is_overdue(agreement, on=today):
            yield agreement


async def lapse(session: AsyncSession, agreement: Agreement) -> None:
    """The agreement ends unpaid and gives its items back to the plan. Returning what was collected
    is payments' part, done before this under the same lock."""
    await release_capacity(session, agreement)
    agreement.status = AgreementStatus.lapsed
    agreement.ended_at = utc_now()
    await session.flush()
    await events.publish(session, agreement, "agreement.lapsed")


# Cancelled: ended by mutual consent


CANCELLABLE = (AgreementStatus.agreed, AgreementStatus.active)


async def cancel(session: AsyncSession, agreement: Agreement, *, undelivered_base: Mapping[UUID, int]) -> None:
    """The agreement ends by mutual consent. Each plan item gets back what was agreed and not delivered;
    what was delivered was grown for it and stays taken. A proposal of new terms still waiting is closed.
    Refunding is payments' part, done before this under the same lock."""
    items = await repository.plan_items_for_update(session, sorted(undelivered_base))
    for plan_item_id, quantity_base in undelivered_base.items():
        items[plan_item_id].committed_base -= quantity_base
    current = await repository.get_version(session, agreement.id, agreement.current_version)
    if current is not None and current.status in (VersionStatus.open, VersionStatus.awaiting_approval):
        current.status = VersionStatus.superseded
    agreement.status = AgreementStatus.cancelled
    agreement.ended_at = utc_now()
    await session.flush()


# Completed: the season and its deliveries are over


async def agreements_to_complete(session: AsyncSession, *, today: date) -> AsyncIterator[Agreement]:
    """Every agreement whose season is over on `today`, locked, one after another; the rule is checked
    again under the lock."""
    for agreement_id in await repository.season_over_ids(
        session, last_season_end=today - timedelta(days=DELIVERY_GRACE_DAYS + 1)
    ):
        agreement = await repository.get_for_update(session, agreement_id)
        if agreement is not None and is_season_over(agreement, on=today):
            yield agreement


async def complete_finished(session: AsyncSession, *, today: date) -> list[UUID]:
    """Record as completed every agreement whose season is over on `today`. Its items stay taken: the
    produce was grown for it. Run daily (`python -m app.worker complete`); running it again changes nothing."""
    completed = []
    async for agreement in agreements_to_complete(session, today=today):
        agreement.status = AgreementStatus.completed
        agreement.ended_at = utc_now()
        await session.flush()
        await events.publish(session, agreement, "agreement.completed")
        completed.append(agreement.id)
    return completed
