from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import demo
from app.accounts.models import User
from app.agreements.models import Agreement, AgreementCancellation, AgreementStatus, CancellationStatus
from app.agreements.service import lifecycle
from app.catalogue.models import ExchangeRate, Product, ProductCertification
from app.collection.models import CollectionAccount, CollectionAccountKind, PayeeKind
from app.core.db import utc_now
from app.core.schemas import ASEAN_COUNTRIES
from app.groups.models import (
    Admission,
    ConsumerGroup,
    GroupStatus,
    Membership,
    MembershipRequest,
    Motion,
    MotionApproval,
    MotionKind,
    MotionStatus,
    RequestStatus,
)
from app.harvests.models import Allocation, Harvest, HarvestLine, Surplus
from app.indicators.models import IndicatorSummary
from app.learning.models import LearningSignup
from app.ledger.models import AccountKind, LedgerAccount, LedgerEntry
from app.networks import repository as networks_repository
from app.networks.models import CbeKind
from app.plans.models import ProductionPlan
from app.producers.models import ProducerGroup
from app.registry import service as registry
from app.statements.models import LineStatus, StatementImport, StatementLine
from app.trade.models import TradeOrder, TradeOrderStatus


async def test_demo_loads_once_and_shows_groups_in_several_asean_countries(session: AsyncSession) -> None:
    first = await demo.load(session)
    users_after_first = await session.scalar(select(func.count()).select_from(User))

    second = await demo.load(session)

    groups = (await session.scalars(select(ConsumerGroup))).all()
    producer_countries = set((await session.scalars(select(ProducerGroup.country))).all())
    assert (first, second) == (True, False)
    assert await session.scalar(select(func.count()).select_from(User)) == users_after_first
    assert len(groups) == 3
    assert len({group.country for group in groups}) == 3
    assert [group.name for group in groups if group.status == GroupStatus.active] == ["Chiang Mai Organic Families"]
    assert producer_countries == {"TH", "VN", "ID"}
    for group in groups:  # the stored count is the rows' count, as the service keeps it
        rows = await session.scalar(select(func.count()).select_from(Membership).where(Membership.group_id == group.id))
        assert group.member_count == rows
        assert group.coordinator_count == 2


async def test_demo_has_a_season_in_progress_paid_in_full_with_two_harvests_allocated(session: AsyncSession) -> None:
    await demo.load(session)

    [agreement] = (await session.scalars(select(Agreement).where(Agreement.status == AgreementStatus.active))).all()
    received = await balance_of(session, agreement, AccountKind.producer_received)
    harvests = (await session.scalars(select(Harvest).where(Harvest.agreement_id == agreement.id))).all()
    lines = select(HarvestLine.id).join(Harvest).where(Harvest.agreement_id == agreement.id)
    delivered = await session.scalar(select(func.sum(HarvestLine.quantity_base)).where(HarvestLine.id.in_(lines)))
    allocated = await session.scalar(
        select(func.sum(Allocation.quantity_base)).where(Allocation.harvest_line_id.in_(lines))
    )
    surplus = await session.scalar(select(func.sum(Surplus.quantity_base)).where(Surplus.harvest_line_id.in_(lines)))
    assert (agreement.status, agreement.agreed_version) == (AgreementStatus.active, 2)
    assert received == agreement.total_price_minor == 8_760_000
    assert len(harvests) == 2
    assert (allocated or 0) + (surplus or 0) == delivered


async def balance_of(session: AsyncSession, agreement: Agreement, kind: AccountKind) -> int:
    return int(
        await session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .where(LedgerAccount.agreement_id == agreement.id, LedgerAccount.kind == kind)
        )
        or 0
    )


async def test_demo_has_last_years_season_completed_as_it_happened(session: AsyncSession) -> None:
    await demo.load(session)

    [completed] = (await session.scalars(select(Agreement).where(Agreement.status == AgreementStatus.completed))).all()
    plan = await session.get_one(ProductionPlan, completed.production_plan_id)
    a_year_ago = utc_now() - timedelta(days=365)
    assert completed.agreed_at is not None and abs(completed.agreed_at - a_year_ago) < timedelta(minutes=5)
    assert lifecycle.deliveries_over(plan.season_ends_on, on=utc_now().date())
    assert await balance_of(session, completed, AccountKind.producer_received) == completed.total_price_minor


