"""The consumer registry: households pledge, with consent, as socially enterprising consumers, and the public
sees only counts per country against one million (DESIGN: Monitoring and the consumer registry)."""

from uuid import UUID

import pycountry
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.db import utc_now
from app.core.pagination import CursorPage, paginate
from app.core.schemas import ASEAN_COUNTRIES
from app.registry import policies, repository
from app.registry.errors import ConsentRequired, HouseholdInNoGroup, PledgeCountryNotOfHousehold, PledgeNotFound
from app.registry.models import PLEDGE_TARGET, Pledge
from app.registry.schemas import CountryPledges, PledgeCreate, RegistrySummary


async def pledge(
    session: AsyncSession, principal: Principal, *, household_id: UUID, data: PledgeCreate
) -> tuple[Pledge, bool]:
    """A member pledges for their household, in the country of one of its consumer groups. One counted pledge
    per household: pledging again answers the pledge already counted. Whether it was created is returned too."""
    if not data.consent:
        raise ConsentRequired()
    household = await policies.household_of_member(session, principal, household_id)
    current = await repository.active_pledge(session, household.id)
    if current is not None:
        return current, False
    countries = await repository.group_countries_of_household(session, household.id)
    if not countries:
        raise HouseholdInNoGroup(household.id)
    if data.country not in countries:
        raise PledgeCountryNotOfHousehold(data.country, countries)
    created = Pledge(
        household_id=household.id,
        country=data.country,
        consent_text_version=data.consent_text_version,
        pledged_by=principal.user_id,
    )
    session.add(created)
    await session.flush()
    await repository.change_count(session, created.country, +1)
    return created, True


async def withdraw(session: AsyncSession, principal: Principal, *, pledge_id: UUID) -> Pledge:
    """A member withdraws the household's pledge: it stays as history and is no longer counted. Withdrawing
    a withdrawn pledge changes nothing."""
    found = await repository.get_readable_pledge(session, principal.user_id, pledge_id)
    if found is None:
        raise PledgeNotFound(pledge_id)
    await policies.household_of_member(session, principal, found.household_id)
    # Read again under the household's lock: a concurrent withdrawal may have been first.
    withdrawn = await repository.get_readable_pledge(session, principal.user_id, pledge_id)
    assert withdrawn is not None  # pledges are never deleted but with their household
    if withdrawn.withdrawn_at is not None:
        return withdrawn
    withdrawn.withdrawn_at = utc_now()
    withdrawn.withdrawn_by = principal.user_id
    await session.flush()
    await repository.change_count(session, withdrawn.country, -1)
    return withdrawn


async def get_pledge(session: AsyncSession, principal: Principal, pledge_id: UUID) -> Pledge:
    found = await repository.get_readable_pledge(session, principal.user_id, pledge_id)
    if found is None:
        raise PledgeNotFound(pledge_id)
    return found


async def list_pledges(
    session: AsyncSession, principal: Principal, *, household_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    """The household's pledges, withdrawn ones included, oldest first."""
    household = await policies.household_of_member(session, principal, household_id)
    return await paginate(
        session,
        repository.pledges_of_household(household.id),
        created_at=Pledge.pledged_at,
        id_column=Pledge.id,
        limit=limit,
        cursor=cursor,
    )


async def summary(session: AsyncSession) -> RegistrySummary:
    """The public counts, read from the per-country count rows alone."""
    counts = await repository.counts_by_country(session)
    asean = [
        CountryPledges(country=code, name=_country_name(code), pledges=counts.get(code, 0))
        for code in sorted(ASEAN_COUNTRIES)
    ]
    total = sum(counts.values())
    return RegistrySummary(
        target=PLEDGE_TARGET, total=total, asean=asean, elsewhere=total - sum(row.pledges for row in asean)
    )


async def recount(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """The consistency check a daily job may run: every country's count set to its counted pledges, under
    lock. Answers the counts that were wrong, as (stored, counted), so a drift is seen, not hidden."""
    await repository.lock_counts(session)
    stored = await repository.counts_by_country(session)
    counted = await repository.recount_by_country(session)
    wrong = {
        country: (stored.get(country, 0), counted.get(country, 0))
        for country in stored.keys() | counted.keys()
        if stored.get(country, 0) != counted.get(country, 0)
    }
    await repository.set_counts(session, {country: pledges for country, (_, pledges) in wrong.items()})
    return wrong


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    assert country is not None  # ASEAN members are all in ISO 3166
    return str(getattr(country, "common_name", country.name))  # "Viet Nam" is better known as "Vietnam"
