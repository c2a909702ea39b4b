"""Builders for learning event tests: networks, their members and events, rows inserted directly with the
sign-up counts kept consistent."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.learning.models import LearningEvent, LearningSignup
from app.networks.models import Network, NetworkKind, NetworkMember, NetworkRole
from tests.factories import create_user, unique
from tests.gatherings.builders import in_days


async def create_network(session: AsyncSession, *, country: str | None = "TH") -> Network:
    creator = await create_user(session)
    network = Network(kind=NetworkKind.csa_network, name=unique("Network"), country=country, created_by=creator.id)
    session.add(network)
    await session.flush()
    session.add(
        NetworkMember(network_id=network.id, user_id=creator.id, role=NetworkRole.coordinator, added_by=creator.id)
    )
    await session.flush()
    return network


async def add_network_member(session: AsyncSession, network: Network, role: NetworkRole) -> User:
    user = await create_user(session)
    session.add(NetworkMember(network_id=network.id, user_id=user.id, role=role, added_by=network.created_by))
    await session.flush()
    return user


async def create_learning_event(
    session: AsyncSession,
    *,
    network: Network | None = None,
    trainer: User | None = None,
    starts_at: datetime | None = None,
    hours: float = 3,
    capacity: int | None = None,
    country: str = "TH",
) -> LearningEvent:
    """An event hosted by the network, or else by the trainer (a new user when none is given)."""
    starts_at = starts_at or in_days(7)
    host_trainer = None if network is not None else trainer or await create_user(session)
    event = LearningEvent(
        title=unique("Seed saving"),
        description="",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        online=False,
        location="Farmers' hall",
        country=country,
        language="th",
        capacity=capacity,
        signup_count=0,
        network_id=network.id if network is not None else None,
        trainer_id=host_trainer.id if host_trainer is not None else None,
        created_by=network.created_by if network is not None else host_trainer.id,  # type: ignore[union-attr]
    )
    session.add(event)
    await session.flush()
    return event


async def add_signup(
    session: AsyncSession, event: LearningEvent, user: User, *, attended: bool | None = None
) -> LearningSignup:
    signup = LearningSignup(learning_event_id=event.id, user_id=user.id, attended=attended)
    session.add(signup)
    event.signup_count += 1
    await session.flush()
    return signup


def event_body(**changes: Any) -> dict[str, Any]:
    starts_at = in_days(10)
    return {
        "title": "Bokashi composting",
        "description": "Hands-on, bring a bucket.",
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=4)).isoformat(),
        "location": "Mae Tha community hall",
        "country": "TH",
        "language": "th",
        **changes,
    }


async def signup_rows(session: AsyncSession, learning_event_id: UUID) -> int:
    statement = (
        select(func.count()).select_from(LearningSignup).where(LearningSignup.learning_event_id == learning_event_id)
    )
    return int(await session.scalar(statement) or 0)


async def stored_signup_count(session: AsyncSession, learning_event_id: UUID) -> int:
    """The counter column as stored now (a column select bypasses the identity map)."""
    statement = select(LearningEvent.signup_count).where(LearningEvent.id == learning_event_id)
    return int(await session.scalar(statement) or 0)


async def event_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(LearningEvent)) or 0)
