"""Builders for test data: rows inserted directly for bulk set-up, services where a rule matters."""

import asyncio
from datetime import timedelta
from itertools import count
from uuid import UUID

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core import security
from app.core.config import Settings
from app.groups.models import (
    MIN_ACTIVE_HOUSEHOLDS,
    Admission,
    ConsumerGroup,
    Coordinator,
    GroupStatus,
    Household,
    HouseholdMember,
    LegalForm,
    Membership,
)

PASSWORD = "correct horse battery"
# Hashed once: Argon2 is slow on purpose, and a group of 150 needs 150 users.
PASSWORD_HASH = asyncio.run(security.password_hasher().hash(PASSWORD))
_sequence = count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_sequence)}"


async def create_user(session: AsyncSession, *, email: str | None = None, display_name: str = "Test user") -> User:
    user = User(email=email or f"{unique('user')}@example.org", display_name=display_name, password_hash=PASSWORD_HASH)
    session.add(user)
    await session.flush()
    return user


def auth_headers(settings: Settings, user_id: UUID) -> dict[str, str]:
    token = security.issue_access_token(
        user_id, secret=settings.jwt_secret.get_secret_value(), lifetime=timedelta(minutes=5)
    )
    return {"Authorization": f"Bearer {token}"}


async def create_household(session: AsyncSession, *members: User, name: str | None = None) -> Household:
    """A household whose members are the given users (a new user when none is given)."""
    household = Household(name=name or unique("Household"))
    session.add(household)
    await session.flush()
    for user in members or (await create_user(session),):
        session.add(HouseholdMember(household_id=household.id, user_id=user.id))
    await session.flush()
    return household


async def first_member(session: AsyncSession, household: Household) -> User:
    statement = (
        select(User)
        .join(HouseholdMember, HouseholdMember.user_id == User.id)
        .where(HouseholdMember.household_id == household.id)
    )
    return (await session.scalars(statement)).first()  # type: ignore[return-value]


async def create_group(
    session: AsyncSession,
    *,
    households: int = 0,
    coordinators: int = 1,
    country: str = "TH",
    name: str | None = None,
    admission: Admission = Admission.open,
) -> ConsumerGroup:
    """A consumer group with `households` member households (rows inserted directly, in bulk) and
    `coordinators` coordinators, each of whom eats in one of the member households when there are any.
    It admits households at once unless `admission` says otherwise; the app's own default asks consent."""
    group = ConsumerGroup(
        name=name or unique("Group"),
        admission=admission,
        legal_form=LegalForm.association,
        country=country,
        region="Chiang Mai",
        member_count=households,
        coordinator_count=coordinators,
        status=GroupStatus.active if households >= MIN_ACTIVE_HOUSEHOLDS else GroupStatus.forming,
    )
    session.add(group)
    await session.flush()
    member_households = [await create_household(session) for _ in range(households)]
    for household in member_households:
        session.add(Membership(group_id=group.id, household_id=household.id))
    for index in range(coordinators):
        user = (
            await first_member(session, member_households[index]) if index < households else await create_user(session)
        )
        session.add(Coordinator(group_id=group.id, user_id=user.id, appointed_by=user.id))
    await session.flush()
    return group


async def coordinator_ids(session: AsyncSession, group: ConsumerGroup) -> list[UUID]:
    statement = select(Coordinator.user_id).where(Coordinator.group_id == group.id, Coordinator.ended_at.is_(None))
    return list((await session.scalars(statement.order_by(Coordinator.appointed_at, Coordinator.id))).all())


async def member_count(session: AsyncSession, group_id: UUID) -> int:
    statement = select(func.count()).select_from(Membership).where(Membership.group_id == group_id)
    return int(await session.scalar(statement) or 0)


async def warm_pool(client: AsyncClient, connections: int) -> None:
    """Open pooled connections first, so the requests a concurrency test fires really run side by
    side instead of queueing for new connections one after another."""
    await asyncio.gather(*[client.get("/readyz") for _ in range(connections)])
