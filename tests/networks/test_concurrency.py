"""Consents and member changes under concurrent requests, with real commits on separate connections."""

import asyncio
from uuid import UUID

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.networks.models import Enrolment, EnrolmentConsent, EnrolmentStatus, NetworkMember, NetworkRole
from app.outbox.models import OutboxEvent
from tests.factories import warm_pool
from tests.networks.builders import create_monitoring


async def test_two_last_consents_enrol_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        monitoring = await create_monitoring(session, settings, group_coordinators_count=3)
    proposed = await monitoring.propose(committing_client)
    enrolment_id = proposed.json()["id"]
    first = await committing_client.post(
        f"/v1/enrolments/{enrolment_id}/consents", headers=monitoring.headers(monitoring.group_coordinators[0])
    )
    await warm_pool(committing_client, 2)

    last_two = await asyncio.gather(
        *[
            committing_client.post(f"/v1/enrolments/{enrolment_id}/consents", headers=monitoring.headers(user))
            for user in monitoring.group_coordinators[1:]
        ]
    )

    assert first.json()["status"] == "proposed"
    assert sorted(response.status_code for response in last_two) == [201, 409]
    assert {response.json().get("code") for response in last_two if response.status_code == 409} == {
        "enrolment-not-proposed"
    }
    async with committing_session_factory() as session:
        enrolment = await session.get_one(Enrolment, UUID(enrolment_id))
        consents = await session.scalar(select(func.count()).where(EnrolmentConsent.enrolment_id == enrolment.id))
        enrolled_events = await session.scalar(select(func.count()).where(OutboxEvent.type == "enrolment.enrolled"))
        assert (enrolment.status, consents, enrolled_events) == (EnrolmentStatus.enrolled, 2, 1)


async def test_the_last_two_coordinators_leaving_at_once_leave_one(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        monitoring = await create_monitoring(session, settings)
        second = monitoring.analyst
        member = await session.scalar(
            select(NetworkMember).where(
                NetworkMember.network_id == monitoring.network.id, NetworkMember.user_id == second.id
            )
        )
        assert member is not None
        member.role = NetworkRole.coordinator
    base = f"/v1/networks/{monitoring.network.id}/members"
    await warm_pool(committing_client, 2)

    responses = await asyncio.gather(
        committing_client.delete(
            f"{base}/{monitoring.coordinator.id}", headers=monitoring.headers(monitoring.coordinator)
        ),
        committing_client.delete(f"{base}/{second.id}", headers=monitoring.headers(second)),
    )

    assert sorted(response.status_code for response in responses) == [204, 409]
    assert {response.json()["code"] for response in responses if response.status_code == 409} == {
        "last-network-coordinator"
    }
    async with committing_session_factory() as session:
        coordinators = await session.scalar(
            select(func.count()).where(
                NetworkMember.network_id == monitoring.network.id, NetworkMember.role == NetworkRole.coordinator
            )
        )
        assert coordinators == 1
