"""Queries for pledges and the per-country counts. Rules live in service.py."""

from collections.abc import Mapping
from uuid import UUID

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.groups.models import ConsumerGroup, HouseholdMember, Membership
from app.registry.models import Pledge, PledgeCount


async def get_pledge(session: AsyncSession, pledge_id: UUID) -> Pledge | None:
    return await session.get(Pledge, pledge_id)


async def get_readable_pledge(session: AsyncSession, user_id: UUID, pledge_id: UUID) -> Pledge | None:
    """The pledge, if the user is a member of its household: the edge of pledges' private data."""
    statement = select(Pledge).where(
        Pledge.id == pledge_id,
        Pledge.household_id.in_(select(HouseholdMember.household_id).where(HouseholdMember.user_id == user_id)),
    )
    return await session.scalar(statement.execution_options(populate_existing=True))


async def active_pledge(session: AsyncSession, household_id: UUID) -> Pledge | None:
    statement = select(Pledge).where(Pledge.household_id == household_id, Pledge.withdrawn_at.is_(None))
    return await session.scalar(statement.execution_options(populate_existing=True))


def pledges_of_household(household_id: UUID) -> Select[Pledge]:
    return select(Pledge).where(Pledge.household_id == household_id)


async def group_countries_of_household(session: AsyncSession, household_id: UUID) -> list[str]:
    """The countries of the consumer groups the household belongs to, in alphabetical order."""
    statement = (
        select(ConsumerGroup.country)
        .join(Membership, Membership.group_id == ConsumerGroup.id)
        .where(Membership.household_id == household_id)
        .distinct()
        .order_by(ConsumerGroup.country)
    )
    return list((await session.scalars(statement)).all())


async def change_count(session: AsyncSession, country: str, by: int) -> None:
    """Add `by` to the country's count in one UPDATE: the database adds to the value it holds, so concurrent
    pledges never overwrite each other's count (the row lock queues them). A country's row is created by
    its first pledge when the migration did not create it."""
    increment = update(PledgeCount).where(PledgeCount.country == country).values(pledges=PledgeCount.pledges + by)
    if (await session.execute(increment)).rowcount:  # type: ignore[attr-defined]
        return
    await session.execute(_insert(session).values(country=country, pledges=0).on_conflict_do_nothing())
    await session.execute(increment)


async def counts_by_country(session: AsyncSession) -> dict[str, int]:
    """The stored counts: a row per country, a dozen rows whatever the number of pledges."""
    rows = await session.execute(select(PledgeCount.country, PledgeCount.pledges))
    return {row.country: row.pledges for row in rows}


async def recount_by_country(session: AsyncSession) -> dict[str, int]:
    """The counted pledges by country, counted from the pledges themselves (the consistency check's truth)."""
    statement = select(Pledge.country, func.count()).where(Pledge.withdrawn_at.is_(None)).group_by(Pledge.country)
    return {country: int(count) for country, count in await session.execute(statement)}


async def set_counts(session: AsyncSession, counts: Mapping[str, int]) -> None:
    for country, pledges in counts.items():
        await session.execute(_insert(session).values(country=country, pledges=0).on_conflict_do_nothing())
        await session.execute(update(PledgeCount).where(PledgeCount.country == country).values(pledges=pledges))


async def lock_counts(session: AsyncSession) -> None:
    """Lock every count row, so no pledge changes a count between the recount and its correction."""
    await session.execute(select(PledgeCount.country).with_for_update())


def _insert(session: AsyncSession) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can yield to a row already there (ON CONFLICT DO NOTHING), in the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(PledgeCount)
    return sqlite.insert(PledgeCount)
