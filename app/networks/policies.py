"""Who may act for a network (its members, by role) and for a CBE in its enrolments (its deciders)."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.networks import repository
from app.networks.errors import EnrolmentNotFound, NotCbeCoordinator, NotNetworkCoordinator, NotNetworkMember
from app.networks.models import Enrolment, Network, NetworkMember, NetworkRole
from app.networks.repository import CbeProfile


async def require_member(session: AsyncSession, principal: Principal, network: Network) -> NetworkMember:
    member = await repository.get_member(session, network.id, principal.user_id)
    if member is None:
        raise NotNetworkMember(f"Only members of '{network.name}' may see this.")
    return member


async def require_coordinator(session: AsyncSession, principal: Principal, network: Network) -> NetworkMember:
    member = await repository.get_member(session, network.id, principal.user_id)
    if member is None or member.role != NetworkRole.coordinator:
        raise NotNetworkCoordinator(f"Only coordinators of '{network.name}' may do this.")
    return member


def require_cbe_decider(principal: Principal, cbe: CbeProfile) -> None:
    """A CBE consents, declines and withdraws through its coordinators in office (a trading organisation's
    owners): sharing its numbers is the CBE's decision (principle 7)."""
    if principal.user_id not in cbe.deciders:
        raise NotCbeCoordinator(f"Only coordinators of '{cbe.name}' may decide on its enrolments.")


async def require_enrolment_reader(
    session: AsyncSession, principal: Principal, enrolment: Enrolment, cbe: CbeProfile | None
) -> NetworkMember | None:
    """An enrolment is seen by the network's members and the CBE's deciders; to anyone else it does not
    exist. The caller's membership of the network, if any, is returned."""
    member = await repository.get_member(session, enrolment.network_id, principal.user_id)
    if member is None and (cbe is None or principal.user_id not in cbe.deciders):
        raise EnrolmentNotFound(enrolment.id)
    return member
