"""Issuing, listing and revoking keys: shown once, stored as a digest, managed by the organisation's managers only."""

import hashlib
from datetime import timedelta
from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys.models import ApiKey
from app.catalogue.models import MemberRole, TradingOrganisationMember
from app.core.config import Settings
from app.core.db import utc_now
from app.groups.models import HouseholdMember, Membership
from tests.api_keys.builders import bearer, issue_key, key_body, key_count, stored_key
from tests.catalogue.builders import create_organisation
from tests.factories import auth_headers, coordinator_ids, create_group, create_user


async def test_a_coordinator_issues_a_key_shown_once_and_stored_as_its_digest(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session)
    [coordinator] = await coordinator_ids(session, group)
    headers = auth_headers(settings, coordinator)

    created = await client.post(
        "/v1/api-keys",
        json=key_body("consumer_group", group.id, ["agreements:read", "webhooks:read", "agreements:read"]),
        headers=headers,
    )
    read = await client.get(created.headers["Location"], headers=headers)
    listed = await client.get("/v1/api-keys", headers=headers)

    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith("tk_") and len(key) == 3 + 43
    assert body["prefix"] == key[:10]
    assert body["scopes"] == ["agreements:read", "webhooks:read"]
    assert body["created_by"] == str(coordinator)
    assert (body["revoked_at"], body["expires_at"], body["last_used_at"]) == (None, None, None)
    assert created.headers["Location"] == f"/v1/api-keys/{body['id']}"
    assert read.status_code == 200
    assert "key" not in read.json()
    assert read.json() == {name: value for name, value in body.items() if name != "key"}
    assert [item["id"] for item in listed.json()["data"]] == [body["id"]]
    assert "key" not in listed.json()["data"][0]
    stored = await stored_key(session, body["id"])
    assert stored.secret_digest == hashlib.sha256(key.encode()).hexdigest()
    # The key itself is nowhere in the table.
    rows = (await session.execute(text("SELECT * FROM api_key"))).all()
    assert all(key not in str(value) for row in rows for value in row)


