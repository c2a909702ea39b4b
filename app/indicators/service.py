"""Indicators per CBE and season, per country, and the ASEAN members' monitored counts against the target.

A CBE's indicators are computed when read, from its own agreements (about ten indexed queries, so always
current). A country's are the sum of its monitored CBEs' summary rows, which `refresh` writes once a day
(`python -m app.worker refresh-indicators`, part of `daily`): at a million households the roll-up then
reads a few rows per CBE instead of the facts behind them."""

from collections import Counter
from datetime import UTC, datetime
from uuid import UUID

import pycountry
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.indicators import charts, compute, formats, policies, repository
from app.indicators.errors import CbeIndicatorsNotFound, SeasonNotFound, UnknownCountry
from app.indicators.figures import Figures, Season
from app.indicators.models import IndicatorSummary
from app.indicators.repository import Cbe
from app.indicators.schemas import (
    CbeIndicatorsRead,
    CountryCount,
    CountryIndicatorsRead,
    CountryMonitoring,
    KindIndicators,
    MonitoringRead,
    NetworkIndicatorsRead,
    SeasonRead,
)
from app.networks import policies as networks_policies
from app.networks import repository as networks_repository
from app.networks.errors import NetworkNotFound
from app.networks.models import CbeKind, EnrolmentStatus

# The round table's numbers: three monitored CBEs in each ASEAN member, Timor-Leste the eleventh.
ASEAN_MEMBERS = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL")
MONITORED_TARGET = 3
# The timeliness chart shows the latest seasons: more would not fit its axis.
CHART_SEASONS = 12


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise UnknownCountry(f"'{code}' is not an ISO 3166-1 alpha-2 country code.")
    return str(getattr(country, "common_name", country.name))


async def readable_cbe(session: AsyncSession, principal: Principal, kind: CbeKind, cbe_id: UUID) -> Cbe:
    cbe = await repository.get_cbe(session, kind, cbe_id)
    if cbe is None:
        raise CbeIndicatorsNotFound(f"You may not read the indicators of {kind} {cbe_id}, or it does not exist.")
    await policies.require_cbe_reader(session, principal, cbe)
    return cbe


def _season_read(season: Season) -> SeasonRead:
    return SeasonRead(key=season.key, name=season.name, starts_on=season.starts_on, ends_on=season.ends_on)


def _chosen(seasons: list[Season], key: str | None, cbe: Cbe) -> Season:
    """The season asked for, or the latest one."""
    if key is None and seasons:
        return seasons[-1]
    for season in seasons:
        if season.key == key:
            return season
    known = ", ".join(f"'{season.key}'" for season in seasons) or "none yet"
    asked = f"season '{key}'" if key is not None else "any season"
    raise SeasonNotFound(f"{cbe.name} has no {asked}; its seasons: {known}.", seasons=[s.key for s in seasons])


async def cbe_indicators(
    session: AsyncSession, principal: Principal, *, kind: CbeKind, cbe_id: UUID, season: str | None
) -> CbeIndicatorsRead:
    """One CBE's indicators for a season (the latest by default), for the networks that enrol it and its
    own coordinators."""
    cbe = await readable_cbe(session, principal, kind, cbe_id)
    seasons = await compute.seasons_of(session, cbe)
    chosen = _chosen(seasons, season, cbe)
    figures = await compute.figures_of(session, cbe, chosen)
    return CbeIndicatorsRead(
        cbe_kind=cbe.kind,
        cbe_id=cbe.id,
        name=cbe.name,
        country=cbe.country,
        season=_season_read(chosen),
        seasons=[_season_read(known) for known in seasons],
        computed_at=datetime.now(UTC),
        indicators=formats.indicators(figures),
    )


async def cbe_timeliness_chart(session: AsyncSession, principal: Principal, *, kind: CbeKind, cbe_id: UUID) -> str:
    """The advance-payment timeliness of the CBE's latest seasons, as SVG."""
    cbe = await readable_cbe(session, principal, kind, cbe_id)
    seasons = (await compute.seasons_of(session, cbe))[-CHART_SEASONS:]
    shown = [(season.key, formats.indicators(await compute.figures_of(session, cbe, season))) for season in seasons]
    return charts.advance_payment_timeliness(cbe.name, shown)


# Countries


async def monitoring(session: AsyncSession) -> MonitoringRead:
    """Each ASEAN member's monitored CBEs against the target, zeros included: one grouped count."""
    counts = await networks_repository.monitored_counts_by_country(session)
    countries = [
        CountryMonitoring(
            country=code,
            name=country_name(code),
            monitored_cbes=counts.get(code, 0),
            target=MONITORED_TARGET,
            target_met=counts.get(code, 0) >= MONITORED_TARGET,
        )
        for code in ASEAN_MEMBERS
    ]
    return MonitoringRead(
        countries=countries,
        target=MONITORED_TARGET,
        countries_meeting_target=sum(1 for country in countries if country.target_met),
    )


