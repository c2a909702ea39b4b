"""Queries for events and sign-ups. Rules live in service.py; who may see what starts here."""

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.gatherings.models import Gathering, GatheringKind, GatheringSignup
from app.groups import repository as groups_repository
from app.groups.models import ConsumerGroup
from app.producers import repository as producers_repository
from app.producers.models import ProducerGroup


def visible_to(user_id: UUID) -> ColumnElement[bool]:
    """Events open to all, and the private ones of the user's own groups: the edge of private events."""
    return or_(
        Gathering.open_to_all.is_(True),
        Gathering.consumer_group_id.in_(groups_repository.groups_of_user(user_id)),
        Gathering.producer_group_id.in_(producers_repository.producer_groups_of_user(user_id)),
    )


def with_host(statement: Select[Gathering]) -> Select[Gathering]:
    return statement.options(joinedload(Gathering.consumer_group), joinedload(Gathering.producer_group))


def calendar(
    user_id: UUID,
    *,
    kind: GatheringKind | None,
    country: str | None,
    starts_before: datetime | None,
    ends_after: datetime | None,
) -> Select[Gathering]:
    statement = select(Gathering).where(visible_to(user_id))
    if kind is not None:
        statement = statement.where(Gathering.kind == kind)
    if country is not None:
        statement = statement.where(
            or_(
                Gathering.consumer_group_id.in_(select(ConsumerGroup.id).where(ConsumerGroup.country == country)),
                Gathering.producer_group_id.in_(select(ProducerGroup.id).where(ProducerGroup.country == country)),
            )
        )
    if starts_before is not None:
        statement = statement.where(Gathering.starts_at < starts_before)
    if ends_after is not None:
        statement = statement.where(Gathering.ends_at > ends_after)
    return with_host(statement)


async def get_visible(session: AsyncSession, user_id: UUID, gathering_id: UUID) -> Gathering | None:
    statement = with_host(select(Gathering).where(Gathering.id == gathering_id, visible_to(user_id)))
    return await session.scalar(statement)


async def get_visible_for_update(session: AsyncSession, user_id: UUID, gathering_id: UUID) -> Gathering | None:
    # Row lock: concurrent sign-ups to one event queue here, so the capacity check cannot race.
    # (SQLite ignores FOR UPDATE; there every transaction holds the write lock from BEGIN IMMEDIATE.)
    # No host join: PostgreSQL cannot lock the nullable side of an outer join.
    statement = select(Gathering).where(Gathering.id == gathering_id, visible_to(user_id)).with_for_update()
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def get_signup(session: AsyncSession, gathering_id: UUID, user_id: UUID) -> GatheringSignup | None:
    statement = select(GatheringSignup).where(
        GatheringSignup.gathering_id == gathering_id, GatheringSignup.user_id == user_id
    )
    return await session.scalar(statement)


async def signed_up_among(session: AsyncSession, user_id: UUID, gathering_ids: Collection[UUID]) -> set[UUID]:
    """Which of these events the user is signed up for."""
    if not gathering_ids:
        return set()
    statement = select(GatheringSignup.gathering_id).where(
        GatheringSignup.user_id == user_id, GatheringSignup.gathering_id.in_(gathering_ids)
    )
    return set((await session.scalars(statement)).all())


def with_people(statement: Select[GatheringSignup]) -> Select[GatheringSignup]:
    return statement.options(joinedload(GatheringSignup.user), joinedload(GatheringSignup.household))


def signups(gathering_id: UUID) -> Select[GatheringSignup]:
    return with_people(select(GatheringSignup).where(GatheringSignup.gathering_id == gathering_id))


async def get_signup_with_people(session: AsyncSession, signup_id: UUID) -> GatheringSignup:
    statement = with_people(select(GatheringSignup).where(GatheringSignup.id == signup_id))
    return (await session.scalars(statement.execution_options(populate_existing=True))).one()
