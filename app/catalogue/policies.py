"""Who may act for a trading organisation, for a group that trades, and record exchange rates."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.principal import Principal
from app.catalogue import repository
from app.catalogue.errors import NotAdministrator, NotGroupCoordinator, NotOrganisationMember, NotOrganisationOwner
from app.catalogue.models import MemberRole, TradingOrganisation
from app.groups import repository as groups_repository
from app.producers import repository as producers_repository


async def require_member(session: AsyncSession, principal: Principal, organisation: TradingOrganisation) -> None:
    # An API key acts only for its own organisation: for any other, its creator's membership counts for nothing.
    if not principal.reaches(organisation.id) or not await repository.is_member(
        session, organisation.id, principal.user_id
    ):
        raise NotOrganisationMember(f"Only members of '{organisation.name}' may do this.")


async def require_owner(session: AsyncSession, principal: Principal, organisation: TradingOrganisation) -> None:
    if (
        not principal.reaches(organisation.id)
        or await repository.member_role(session, organisation.id, principal.user_id) != MemberRole.owner
    ):
        raise NotOrganisationOwner(f"Only owners of '{organisation.name}' may do this.")


async def require_group_coordinator(
    session: AsyncSession,
    principal: Principal,
    *,
    group_name: str,
    producer_group_id: UUID | None = None,
    consumer_group_id: UUID | None = None,
) -> None:
    """Trading for a group is a decision of the group: only its current coordinators take it (principle 7)."""
    if producer_group_id is not None:
        allowed = await producers_repository.is_coordinator(session, principal.user_id, producer_group_id)
    else:
        assert consumer_group_id is not None
        allowed = await groups_repository.is_coordinator(session, principal.user_id, consumer_group_id)
    if not allowed:
        raise NotGroupCoordinator(f"Only a coordinator of '{group_name}' may trade for it.")


async def require_administrator(session: AsyncSession, principal: Principal) -> None:
    user = await session.get(User, principal.user_id)
    if user is None or not user.is_admin:
        raise NotAdministrator("Exchange rates are recorded by administrators only.")
