"""Queries for the recorded facts indicators are computed from, and for the summary rows that keep them.
Every query filters by indexed columns: the CBE's agreements (by group), their accounts, harvests and
subscriptions (by agreement), the summary rows (by CBE, or by country and year)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import ColumnElement, Select, and_, delete, distinct, func, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import Agreement, AgreementStatus, AgreementVersion, Subscription, VersionItem
from app.catalogue.models import TradingOrganisation
from app.groups.models import ConsumerGroup
from app.harvests.models import Harvest, HarvestLine, Surplus
from app.indicators.figures import Season
from app.indicators.models import IndicatorSummary
from app.ledger.models import AccountKind, LedgerAccount, LedgerEntry
from app.networks.models import CbeKind
from app.plans.models import PlanItem, PlanStatus, ProductionPlan
from app.producers.models import ProducerGroup
from app.trade.models import TradeOrder


@dataclass(frozen=True)
class Cbe:
    kind: CbeKind
    id: UUID
    name: str
    country: str
    # A trading organisation that trades for a group: the group's kind and id.
    acts_for: tuple[CbeKind, UUID] | None = None


async def get_cbe(session: AsyncSession, kind: CbeKind, cbe_id: UUID) -> Cbe | None:
    if kind == CbeKind.consumer_group:
        group = await session.get(ConsumerGroup, cbe_id)
        return Cbe(kind, group.id, group.name, group.country) if group else None
    if kind == CbeKind.producer_group:
        producers = await session.get(ProducerGroup, cbe_id)
        return Cbe(kind, producers.id, producers.name, producers.country) if producers else None
    organisation = await session.get(TradingOrganisation, cbe_id)
    return Cbe(kind, organisation.id, organisation.name, organisation.country) if organisation else None


async def trading_organisation_of(session: AsyncSession, cbe: Cbe) -> UUID | None:
    """The trading organisation whose trade orders are the CBE's: itself, or the one trading for its group."""
    if cbe.kind == CbeKind.trading_organisation:
        return cbe.id
    column = (
        TradingOrganisation.consumer_group_id
        if cbe.kind == CbeKind.consumer_group
        else TradingOrganisation.producer_group_id
    )
    return await session.scalar(select(TradingOrganisation.id).where(column == cbe.id))


def _in_season(season: Season) -> ColumnElement[bool]:
    """Plans of the season's name starting in its year (a range on the start, so an index could serve it)."""
    return and_(
        ProductionPlan.season_name == season.name,
        ProductionPlan.season_starts_on >= date(season.year, 1, 1),
        ProductionPlan.season_starts_on <= date(season.year, 12, 31),
    )


def _plans_of(cbe: Cbe) -> Select[str, date, date]:
    """The season of every plan the CBE took part in: its producer group's published plans, or the plans of
    its consumer group's agreements."""
    columns = (ProductionPlan.season_name, ProductionPlan.season_starts_on, ProductionPlan.season_ends_on)
    if cbe.kind == CbeKind.producer_group:
        return select(*columns).where(
            ProductionPlan.producer_group_id == cbe.id, ProductionPlan.status != PlanStatus.draft
        )
    return (
        select(*columns)
        .join(Agreement, Agreement.production_plan_id == ProductionPlan.id)
        .where(Agreement.consumer_group_id == cbe.id)
    )


async def plan_seasons(session: AsyncSession, cbe: Cbe) -> list[tuple[str, date, date]]:
    """(season name, first day, last day) of each plan of a consumer or producer group, one row per plan."""
    rows = await session.execute(_plans_of(cbe).distinct())
    return [(row[0], row[1], row[2]) for row in rows.all()]


async def trade_years(session: AsyncSession, organisation_id: UUID) -> list[int]:
    """The years the trading organisation placed or received orders in."""
    statement = select(TradeOrder.created_at).where(
        or_(TradeOrder.buyer_id == organisation_id, TradeOrder.seller_id == organisation_id)
    )
    return sorted({created_at.year for created_at in await session.scalars(statement)})


async def agreements_of(session: AsyncSession, cbe: Cbe, season: Season) -> list[Agreement]:
    """The CBE's agreements on plans of the season that were ever agreed: a proposal never accepted is
    no fact of the season."""
    if cbe.kind == CbeKind.trading_organisation:
        return []
    side = Agreement.consumer_group_id if cbe.kind == CbeKind.consumer_group else Agreement.producer_group_id
    # The plans as a subquery, not a join: an agreement reads its plan's last day in a correlated subquery.
    plans = select(ProductionPlan.id).where(_in_season(season))
    statement = (
        select(Agreement)
        .where(side == cbe.id, Agreement.agreed_version.is_not(None), Agreement.production_plan_id.in_(plans))
        .order_by(Agreement.created_at, Agreement.id)
    )
    return list((await session.scalars(statement)).all())


