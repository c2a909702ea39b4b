"""Builders for registry tests: pledges inserted directly, with the country counts kept consistent."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.groups.models import ConsumerGroup, Household, Membership
from app.registry import repository
from app.registry.models import Pledge, PledgeCount

CONSENT_TEXT_VERSION = "2026-11"


def pledge_body(country: str = "TH", **changes: Any) -> dict[str, Any]:
    return {"consent": True, "consent_text_version": CONSENT_TEXT_VERSION, "country": country, **changes}


async def add_pledge(session: AsyncSession, household: Household, by: User, *, country: str = "TH") -> Pledge:
    pledge = Pledge(
        household_id=household.id, country=country, consent_text_version=CONSENT_TEXT_VERSION, pledged_by=by.id
    )
    session.add(pledge)
    await session.flush()
    await repository.change_count(session, country, +1)
    return pledge


async def stored_count(session: AsyncSession, country: str) -> int:
    """The country's count as stored now (a column select bypasses the identity map)."""
    return int(await session.scalar(select(PledgeCount.pledges).where(PledgeCount.country == country)) or 0)


async def pledge_rows(session: AsyncSession, household: Household) -> int:
    statement = select(func.count()).select_from(Pledge).where(Pledge.household_id == household.id)
    return int(await session.scalar(statement) or 0)


async def household_of(session: AsyncSession, group: ConsumerGroup, index: int = 0) -> Household:
    """The group's `index`-th member household, in the order they were built."""
    statement = (
        select(Household)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.group_id == group.id)
        .order_by(Household.created_at, Household.id)
    )
    return (await session.scalars(statement)).all()[index]
