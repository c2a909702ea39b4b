"""Indicators over HTTP: who reads them, JSON, CSV and SVG, the country roll-up and the public target counts."""

import csv
import io
from uuid import uuid4

import pytest
from defusedxml import ElementTree  # type: ignore[import-untyped]
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.indicators import service
from app.networks.models import CbeKind
from app.producers.models import ProducerGroup
from tests.factories import auth_headers, create_user
from tests.groups.test_router import assert_problem
from tests.indicators.builders import Monitored, create_monitored_season, enrol, withdraw

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
async def monitored(session: AsyncSession, settings: Settings) -> Monitored:
    return await create_monitored_season(session, settings)


def cbe_url(monitored: Monitored, kind: CbeKind = CbeKind.consumer_group) -> str:
    group = monitored.season.consumer_group if kind == CbeKind.consumer_group else monitored.season.producer_group
    return f"/v1/indicators/cbes/{kind}/{group.id}"


async def test_a_network_that_enrols_the_group_reads_its_latest_season(
    client: AsyncClient, session: AsyncSession, settings: Settings, monitored: Monitored
) -> None:
    watching = await enrol(session, CbeKind.consumer_group, monitored.season.consumer_group.id)

    response = await client.get(cbe_url(monitored), headers=auth_headers(settings, watching.analyst.id))

    assert response.status_code == 200, response.text
    body = response.json()
    key = f"{monitored.season.plan.season_starts_on.year} Rainy season 2026"
    assert (body["cbe_kind"], body["country"], body["season"]["key"]) == ("consumer_group", "TH", key)
    assert [season["key"] for season in body["seasons"]] == [key]
    assert body["indicators"]["households_served"] == 3
    assert body["computed_at"]
    assert "Accept" in response.headers["vary"]


async def test_the_contract_path_of_a_consumer_group_answers_the_same(
    client: AsyncClient, session: AsyncSession, settings: Settings, monitored: Monitored
) -> None:
    headers = monitored.season.headers(monitored.season.consumer_coordinator)
    key = f"{monitored.season.plan.season_starts_on.year} Rainy season 2026"

    by_kind = await client.get(cbe_url(monitored), params={"season": key}, headers=headers)
    by_group = await client.get(
        f"/v1/consumer-groups/{monitored.season.consumer_group.id}/indicators", params={"season": key}, headers=headers
    )

    assert by_group.status_code == by_kind.status_code == 200, by_group.text
    assert by_group.json()["indicators"] == by_kind.json()["indicators"]


@pytest.mark.parametrize("kind", [CbeKind.consumer_group, CbeKind.producer_group])
async def test_the_cbes_own_coordinators_read_it_unmonitored(
    client: AsyncClient, monitored: Monitored, kind: CbeKind
) -> None:
    season = monitored.season
    coordinator = season.consumer_coordinator if kind == CbeKind.consumer_group else season.producer_coordinator

    response = await client.get(cbe_url(monitored, kind), headers=season.headers(coordinator))

    assert response.status_code == 200, response.text
    assert response.json()["indicators"]["agreements"] == 3


@pytest.mark.parametrize(
    "_case",
    [
        "a member household of the group",
        "a network that enrols another group",
        "a network whose enrolment was withdrawn",
        "a network that enrols the group's producers only",
    ],
)
async def test_nobody_else_reads_a_cbes_indicators_nor_learns_it_exists(
    client: AsyncClient, session: AsyncSession, settings: Settings, monitored: Monitored, _case: str
) -> None:
    season = monitored.season
    if _case == "a member household of the group":
        reader = await season.member(session, 2)
    elif _case == "a network that enrols another group":
        reader = (await enrol(session, CbeKind.producer_group, (await _other_producers(session)).id)).analyst
    elif _case == "a network whose enrolment was withdrawn":
        watching = await enrol(session, CbeKind.consumer_group, season.consumer_group.id)
        await withdraw(session, watching)
        reader = watching.analyst
    else:
        reader = (await enrol(session, CbeKind.producer_group, season.producer_group.id)).analyst

    refused = await client.get(cbe_url(monitored), headers=auth_headers(settings, reader.id))
    unknown = await client.get(
        f"/v1/indicators/cbes/consumer_group/{uuid4()}", headers=auth_headers(settings, reader.id)
    )

    assert_problem(refused, 404, "cbe-indicators-not-found")
    assert_problem(unknown, 404, "cbe-indicators-not-found")


