"""Enrolment of CBEs in a network's programme: proposed by the network, enrolled by the CBE's quorum of
coordinators in office, declined or withdrawn by one person of either side, the history kept."""

from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalogue.models import MemberRole, TradingOrganisationMember
from app.core.config import Settings
from app.core.db import utc_now
from app.groups.models import ConsumerGroup, Coordinator
from app.networks.models import CbeKind
from tests.catalogue.builders import create_organisation
from tests.factories import create_user
from tests.networks.builders import (
    Monitoring,
    assert_problem,
    consent_rows,
    create_monitoring,
    create_network,
    create_programme,
    enrolment_rows,
    events_of,
)
from tests.producers.builders import create_producer_group


async def monitoring_with(session: AsyncSession, settings: Settings, coordinators: int) -> Monitoring:
    return await create_monitoring(session, settings, group_coordinators_count=coordinators)


async def consent(client: AsyncClient, monitoring: Monitoring, enrolment_id: str, coordinator: int) -> dict[str, Any]:
    response = await client.post(
        f"/v1/enrolments/{enrolment_id}/consents",
        headers=monitoring.headers(monitoring.group_coordinators[coordinator]),
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/enrolments/{enrolment_id}"
    body: dict[str, Any] = response.json()
    return body


async def test_a_proposal_waits_for_the_cbes_consent_and_tells_the_cbe(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 1)

    response = await monitoring.propose(client)

    assert response.status_code == 201, response.text
    enrolment = response.json()
    assert response.headers["location"] == f"/v1/enrolments/{enrolment['id']}"
    assert {key: enrolment[key] for key in ("status", "cbe_kind", "cbe_name", "cbe_country", "consents_needed")} == {
        "status": "proposed",
        "cbe_kind": "consumer_group",
        "cbe_name": monitoring.group.name,
        "cbe_country": "TH",
        "consents_needed": 1,
    }
    assert (enrolment["enrolled_at"], enrolment["consents"]) == (None, [])
    assert [event["enrolment"]["id"] for event in await events_of(session, "enrolment.proposed")] == [enrolment["id"]]


async def test_with_a_quorum_of_one_the_first_consent_enrols(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    enrolment_id = (await monitoring.propose(client)).json()["id"]

    enrolled = await consent(client, monitoring, enrolment_id, 0)

    assert enrolled["status"] == "enrolled"
    assert enrolled["enrolled_at"] is not None
    assert len(await events_of(session, "enrolment.enrolled")) == 1


async def test_with_a_quorum_of_two_the_second_consent_enrols(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 2)
    enrolment_id = (await monitoring.propose(client)).json()["id"]

    first = await consent(client, monitoring, enrolment_id, 0)
    second = await consent(client, monitoring, enrolment_id, 1)

    assert (first["status"], first["consents_needed"]) == ("proposed", 2)
    assert second["status"] == "enrolled"
    assert [c["in_office"] for c in second["consents"]] == [True, True]


async def test_a_consent_counts_only_while_its_coordinator_holds_office(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 3)
    enrolment_id = (await monitoring.propose(client)).json()["id"]
    await consent(client, monitoring, enrolment_id, 0)
    departed = monitoring.group_coordinators[0]
    await session.execute(
        update(Coordinator)
        .where(Coordinator.group_id == monitoring.group.id, Coordinator.user_id == departed.id)
        .values(ended_at=utc_now(), ended_by=departed.id)
    )

    second = await consent(client, monitoring, enrolment_id, 1)
    third = await consent(client, monitoring, enrolment_id, 2)

    assert second["status"] == "proposed"
    assert [(c["user_id"], c["in_office"]) for c in second["consents"]] == [
        (str(departed.id), False),
        (str(monitoring.group_coordinators[1].id), True),
    ]
    assert third["status"] == "enrolled"


async def test_the_quorum_is_the_groups_own_as_it_stands(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 3)
    await session.execute(
        update(ConsumerGroup).where(ConsumerGroup.id == monitoring.group.id).values(approval_quorum=3)
    )
    enrolment_id = (await monitoring.propose(client)).json()["id"]

    statuses = [(await consent(client, monitoring, enrolment_id, n))["status"] for n in range(3)]

    assert statuses == ["proposed", "proposed", "enrolled"]


async def test_a_coordinator_consents_once(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    monitoring = await monitoring_with(session, settings, 2)
    enrolment_id = (await monitoring.propose(client)).json()["id"]
    await consent(client, monitoring, enrolment_id, 0)

    again = await client.post(
        f"/v1/enrolments/{enrolment_id}/consents", headers=monitoring.headers(monitoring.group_coordinators[0])
    )

    assert_problem(again, 409, "enrolment-already-consented")
    assert await consent_rows(session, enrolment_id) == 1


@pytest.mark.parametrize(
    ("_case", "caller", "status", "code"),
    [
        ("the network's coordinator", "coordinator", 403, "not-cbe-coordinator"),
        ("the network's analyst", "analyst", 403, "not-cbe-coordinator"),
        ("another network's coordinator", "outsider", 404, "enrolment-not-found"),
    ],
)
async def test_only_the_cbes_coordinators_consent(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, caller: str, status: int, code: str
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    enrolment_id = (await monitoring.propose(client)).json()["id"]

    response = await client.post(
        f"/v1/enrolments/{enrolment_id}/consents", headers=monitoring.headers(getattr(monitoring, caller))
    )

    assert_problem(response, status, code)
    assert await consent_rows(session, enrolment_id) == 0


async def test_one_cbe_coordinator_declines_a_proposal(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 2)
    enrolment_id = (await monitoring.propose(client)).json()["id"]
    decliner = monitoring.group_coordinators[1]

    declined = await client.post(f"/v1/enrolments/{enrolment_id}/withdrawal", headers=monitoring.headers(decliner))
    late_consent = await client.post(
        f"/v1/enrolments/{enrolment_id}/consents", headers=monitoring.headers(monitoring.group_coordinators[0])
    )
    again = await client.post(f"/v1/enrolments/{enrolment_id}/withdrawal", headers=monitoring.headers(decliner))

    assert declined.status_code == 200, declined.text
    assert (declined.json()["status"], declined.json()["withdrawn_by"]) == ("declined", str(decliner.id))
    assert declined.json()["withdrawn_at"] is not None
    assert_problem(late_consent, 409, "enrolment-not-proposed")
    assert_problem(again, 409, "enrolment-ended")
    assert await consent_rows(session, enrolment_id) == 0
    assert len(await events_of(session, "enrolment.declined")) == 1


@pytest.mark.parametrize(("_case", "who"), [("by the CBE", "cbe"), ("by the network", "network")])
async def test_an_enrolment_is_withdrawn_by_one_person_and_its_history_kept(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, who: str
) -> None:
    monitoring = await monitoring_with(session, settings, 2)
    enrolment_id = (await monitoring.propose(client)).json()["id"]
    await consent(client, monitoring, enrolment_id, 0)
    await consent(client, monitoring, enrolment_id, 1)
    withdrawer = monitoring.group_coordinators[0] if who == "cbe" else monitoring.coordinator

    response = await client.post(f"/v1/enrolments/{enrolment_id}/withdrawal", headers=monitoring.headers(withdrawer))
    read = await client.get(f"/v1/enrolments/{enrolment_id}", headers=monitoring.headers(monitoring.analyst))

    assert response.status_code == 200, response.text
    assert read.json() == response.json()
    history = read.json()
    assert (history["status"], history["withdrawn_by"]) == ("withdrawn", str(withdrawer.id))
    assert history["proposed_at"] <= history["enrolled_at"] <= history["withdrawn_at"]
    assert len(history["consents"]) == 2


async def test_a_network_coordinator_withdraws_a_proposal_but_an_analyst_may_not(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    enrolment_id = (await monitoring.propose(client)).json()["id"]

    by_analyst = await client.post(
        f"/v1/enrolments/{enrolment_id}/withdrawal", headers=monitoring.headers(monitoring.analyst)
    )
    by_coordinator = await client.post(
        f"/v1/enrolments/{enrolment_id}/withdrawal", headers=monitoring.headers(monitoring.coordinator)
    )

    assert_problem(by_analyst, 403, "not-network-coordinator")
    assert by_coordinator.json()["status"] == "withdrawn"


async def test_one_open_enrolment_per_programme_and_cbe_and_a_new_one_after_withdrawal(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    first = (await monitoring.propose(client)).json()["id"]

    twice = await monitoring.propose(client)
    await consent(client, monitoring, first, 0)
    while_enrolled = await monitoring.propose(client)
    await client.post(
        f"/v1/enrolments/{first}/withdrawal", headers=monitoring.headers(monitoring.group_coordinators[0])
    )
    again = await monitoring.propose(client)

    assert_problem(twice, 409, "enrolment-already-open")
    assert_problem(while_enrolled, 409, "enrolment-already-open")
    assert (again.status_code, again.json()["status"]) == (201, "proposed")
    assert again.json()["id"] != first
    assert await enrolment_rows(session) == 2


@pytest.mark.parametrize(
    ("_case", "caller", "status", "code"),
    [
        ("an analyst", "analyst", 403, "not-network-coordinator"),
        ("another network's coordinator", "outsider", 403, "not-network-coordinator"),
        ("the CBE's coordinator", "group", 403, "not-network-coordinator"),
    ],
)
async def test_only_the_networks_coordinators_propose(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, caller: str, status: int, code: str
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    user = monitoring.group_coordinators[0] if caller == "group" else getattr(monitoring, caller)

    response = await client.post(
        f"/v1/programmes/{monitoring.programme.id}/enrolments",
        json={"cbe_kind": "consumer_group", "cbe_id": str(monitoring.group.id)},
        headers=monitoring.headers(user),
    )

    assert_problem(response, status, code)
    assert await enrolment_rows(session) == 0


@pytest.mark.parametrize(
    ("_case", "cbe_kind", "code"),
    [
        ("consumer group", "consumer_group", "group-not-found"),
        ("producer group", "producer_group", "producer-group-not-found"),
        ("trading organisation", "trading_organisation", "trading-organisation-not-found"),
    ],
)
async def test_an_unknown_cbe_is_not_found(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, cbe_kind: str, code: str
) -> None:
    monitoring = await monitoring_with(session, settings, 1)

    response = await monitoring.propose(client, CbeKind(cbe_kind), uuid4())

    assert_problem(response, 404, code)
    assert await enrolment_rows(session) == 0


async def test_a_programme_that_has_ended_enrols_no_one(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    ended = await create_programme(session, monitoring.network, ends_on=date(2026, 6, 30))

    response = await client.post(
        f"/v1/programmes/{ended.id}/enrolments",
        json={"cbe_kind": "consumer_group", "cbe_id": str(monitoring.group.id)},
        headers=monitoring.headers(monitoring.coordinator),
    )

    assert_problem(response, 409, "programme-ended")


async def test_the_networks_own_path_proposes_into_its_own_programmes_only(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    foreign = await create_programme(session, await create_network(session, coordinator=monitoring.outsider))
    url = f"/v1/networks/{monitoring.network.id}/enrolments"
    body = {"cbe_kind": "consumer_group", "cbe_id": str(monitoring.group.id)}
    headers = monitoring.headers(monitoring.coordinator)

    foreign_programme = await client.post(url, json=body | {"programme_id": str(foreign.id)}, headers=headers)
    own = await client.post(url, json=body | {"programme_id": str(monitoring.programme.id)}, headers=headers)
    listed = await client.get(url, params={"status": "proposed"}, headers=monitoring.headers(monitoring.trainer))

    assert_problem(foreign_programme, 404, "programme-not-found")
    assert own.status_code == 201, own.text
    assert [e["id"] for e in listed.json()["data"]] == [own.json()["id"]]


async def test_a_producer_group_consents_by_its_coordinators(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    farmers = [await create_user(session), await create_user(session)]
    producers = await create_producer_group(session, coordinators=farmers, country="VN")
    enrolment_id = (await monitoring.propose(client, CbeKind.producer_group, producers.id)).json()["id"]

    statuses = []
    for farmer in farmers:
        response = await client.post(f"/v1/enrolments/{enrolment_id}/consents", headers=monitoring.headers(farmer))
        statuses.append(response.json()["status"])
    listed = await client.get(f"/v1/producer-groups/{producers.id}/enrolments", headers=monitoring.headers(farmers[0]))

    assert statuses == ["proposed", "enrolled"]
    assert [(e["id"], e["cbe_country"]) for e in listed.json()["data"]] == [(enrolment_id, "VN")]


async def test_a_trading_organisation_consents_by_its_owners_not_its_members(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    owner, co_owner, member = await create_user(session), await create_user(session), await create_user(session)
    organisation = await create_organisation(session, owner=owner, members=(member,), country="PH")
    session.add(
        TradingOrganisationMember(
            trading_organisation_id=organisation.id, user_id=co_owner.id, role=MemberRole.owner, added_by=owner.id
        )
    )
    await session.flush()
    enrolment_id = (await monitoring.propose(client, CbeKind.trading_organisation, organisation.id)).json()["id"]

    by_member = await client.post(f"/v1/enrolments/{enrolment_id}/consents", headers=monitoring.headers(member))
    first = await client.post(f"/v1/enrolments/{enrolment_id}/consents", headers=monitoring.headers(owner))
    second = await client.post(f"/v1/enrolments/{enrolment_id}/consents", headers=monitoring.headers(co_owner))
    members_list = await client.get(
        f"/v1/trading-organisations/{organisation.id}/enrolments", headers=monitoring.headers(member)
    )

    assert_problem(by_member, 404, "enrolment-not-found")
    assert (first.json()["status"], first.json()["consents_needed"]) == ("proposed", 2)
    assert second.json()["status"] == "enrolled"
    assert_problem(members_list, 403, "not-cbe-coordinator")


async def test_a_cbe_lists_its_enrolments_in_every_network(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    other_network = await create_network(session, coordinator=monitoring.outsider, country="TH")
    other_programme = await create_programme(session, other_network)
    mine = (await monitoring.propose(client)).json()["id"]
    theirs = await client.post(
        f"/v1/programmes/{other_programme.id}/enrolments",
        json={"cbe_kind": "consumer_group", "cbe_id": str(monitoring.group.id)},
        headers=monitoring.headers(monitoring.outsider),
    )
    url = f"/v1/consumer-groups/{monitoring.group.id}/enrolments"

    listed = await client.get(url, headers=monitoring.headers(monitoring.group_coordinators[0]))
    by_network = await client.get(url, headers=monitoring.headers(monitoring.coordinator))
    missing = await client.get(
        f"/v1/consumer-groups/{uuid4()}/enrolments", headers=monitoring.headers(monitoring.coordinator)
    )
    others_enrolment = await client.get(
        f"/v1/enrolments/{theirs.json()['id']}", headers=monitoring.headers(monitoring.coordinator)
    )

    assert [e["id"] for e in listed.json()["data"]] == [mine, theirs.json()["id"]]
    assert {e["network_name"] for e in listed.json()["data"]} == {monitoring.network.name, other_network.name}
    assert_problem(by_network, 403, "not-cbe-coordinator")
    assert_problem(missing, 404, "group-not-found")
    assert_problem(others_enrolment, 404, "enrolment-not-found")


async def test_a_programmes_enrolments_are_for_the_networks_members(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    monitoring = await monitoring_with(session, settings, 1)
    enrolment_id = (await monitoring.propose(client)).json()["id"]
    url = f"/v1/programmes/{monitoring.programme.id}/enrolments"

    by_trainer = await client.get(url, headers=monitoring.headers(monitoring.trainer))
    enrolled_only = await client.get(url, params={"status": "enrolled"}, headers=monitoring.headers(monitoring.analyst))
    by_outsider = await client.get(url, headers=monitoring.headers(monitoring.outsider))

    assert [e["id"] for e in by_trainer.json()["data"]] == [enrolment_id]
    assert enrolled_only.json()["data"] == []
    assert_problem(by_outsider, 403, "not-network-member")
