"""Builders for network tests: networks, members and programmes inserted directly; enrolments through the
service, so the consent rules hold."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core.config import Settings
from app.groups.models import ConsumerGroup, Coordinator
from app.networks.models import (
    CbeKind,
    Enrolment,
    EnrolmentConsent,
    MonitoringProgramme,
    Network,
    NetworkKind,
    NetworkMember,
    NetworkRole,
)
from app.outbox.models import OutboxEvent
from tests.factories import auth_headers, create_group, create_user, unique


def assert_problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def create_network(
    session: AsyncSession, *, coordinator: User, country: str | None = "TH", kind: NetworkKind = NetworkKind.csa_network
) -> Network:
    network = Network(kind=kind, name=unique("Network"), country=country, description="", created_by=coordinator.id)
    session.add(network)
    await session.flush()
    await add_member(session, network, coordinator, NetworkRole.coordinator)
    return network


async def add_member(session: AsyncSession, network: Network, user: User, role: NetworkRole) -> NetworkMember:
    member = NetworkMember(network_id=network.id, user_id=user.id, role=role, added_by=network.created_by)
    session.add(member)
    await session.flush()
    return member


async def create_programme(
    session: AsyncSession, network: Network, *, ends_on: date | None = None
) -> MonitoringProgramme:
    programme = MonitoringProgramme(
        network_id=network.id,
        name=unique("Programme"),
        description="Season indicators for the summit.",
        starts_on=date(2026, 1, 1),
        ends_on=ends_on,
        created_by=network.created_by,
    )
    session.add(programme)
    await session.flush()
    return programme


@dataclass(frozen=True)
class Monitoring:
    """A network with a coordinator, an analyst and a trainer, a programme, an outsider who coordinates
    another network, and a consumer group with coordinators of its own."""

    settings: Settings
    network: Network
    programme: MonitoringProgramme
    coordinator: User
    analyst: User
    trainer: User
    outsider: User
    group: ConsumerGroup
    group_coordinators: list[User]

    def headers(self, user: User) -> dict[str, str]:
        return auth_headers(self.settings, user.id)

    async def propose(
        self, client: Any, cbe_kind: CbeKind = CbeKind.consumer_group, cbe_id: UUID | None = None
    ) -> Response:
        body = {"cbe_kind": cbe_kind.value, "cbe_id": str(cbe_id or self.group.id)}
        return await client.post(
            f"/v1/programmes/{self.programme.id}/enrolments", json=body, headers=self.headers(self.coordinator)
        )


async def group_coordinators(session: AsyncSession, group: ConsumerGroup) -> list[User]:
    statement = (
        select(User)
        .join(Coordinator, Coordinator.user_id == User.id)
        .where(Coordinator.group_id == group.id, Coordinator.ended_at.is_(None))
        .order_by(Coordinator.appointed_at, Coordinator.id)
    )
    return list((await session.scalars(statement)).all())


async def create_monitoring(
    session: AsyncSession, settings: Settings, *, group_coordinators_count: int = 1, country: str = "TH"
) -> Monitoring:
    coordinator = await create_user(session, display_name="Network coordinator")
    analyst = await create_user(session, display_name="Analyst")
    trainer = await create_user(session, display_name="Trainer")
    outsider = await create_user(session, display_name="Outsider")
    network = await create_network(session, coordinator=coordinator)
    await add_member(session, network, analyst, NetworkRole.analyst)
    await add_member(session, network, trainer, NetworkRole.trainer)
    await create_network(session, coordinator=outsider, country="VN")
    group = await create_group(session, coordinators=group_coordinators_count, country=country)
    return Monitoring(
        settings=settings,
        network=network,
        programme=await create_programme(session, network),
        coordinator=coordinator,
        analyst=analyst,
        trainer=trainer,
        outsider=outsider,
        group=group,
        group_coordinators=await group_coordinators(session, group),
    )


async def consent_rows(session: AsyncSession, enrolment_id: UUID | str) -> int:
    statement = select(func.count()).where(EnrolmentConsent.enrolment_id == UUID(str(enrolment_id)))
    return int(await session.scalar(statement) or 0)


async def enrolment_rows(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Enrolment)) or 0)


async def events_of(session: AsyncSession, event_type: str) -> list[dict[str, Any]]:
    statement = select(OutboxEvent.data).where(OutboxEvent.type == event_type).order_by(OutboxEvent.occurred_at)
    return list((await session.scalars(statement)).all())
