"""The daily reminders: a payment due in a few days (each user chooses how many days ahead) and a pickup
tomorrow. Each reminder is keyed by its occasion (the agreement, the payer and the days left; the station
and the day), so the job run twice on one day reminds no one twice."""

from datetime import date, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements import repository as agreements_repository
from app.agreements.models import Agreement, AgreementStatus
from app.core import money
from app.core.config import Settings
from app.groups.models import PickupStation
from app.ledger import service as ledger
from app.ledger.models import AccountKind
from app.notifications import repository
from app.notifications.models import NotificationKind, SubjectType
from app.notifications.schemas import REMINDER_DAYS_MAX
from app.notifications.service import Note, notify, reminder_days


async def remind(session: AsyncSession, settings: Settings, *, today: date) -> int:
    """Make today's reminders; how many users were newly told."""
    told = 0
    agreements = await session.scalars(
        repository.agreements_due_between(today, today + timedelta(days=REMINDER_DAYS_MAX))
    )
    for agreement in agreements.all():
        told += await _remind_payers(session, settings, agreement, today=today)
    told += await _remind_pickups(session, settings, tomorrow=today + timedelta(days=1))
    return told


# Payments due


async def _remind_payers(session: AsyncSession, settings: Settings, agreement: Agreement, *, today: date) -> int:
    assert agreement.advance_due_on is not None  # agreed terms carry their due date
    days_left = (agreement.advance_due_on - today).days
    consumers, producers = await repository.group_names(
        session, agreement.consumer_group_id, agreement.producer_group_id
    )
    households, to_producer = await _outstanding(session, agreement)
    members = await repository.members_of_households(session, households)
    told = 0
    for household_id, outstanding in households.items():
        note = Note(
            kind=NotificationKind.payment_due,
            key=f"payment_due:{agreement.id}:{household_id}:{days_left}",
            title=f"Advance payment due {_when(days_left)}",
            text=f"Your household still owes {money.to_text(outstanding, agreement.currency)} {agreement.currency} "
            f"for its shares in the agreement with {producers}, due by {agreement.advance_due_on.isoformat()}.",
            subject_type=SubjectType.agreement,
            subject_id=agreement.id,
        )
        told += len(await _notify_on_day(session, settings, members.get(household_id, set()), note, days_left))
    # The group pays the producer group once its households have paid it; the coordinators see to that.
    if agreement.status == AgreementStatus.agreed and to_producer > 0:
        note = Note(
            kind=NotificationKind.payment_due,
            key=f"payment_due:{agreement.id}:group:{days_left}",
            title=f"Advance payment to {producers} due {_when(days_left)}",
            text=f"{consumers} still owes {producers} {money.to_text(to_producer, agreement.currency)} "
            f"{agreement.currency} of the advance payment, due by {agreement.advance_due_on.isoformat()}. "
            "Unpaid by then, the agreement lapses and every payer is refunded.",
            subject_type=SubjectType.agreement,
            subject_id=agreement.id,
        )
        coordinators = await repository.consumer_coordinators(session, agreement.consumer_group_id)
        told += len(await _notify_on_day(session, settings, coordinators, note, days_left))
    return told


async def _notify_on_day(
    session: AsyncSession, settings: Settings, user_ids: set[UUID], note: Note, days_left: int
) -> list[UUID]:
    """Tell those who asked to be reminded this many days ahead."""
    preferences = await repository.preferences_of(session, user_ids)
    reminded = {user_id for user_id in user_ids if days_left in reminder_days(preferences.get(user_id))}
    return await notify(session, settings, reminded, note)


async def _outstanding(session: AsyncSession, agreement: Agreement) -> tuple[dict[UUID, int], int]:
    """What each holder of shares still owes (households owing nothing left out), and what the producer group
    has still to receive, read from the ledger as the dues are. Shares handed on keep what every earlier
    holder paid for them."""
    subscriptions = await repository.subscriptions_of(session, agreement.id)
    former = await agreements_repository.former_holders_of(session, [subscription.id for subscription in subscriptions])
    paid: dict[UUID, int] = {}
    received = 0
    for account, balance in await ledger.accounts_with_balances(session, agreement.id):
        if account.kind == AccountKind.household_paid:
            paid[account.owner_id] = paid.get(account.owner_id, 0) - balance
        elif account.kind == AccountKind.producer_received:
            received += balance
    households = {}
    for subscription in subscriptions:
        payers = (subscription.household_id, *former.get(subscription.id, ()))
        outstanding = subscription.amount_due_minor - sum(paid.get(payer, 0) for payer in payers)
        if outstanding > 0:
            households[subscription.household_id] = outstanding
    return households, max(0, agreement.total_price_minor - received)


def _when(days_left: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(days_left, f"in {days_left} days")


# Pickups


def pickup_note(station: PickupStation, day: date) -> Note:
    """The reminder of one station's pickup on one day: keyed so, it reaches each user once, whether the
    daily job or the harvest's event made it first."""
    return Note(
        kind=NotificationKind.pickup_tomorrow,
        key=f"pickup:{station.id}:{day.isoformat()}",
        title="Pickup tomorrow",
        text=f"Tomorrow, {day.isoformat()}, your household's share of the harvest waits at {station.name}, "
        f"{station.address}.",
        subject_type=SubjectType.pickup_station,
        subject_id=station.id,
    )


async def _remind_pickups(session: AsyncSession, settings: Settings, *, tomorrow: date) -> int:
    by_station: dict[UUID, set[UUID]] = {}
    for station_id, household_id in await repository.pickups_on(session, tomorrow):
        by_station.setdefault(station_id, set()).add(household_id)
    told = 0
    for station_id, households in by_station.items():
        station = await repository.get_station(session, station_id)
        if station is None:
            continue
        members = await repository.members_of_households(session, households)
        told += len(await notify(session, settings, set().union(*members.values()), pickup_note(station, tomorrow)))
    return told