async def monitoring_chart(session: AsyncSession) -> str:
    return charts.monitored_cbes(await monitoring(session))


async def country_indicators(
    session: AsyncSession, principal: Principal, *, country: str, year: int | None
) -> CountryIndicatorsRead:
    """The sums, per kind of CBE, of the country's monitored CBEs' seasons starting in the year (this year
    by default), as the daily refresh last computed them."""
    name = country_name(country)
    await policies.require_country_reader(session, principal, country)
    year = year or datetime.now(UTC).year
    rows = await repository.summaries_of_country(session, country, year)
    counts = await networks_repository.monitored_counts_by_country(session)
    return CountryIndicatorsRead(
        country=country,
        country_name=name,
        year=year,
        monitored_cbes=counts.get(country, 0),
        target=MONITORED_TARGET,
        refreshed_at=min((row.refreshed_at for row in rows), default=None),
        by_kind=_by_kind(rows),
    )


async def network_indicators(
    session: AsyncSession, principal: Principal, *, network_id: UUID, year: int | None
) -> NetworkIndicatorsRead:
    """The sums, per kind of CBE, of the CBEs the network currently enrols, for their seasons starting in the
    year (this year by default); for the network's members."""
    network = await networks_repository.get_network(session, network_id)
    if network is None:
        raise NetworkNotFound(network_id)
    await networks_policies.require_member(session, principal, network)
    year = year or datetime.now(UTC).year
    enrolled = networks_repository.enrolments_of_network(network.id, EnrolmentStatus.enrolled)
    cbes = sorted({(enrolment.cbe_kind, enrolment.cbe_id) for enrolment in await session.scalars(enrolled)})
    rows = await repository.summaries_of_cbes(session, cbes, year)
    countries = Counter(profile.country for profile in (await networks_repository.cbe_profiles(session, cbes)).values())
    return NetworkIndicatorsRead(
        network_id=network.id,
        name=network.name,
        year=year,
        monitored_cbes=len(cbes),
        by_country=[CountryCount(country=country, cbes=number) for country, number in sorted(countries.items())],
        refreshed_at=min((row.refreshed_at for row in rows), default=None),
        by_kind=_by_kind(rows),
    )


def _by_kind(rows: list[IndicatorSummary]) -> list[KindIndicators]:
    """Summary rows summed per kind of CBE: kinds are never added to each other."""
    by_kind: dict[CbeKind, tuple[set[UUID], Figures]] = {}
    for row in rows:
        cbes, figures = by_kind.setdefault(row.cbe_kind, (set(), Figures()))
        cbes.add(row.cbe_id)
        figures.add(_figures_of(row))
    return [
        KindIndicators(cbe_kind=kind, cbes=len(cbes), indicators=formats.indicators(figures))
        for kind, (cbes, figures) in sorted(by_kind.items())
    ]


def _figures_of(row: IndicatorSummary) -> Figures:
    return Figures.of({name: getattr(row, name) for name in Figures.COUNTS}, row.detail)


# The daily summary


async def refresh(session: AsyncSession, *, now: datetime | None = None) -> tuple[int, int]:
    """Compute every monitored CBE's seasons into the summary and forget CBEs no longer monitored.
    Returns (rows written, CBEs forgotten). Running it twice writes the same rows: each is keyed by CBE and
    season, updated in place."""
    now = now or datetime.now(UTC)
    monitored = set(await networks_repository.monitored_cbes(session))
    forgotten = await repository.summarised_cbes(session) - monitored
    for kind, cbe_id in forgotten:
        await repository.forget_cbe(session, kind, cbe_id)
    written = 0
    for kind, cbe_id in sorted(monitored):
        cbe = await repository.get_cbe(session, kind, cbe_id)
        if cbe is None:
            continue
        written += await _refresh_cbe(session, cbe, now)
    await session.flush()
    return written, len(forgotten)


async def _refresh_cbe(session: AsyncSession, cbe: Cbe, now: datetime) -> int:
    seasons = await compute.seasons_of(session, cbe)
    await repository.forget_cbe(session, cbe.kind, cbe.id, keep=[season.key for season in seasons])
    for season in seasons:
        figures = await compute.figures_of(session, cbe, season)
        await repository.save_summary(
            session,
            {
                "cbe_kind": cbe.kind,
                "cbe_id": cbe.id,
                "season": season.key,
                "country": cbe.country,
                "season_year": season.year,
                "season_starts_on": season.starts_on,
                "season_ends_on": season.ends_on,
                **{name: getattr(figures, name) for name in Figures.COUNTS},
                "detail": figures.detail(),
                "refreshed_at": now,
            },
        )
    return len(seasons)
