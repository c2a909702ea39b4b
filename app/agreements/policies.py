"""Who may see an agreement, for which side a user negotiates, and for which side a user speaks;
and that no one sits on both sides of it."""

from typing import NoReturn
from uuid import UUID

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.principal import Principal
from app.agreements import repository
from app.agreements.errors import AgreementNotFound, NotPartyCoordinator, OwnVersion
from app.agreements.models import Agreement, Side
from app.core.errors import ConflictOfInterest
from app.groups import repository as groups_repository
from app.groups.models import ConsumerGroup, Coordinator
from app.producers import repository as producers_repository
from app.producers.models import ProducerCoordinator, ProducerGroup


def readable_agreements(principal: Principal) -> Select[Agreement]:
    """Agreements of the caller's groups; for an API key, only those its own group is party to."""
    statement = repository.readable_by(principal.user_id)
    if principal.api_key is not None:
        organisation_id = principal.api_key.organisation_id
        statement = statement.where(
            or_(Agreement.consumer_group_id == organisation_id, Agreement.producer_group_id == organisation_id)
        )
    return statement


async def readable_agreement(
    session: AsyncSession, principal: Principal, agreement_id: UUID, *, for_update: bool = False
) -> Agreement:
    """The agreement, for members and coordinators of its two groups; nobody else learns it exists.
    With `for_update` it is then locked, so changes to it queue one after another."""
    statement = readable_agreements(principal).where(Agreement.id == agreement_id)
    agreement = await session.scalar(statement)
    if agreement is None:
        raise AgreementNotFound(agreement_id)
    if for_update:
        # Locked only once readable: nobody outside its groups makes its changes wait.
        agreement = await repository.get_for_update(session, agreement_id)
        assert agreement is not None
    return agreement


async def coordinated_sides(session: AsyncSession, principal: Principal, agreement: Agreement) -> set[Side]:
    sides = set()
    if await groups_repository.is_coordinator(session, principal.user_id, agreement.consumer_group_id):
        sides.add(Side.consumer)
    if await producers_repository.is_coordinator(session, principal.user_id, agreement.producer_group_id):
        sides.add(Side.producer)
    return sides


async def negotiating_side(
    session: AsyncSession, principal: Principal, agreement: Agreement, *, not_side: Side | None = None
) -> Side:
    """The side the caller negotiates for: never the side that proposed the version being answered."""
    sides = await coordinated_sides(session, principal, agreement)
    if not sides:
        raise NotPartyCoordinator("Only coordinators of the consumer group or the producer group may do this.")
    answering = sides - {not_side} if not_side else sides
    if not answering:
        raise OwnVersion(f"Your side ({not_side}) proposed this version; the other side answers it.")
    return Side.consumer if Side.consumer in answering else Side.producer


async def refuse_conflict_of_interest(
    session: AsyncSession, principal: Principal, agreement: Agreement, *, acting_for: Side, opening: bool = False
) -> None:
    """No one sits on both sides: whoever coordinates one group of the agreement, or belongs to one of its
    households, never proposes, counter-proposes, accepts or approves for the other. `opening` (a proposal
    or a renewal) also refuses two groups that share a coordinator in office, whoever proposes."""
    user_id = principal.user_id
    if acting_for == Side.consumer:
        producer_group = await producers_repository.get_producer_group(session, agreement.producer_group_id)
        other = f"the producer group '{producer_group.name if producer_group else agreement.producer_group_id}'"
        if await producers_repository.is_coordinator(session, user_id, agreement.producer_group_id):
            _refuse(f"You coordinate {other}", acting_for)
        if await producers_repository.user_in_member_household(session, user_id, agreement.producer_group_id):
            _refuse(f"You belong to a farming household of {other}", acting_for)
    else:
        consumer_group = await groups_repository.get_group(session, agreement.consumer_group_id)
        other = f"the consumer group '{consumer_group.name if consumer_group else agreement.consumer_group_id}'"
        if await groups_repository.is_coordinator(session, user_id, agreement.consumer_group_id):
            _refuse(f"You coordinate {other}", acting_for)
        if await groups_repository.user_in_member_household(session, user_id, agreement.consumer_group_id):
            _refuse(f"You belong to a member household of {other}", acting_for)
    if opening:
        statement = (
            select(User.display_name)
            .join(Coordinator, Coordinator.user_id == User.id)
            .join(ProducerCoordinator, ProducerCoordinator.user_id == User.id)
            .where(
                Coordinator.current_of_group(agreement.consumer_group_id),
                ProducerCoordinator.current_of_group(agreement.producer_group_id),
            )
        )
        shared = await session.scalar(statement.order_by(User.display_name, User.id).limit(1))
        if shared is not None:
            raise ConflictOfInterest(
                f"{shared} coordinates both the consumer group and the producer group; two groups that share a "
                "coordinator make no agreement with each other.",
            )


def _refuse(what: str, acting_for: Side) -> NoReturn:
    raise ConflictOfInterest(
        f"{what}, the other side of this agreement; you cannot act for the {acting_for} side too.",
        acting_for=acting_for.value,
    )


async def _in_consumer_group(session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
    return await groups_repository.user_in_member_household(
        session, user_id, group_id
    ) or await groups_repository.is_coordinator(session, user_id, group_id)


async def _in_producer_group(session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
    return await producers_repository.user_in_member_household(
        session, user_id, group_id
    ) or await producers_repository.is_coordinator(session, user_id, group_id)


async def party_side(session: AsyncSession, principal: Principal, agreement_id: UUID) -> tuple[Agreement, Side]:
    """The agreement and the side the caller speaks for in it. An agreement is private to its two
    groups (principle 1), so to anyone else it reads as not found. A user in both groups speaks as the
    consumer side."""
    agreement = await repository.get(session, agreement_id)
    if agreement is None:
        raise AgreementNotFound(agreement_id)
    if await _in_consumer_group(session, principal.user_id, agreement.consumer_group_id):
        return agreement, Side.consumer
    if await _in_producer_group(session, principal.user_id, agreement.producer_group_id):
        return agreement, Side.producer
    raise AgreementNotFound(agreement_id)


async def side_quorum(session: AsyncSession, agreement: Agreement, side: Side) -> int:
    """The approvals of coordinators in office that consent for `side` (to terms, or to ending them): its
    group's effective quorum."""
    group: ConsumerGroup | ProducerGroup | None
    if side == Side.consumer:
        group = await groups_repository.get_group(session, agreement.consumer_group_id)
    else:
        group = await producers_repository.get_producer_group(session, agreement.producer_group_id)
    assert group is not None  # an agreement's groups are never deleted
    return group.effective_approval_quorum
