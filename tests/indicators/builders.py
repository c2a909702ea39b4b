"""A season with known numbers, and the networks that monitor it, their rows inserted directly.

The consumer group of tests.harvests.builders' season (3 households holding 3 shares each of 10) agreed 100 kg
of rice (200 kg planned) and 40 melons (80 planned) for 6370.00 THB; this adds what happened next: the
households paid their shares (5733.00), the group paid the producers 5733.00 five days before the due date
and the remaining 637.00 three days after it, 40 kg of rice and 10 melons were delivered, 4 kg of rice was
stored and 1 kg left undecided, a renewal that lapsed and an agreement cancelled, and one of the group's
people attended one learning event."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.agreements.models import Agreement, AgreementStatus
from app.core.config import Settings
from app.harvests.models import Harvest, HarvestLine, Surplus, SurplusUse
from app.learning.models import LearningEvent, LearningSignup
from app.ledger import service as ledger
from app.ledger.models import AccountKind, LedgerEntry
from app.networks.models import (
    CbeKind,
    Enrolment,
    EnrolmentStatus,
    MonitoringProgramme,
    Network,
    NetworkKind,
    NetworkMember,
    NetworkRole,
)
from tests.factories import create_user, first_member
from tests.harvests.builders import MELONS, RICE, Season, create_season, today

TOTAL = 637_000  # 4550.00 THB of rice and 1820.00 of melons
PAID_BY_HOUSEHOLDS = 3 * 191_100  # three households' 3 shares of 10


def at(day: date) -> datetime:
    return datetime.combine(day, time(9), UTC)


async def post_at(session: AsyncSession, day: date, **post: object) -> None:
    """A ledger transaction dated `day`, as if recorded then."""
    transaction = await ledger.post(session, **post)  # type: ignore[arg-type]
    await session.execute(
        update(LedgerEntry).where(LedgerEntry.transaction_id == transaction.id).values(created_at=at(day))
    )


@dataclass
class Monitored:
    season: Season
    renewal: Agreement
    cancelled: Agreement
    due_on: date


async def create_monitored_season(session: AsyncSession, settings: Settings) -> Monitored:
    season = await create_season(session, settings, items=(RICE, MELONS))
    agreement = season.agreement
    assert agreement.advance_due_on is not None and agreement.total_price_minor == TOTAL
    due_on = agreement.advance_due_on
    await _payments(session, season, due_on)
    await _harvest(session, season)
    renewal = await _another_agreement(session, season, AgreementStatus.lapsed, renewed_from=agreement.id)
    cancelled = await _another_agreement(session, season, AgreementStatus.cancelled)
    await _learning(session, season)
    return Monitored(season=season, renewal=renewal, cancelled=cancelled, due_on=due_on)


async def _payments(session: AsyncSession, season: Season, due_on: date) -> None:
    agreement = season.agreement
    fund, own, received = [
        await ledger.account(session, agreement_id=agreement.id, kind=kind, owner_id=owner, currency="THB")
        for kind, owner in [
            (AccountKind.group_fund, agreement.consumer_group_id),
            (AccountKind.group_own, agreement.consumer_group_id),
            (AccountKind.producer_received, agreement.producer_group_id),
        ]
    ]
    for subscription in season.subscriptions:
        paid = await ledger.account(
            session,
            agreement_id=agreement.id,
            kind=AccountKind.household_paid,
            owner_id=subscription.household_id,
            currency="THB",
        )
        await post_at(
            session,
            due_on - timedelta(days=20),
            agreement_id=agreement.id,
            kind="household_to_group",
            legs=[(paid, -subscription.amount_due_minor), (fund, subscription.amount_due_minor)],
        )
    await post_at(
        session,
        due_on - timedelta(days=5),
        agreement_id=agreement.id,
        kind="group_to_producer",
        legs=[(fund, -PAID_BY_HOUSEHOLDS), (received, PAID_BY_HOUSEHOLDS)],
    )
    rest = TOTAL - PAID_BY_HOUSEHOLDS
    await post_at(
        session,
        due_on + timedelta(days=3),
        agreement_id=agreement.id,
        kind="group_to_producer",
        legs=[(own, -rest), (received, rest)],
    )


async def _harvest(session: AsyncSession, season: Season) -> None:
    rice, melons = season.items
    harvest = Harvest(
        agreement_id=season.agreement.id,
        delivered_on=today(),
        pickup_station_id=season.station.id,
        carried_by_user_id=season.producer_coordinator.id,
        recorded_by_user_id=season.producer_coordinator.id,
    )
    session.add(harvest)
    await session.flush()
    rice_line = HarvestLine(harvest_id=harvest.id, plan_item_id=rice.id, position=0, quantity_base=40_000)
    melon_line = HarvestLine(harvest_id=harvest.id, plan_item_id=melons.id, position=1, quantity_base=10)
    session.add_all([rice_line, melon_line])
    await session.flush()
    session.add_all(
        [
            Surplus(harvest_line_id=rice_line.id, quantity_base=4_000, use=SurplusUse.stored),
            Surplus(harvest_line_id=rice_line.id, quantity_base=1_000),
        ]
    )
    await session.flush()


async def _another_agreement(
    session: AsyncSession, season: Season, status: AgreementStatus, *, renewed_from: UUID | None = None
) -> Agreement:
    """An agreed agreement of 5 shares on the same plan, nobody subscribed, no price: it counts in the
    agreements, shares and their outcomes, and in nothing about money or crops."""
    agreement = Agreement(
        production_plan_id=season.plan.id,
        consumer_group_id=season.consumer_group.id,
        producer_group_id=season.producer_group.id,
        currency="THB",
        status=status,
        current_version=1,
        agreed_version=1,
        shares=5,
        total_price_minor=0,
        advance_due_on=today(),
        renewed_from_id=renewed_from,
    )
    session.add(agreement)
    await session.flush()
    return agreement


async def _learning(session: AsyncSession, season: Season) -> None:
    trainer = await create_user(session, display_name="Trainer")
    event = LearningEvent(
        title="Seed saving",
        description="A morning on saving rice seed.",
        starts_at=at(season.plan.season_starts_on + timedelta(days=10)),
        ends_at=at(season.plan.season_starts_on + timedelta(days=10)) + timedelta(hours=3),
        online=True,
        language="th",
        trainer_id=trainer.id,
        created_by=trainer.id,
    )
    session.add(event)
    await session.flush()
    member = await first_member(session, season.households[1])
    session.add(LearningSignup(learning_event_id=event.id, user_id=member.id, attended=True))
    await session.flush()


@dataclass
class Watching:
    network: Network
    enrolment: Enrolment
    analyst: User


async def enrol(
    session: AsyncSession, cbe_kind: CbeKind, cbe_id: UUID, *, analyst: User | None = None, country: str = "TH"
) -> Watching:
    """A network with one analyst that currently enrols the CBE in a programme."""
    analyst = analyst or await create_user(session, display_name="Analyst")
    network = Network(kind=NetworkKind.csa_network, name="Thai CSA network", country=country, created_by=analyst.id)
    session.add(network)
    await session.flush()
    session.add(NetworkMember(network_id=network.id, user_id=analyst.id, role=NetworkRole.analyst, added_by=analyst.id))
    programme = MonitoringProgramme(
        network_id=network.id, name="Summit monitoring", starts_on=today(), created_by=analyst.id
    )
    session.add(programme)
    await session.flush()
    enrolment = Enrolment(
        programme_id=programme.id,
        network_id=network.id,
        cbe_kind=cbe_kind,
        cbe_id=cbe_id,
        status=EnrolmentStatus.enrolled,
        proposed_by=analyst.id,
        enrolled_at=datetime.now(UTC),
    )
    session.add(enrolment)
    await session.flush()
    return Watching(network=network, enrolment=enrolment, analyst=analyst)


async def withdraw(session: AsyncSession, watching: Watching) -> None:
    watching.enrolment.status = EnrolmentStatus.withdrawn
    watching.enrolment.withdrawn_at = datetime.now(UTC)
    watching.enrolment.withdrawn_by = watching.analyst.id
    await session.flush()