async def test_demo_has_an_agreement_cancelled_with_its_payers_refunded(session: AsyncSession) -> None:
    await demo.load(session)

    [cancelled] = (await session.scalars(select(Agreement).where(Agreement.status == AgreementStatus.cancelled))).all()
    [cancellation] = (
        await session.scalars(select(AgreementCancellation).where(AgreementCancellation.agreement_id == cancelled.id))
    ).all()
    households_net = await balance_of(session, cancelled, AccountKind.household_paid)
    assert cancellation.status == CancellationStatus.carried
    assert await balance_of(session, cancelled, AccountKind.producer_received) == 1_260_000 - 1_050_000
    assert await balance_of(session, cancelled, AccountKind.group_fund) == 0
    assert households_net == -(1_470_000 - 1_260_000)  # 14,700.00 paid for 7 shares, 6/7 of it given back
    assert (
        await session.scalar(
            select(func.sum(LedgerEntry.amount_minor))
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .where(LedgerAccount.agreement_id == cancelled.id)
        )
        == 0
    )


async def test_demo_has_a_coordinator_rotated_out_by_a_carried_motion(session: AsyncSession) -> None:
    await demo.load(session)

    [motion] = (await session.scalars(select(Motion))).all()
    assert (motion.kind, motion.status) == (MotionKind.end_term, MotionStatus.carried)
    assert await session.scalar(select(func.count()).where(MotionApproval.motion_id == motion.id)) == 2


async def test_demo_catalogue_spans_six_asean_countries_with_rates_and_an_order_in_every_state(
    session: AsyncSession,
) -> None:
    await demo.load(session)

    products = (await session.scalars(select(Product))).all()
    statuses = set((await session.scalars(select(TradeOrder.status))).all())
    pairs = {(rate.base, rate.quote) for rate in (await session.scalars(select(ExchangeRate))).all()}
    expired = await session.scalar(
        select(func.count())
        .select_from(ProductCertification)
        .where(ProductCertification.expires_on < func.current_date())
    )
    assert len(products) >= 24
    assert len({p.origin_country for p in products} & ASEAN_COUNTRIES) >= 6
    assert {p.currency for p in products} >= {"THB", "VND", "IDR", "PHP"}
    assert {("THB", "USD"), ("THB", "EUR"), ("THB", "JPY"), ("THB", "VND")} <= pairs
    assert statuses == set(TradeOrderStatus)
    assert expired


async def test_demo_has_a_group_admitting_by_approval_with_a_request_waiting(session: AsyncSession) -> None:
    await demo.load(session)

    by_approval = (
        await session.scalars(select(ConsumerGroup).where(ConsumerGroup.admission == Admission.by_approval))
    ).all()
    requests = (await session.scalars(select(MembershipRequest))).all()

    assert [group.name for group in by_approval] == ["Quezon City Bayanihan Kitchen"]
    assert [(request.group_id, request.status) for request in requests] == [(by_approval[0].id, RequestStatus.pending)]


async def test_demo_groups_have_somewhere_to_be_paid(session: AsyncSession) -> None:
    await demo.load(session)

    accounts = (await session.scalars(select(CollectionAccount).where(CollectionAccount.is_default))).all()
    assert {(account.payee_kind, account.kind) for account in accounts} == {
        (PayeeKind.consumer_group, CollectionAccountKind.qr),
        (PayeeKind.producer_group, CollectionAccountKind.bank_account),
    }


async def test_demo_has_a_season_half_paid_and_an_imported_statement_with_lines_waiting(session: AsyncSession) -> None:
    await demo.load(session)

    [statement] = (await session.scalars(select(StatementImport))).all()
    statuses = dict(
        (await session.execute(select(StatementLine.status, func.count()).group_by(StatementLine.status))).all()
    )
    [agreement] = (await session.scalars(select(Agreement).where(Agreement.status == AgreementStatus.agreed))).all()
    paid = -await balance_of(session, agreement, AccountKind.household_paid)
    credit = await session.scalar(
        select(func.sum(LedgerEntry.amount_minor))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerAccount.kind == AccountKind.household_credit)
    )
    assert (statement.credits, statement.debits) == (5, 1)
    assert statuses == {LineStatus.confirmed: 3, LineStatus.suggested: 1, LineStatus.unmatched: 1}
    # 12 shares of 3,100.00 subscribed; 5 paid by PromptPay, 3 from the statement, one half, one with 50.00 over.
    assert paid == (5 + 3 + 1) * 310_000 + 155_000
    assert agreement.total_price_minor == 18 * 310_000
    assert credit == -5_000


async def test_demo_has_networks_in_two_countries_monitoring_three_enterprises_each(session: AsyncSession) -> None:
    await demo.load(session)

    monitored = await networks_repository.monitored_counts_by_country(session)
    summary = await registry.summary(session)
    attended = await session.scalar(select(func.count()).where(LearningSignup.attended.is_(True)))
    summarised = set((await session.scalars(select(IndicatorSummary.cbe_kind))).all())

    assert monitored == {"TH": 3, "VN": 3}
    assert {country.country: country.pledges for country in summary.asean if country.pledges} == {"TH": 12, "VN": 6}
    assert summary.total == 18
    assert attended == 5
    assert summarised == set(CbeKind)
