"""Who manages an organisation's API keys: those who manage its webhooks (its coordinators in office, or the
owners of a trading organisation), and never a key itself."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.api_keys import repository
from app.api_keys.errors import ApiKeyNotFound, ApiKeysNeedUser
from app.api_keys.models import ApiKey
from app.outbox.models import OrganisationKind
from app.webhooks import policies as webhooks_policies


def require_user(principal: Principal) -> None:
    # A key that could issue keys would outlive its own revocation.
    if principal.api_key is not None:
        raise ApiKeysNeedUser()


async def require_manager(
    session: AsyncSession, principal: Principal, kind: OrganisationKind, organisation_id: UUID
) -> None:
    require_user(principal)
    await webhooks_policies.require_manager(session, principal, kind, organisation_id)


async def require_managed(session: AsyncSession, principal: Principal, organisation_id: UUID) -> None:
    require_user(principal)
    await webhooks_policies.require_managed(session, principal, organisation_id)


async def key_managed_by(session: AsyncSession, principal: Principal, key_id: UUID, *, lock: bool = False) -> ApiKey:
    """The key, if the caller manages its organisation now; anyone else's reads as not found."""
    require_user(principal)
    key = await repository.get_key(session, key_id, lock=lock)
    if key is None or not await repository.manages(session, principal.user_id, key.organisation_id):
        raise ApiKeyNotFound(key_id)
    return key
