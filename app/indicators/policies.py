"""Who reads indicators. A CBE's: the members (any role) of a network that currently enrols it, and its own
coordinators (a trading organisation's owners). A country's roll-up: the members of a network that currently
enrols a CBE of that country. Anyone else reads them as not found, so nobody learns by asking which CBEs
are monitored. The count of monitored CBEs per country is public: it names and counts no household."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.catalogue import repository as catalogue_repository
from app.catalogue.models import MemberRole
from app.groups import repository as groups_repository
from app.indicators.errors import CbeIndicatorsNotFound, CountryIndicatorsNotFound
from app.indicators.repository import Cbe
from app.networks import repository as networks_repository
from app.networks.models import CbeKind
from app.producers import repository as producers_repository


async def is_own_coordinator(session: AsyncSession, principal: Principal, cbe: Cbe) -> bool:
    if cbe.kind == CbeKind.consumer_group:
        return await groups_repository.is_coordinator(session, principal.user_id, cbe.id)
    if cbe.kind == CbeKind.producer_group:
        return await producers_repository.is_coordinator(session, principal.user_id, cbe.id)
    role = await catalogue_repository.member_role(session, cbe.id, principal.user_id)
    return role == MemberRole.owner


async def require_cbe_reader(session: AsyncSession, principal: Principal, cbe: Cbe) -> None:
    if await is_own_coordinator(session, principal, cbe):
        return
    if not await networks_repository.reads_cbe(session, principal.user_id, cbe.kind, cbe.id):
        raise CbeIndicatorsNotFound(f"You may not read the indicators of {cbe.kind} {cbe.id}, or it does not exist.")


async def require_country_reader(session: AsyncSession, principal: Principal, country: str) -> None:
    """A handful of checks at most: a country's monitored CBEs are a few (the target is three)."""
    for kind, cbe_id in await networks_repository.monitored_cbes(session, country=country):
        if await networks_repository.reads_cbe(session, principal.user_id, kind, cbe_id):
            return
    raise CountryIndicatorsNotFound(
        f"You are a member of no network that monitors a community-based enterprise of {country}."
    )
