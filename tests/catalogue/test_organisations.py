"""Trading organisations: founding (also for a producer or consumer group), members, declarations."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalogue.models import MemberRole, TradingOrganisation, TradingOrganisationKind, TradingOrganisationMember
from app.catalogue.schemas import TradingOrganisationRead
from app.core.config import Settings
from app.core.db import utc_now
from app.core.http import etag_for
from app.groups.models import Coordinator
from tests.catalogue.builders import Callers, assert_problem, count, create_callers, create_organisation
from tests.factories import auth_headers, coordinator_ids, create_group, create_user
from tests.producers.builders import create_producer_group

DECLARATIONS = {"no_child_labour": True, "non_discrimination": True, "safe_work": True, "environmental_practice": True}


def organisation_body(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Hanoi Fair Trade Imports",
        "kind": "importer",
        "country": "VN",
        "region": "Hà Nội",
        "declarations": DECLARATIONS,
        **changes,
    }


async def members_of(session: AsyncSession, organisation_id: str) -> list[tuple[str, MemberRole]]:
    statement = select(TradingOrganisationMember).where(
        TradingOrganisationMember.trading_organisation_id == UUID(organisation_id)
    )
    return [(str(member.user_id), member.role) for member in (await session.scalars(statement)).all()]


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    return await create_callers(session, settings)


# Founding


async def test_founding_an_organisation_makes_the_founder_its_owner(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    founder = await create_user(session)

    response = await client.post(
        "/v1/trading-organisations", json=organisation_body(), headers=auth_headers(settings, founder.id)
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "name": "Hanoi Fair Trade Imports",
        "kind": "importer",
        "country": "VN",
        "region": "Hà Nội",
        "producer_group_id": None,
        "consumer_group_id": None,
        "declarations": DECLARATIONS,
        "declared_at": created["declared_at"],
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
    }
    assert abs(datetime.fromisoformat(created["declared_at"]) - utc_now()) < timedelta(minutes=1)
    assert response.headers["etag"] == etag_for(TradingOrganisationRead.model_validate(created))
    assert await members_of(session, created["id"]) == [(str(founder.id), MemberRole.owner)]


async def test_a_producer_group_coordinator_founds_its_selling_organisation(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    coordinator = await create_user(session)
    producer_group = await create_producer_group(session, coordinators=[coordinator], country="TH")
    body = organisation_body(kind="producer_group", country="TH", producer_group_id=str(producer_group.id))

    response = await client.post("/v1/trading-organisations", json=body, headers=auth_headers(settings, coordinator.id))

    assert response.status_code == 201, response.text
    assert response.json()["producer_group_id"] == str(producer_group.id)
    assert response.json()["kind"] == "producer_group"


async def test_a_consumer_group_coordinator_founds_an_organisation_to_sell_surplus(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session, households=0, coordinators=1, country="PH")
    (coordinator,) = await coordinator_ids(session, group)
    body = organisation_body(kind="consumer_group", country="PH", consumer_group_id=str(group.id))

    response = await client.post("/v1/trading-organisations", json=body, headers=auth_headers(settings, coordinator))

    assert response.status_code == 201, response.text
    assert response.json()["consumer_group_id"] == str(group.id)


@pytest.mark.parametrize(
    ("_case", "group_kind", "acting_user", "country", "status", "code"),
    [
        ("producer group: not its coordinator", "producer", "outsider", "TH", 403, "not-group-coordinator"),
        ("consumer group: not its coordinator", "consumer", "outsider", "TH", 403, "not-group-coordinator"),
        ("producer group: another country", "producer", "coordinator", "VN", 422, "country-differs-from-group"),
        ("consumer group: another country", "consumer", "coordinator", "LA", 422, "country-differs-from-group"),
    ],
)
async def test_only_a_coordinator_founds_an_organisation_for_a_group_in_its_country(
    client: AsyncClient,
    session: AsyncSession,
    settings: Settings,
    _case: str,
    group_kind: str,
    acting_user: str,
    country: str,
    status: int,
    code: str,
) -> None:
    users = {"coordinator": await create_user(session), "outsider": await create_user(session)}
    if group_kind == "producer":
        producer_group = await create_producer_group(session, coordinators=[users["coordinator"]], country="TH")
        body = organisation_body(kind="producer_group", country=country, producer_group_id=str(producer_group.id))
    else:
        group = await create_group(session, coordinators=0, country="TH")
        session.add(
            Coordinator(group_id=group.id, user_id=users["coordinator"].id, appointed_by=users["coordinator"].id)
        )
        await session.flush()
        body = organisation_body(kind="consumer_group", country=country, consumer_group_id=str(group.id))

    response = await client.post(
        "/v1/trading-organisations", json=body, headers=auth_headers(settings, users[acting_user].id)
    )

    assert_problem(response, status, code)
    assert await count(session, TradingOrganisation) == 0


@pytest.mark.parametrize(
    ("_case", "field", "code"),
    [
        ("producer group", "producer_group_id", "producer-group-not-found"),
        ("consumer group", "consumer_group_id", "group-not-found"),
    ],
)
async def test_an_unknown_group_is_not_found(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, field: str, code: str
) -> None:
    user = await create_user(session)
    kind = "producer_group" if field == "producer_group_id" else "consumer_group"

    response = await client.post(
        "/v1/trading-organisations",
        json=organisation_body(kind=kind, country="TH", **{field: str(uuid4())}),
        headers=auth_headers(settings, user.id),
    )

    assert_problem(response, 404, code)
    assert await count(session, TradingOrganisation) == 0


async def test_a_group_trades_through_one_organisation_only(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    coordinator = await create_user(session)
    producer_group = await create_producer_group(session, coordinators=[coordinator], country="TH")
    await create_organisation(
        session, owner=coordinator, kind=TradingOrganisationKind.producer_group, producer_group_id=producer_group.id
    )
    body = organisation_body(kind="producer_group", country="TH", producer_group_id=str(producer_group.id))

    response = await client.post("/v1/trading-organisations", json=body, headers=auth_headers(settings, coordinator.id))

    assert_problem(response, 409, "group-already-trading")
    assert await count(session, TradingOrganisation) == 1


@pytest.mark.parametrize(
    ("_case", "changes"),
    [
        ("kind producer_group without the group", {"kind": "producer_group"}),
        ("kind consumer_group without the group", {"kind": "consumer_group"}),
        ("a producer group under another kind", {"kind": "shop", "producer_group_id": str(uuid4())}),
        ("a consumer group under another kind", {"kind": "importer", "consumer_group_id": str(uuid4())}),
        ("unknown kind", {"kind": "bank"}),
        ("unknown country", {"country": "XX"}),
        ("a declaration missing", {"declarations": {**DECLARATIONS, "safe_work": None}}),
        ("a declaration as a string", {"declarations": {**DECLARATIONS, "safe_work": "yes"}}),
        ("a declaration as a number", {"declarations": {**DECLARATIONS, "safe_work": 1}}),
        ("an unknown declaration", {"declarations": {**DECLARATIONS, "living_wage": True}}),
        ("NUL in the name", {"name": "Hanoi\x00Imports"}),
        ("blank name", {"name": "  "}),
        ("unknown field", {"member_count": 1}),
    ],
)
async def test_invalid_organisation_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, changes: dict[str, Any]
) -> None:
    user = await create_user(session)

    response = await client.post(
        "/v1/trading-organisations", json=organisation_body(**changes), headers=auth_headers(settings, user.id)
    )

    assert_problem(response, 422, "validation-failed")
    assert await count(session, TradingOrganisation) == 0


# Reading


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [("anonymous", None, 401), ("user of another organisation", "outsider", 200), ("member", "member", 200)],
)
async def test_organisations_are_for_logged_in_users(
    client: AsyncClient, callers: Callers, _case: str, caller: str | None, expected_status: int
) -> None:
    headers = callers.headers_for(caller)

    responses = [
        await client.get("/v1/trading-organisations", headers=headers),
        await client.get(f"/v1/trading-organisations/{callers.organisation.id}", headers=headers),
    ]

    for response in responses:
        assert response.status_code == expected_status
        if expected_status == 401:
            assert_problem(response, 401, "not-authenticated")


async def test_an_organisation_is_read_with_its_declarations_and_an_etag(client: AsyncClient, callers: Callers) -> None:
    response = await client.get(
        f"/v1/trading-organisations/{callers.organisation.id}", headers=callers.headers_for("outsider")
    )

    expected = TradingOrganisationRead.model_validate(callers.organisation)
    assert response.status_code == 200
    assert response.json() == expected.model_dump(mode="json")
    assert response.json()["declarations"] == {
        "no_child_labour": True,
        "non_discrimination": True,
        "safe_work": True,
        "environmental_practice": False,
    }
    assert response.headers["etag"] == etag_for(expected)


async def test_an_unknown_organisation_is_not_found(client: AsyncClient, callers: Callers) -> None:
    response = await client.get(f"/v1/trading-organisations/{uuid4()}", headers=callers.headers_for("member"))

    assert_problem(response, 404, "trading-organisation-not-found")


async def test_organisations_are_listed_page_by_page_and_filtered(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_user(session)
    thai = [await create_organisation(session, owner=owner, country="TH") for _ in range(3)]
    await create_organisation(session, owner=owner, country="VN")
    thai_shop = await create_organisation(session, owner=owner, country="TH", kind=TradingOrganisationKind.shop)
    expected = [str(o.id) for o in sorted([*thai, thai_shop], key=lambda o: (o.created_at, o.id))]
    headers = auth_headers(settings, owner.id)

    first = await client.get("/v1/trading-organisations", params={"country": "TH", "limit": 3}, headers=headers)
    second = await client.get(
        "/v1/trading-organisations",
        params={"country": "TH", "limit": 3, "cursor": first.json()["next_cursor"]},
        headers=headers,
    )
    shops = await client.get("/v1/trading-organisations", params={"kind": "shop"}, headers=headers)

    assert [o["id"] for o in first.json()["data"]] == expected[:3]
    assert first.json()["has_more"] is True
    assert [o["id"] for o in second.json()["data"]] == expected[3:]
    assert second.json()["has_more"] is False
    assert second.json()["next_cursor"] is None
    assert [o["id"] for o in shops.json()["data"]] == [str(thai_shop.id)]


# Changing


async def test_a_member_declares_anew_with_if_match(
    client: AsyncClient, session: AsyncSession, callers: Callers
) -> None:
    url = f"/v1/trading-organisations/{callers.organisation.id}"
    read = await client.get(url, headers=callers.headers_for("member"))
    declared_before = datetime.fromisoformat(read.json()["declared_at"])
    declarations = {**DECLARATIONS, "environmental_practice": True}

    response = await client.patch(
        url,
        json={"name": "Doi Chaang Coffee Co-op", "region": None, "declarations": declarations},
        headers={**callers.headers_for("member"), "If-Match": read.headers["etag"]},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["region"], body["declarations"]) == ("Doi Chaang Coffee Co-op", None, declarations)
    assert datetime.fromisoformat(body["declared_at"]) > declared_before
    assert response.headers["etag"] == etag_for(TradingOrganisationRead.model_validate(body))
    stored = await session.get(TradingOrganisation, callers.organisation.id, populate_existing=True)
    assert stored is not None
    assert (stored.name, stored.region, stored.declares_environmental_practice) == (
        "Doi Chaang Coffee Co-op",
        None,
        True,
    )


async def test_renaming_keeps_the_declaration_date(client: AsyncClient, callers: Callers) -> None:
    url = f"/v1/trading-organisations/{callers.organisation.id}"
    before = (await client.get(url, headers=callers.headers_for("member"))).json()

    response = await client.patch(url, json={"name": "Renamed"}, headers=callers.headers_for("owner"))

    assert response.status_code == 200
    assert response.json()["declared_at"] == before["declared_at"]
    assert response.json()["region"] == before["region"]


async def test_a_stale_if_match_is_refused(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    url = f"/v1/trading-organisations/{callers.organisation.id}"
    stale = (await client.get(url, headers=callers.headers_for("member"))).headers["etag"]
    await client.patch(url, json={"name": "First change"}, headers=callers.headers_for("owner"))

    response = await client.patch(
        url, json={"name": "Second change"}, headers={**callers.headers_for("member"), "If-Match": stale}
    )

    assert_problem(response, 412, "precondition-failed")
    stored = await session.get(TradingOrganisation, callers.organisation.id, populate_existing=True)
    assert stored is not None
    assert stored.name == "First change"


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [("anonymous", None, 401), ("non-member", "outsider", 403), ("member", "member", 200), ("owner", "owner", 200)],
)
async def test_only_members_change_an_organisation(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, caller: str | None, expected_status: int
) -> None:
    response = await client.patch(
        f"/v1/trading-organisations/{callers.organisation.id}",
        json={"name": "Taken over"},
        headers=callers.headers_for(caller),
    )

    assert response.status_code == expected_status
    stored = await session.get(TradingOrganisation, callers.organisation.id, populate_existing=True)
    assert stored is not None
    assert stored.name == ("Taken over" if expected_status == 200 else "Doi Chaang Co-op")
    if expected_status == 403:
        assert_problem(response, 403, "not-organisation-member")


@pytest.mark.parametrize(
    ("_case", "changes"), [("null name", {"name": None}), ("null declarations", {"declarations": None})]
)
async def test_required_fields_cannot_be_cleared(
    client: AsyncClient, session: AsyncSession, callers: Callers, _case: str, changes: dict[str, Any]
) -> None:
    response = await client.patch(
        f"/v1/trading-organisations/{callers.organisation.id}", json=changes, headers=callers.headers_for("owner")
    )

    assert_problem(response, 422, "validation-failed")
    stored = await session.get(TradingOrganisation, callers.organisation.id, populate_existing=True)
    assert stored is not None
    assert (stored.name, stored.declares_safe_work) == ("Doi Chaang Co-op", True)


# Members


@pytest.mark.parametrize(
    ("_case", "caller", "expected_status", "code"),
    [
        ("anonymous", None, 401, "not-authenticated"),
        ("non-member", "outsider", 403, "not-organisation-owner"),
        ("member who is no owner", "member", 403, "not-organisation-owner"),
        ("owner", "owner", 201, None),
    ],
)
async def test_only_owners_add_members(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    _case: str,
    caller: str | None,
    expected_status: int,
    code: str | None,
) -> None:
    newcomer = await create_user(session)

    response = await client.post(
        f"/v1/trading-organisations/{callers.organisation.id}/members",
        json={"user_id": str(newcomer.id)},
        headers=callers.headers_for(caller),
    )

    members = await members_of(session, str(callers.organisation.id))
    if code is not None:
        assert_problem(response, expected_status, code)
        assert (str(newcomer.id), MemberRole.member) not in members
        return
    assert response.status_code == 201
    assert response.json() == {
        "trading_organisation_id": str(callers.organisation.id),
        "user_id": str(newcomer.id),
        "role": "member",
        "added_by": str(callers.owner.id),
        "created_at": response.json()["created_at"],
    }
    assert (str(newcomer.id), MemberRole.member) in members


async def test_an_owner_adds_another_owner(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    newcomer = await create_user(session)

    response = await client.post(
        f"/v1/trading-organisations/{callers.organisation.id}/members",
        json={"user_id": str(newcomer.id), "role": "owner"},
        headers=callers.headers_for("owner"),
    )

    assert response.status_code == 201
    assert (str(newcomer.id), MemberRole.owner) in await members_of(session, str(callers.organisation.id))


async def test_a_member_is_not_added_twice(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    response = await client.post(
        f"/v1/trading-organisations/{callers.organisation.id}/members",
        json={"user_id": str(callers.member.id)},
        headers=callers.headers_for("owner"),
    )

    assert_problem(response, 409, "already-organisation-member")
    assert len(await members_of(session, str(callers.organisation.id))) == 2


async def test_an_unknown_user_is_not_added(client: AsyncClient, session: AsyncSession, callers: Callers) -> None:
    response = await client.post(
        f"/v1/trading-organisations/{callers.organisation.id}/members",
        json={"user_id": str(uuid4())},
        headers=callers.headers_for("owner"),
    )

    assert_problem(response, 404, "user-not-found")
    assert len(await members_of(session, str(callers.organisation.id))) == 2
