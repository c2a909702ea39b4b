"""Who records a group's collection accounts (its coordinators) and who reads them (its members too)."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.collection.models import PayeeKind
from app.groups import policies as groups_policies
from app.groups import repository as groups_repository
from app.groups.coordinator_terms import Group
from app.groups.errors import GroupNotFound
from app.producers import policies as producers_policies
from app.producers import repository as producers_repository
from app.producers.errors import ProducerGroupNotFound


async def require_payee_coordinator(
    session: AsyncSession, principal: Principal, payee_kind: PayeeKind, payee_id: UUID
) -> Group:
    """The group, its row locked: two coordinators changing where it is paid take turns, so two last
    approvals carry a proposal once and the group keeps one default."""
    if payee_kind == PayeeKind.consumer_group:
        group = await groups_repository.get_group_for_update(session, payee_id)
        if group is None:
            raise GroupNotFound(payee_id)
        await groups_policies.require_coordinator(session, principal, group)
        return group
    producer_group = await producers_repository.get_producer_group_for_update(session, payee_id)
    if producer_group is None:
        raise ProducerGroupNotFound(payee_id)
    await producers_policies.require_coordinator(session, principal, producer_group)
    return producer_group


async def require_payee_reader(
    session: AsyncSession, principal: Principal, payee_kind: PayeeKind, payee_id: UUID
) -> Group:
    if payee_kind == PayeeKind.consumer_group:
        group = await groups_repository.get_group(session, payee_id)
        if group is None:
            raise GroupNotFound(payee_id)
        await groups_policies.require_member_or_coordinator(session, principal, group)
        return group
    producer_group = await producers_repository.get_producer_group(session, payee_id)
    if producer_group is None:
        raise ProducerGroupNotFound(payee_id)
    await producers_policies.require_member_or_coordinator(session, principal, producer_group)
    return producer_group