async def _other_producers(session: AsyncSession) -> ProducerGroup:
    from tests.producers import builders as producer_builders

    return await producer_builders.create_producer_group(session, coordinators=[await create_user(session)])


async def test_a_season_the_cbe_does_not_have_is_404_naming_those_it_has(
    client: AsyncClient, monitored: Monitored
) -> None:
    headers = monitored.season.headers(monitored.season.consumer_coordinator)

    response = await client.get(cbe_url(monitored), params={"season": "1999 Dry season"}, headers=headers)

    assert_problem(response, 404, "indicator-season-not-found")
    assert response.json()["seasons"] == [f"{monitored.season.plan.season_starts_on.year} Rainy season 2026"]


@pytest.mark.parametrize(
    ("_case", "url"),
    [
        ("unknown kind", "/v1/indicators/cbes/household/{id}"),
        ("not a uuid", "/v1/indicators/cbes/consumer_group/not-a-uuid"),
        ("unknown chart", "/v1/indicators/cbes/consumer_group/{id}/charts/pie"),
    ],
)
async def test_a_malformed_request_is_422(client: AsyncClient, monitored: Monitored, _case: str, url: str) -> None:
    headers = monitored.season.headers(monitored.season.consumer_coordinator)

    response = await client.get(url.format(id=monitored.season.consumer_group.id), headers=headers)

    assert_problem(response, 422, "validation-failed")