async def households_served(session: AsyncSession, agreement_ids: Sequence[UUID]) -> int:
    """Distinct households holding shares of the agreements (the holder now, after any hand-over)."""
    if not agreement_ids:
        return 0
    statement = select(func.count(distinct(Subscription.household_id))).where(
        Subscription.agreement_id.in_(agreement_ids)
    )
    return int(await session.scalar(statement) or 0)


async def planned_by_crop(session: AsyncSession, cbe: Cbe, season: Season) -> list[tuple[str, str, int]]:
    """(crop, unit, maximum quantity) of the season's plans: the producer group's own, or for a consumer
    group those its agreements drew on (what the farms planned for all their partners, not this group alone)."""
    plan_ids: Select[UUID]
    in_season = _in_season(season)
    if cbe.kind == CbeKind.producer_group:
        plan_ids = select(ProductionPlan.id).where(
            ProductionPlan.producer_group_id == cbe.id, ProductionPlan.status != PlanStatus.draft, in_season
        )
    else:
        plan_ids = (
            select(ProductionPlan.id)
            .join(Agreement, Agreement.production_plan_id == ProductionPlan.id)
            .where(Agreement.consumer_group_id == cbe.id, Agreement.agreed_version.is_not(None), in_season)
        )
    statement = (
        select(PlanItem.crop, PlanItem.unit, func.sum(PlanItem.max_quantity_base))
        .where(PlanItem.plan_id.in_(plan_ids))
        .group_by(PlanItem.crop, PlanItem.unit)
    )
    return [(row[0], str(row[1]), int(row[2])) for row in (await session.execute(statement)).all()]


async def agreed_by_crop(session: AsyncSession, agreements: Sequence[Agreement]) -> list[tuple[str, str, int]]:
    """(crop, unit, quantity) of the versions in force of the agreements."""
    if not agreements:
        return []
    in_force = [(agreement.id, agreement.agreed_version) for agreement in agreements]
    statement = (
        select(PlanItem.crop, PlanItem.unit, func.sum(VersionItem.quantity_base))
        .join(VersionItem, VersionItem.plan_item_id == PlanItem.id)
        .join(AgreementVersion, AgreementVersion.id == VersionItem.version_id)
        .where(tuple_(AgreementVersion.agreement_id, AgreementVersion.number).in_(in_force))
        .group_by(PlanItem.crop, PlanItem.unit)
    )
    return [(row[0], str(row[1]), int(row[2])) for row in (await session.execute(statement)).all()]


async def delivered_by_crop(session: AsyncSession, agreement_ids: Sequence[UUID]) -> list[tuple[str, str, int]]:
    """(crop, unit, quantity) of every harvest recorded on the agreements."""
    if not agreement_ids:
        return []
    statement = (
        select(PlanItem.crop, PlanItem.unit, func.sum(HarvestLine.quantity_base))
        .join(HarvestLine, HarvestLine.plan_item_id == PlanItem.id)
        .join(Harvest, Harvest.id == HarvestLine.harvest_id)
        .where(Harvest.agreement_id.in_(agreement_ids))
        .group_by(PlanItem.crop, PlanItem.unit)
    )
    return [(row[0], str(row[1]), int(row[2])) for row in (await session.execute(statement)).all()]


async def surplus_by_disposal(session: AsyncSession, agreement_ids: Sequence[UUID]) -> list[tuple[str, str, str, int]]:
    """(crop, unit, disposal, quantity) of the surplus of the agreements' harvests."""
    if not agreement_ids:
        return []
    statement = (
        select(PlanItem.crop, PlanItem.unit, Surplus.use, func.sum(Surplus.quantity_base))
        .join(HarvestLine, HarvestLine.plan_item_id == PlanItem.id)
        .join(Surplus, Surplus.harvest_line_id == HarvestLine.id)
        .join(Harvest, Harvest.id == HarvestLine.harvest_id)
        .where(Harvest.agreement_id.in_(agreement_ids))
        .group_by(PlanItem.crop, PlanItem.unit, Surplus.use)
    )
    return [(row[0], str(row[1]), str(row[2]), int(row[3])) for row in (await session.execute(statement)).all()]


async def net_by_currency(
    session: AsyncSession, agreement_ids: Sequence[UUID], kind: AccountKind
) -> list[tuple[str, int]]:
    """(currency, sum of entries) over the agreements' accounts of one kind."""
    if not agreement_ids:
        return []
    statement = (
        select(LedgerAccount.currency, func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.agreement_id.in_(agreement_ids), LedgerAccount.kind == kind)
        .group_by(LedgerAccount.currency)
    )
    return [(row[0], int(row[1])) for row in (await session.execute(statement)).all()]