@pytest.mark.parametrize(
    ("_case", "scopes", "changes"),
    [
        ("unknown scope", ["catalogue:read", "orders:delete"], {}),
        ("no scope", [], {}),
        ("blank name", ["catalogue:read"], {"name": "  "}),
        ("expiry without offset", ["catalogue:read"], {"expires_at": "2030-01-01T00:00:00"}),
    ],
)
async def test_a_bad_key_request_is_refused_with_422(
    client: AsyncClient, session: AsyncSession, settings: Settings, _case: str, scopes: list[str], changes: dict
) -> None:
    group = await create_group(session)
    [coordinator] = await coordinator_ids(session, group)

    response = await client.post(
        "/v1/api-keys",
        json=key_body("consumer_group", group.id, scopes, **changes),
        headers=auth_headers(settings, coordinator),
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await key_count(session) == 0


async def test_an_expiry_in_the_past_is_refused(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    group = await create_group(session)
    [coordinator] = await coordinator_ids(session, group)
    past = (utc_now() - timedelta(minutes=1)).isoformat()

    response = await client.post(
        "/v1/api-keys",
        json=key_body("consumer_group", group.id, expires_at=past),
        headers=auth_headers(settings, coordinator),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "api-key-expiry-not-in-future"
    assert await key_count(session) == 0


@pytest.mark.parametrize(
    ("_case", "kind", "caller", "status", "code"),
    [
        ("member of the trading organisation", "trading_organisation", "member", 403, "not-organisation-owner"),
        ("outsider to the trading organisation", "trading_organisation", "outsider", 403, "not-organisation-owner"),
        ("household member of the consumer group", "consumer_group", "member", 403, "not-coordinator"),
        ("unknown organisation", "producer_group", "owner", 404, "producer-group-not-found"),
    ],
)
async def test_only_managers_issue_keys(
    client: AsyncClient,
    session: AsyncSession,
    settings: Settings,
    _case: str,
    kind: str,
    caller: str,
    status: int,
    code: str,
) -> None:
    owner, member, outsider = await create_user(session), await create_user(session), await create_user(session)
    organisation = await create_organisation(session, owner=owner, members=(member,))
    group = await create_group(session, households=2)
    [coordinator] = await coordinator_ids(session, group)
    group_member = await session.scalar(
        select(HouseholdMember.user_id)
        .join(Membership, Membership.household_id == HouseholdMember.household_id)
        .where(Membership.group_id == group.id, HouseholdMember.user_id != coordinator)
        .limit(1)
    )
    organisation_id = {"trading_organisation": organisation.id, "consumer_group": group.id}.get(kind, uuid4())
    caller_id = {"member": member.id, "outsider": outsider.id, "owner": owner.id}[caller]
    if kind == "consumer_group":
        assert group_member is not None
        caller_id = group_member

    response = await client.post(
        "/v1/api-keys", json=key_body(kind, organisation_id), headers=auth_headers(settings, caller_id)
    )

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert await key_count(session) == 0


async def test_a_key_cannot_issue_list_or_revoke_keys(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_user(session)
    organisation = await create_organisation(session, owner=owner)
    key = await issue_key(client, settings, owner.id, "trading_organisation", organisation.id)
    [stored] = (await session.scalars(select(ApiKey))).all()

    created = await client.post(
        "/v1/api-keys", json=key_body("trading_organisation", organisation.id), headers=bearer(key)
    )
    listed = await client.get("/v1/api-keys", headers=bearer(key))
    revoked = await client.delete(f"/v1/api-keys/{stored.id}", headers=bearer(key))

    for response in (created, listed, revoked):
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "insufficient-scope"
        assert response.json()["required_scope"] is None
    assert await key_count(session) == 1
    assert (await stored_key(session, str(stored.id))).revoked_at is None


async def test_the_list_shows_the_keys_of_managed_organisations_only(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner, other = await create_user(session), await create_user(session)
    mine, theirs = await create_organisation(session, owner=owner), await create_organisation(session, owner=other)
    first = await issue_key(client, settings, owner.id, "trading_organisation", mine.id)
    second = await issue_key(client, settings, owner.id, "trading_organisation", mine.id, ["trade_orders:read"])
    await issue_key(client, settings, other.id, "trading_organisation", theirs.id)
    headers = auth_headers(settings, owner.id)

    everything = await client.get("/v1/api-keys", headers=headers)
    paged = await client.get("/v1/api-keys", params={"organisation_id": str(mine.id), "limit": 1}, headers=headers)
    foreign = await client.get("/v1/api-keys", params={"organisation_id": str(theirs.id)}, headers=headers)

    assert [item["prefix"] for item in everything.json()["data"]] == [first[:10], second[:10]]
    assert [item["prefix"] for item in paged.json()["data"]] == [first[:10]]
    assert paged.json()["has_more"] is True
    assert (foreign.status_code, foreign.json()["code"]) == (404, "organisation-not-found")


async def test_revocation_takes_effect_at_once_and_can_be_repeated(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner, co_owner, outsider = await create_user(session), await create_user(session), await create_user(session)
    organisation = await create_organisation(session, owner=owner)
    session.add(
        TradingOrganisationMember(
            trading_organisation_id=organisation.id, user_id=co_owner.id, role=MemberRole.owner, added_by=owner.id
        )
    )
    await session.flush()
    key = await issue_key(client, settings, owner.id, "trading_organisation", organisation.id)
    [stored] = (await session.scalars(select(ApiKey))).all()
    before = await client.get("/v1/trade-orders", headers=bearer(key))

    by_outsider = await client.delete(f"/v1/api-keys/{stored.id}", headers=auth_headers(settings, outsider.id))
    first = await client.delete(f"/v1/api-keys/{stored.id}", headers=auth_headers(settings, co_owner.id))
    again = await client.delete(f"/v1/api-keys/{stored.id}", headers=auth_headers(settings, owner.id))
    after = await client.get("/v1/trade-orders", headers=bearer(key))

    assert before.status_code == 200, before.text
    assert (by_outsider.status_code, by_outsider.json()["code"]) == (404, "api-key-not-found")
    assert (first.status_code, again.status_code) == (204, 204)
    assert (after.status_code, after.json()["code"]) == (401, "invalid-api-key")
    assert after.headers["WWW-Authenticate"] == "Bearer"
    assert (await stored_key(session, str(stored.id))).revoked_at is not None