async def test_csv_has_one_row_per_figure(client: AsyncClient, monitored: Monitored) -> None:
    headers = {**monitored.season.headers(monitored.season.consumer_coordinator), "Accept": "text/csv"}

    response = await client.get(cbe_url(monitored), headers=headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "Accept" in response.headers["vary"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["cbe_kind", "indicator", "crop", "unit", "currency", "disposal", "value"]
    assert ["consumer_group", "households_served", "", "", "", "", "3"] in rows
    assert ["consumer_group", "delivered_quantity", "Rice", "kg", "", "", "40.000"] in rows
    assert ["consumer_group", "advance_payment_share_paid_by_due_date_percent", "", "", "THB", "", "90.0"] in rows
    assert ["consumer_group", "producers_share_percent", "", "", "THB", "", "111.1"] in rows
    assert ["consumer_group", "surplus", "Rice", "kg", "", "stored", "4.000"] in rows
    assert {len(row) for row in rows} == {7}


@pytest.mark.parametrize("chart", ["quantities", "producers-share", "advance-payment-timeliness"])
async def test_each_chart_is_svg_with_a_title_and_labelled_axes(
    client: AsyncClient, monitored: Monitored, chart: str
) -> None:
    headers = monitored.season.headers(monitored.season.consumer_coordinator)

    response = await client.get(f"{cbe_url(monitored)}/charts/{chart}", headers=headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None and monitored.season.consumer_group.name in (title.text or "")
    texts = " ".join(text for element in root.iter(f"{SVG}text") for text in element.itertext())
    assert {
        "quantities": "Quantity",
        "producers-share": "Reached the producers",
        "advance-payment-timeliness": "Season",
    }[chart] in texts


async def test_a_chart_is_refused_like_the_figures(
    client: AsyncClient, session: AsyncSession, settings: Settings, monitored: Monitored
) -> None:
    outsider = await create_user(session)

    response = await client.get(f"{cbe_url(monitored)}/charts/quantities", headers=auth_headers(settings, outsider.id))

    assert_problem(response, 404, "cbe-indicators-not-found")


async def test_indicators_need_a_login(client: AsyncClient, monitored: Monitored) -> None:
    response = await client.get(cbe_url(monitored))

    assert_problem(response, 401, "not-authenticated")


# Countries


async def test_every_asean_member_is_listed_publicly_against_the_target_zeros_included(
    client: AsyncClient, session: AsyncSession, monitored: Monitored
) -> None:
    season = monitored.season
    await enrol(session, CbeKind.consumer_group, season.consumer_group.id)
    await enrol(session, CbeKind.producer_group, season.producer_group.id)

    response = await client.get("/v1/indicators/countries")

    assert response.status_code == 200, response.text
    body = response.json()
    assert [country["country"] for country in body["countries"]] == list(service.ASEAN_MEMBERS)
    thailand = next(country for country in body["countries"] if country["country"] == "TH")
    assert thailand == {"country": "TH", "name": "Thailand", "monitored_cbes": 2, "target": 3, "target_met": False}
    assert {country["monitored_cbes"] for country in body["countries"] if country["country"] != "TH"} == {0}
    assert (body["target"], body["countries_meeting_target"]) == (3, 0)
    assert "household" not in response.text.replace("households", "")


async def test_the_monitored_count_chart_is_public_svg(client: AsyncClient) -> None:
    response = await client.get("/v1/indicators/countries/charts/monitored-cbes")

    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    texts = " ".join(text for element in root.iter(f"{SVG}text") for text in element.itertext())
    assert "Timor-Leste" in texts and "Monitored CBEs" in texts and "ASEAN member" in texts


async def test_a_country_rolls_up_its_monitored_cbes_per_kind_from_the_summary(
    client: AsyncClient, session: AsyncSession, settings: Settings, monitored: Monitored
) -> None:
    season = monitored.season
    watching = await enrol(session, CbeKind.consumer_group, season.consumer_group.id)
    await enrol(session, CbeKind.producer_group, season.producer_group.id, analyst=watching.analyst)
    await service.refresh(session)
    headers = auth_headers(settings, watching.analyst.id)

    response = await client.get(
        "/v1/countries/TH/indicators", params={"season": season.plan.season_starts_on.year}, headers=headers
    )
    as_csv = await client.get(
        "/v1/countries/TH/indicators",
        params={"season": season.plan.season_starts_on.year},
        headers={**headers, "Accept": "text/csv"},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["country_name"], body["monitored_cbes"], body["target"]) == ("Thailand", 2, 3)
    assert body["refreshed_at"]
    kinds = {part["cbe_kind"]: part for part in body["by_kind"]}
    assert set(kinds) == {"consumer_group", "producer_group"}
    assert kinds["consumer_group"]["cbes"] == 1
    assert kinds["consumer_group"]["indicators"]["households_served"] == 3
    assert kinds["producer_group"]["indicators"]["crops"][1]["planned"] == "200.000"
    assert as_csv.status_code == 200
    assert "producer_group,agreements,,,,,3" in as_csv.text


async def test_a_country_is_read_only_by_networks_monitoring_one_of_its_cbes(
    client: AsyncClient, session: AsyncSession, settings: Settings, monitored: Monitored
) -> None:
    await enrol(session, CbeKind.consumer_group, monitored.season.consumer_group.id)
    outsider = await create_user(session)

    refused = await client.get("/v1/countries/TH/indicators", headers=auth_headers(settings, outsider.id))
    coordinator = await client.get(
        "/v1/countries/TH/indicators", headers=monitored.season.headers(monitored.season.consumer_coordinator)
    )
    unknown = await client.get("/v1/countries/XX/indicators", headers=auth_headers(settings, outsider.id))

    assert_problem(refused, 404, "country-indicators-not-found")
    assert_problem(coordinator, 404, "country-indicators-not-found")
    assert_problem(unknown, 422, "unknown-country")


async def test_a_network_reads_the_roll_up_of_the_cbes_it_enrols(
    client: AsyncClient, session: AsyncSession, settings: Settings, monitored: Monitored
) -> None:
    season = monitored.season
    watching = await enrol(session, CbeKind.consumer_group, season.consumer_group.id)
    await enrol(session, CbeKind.producer_group, season.producer_group.id)  # another network's
    await service.refresh(session)
    url = f"/v1/networks/{watching.network.id}/indicators"
    year = {"season": season.plan.season_starts_on.year}

    response = await client.get(url, params=year, headers=auth_headers(settings, watching.analyst.id))
    as_csv = await client.get(
        url, params=year, headers={**auth_headers(settings, watching.analyst.id), "Accept": "text/csv"}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["monitored_cbes"], body["by_country"]) == (1, [{"country": "TH", "cbes": 1}])
    assert [(part["cbe_kind"], part["cbes"]) for part in body["by_kind"]] == [("consumer_group", 1)]
    assert body["by_kind"][0]["indicators"]["shares_subscribed"] == 9
    assert "consumer_group,shares_subscribed,,,,,9" in as_csv.text


async def test_only_a_networks_members_read_its_roll_up(
    client: AsyncClient, session: AsyncSession, settings: Settings, monitored: Monitored
) -> None:
    watching = await enrol(session, CbeKind.consumer_group, monitored.season.consumer_group.id)
    outsider = await create_user(session)

    refused = await client.get(
        f"/v1/networks/{watching.network.id}/indicators", headers=auth_headers(settings, outsider.id)
    )
    unknown = await client.get(f"/v1/networks/{uuid4()}/indicators", headers=auth_headers(settings, outsider.id))

    assert_problem(refused, 403, "not-network-member")
    assert_problem(unknown, 404, "network-not-found")
