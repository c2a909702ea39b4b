"""HTTP edge of the indicators: JSON by default, CSV with `Accept: text/csv`, SVG charts on their own routes."""

import enum
from typing import Annotated, Any
from uuid import UUID

from fastapi import Path, Query, Request
from fastapi import Response as FastApiResponse
from starlette.responses import Response

from app.accounts.dependencies import CurrentUser
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, problem_responses
from app.core.http import CSV_MEDIA_TYPE, prefers_csv
from app.core.routing import DomainRouter
from app.indicators import charts, formats, service
from app.indicators.errors import CbeIndicatorsNotFound, CountryIndicatorsNotFound, SeasonNotFound, UnknownCountry
from app.indicators.schemas import CbeIndicatorsRead, CountryIndicatorsRead, MonitoringRead, NetworkIndicatorsRead
from app.networks.errors import NetworkNotFound, NotNetworkMember
from app.networks.models import CbeKind

router = DomainRouter(tags=["indicators"])
SIGNED_IN = problem_responses(NotAuthenticated)

SeasonKey = Annotated[
    str | None,
    Query(
        min_length=6,
        max_length=220,
        description='The season\'s key, as listed in `seasons` ("2026 Rainy season"); the latest by default.',
    ),
]
SeasonYear = Annotated[
    int | None, Query(ge=2000, le=2100, description="The year the seasons start in; this year by default.")
]
CountryPath = Annotated[
    str, Path(min_length=2, max_length=2, pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. TH.")
]
CSV_EXAMPLE = "cbe_kind,indicator,crop,unit,currency,disposal,value\r\nconsumer_group,households_served,,,,,12\r\n"


def _with_csv(description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description + " As CSV (one row per figure) with `Accept: text/csv`.",
            "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string", "maxLength": 2_000_000}, "example": CSV_EXAMPLE}},
        }
    }


SVG_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The chart as SVG, its text as text, titled and with labelled axes.",
        "content": {charts.SVG_MEDIA_TYPE: {"schema": {"type": "string", "maxLength": 2_000_000}}},
    }
}


class CbeChart(enum.StrEnum):
    quantities = "quantities"  # planned vs agreed vs delivered per crop, for one season
    producers_share = "producers-share"  # the share of the consumers' money that reached the producers
    advance_payment_timeliness = "advance-payment-timeliness"  # over the latest seasons


def _svg(drawn: str) -> Response:
    return Response(drawn, media_type=charts.SVG_MEDIA_TYPE)


def _cbe_answer(read: CbeIndicatorsRead, request: Request, response: FastApiResponse) -> CbeIndicatorsRead | Response:
    if prefers_csv(request.headers.get("accept")):
        name = f"indicators-{read.cbe_kind}-{read.cbe_id}.csv"
        return Response(
            formats.cbe_csv(read),
            media_type=CSV_MEDIA_TYPE,
            headers={"Vary": "Accept", "Content-Disposition": f'attachment; filename="{name}"'},
        )
    response.headers["Vary"] = "Accept"
    return read


@router.get(
    "/indicators/cbes/{cbe_kind}/{cbe_id}",
    response_model=CbeIndicatorsRead,
    responses={
        **_with_csv("The CBE's indicators for the season."),
        **SIGNED_IN,
        **problem_responses(CbeIndicatorsNotFound, SeasonNotFound),
    },
)
async def read_cbe_indicators(
    cbe_kind: CbeKind,
    cbe_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    request: Request,
    response: FastApiResponse,
    season: SeasonKey = None,
) -> CbeIndicatorsRead | Response:
    """A consumer group's, producer group's or trading organisation's indicators for one season, computed from
    its recorded facts; for the networks that enrol it and its own coordinators."""
    read = await service.cbe_indicators(session, principal, kind=cbe_kind, cbe_id=cbe_id, season=season)
    return _cbe_answer(read, request, response)


@router.get(
    "/consumer-groups/{group_id}/indicators",
    response_model=CbeIndicatorsRead,
    responses={
        **_with_csv("The consumer group's indicators for the season."),
        **SIGNED_IN,
        **problem_responses(CbeIndicatorsNotFound, SeasonNotFound),
    },
)
async def read_consumer_group_indicators(
    group_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    request: Request,
    response: FastApiResponse,
    season: SeasonKey = None,
) -> CbeIndicatorsRead | Response:
    """A consumer group's indicators for one season; for the networks that enrol it and its coordinators."""
    read = await service.cbe_indicators(session, principal, kind=CbeKind.consumer_group, cbe_id=group_id, season=season)
    return _cbe_answer(read, request, response)


