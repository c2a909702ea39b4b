"""Who handles a payee group's bank statements: its coordinators (the treasurers). Statement lines name
payers and amounts, which the group's members do not see of each other."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.collection.models import PayeeKind
from app.core.errors import DomainError
from app.groups import policies as groups_policies
from app.groups import repository as groups_repository
from app.groups.errors import GroupNotFound
from app.producers import policies as producers_policies
from app.producers import repository as producers_repository
from app.producers.errors import ProducerGroupNotFound


async def require_treasurer(
    session: AsyncSession, principal: Principal, payee_kind: PayeeKind, payee_id: UUID, *, for_update: bool = False
) -> None:
    """With `for_update`, the group's row is locked: uploads and confirmations of one payee take turns,
    so an overlapping upload never inserts a line twice and a line is never recorded twice."""
    if payee_kind == PayeeKind.consumer_group:
        get_group = groups_repository.get_group_for_update if for_update else groups_repository.get_group
        group = await get_group(session, payee_id)
        if group is None:
            raise GroupNotFound(payee_id)
        await groups_policies.require_coordinator(session, principal, group)
    else:
        get_producer_group = (
            producers_repository.get_producer_group_for_update
            if for_update
            else producers_repository.get_producer_group
        )
        producer_group = await get_producer_group(session, payee_id)
        if producer_group is None:
            raise ProducerGroupNotFound(payee_id)
        await producers_policies.require_coordinator(session, principal, producer_group)


async def is_treasurer(
    session: AsyncSession, principal: Principal, payee_kind: PayeeKind, payee_id: UUID, *, for_update: bool = False
) -> bool:
    """For what is reached by its own id (an import, a line): anyone else learns nothing of it, not even
    that it exists."""
    try:
        await require_treasurer(session, principal, payee_kind, payee_id, for_update=for_update)
    except DomainError:
        return False
    return True
