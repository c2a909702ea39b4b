from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import demo
from app.accounts.models import User
from app.agreements.models import Agreement, AgreementStatus
from app.catalogue.models import ExchangeRate, Product, ProductCertification
from app.core.schemas import ASEAN_COUNTRIES
from app.groups.models import Admission, ConsumerGroup, GroupStatus, Membership, MembershipRequest, RequestStatus
from app.harvests.models import Allocation, Harvest, HarvestLine, Surplus
from app.ledger.models import AccountKind, LedgerAccount, LedgerEntry
from app.producers.models import ProducerGroup
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
    assert producer_countries == {"TH", "ID"}
    for group in groups:  # the stored count is the rows' count, as the service keeps it
        rows = await session.scalar(select(func.count()).select_from(Membership).where(Membership.group_id == group.id))
        assert group.member_count == rows
        assert group.coordinator_count == 2


async def test_demo_has_a_season_in_progress_paid_in_full_with_two_harvests_allocated(session: AsyncSession) -> None:
    await demo.load(session)

    [agreement] = (await session.scalars(select(Agreement))).all()
    received = await session.scalar(
        select(func.sum(LedgerEntry.amount_minor))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerAccount.kind == AccountKind.producer_received)
    )
    harvests = (await session.scalars(select(Harvest))).all()
    delivered = await session.scalar(select(func.sum(HarvestLine.quantity_base)))
    allocated = await session.scalar(select(func.sum(Allocation.quantity_base)))
    surplus = await session.scalar(select(func.sum(Surplus.quantity_base)))
    assert (agreement.status, agreement.agreed_version) == (AgreementStatus.active, 2)
    assert received == agreement.total_price_minor == 8_760_000
    assert len(harvests) == 2
    assert (allocated or 0) + (surplus or 0) == delivered


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
