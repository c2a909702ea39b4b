"""Indicators computed from recorded facts only (agreements, subscriptions, harvests, surplus decisions,
ledger entries, learning attendance), never typed in. One CBE's season costs about ten indexed queries,
whatever the size of the country: every query starts from the CBE's own agreements."""

from collections import defaultdict
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import Agreement, AgreementStatus
from app.indicators import repository
from app.indicators.figures import Figures, Season, calendar_year, season_key
from app.indicators.repository import Cbe
from app.learning import repository as learning_repository
from app.ledger.models import AccountKind
from app.networks.models import CbeKind


async def seasons_of(session: AsyncSession, cbe: Cbe) -> list[Season]:
    """The CBE's seasons, oldest first. Plans of one season name starting in one year are one season,
    from the first plan's first day to the last plan's last."""
    if cbe.kind == CbeKind.trading_organisation:
        years = await repository.trade_years(session, cbe.id)
        return [calendar_year(year) for year in years]
    bounds: dict[tuple[str, str], tuple[date, date]] = {}
    for name, starts_on, ends_on in await repository.plan_seasons(session, cbe):
        key = (season_key(name, starts_on), name)
        known = bounds.get(key)
        bounds[key] = (min(known[0], starts_on), max(known[1], ends_on)) if known else (starts_on, ends_on)
    seasons = [Season(key, name, starts, ends) for (key, name), (starts, ends) in bounds.items()]
    return sorted(seasons, key=lambda season: (season.starts_on, season.key))


async def figures_of(session: AsyncSession, cbe: Cbe, season: Season) -> Figures:
    """Every indicator of the CBE in the season (the definitions are in app.indicators.schemas)."""
    figures = Figures()
    agreements = await repository.agreements_of(session, cbe, season)
    agreement_ids = [agreement.id for agreement in agreements]
    figures.agreements = len(agreements)
    figures.households_served = await repository.households_served(session, agreement_ids)
    figures.shares_offered = sum(agreement.shares for agreement in agreements)
    figures.shares_subscribed = sum(agreement.subscribed_shares for agreement in agreements)
    figures.renewals = sum(1 for agreement in agreements if agreement.renewed_from_id is not None)
    figures.lapses = repository.count_with(agreements, AgreementStatus.lapsed)
    figures.cancellations = repository.count_with(agreements, AgreementStatus.cancelled)
    if cbe.kind != CbeKind.trading_organisation:
        for crop, unit, quantity in await repository.planned_by_crop(session, cbe, season):
            figures.crop(crop, unit).planned_base += quantity
    for crop, unit, quantity in await repository.agreed_by_crop(session, agreements):
        figures.crop(crop, unit).agreed_base += quantity
    for crop, unit, quantity in await repository.delivered_by_crop(session, agreement_ids):
        figures.crop(crop, unit).delivered_base += quantity
    for crop, unit, use, quantity in await repository.surplus_by_disposal(session, agreement_ids):
        figures.surplus[(crop, unit, use)] = quantity
    await _advance_payments(session, figures, agreements)
    await _money_flow(session, figures, agreement_ids)
    await _premium(session, figures, cbe, season)
    figures.learning_events, figures.learning_attendances = await learning_repository.learning_counts(
        session, cbe.kind, cbe.id, season.starts_on, season.ends_on
    )
    return figures


async def _advance_payments(session: AsyncSession, figures: Figures, agreements: list[Agreement]) -> None:
    """Per agreement: the producers' receipts up to its due date (the day counts, in UTC), and the day the
    receipts first reached its total, early (positive days) or late (negative) against the due date."""
    receipts: dict[UUID, list[tuple[date, int]]] = defaultdict(list)
    for agreement_id, received_at, amount in await repository.producer_receipts(session, [a.id for a in agreements]):
        receipts[agreement_id].append((received_at.date(), amount))
    for agreement in agreements:
        if agreement.advance_due_on is None or agreement.total_price_minor <= 0:
            continue
        advance = figures.advance(agreement.currency)
        advance.total_minor += agreement.total_price_minor
        advance.paid_by_due_minor += sum(
            amount for received_on, amount in receipts[agreement.id] if received_on <= agreement.advance_due_on
        )
        fully_paid_on = _fully_paid_on(receipts[agreement.id], agreement.total_price_minor)
        if fully_paid_on is None:
            advance.not_fully_paid += 1
            continue
        days_early = (agreement.advance_due_on - fully_paid_on).days
        advance.days_early_sum += days_early
        if days_early >= 0:
            advance.on_time += 1
        else:
            advance.late += 1


def _fully_paid_on(receipts: list[tuple[date, int]], total: int) -> date | None:
    received = 0
    for received_on, amount in receipts:
        received += amount
        if received >= total:
            return received_on
    return None


async def _money_flow(session: AsyncSession, figures: Figures, agreement_ids: list[UUID]) -> None:
    # A household's account holds minus what it paid: its sum, negated, is what households paid net of refunds.
    for currency, balance in await repository.net_by_currency(session, agreement_ids, AccountKind.household_paid):
        figures.flow(currency).consumers_paid_minor += -balance
    for currency, balance in await repository.net_by_currency(session, agreement_ids, AccountKind.producer_received):
        figures.flow(currency).producers_received_minor += balance


async def _premium(session: AsyncSession, figures: Figures, cbe: Cbe, season: Season) -> None:
    organisation_id = await repository.trading_organisation_of(session, cbe)
    if organisation_id is None:
        return
    for currency, received, amount in await repository.premium_by_currency(session, organisation_id, season):
        premium = figures.premium_in(currency)
        if received:
            premium.received_minor += amount
        else:
            premium.paid_minor += amount