@router.get(
    "/indicators/cbes/{cbe_kind}/{cbe_id}/charts/{chart}",
    response_class=Response,
    responses={**SVG_RESPONSE, **SIGNED_IN, **problem_responses(CbeIndicatorsNotFound, SeasonNotFound)},
)
async def read_cbe_chart(
    cbe_kind: CbeKind,
    cbe_id: UUID,
    chart: CbeChart,
    session: DbSession,
    principal: CurrentUser,
    season: SeasonKey = None,
) -> Response:
    """A chart of the CBE's indicators: planned, agreed and delivered quantity per crop, or the producers' share
    of the consumers' money, for one season; or advance-payment timeliness over its latest seasons."""
    if chart == CbeChart.advance_payment_timeliness:
        return _svg(await service.cbe_timeliness_chart(session, principal, kind=cbe_kind, cbe_id=cbe_id))
    read = await service.cbe_indicators(session, principal, kind=cbe_kind, cbe_id=cbe_id, season=season)
    return _svg(charts.quantities(read) if chart == CbeChart.quantities else charts.producers_share(read))


@router.get(
    "/countries/{country}/indicators",
    response_model=CountryIndicatorsRead,
    responses={
        **_with_csv("The country's monitored CBEs' indicators, summed per kind of CBE."),
        **SIGNED_IN,
        **problem_responses(CountryIndicatorsNotFound, UnknownCountry),
    },
)
async def read_country_indicators(
    country: CountryPath,
    session: DbSession,
    principal: CurrentUser,
    request: Request,
    response: FastApiResponse,
    season: SeasonYear = None,
) -> CountryIndicatorsRead | Response:
    """The indicators of a country's monitored CBEs for the seasons starting in one year, summed per kind of
    CBE from the daily summary; for members of a network that monitors a CBE of the country."""
    read = await service.country_indicators(session, principal, country=country, year=season)
    return _as_csv(read, f"indicators-{read.country}-{read.year}.csv", request, response) or read


@router.get(
    "/networks/{network_id}/indicators",
    response_model=NetworkIndicatorsRead,
    responses={
        **_with_csv("The indicators of the CBEs the network enrols, summed per kind of CBE."),
        **SIGNED_IN,
        **problem_responses(NetworkNotFound, NotNetworkMember),
    },
)
async def read_network_indicators(
    network_id: UUID,
    session: DbSession,
    principal: CurrentUser,
    request: Request,
    response: FastApiResponse,
    season: SeasonYear = None,
) -> NetworkIndicatorsRead | Response:
    """The indicators of the CBEs a network currently enrols, for their seasons starting in one year, summed per
    kind of CBE from the daily summary; for the network's members."""
    read = await service.network_indicators(session, principal, network_id=network_id, year=season)
    return _as_csv(read, f"indicators-network-{read.network_id}-{read.year}.csv", request, response) or read


def _as_csv(
    read: CountryIndicatorsRead | NetworkIndicatorsRead, filename: str, request: Request, response: FastApiResponse
) -> Response | None:
    """The roll-up as CSV when the caller prefers it; else None, the JSON's Vary header set."""
    if prefers_csv(request.headers.get("accept")):
        return Response(
            formats.roll_up_csv(read),
            media_type=CSV_MEDIA_TYPE,
            headers={"Vary": "Accept", "Content-Disposition": f'attachment; filename="{filename}"'},
        )
    response.headers["Vary"] = "Accept"
    return None


@router.get("/indicators/countries", response_model=MonitoringRead)
async def read_monitored_countries(session: DbSession) -> MonitoringRead:
    """Public: each ASEAN member's count of monitored CBEs against the target of three."""
    return await service.monitoring(session)


@router.get("/indicators/countries/charts/monitored-cbes", response_class=Response, responses=SVG_RESPONSE)
async def read_monitored_countries_chart(session: DbSession) -> Response:
    """Public: each ASEAN member's monitored CBEs against the target of three, as an SVG chart."""
    return _svg(await service.monitoring_chart(session))
