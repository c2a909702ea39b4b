"""Each use of a key: its validity, its creator's rights of the moment, the operation's scope, and its last use."""

from datetime import timedelta

import pytest
import time_machine
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from httpx import AsyncClient
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.dependencies import PUBLIC_OPERATIONS, get_principal
from app.api_keys import service
from app.api_keys.models import ApiKey
from app.api_keys.scopes import OPERATION_SCOPES, Scope
from app.catalogue.models import MemberRole, TradingOrganisationMember
from app.core.config import Settings
from app.core.db import utc_now
from app.groups.models import Coordinator
from app.main import create_app
from tests.api_keys.builders import bearer, issue_key, stored_key
from tests.catalogue.builders import create_organisation
from tests.factories import auth_headers, coordinator_ids, create_group, create_user


def operations(app: FastAPI) -> dict[str, APIRoute]:
    return {
        f"{method} {context.path_format}": context.route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.route, APIRoute)
        for method in context.route.methods or ()
        if method != "HEAD"
    }


def test_every_operation_is_public_for_users_only_or_mapped_to_a_scope(settings: Settings) -> None:
    every = operations(create_app(settings))

    mapped_but_unknown = sorted(set(OPERATION_SCOPES) - set(every))
    mapped_but_public = sorted(set(OPERATION_SCOPES) & PUBLIC_OPERATIONS)
    mapped_without_login = sorted(
        operation for operation in OPERATION_SCOPES if not _calls(every[operation].dependant, get_principal)
    )
    key_management = sorted(operation for operation in every if "/v1/api-keys" in operation)

    assert mapped_but_unknown == []
    assert mapped_but_public == []
    assert mapped_without_login == []
    assert all(isinstance(scope, Scope) for scope in OPERATION_SCOPES.values())
    assert set(OPERATION_SCOPES.values()) == set(Scope)  # every scope opens something
    assert len(key_management) == 4
    assert not set(key_management) & set(OPERATION_SCOPES)


def _calls(dependant, function) -> bool:
    return dependant.call is function or any(_calls(sub, function) for sub in dependant.dependencies)


@pytest.mark.parametrize(
    ("_case", "header"),
    [
        ("unknown key", "Bearer tk_" + "A" * 43),
        ("malformed key", "Bearer tk_"),
    ],
)
async def test_an_unknown_key_is_refused(client: AsyncClient, _case: str, header: str) -> None:
    response = await client.get("/v1/trade-orders", headers={"Authorization": header})

    assert (response.status_code, response.json()["code"]) == (401, "invalid-api-key")
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_expired_key_is_refused_with_the_same_answer(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_user(session)
    organisation = await create_organisation(session, owner=owner)
    expires_at = utc_now() + timedelta(hours=1)
    key = await issue_key(
        client, settings, owner.id, "trading_organisation", organisation.id, expires_at=expires_at.isoformat()
    )
    before = await client.get("/v1/trade-orders", headers=bearer(key))

    with time_machine.travel(expires_at + timedelta(seconds=1), tick=False):
        after = await client.get("/v1/trade-orders", headers=bearer(key))

    assert before.status_code == 200, before.text
    assert (after.status_code, after.json()["code"]) == (401, "invalid-api-key")
    assert after.json()["detail"] == (await client.get("/v1/trade-orders", headers=bearer("tk_x"))).json()["detail"]


async def test_an_owner_removed_from_the_organisation_disables_their_keys(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_user(session)
    organisation = await create_organisation(session, owner=owner)
    key = await issue_key(client, settings, owner.id, "trading_organisation", organisation.id)

    # Still a member, no longer an owner: members trade, but only owners stand behind keys.
    await session.execute(
        update(TradingOrganisationMember)
        .where(TradingOrganisationMember.user_id == owner.id)
        .values(role=MemberRole.member)
    )
    demoted = await client.get("/v1/trade-orders", headers=bearer(key))
    await session.execute(delete(TradingOrganisationMember).where(TradingOrganisationMember.user_id == owner.id))
    removed = await client.get("/v1/trade-orders", headers=bearer(key))

    for response in (demoted, removed):
        assert (response.status_code, response.json()["code"]) == (403, "api-key-creator-lost-rights")
        assert response.json()["organisation_id"] == str(organisation.id)


async def test_a_coordinator_whose_term_ended_leaves_keys_that_no_longer_work(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    group = await create_group(session)
    [coordinator] = await coordinator_ids(session, group)
    key = await issue_key(client, settings, coordinator, "consumer_group", group.id, ["agreements:read"])
    before = await client.get("/v1/agreements", headers=bearer(key))

    await session.execute(
        update(Coordinator)
        .where(Coordinator.group_id == group.id, Coordinator.user_id == coordinator)
        .values(ended_at=utc_now(), ended_by=coordinator)
    )
    after = await client.get("/v1/agreements", headers=bearer(key))

    assert before.status_code == 200, before.text
    assert (after.status_code, after.json()["code"]) == (403, "api-key-creator-lost-rights")


@pytest.mark.parametrize(
    ("_case", "method", "path", "required"),
    [
        ("read without its scope", "GET", "/v1/webhook-endpoints", "webhooks:read"),
        ("write with only the read scope", "POST", "/v1/trade-orders", "trade_orders:write"),
        ("an operation for users only", "GET", "/v1/me", None),
        ("a group's private data", "GET", "/v1/consumer-groups", None),
    ],
)
async def test_a_key_is_refused_what_its_scopes_do_not_cover(
    client: AsyncClient,
    session: AsyncSession,
    settings: Settings,
    _case: str,
    method: str,
    path: str,
    required: str | None,
) -> None:
    owner = await create_user(session)
    organisation = await create_organisation(session, owner=owner)
    key = await issue_key(client, settings, owner.id, "trading_organisation", organisation.id, ["trade_orders:read"])

    response = await client.request(method, path, headers=bearer(key), json={} if method == "POST" else None)

    assert (response.status_code, response.json()["code"]) == (403, "insufficient-scope")
    assert response.json()["required_scope"] == required
    assert response.headers["content-type"] == "application/problem+json"


async def test_last_use_is_recorded_at_most_once_a_minute(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_user(session)
    organisation = await create_organisation(session, owner=owner)
    key = await issue_key(client, settings, owner.id, "trading_organisation", organisation.id)
    key_id = str(await session.scalar(select(ApiKey.id)))
    start = utc_now()

    with time_machine.travel(start, tick=False):
        await client.get("/v1/trade-orders", headers=bearer(key))
        first = (await stored_key(session, key_id)).last_used_at
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        await client.get("/v1/trade-orders", headers=bearer(key))
        within_the_minute = (await stored_key(session, key_id)).last_used_at
    with time_machine.travel(start + service.LAST_USE_RESOLUTION + timedelta(seconds=1), tick=False):
        await client.get("/v1/trade-orders", headers=bearer(key))
        later = (await stored_key(session, key_id)).last_used_at
    listed = await client.get("/v1/api-keys", headers=auth_headers(settings, owner.id))

    assert first == start
    assert within_the_minute == start
    assert later == start + service.LAST_USE_RESOLUTION + timedelta(seconds=1)
    assert listed.json()["data"][0]["last_used_at"] is not None


async def test_a_users_token_is_unaffected(client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
    user = await create_user(session)

    response = await client.get("/v1/me", headers=auth_headers(settings, user.id))

    assert response.status_code == 200