async def producer_receipts(session: AsyncSession, agreement_ids: Sequence[UUID]) -> list[tuple[UUID, datetime, int]]:
    """(agreement, when, amount) of every entry on the producers' accounts of the agreements, oldest first:
    a few per agreement (the group pays the producers in one or a few transfers)."""
    if not agreement_ids:
        return []
    statement = (
        select(LedgerAccount.agreement_id, LedgerEntry.created_at, LedgerEntry.amount_minor)
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.agreement_id.in_(agreement_ids), LedgerAccount.kind == AccountKind.producer_received)
        .order_by(LedgerEntry.created_at, LedgerEntry.id)
    )
    return [(row[0], row[1], int(row[2])) for row in (await session.execute(statement)).all() if row[0] is not None]


async def premium_by_currency(
    session: AsyncSession, organisation_id: UUID, season: Season
) -> list[tuple[str, bool, int]]:
    """(currency, received, amount) of the fair-trade premium paid within the season's days on the
    organisation's trade orders: into its own collective fund (received as seller) or into the seller's
    (paid as buyer)."""
    starts = datetime.combine(season.starts_on, time.min, tzinfo=UTC)
    ends = datetime.combine(season.ends_on + timedelta(days=1), time.min, tzinfo=UTC)
    received = TradeOrder.seller_id == organisation_id
    statement = (
        select(LedgerAccount.currency, received, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(TradeOrder, TradeOrder.id == LedgerAccount.trade_order_id)
        .where(
            LedgerAccount.kind == AccountKind.premium_fund,
            or_(TradeOrder.seller_id == organisation_id, TradeOrder.buyer_id == organisation_id),
            LedgerEntry.created_at >= starts,
            LedgerEntry.created_at < ends,
        )
        .group_by(LedgerAccount.currency, received)
    )
    return [(row[0], bool(row[1]), int(row[2])) for row in (await session.execute(statement)).all()]


def count_with(agreements: Sequence[Agreement], status: AgreementStatus) -> int:
    return sum(1 for agreement in agreements if agreement.status == status)


# The summary rows


async def save_summary(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert the CBE's season's row, or update it in place: two refreshes running at once both succeed,
    the later one's figures staying (INSERT ... ON CONFLICT DO UPDATE, in the session's dialect)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    key = ("cbe_kind", "cbe_id", "season")
    statement = insert(IndicatorSummary).values(id=uuid4(), **values)
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: statement.excluded[name] for name in values if name not in key},
    )
    await session.execute(statement)


async def summaries_of_country(session: AsyncSession, country: str, year: int) -> list[IndicatorSummary]:
    """The country's rows for seasons starting in the year: one indexed range."""
    statement = (
        select(IndicatorSummary)
        .where(IndicatorSummary.country == country, IndicatorSummary.season_year == year)
        .order_by(IndicatorSummary.cbe_kind, IndicatorSummary.cbe_id, IndicatorSummary.season)
    )
    return list((await session.scalars(statement)).all())


async def summaries_of_cbes(
    session: AsyncSession, cbes: Sequence[tuple[CbeKind, UUID]], year: int
) -> list[IndicatorSummary]:
    """The rows of the CBEs' seasons starting in the year, by the summary's unique key."""
    if not cbes:
        return []
    statement = (
        select(IndicatorSummary)
        .where(tuple_(IndicatorSummary.cbe_kind, IndicatorSummary.cbe_id).in_(cbes))
        .where(IndicatorSummary.season_year == year)
        .order_by(IndicatorSummary.cbe_kind, IndicatorSummary.cbe_id, IndicatorSummary.season)
    )
    return list((await session.scalars(statement)).all())


async def summarised_cbes(session: AsyncSession) -> set[tuple[CbeKind, UUID]]:
    rows = await session.execute(select(IndicatorSummary.cbe_kind, IndicatorSummary.cbe_id).distinct())
    return {(CbeKind(row[0]), row[1]) for row in rows.all()}


async def forget_cbe(session: AsyncSession, kind: CbeKind, cbe_id: UUID, *, keep: Sequence[str] = ()) -> None:
    """Delete the CBE's summary rows but those of the seasons in `keep`."""
    statement = delete(IndicatorSummary).where(IndicatorSummary.cbe_kind == kind, IndicatorSummary.cbe_id == cbe_id)
    if keep:
        statement = statement.where(IndicatorSummary.season.not_in(keep))
    await session.execute(statement)
