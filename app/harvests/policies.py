"""Who may record, read and decide on an agreement's harvests. An agreement is the two groups'
business: anyone else reads it as not found (STYLE 3.4)."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import repository as agreements_repository
from app.agreements.errors import AgreementNotFound
from app.agreements.models import Agreement
from app.groups import repository as groups_repository
from app.groups.errors import NotCoordinator, NotGroupMember
from app.groups.models import PickupStation
from app.harvests import repository
from app.harvests.errors import PickupStationNotFound
from app.producers import repository as producers_repository
from app.producers.errors import NotProducerCoordinator


@dataclass(frozen=True)
class Standing:
    """The caller's roles towards one agreement."""

    consumer_member: bool
    consumer_coordinator: bool
    producer_member: bool
    producer_coordinator: bool
    # Eats in a household holding shares: it keeps them after leaving the group (principle 9).
    share_holder: bool

    @property
    def party(self) -> bool:
        return (
            self.consumer_member
            or self.consumer_coordinator
            or self.producer_member
            or self.producer_coordinator
            or self.share_holder
        )


async def standing(session: AsyncSession, principal: Principal, agreement: Agreement) -> Standing:
    user_id = principal.user_id
    return Standing(
        consumer_member=await groups_repository.user_in_member_household(session, user_id, agreement.consumer_group_id),
        consumer_coordinator=await groups_repository.is_coordinator(session, user_id, agreement.consumer_group_id),
        producer_member=await producers_repository.user_in_member_household(
            session, user_id, agreement.producer_group_id
        ),
        producer_coordinator=await producers_repository.is_coordinator(session, user_id, agreement.producer_group_id),
        share_holder=await repository.user_in_subscribing_household(session, user_id, agreement.id),
    )


async def agreement_of_party(
    session: AsyncSession, principal: Principal, agreement_id: UUID, *, for_update: bool = False
) -> tuple[Agreement, Standing]:
    """The agreement with the caller's standing, if the caller takes part in it; otherwise not found."""
    if for_update:
        # Deliveries and absences on one agreement queue here, so two cannot together pass an agreed quantity.
        agreement = await agreements_repository.get_for_update(session, agreement_id)
    else:
        agreement = await agreements_repository.get(session, agreement_id)
    if agreement is None:
        raise AgreementNotFound(agreement_id)
    roles = await standing(session, principal, agreement)
    if not roles.party:
        raise AgreementNotFound(agreement_id)
    return agreement, roles


def require_producer_coordinator(roles: Standing) -> None:
    # The producers record what they delivered; the consumers accept it all (principle 3).
    if not roles.producer_coordinator:
        raise NotProducerCoordinator("Only a coordinator of the agreement's producer group records its harvests.")


def require_consumer_coordinator(roles: Standing) -> None:
    if not roles.consumer_coordinator:
        raise NotCoordinator("Only a coordinator of the consumer group decides what becomes of its surplus.")


def require_consumer_side(roles: Standing) -> None:
    if not (roles.consumer_member or roles.consumer_coordinator or roles.share_holder):
        raise NotGroupMember("Only the consumer group's members and coordinators see its absences.")


async def station_readers_scope(
    session: AsyncSession, principal: Principal, station_id: UUID
) -> tuple[PickupStation, list[UUID] | None]:
    """The station and whose deliveries the caller may see there: all (None) for the consumer group's
    members and coordinators, their own group's for coordinators of a producer group delivering to it."""
    station = await repository.get_station(session, station_id)
    if station is None:
        raise PickupStationNotFound(station_id)
    user_id = principal.user_id
    member = await groups_repository.user_in_member_household(session, user_id, station.group_id)
    if member or await groups_repository.is_coordinator(session, user_id, station.group_id):
        return station, None
    producer_group_ids = await repository.producer_groups_delivering_to(session, user_id, station.group_id)
    if not producer_group_ids:
        raise PickupStationNotFound(station_id)
    return station, producer_group_ids
