"""Each indicator of a hand-built season, computed without HTTP, and the daily summary's refresh."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import worker
from app.catalogue.models import TradingOrganisationKind
from app.core.config import Settings
from app.indicators import compute, formats, repository, service
from app.indicators.models import IndicatorSummary
from app.ledger import service as ledger
from app.ledger.models import AccountKind
from app.networks.models import CbeKind
from app.trade.models import TradeOrder, TradeOrderStatus, TradeTerms
from tests.catalogue.builders import create_organisation
from tests.harvests.builders import today
from tests.indicators.builders import create_monitored_season, enrol, withdraw


async def test_a_consumer_groups_season_has_every_indicator_from_its_facts(
    session: AsyncSession, settings: Settings
) -> None:
    monitored = await create_monitored_season(session, settings)
    cbe = await repository.get_cbe(session, CbeKind.consumer_group, monitored.season.consumer_group.id)
    assert cbe is not None

    [season] = await compute.seasons_of(session, cbe)
    shown = formats.indicators(await compute.figures_of(session, cbe, season)).model_dump(mode="json")

    plan = monitored.season.plan
    assert season.key == f"{plan.season_starts_on.year} Rainy season 2026"
    assert (season.starts_on, season.ends_on) == (plan.season_starts_on, plan.season_ends_on)
    assert shown == {
        "households_served": 3,
        "shares_offered": 20,
        "shares_subscribed": 9,
        "agreements": 3,
        "renewals": 1,
        "lapses": 1,
        "cancellations": 1,
        "learning_events": 1,
        "learning_attendances": 1,
        "crops": [
            {"crop": "Melon", "unit": "piece", "planned": "80", "agreed": "40", "delivered": "10"},
            {"crop": "Rice", "unit": "kg", "planned": "200.000", "agreed": "100.000", "delivered": "40.000"},
        ],
        "advance_payments": [
            {
                "currency": "THB",
                "total": "6370.00",
                "paid_by_due_date": "5733.00",
                "share_paid_by_due_date_percent": 90.0,
                "agreements_paid_on_time": 0,
                "agreements_paid_late": 1,
                "agreements_not_fully_paid": 0,
                "average_days_early": -3.0,
            }
        ],
        "money_flow": [
            {
                "currency": "THB",
                "consumers_paid": "5733.00",
                "producers_received": "6370.00",
                "producers_share_percent": 111.1,
            }
        ],
        "fair_trade_premium": [],
        "surplus": [
            {"crop": "Rice", "unit": "kg", "disposal": "stored", "quantity": "4.000"},
            {"crop": "Rice", "unit": "kg", "disposal": "undecided", "quantity": "1.000"},
        ],
    }


async def test_the_producer_groups_season_counts_the_same_agreements_from_its_side(
    session: AsyncSession, settings: Settings
) -> None:
    monitored = await create_monitored_season(session, settings)
    cbe = await repository.get_cbe(session, CbeKind.producer_group, monitored.season.producer_group.id)
    assert cbe is not None

    [season] = await compute.seasons_of(session, cbe)
    figures = await compute.figures_of(session, cbe, season)

    assert (figures.agreements, figures.households_served, figures.shares_subscribed) == (3, 3, 9)
    assert figures.crop("Rice", "kg").planned_base == 200_000
    # The farmer of the producer group attended nothing.
    assert (figures.learning_events, figures.learning_attendances) == (0, 0)


async def test_an_agreement_paid_in_full_before_its_due_date_is_on_time(
    session: AsyncSession, settings: Settings
) -> None:
    monitored = await create_monitored_season(session, settings)
    agreement = monitored.season.agreement
    # Due a week later than paid in full: 4 days early.
    agreement.advance_due_on = monitored.due_on + timedelta(days=7)
    await session.flush()
    cbe = await repository.get_cbe(session, CbeKind.consumer_group, monitored.season.consumer_group.id)
    assert cbe is not None

    [season] = await compute.seasons_of(session, cbe)
    advance = (await compute.figures_of(session, cbe, season)).advance("THB")

    assert (advance.paid_by_due_minor, advance.on_time, advance.late, advance.days_early_sum) == (637_000, 1, 0, 4)


async def test_a_season_without_payments_reads_as_nothing_paid_not_as_a_share(
    session: AsyncSession, settings: Settings
) -> None:
    monitored = await create_monitored_season(session, settings)
    cbe = await repository.get_cbe(session, CbeKind.consumer_group, monitored.season.consumer_group.id)
    assert cbe is not None
    season = (await compute.seasons_of(session, cbe))[0]
    empty = type(season)("1999 Dry", "Dry", season.starts_on.replace(year=1999), season.ends_on.replace(year=1999))

    shown = formats.indicators(await compute.figures_of(session, cbe, empty))

    assert (shown.agreements, shown.advance_payments, shown.money_flow, shown.crops) == (0, [], [], [])


async def test_the_fair_trade_premium_is_received_by_the_seller_and_paid_by_the_buyer(
    session: AsyncSession, settings: Settings
) -> None:
    monitored = await create_monitored_season(session, settings)
    season = monitored.season
    seller = await create_organisation(
        session,
        owner=season.producer_coordinator,
        kind=TradingOrganisationKind.producer_group,
        producer_group_id=season.producer_group.id,
    )
    buyer = await create_organisation(session, owner=season.consumer_coordinator, kind=TradingOrganisationKind.shop)
    order = TradeOrder(
        buyer_id=buyer.id,
        seller_id=seller.id,
        terms=TradeTerms.fairtrade,
        status=TradeOrderStatus.settled,
        currency="THB",
        product_currency="THB",
        created_by=season.consumer_coordinator.id,
    )
    session.add(order)
    await session.flush()
    paid, fund = [
        await ledger.account(session, trade_order_id=order.id, kind=kind, owner_id=owner, currency="THB")
        for kind, owner in [(AccountKind.buyer_paid, buyer.id), (AccountKind.premium_fund, seller.id)]
    ]
    await ledger.post(
        session, trade_order_id=order.id, kind="fair_trade_premium", legs=[(paid, -12_500), (fund, 12_500)]
    )

    producers = await repository.get_cbe(session, CbeKind.producer_group, season.producer_group.id)
    selling = await repository.get_cbe(session, CbeKind.trading_organisation, seller.id)
    buying = await repository.get_cbe(session, CbeKind.trading_organisation, buyer.id)
    assert producers and selling and buying
    [producers_season] = await compute.seasons_of(session, producers)
    [year] = await compute.seasons_of(session, buying)

    assert year.key == f"{today().year} calendar year"
    assert vars((await compute.figures_of(session, producers, producers_season)).premium["THB"]) == {
        "paid_minor": 0,
        "received_minor": 12_500,
    }
    assert vars((await compute.figures_of(session, selling, year)).premium["THB"]) == {
        "paid_minor": 0,
        "received_minor": 12_500,
    }
    assert vars((await compute.figures_of(session, buying, year)).premium["THB"]) == {
        "paid_minor": 12_500,
        "received_minor": 0,
    }


async def summary_rows(session: AsyncSession) -> list[IndicatorSummary]:
    # The refresh writes with INSERT ... ON CONFLICT: rows already loaded are read again, not reused.
    statement = select(IndicatorSummary).order_by(IndicatorSummary.cbe_kind)
    return list((await session.scalars(statement.execution_options(populate_existing=True))).all())


async def test_the_refresh_summarises_monitored_cbes_only_and_twice_writes_the_same_rows(
    session: AsyncSession, settings: Settings
) -> None:
    monitored = await create_monitored_season(session, settings)
    group_id = monitored.season.consumer_group.id
    await enrol(session, CbeKind.consumer_group, group_id)
    first_time = datetime(2026, 11, 1, tzinfo=UTC)

    assert await service.refresh(session, now=first_time) == (1, 0)
    [row] = await summary_rows(session)
    first = (row.id, row.households_served, row.detail)
    assert await service.refresh(session, now=first_time + timedelta(days=1)) == (1, 0)
    [again] = await summary_rows(session)

    assert (again.id, again.households_served, again.detail) == first
    assert (again.cbe_kind, again.cbe_id, again.country) == (CbeKind.consumer_group, group_id, "TH")
    assert again.refreshed_at == first_time + timedelta(days=1)
    assert again.shares_offered == 20


async def test_the_refresh_forgets_a_cbe_once_its_enrolment_is_withdrawn(
    session: AsyncSession, settings: Settings
) -> None:
    monitored = await create_monitored_season(session, settings)
    watching = await enrol(session, CbeKind.consumer_group, monitored.season.consumer_group.id)
    await service.refresh(session)

    await withdraw(session, watching)

    assert await service.refresh(session) == (0, 1)
    assert await session.scalar(select(func.count()).select_from(IndicatorSummary)) == 0


async def test_the_daily_job_refreshes_the_summary_and_says_what_it_did(
    session: AsyncSession, settings: Settings
) -> None:
    monitored = await create_monitored_season(session, settings)
    await enrol(session, CbeKind.producer_group, monitored.season.producer_group.id)

    said = [await worker.refresh_indicators(session, settings) for _ in range(2)]

    assert worker.refresh_indicators in worker.JOBS["daily"]
    assert said == ["Refreshed 1 indicator summary row(s); forgot 0 CBE(s) no longer monitored."] * 2
