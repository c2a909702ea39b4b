"""Recording a delivery and allocating it at once to the households by their shares (principle 3).
There is no way to reject a delivery: a harvest is accepted in full, or refused only when it would
take an item past what was agreed."""

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import events
from app.agreements import repository as agreements_repository
from app.agreements.models import Agreement, AgreementStatus, Subscription
from app.agreements.service import lifecycle
from app.core.allocation import allocate
from app.core.db import utc_now
from app.core.errors import QuantityNotPositive
from app.core.pagination import CursorPage, paginate
from app.core.quantity import to_base, to_text
from app.groups import repository as groups_repository
from app.harvests import policies, repository
from app.harvests.errors import (
    AgreementNotActive,
    CarrierNotAMember,
    DeliveredOnInFuture,
    DeliveredOnOutsideSeason,
    DeliveryExceedsAgreement,
    HarvestNotFound,
    ItemNotInAgreement,
    PickupStationNotOfConsumerGroup,
)
from app.harvests.models import Absence, Allocation, Harvest, HarvestLine, Surplus
from app.harvests.schemas import AllocationRead, HarvestCreate, HarvestLineRead, HarvestRead, SurplusRead
from app.plans.models import PlanItem
from app.producers import repository as producers_repository

# The days a harvest may bear: from the first day of the season of the agreement's plan to
# DELIVERY_GRACE_DAYS after its last (a late crop, the last harvest recorded some weeks on), and never
# after tomorrow's UTC date (latest_delivery_date). Both ends are included. A date outside, such as one
# in year 1 or a season typed a year off, would put produce on a pickup list nobody reads.
# The grace is agreements' rule too: the agreement completes the day after it ends.
DELIVERY_GRACE_DAYS = lifecycle.DELIVERY_GRACE_DAYS


def latest_delivery_date() -> date:
    # The groups' local day runs up to 14 hours ahead of UTC: a morning delivery in Manila may
    # still be "yesterday" in UTC, so tomorrow's UTC date is the latest a delivery can bear.
    return utc_now().date() + timedelta(days=1)


@dataclass(frozen=True)
class DeliverySeason:
    starts_on: date
    ends_on: date

    def includes(self, day: date) -> bool:
        # A difference of dates never overflows, where 9999-12-31 + 60 days would.
        return self.starts_on <= day and (day - self.ends_on).days <= DELIVERY_GRACE_DAYS

    def describe(self) -> str:
        return f"from {self.starts_on}, the season's first day, to {DELIVERY_GRACE_DAYS} days after {self.ends_on}"


async def delivery_season(session: AsyncSession, agreement: Agreement) -> DeliverySeason:
    starts_on, ends_on = await repository.season_of(session, agreement)
    return DeliverySeason(starts_on, ends_on)


@dataclass(frozen=True)
class Delivered:
    plan_item: PlanItem
    quantity_base: int


async def record_harvest(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, data: HarvestCreate
) -> HarvestRead:
    """A producer-group coordinator records a delivery; it is allocated to the share holders at once.

    The agreement row is locked first, so concurrent deliveries of one agreement queue and cannot
    together pass an item's agreed quantity.
    """
    agreement, roles = await policies.agreement_of_party(session, principal, agreement_id, for_update=True)
    policies.require_producer_coordinator(roles)
    if agreement.status != AgreementStatus.active:
        raise AgreementNotActive(
            f"The agreement is {agreement.status}; harvests are recorded only once it is active, that is paid "
            "in advance in full.",
            agreement_status=str(agreement.status),
        )
    if data.delivered_on > latest_delivery_date():
        raise DeliveredOnInFuture(
            f"{data.delivered_on} is still to come; record a harvest when it is delivered.",
            delivered_on=str(data.delivered_on),
        )
    season = await delivery_season(session, agreement)
    if not season.includes(data.delivered_on):
        raise DeliveredOnOutsideSeason(
            f"{data.delivered_on} is outside the season of the agreement's plan: harvests are dated "
            f"{season.describe()}.",
            delivered_on=str(data.delivered_on),
            season_starts_on=str(season.starts_on),
            season_ends_on=str(season.ends_on),
        )
    station = await repository.get_station(session, data.pickup_station_id)
    if station is None or station.group_id != agreement.consumer_group_id:
        raise PickupStationNotOfConsumerGroup(
            f"Pickup station {data.pickup_station_id} is not one of the consumer group's stations.",
            pickup_station_id=str(data.pickup_station_id),
        )
    carrier_id = data.carried_by_user_id or principal.user_id
    if not await _member_of_either_group(session, carrier_id, agreement):
        # Principle 6, self-distribution: never a professional transporter.
        raise CarrierNotAMember(
            f"User {carrier_id} belongs to neither group of the agreement; produce is carried by its producers "
            "or its consumers.",
            carried_by_user_id=str(carrier_id),
        )
    delivered = await _checked_lines(session, agreement, data)

    harvest = Harvest(
        agreement_id=agreement.id,
        delivered_on=data.delivered_on,
        pickup_station_id=station.id,
        carried_by_user_id=carrier_id,
        recorded_by_user_id=principal.user_id,
    )
    session.add(harvest)
    await session.flush()
    await _allocate(session, agreement, harvest, delivered)
    await events.publish(
        session,
        agreement,
        "harvest.recorded",
        harvest={
            "id": str(harvest.id),
            "delivered_on": harvest.delivered_on.isoformat(),
            "pickup_station_id": str(harvest.pickup_station_id),
        },
    )
    return await harvest_read(session, harvest)


async def _member_of_either_group(session: AsyncSession, user_id: UUID, agreement: Agreement) -> bool:
    return (
        await groups_repository.user_in_member_household(session, user_id, agreement.consumer_group_id)
        or await groups_repository.is_coordinator(session, user_id, agreement.consumer_group_id)
        or await producers_repository.user_in_member_household(session, user_id, agreement.producer_group_id)
        or await producers_repository.is_coordinator(session, user_id, agreement.producer_group_id)
    )


async def _checked_lines(session: AsyncSession, agreement: Agreement, data: HarvestCreate) -> list[Delivered]:
    """The lines in base units, each an item of the terms in force and within its agreed quantity."""
    agreed = {
        version_item.plan_item_id: (version_item, item)
        for version_item, item in await repository.agreed_items(session, agreement)
    }
    delivered: list[Delivered] = []
    for line in data.lines:
        if line.plan_item_id not in agreed:
            raise ItemNotInAgreement(
                f"Plan item {line.plan_item_id} is not part of the agreed terms (version {agreement.agreed_version}).",
                plan_item_id=str(line.plan_item_id),
            )
        plan_item = agreed[line.plan_item_id][1]
        quantity_base = to_base(line.quantity, plan_item.unit)
        if quantity_base <= 0:
            raise QuantityNotPositive(
                f"Deliver more than zero {plan_item.unit} of {plan_item.crop}, or leave the line out.",
                plan_item_id=str(plan_item.id),
            )
        delivered.append(Delivered(plan_item, quantity_base))

    so_far = await repository.delivered_base(session, agreement.id, [offer.plan_item.id for offer in delivered])
    for offer in delivered:
        item, unit = offer.plan_item, offer.plan_item.unit
        agreed_base = agreed[item.id][0].quantity_base
        already = so_far.get(item.id, 0)
        if already + offer.quantity_base > agreed_base:
            name = f"{item.crop} ({item.variety})" if item.variety else item.crop
            raise DeliveryExceedsAgreement(
                f"{name}: {to_text(agreed_base, unit)} {unit} agreed, {to_text(already, unit)} {unit} already "
                f"delivered, {to_text(offer.quantity_base, unit)} {unit} offered; at most "
                f"{to_text(max(agreed_base - already, 0), unit)} {unit} more can be delivered.",
                plan_item_id=str(item.id),
                crop=item.crop,
                variety=item.variety,
                unit=str(unit),
                agreed=to_text(agreed_base, unit),
                already_delivered=to_text(already, unit),
                offered=to_text(offer.quantity_base, unit),
                remaining=to_text(max(agreed_base - already, 0), unit),
            )
    return delivered


async def _allocate(session: AsyncSession, agreement: Agreement, harvest: Harvest, delivered: list[Delivered]) -> None:
    """Split each line by shares: the share holders' parts, then the unsubscribed shares' part, which
    is surplus. A household away that day gets nothing back to the producer: its part goes to the
    household it named or to the group's surplus."""
    subscriptions = await agreements_repository.subscriptions(session, agreement.id)
    absences = await repository.absences_on(session, agreement.id, harvest.delivered_on)
    unsubscribed = max(agreement.shares - sum(subscription.shares for subscription in subscriptions), 0)
    weights = [subscription.shares for subscription in subscriptions] + [unsubscribed]
    if sum(weights) == 0:
        # No shares at all cannot happen on an active agreement; were it so, all is the group's surplus.
        weights[-1] = 1
    harvest_lines = [
        HarvestLine(
            harvest_id=harvest.id, plan_item_id=line.plan_item.id, position=position, quantity_base=line.quantity_base
        )
        for position, line in enumerate(delivered)
    ]
    session.add_all(harvest_lines)
    await session.flush()  # the lines first: no relationship tells the flush to order them before their shares
    for harvest_line in harvest_lines:
        *parts, unsubscribed_part = allocate(harvest_line.quantity_base, weights)
        for subscription, part in zip(subscriptions, parts, strict=True):
            session.add_all(_share_of(harvest_line, subscription, part, absences.get(subscription.household_id)))
        if unsubscribed_part > 0:
            session.add(
                Surplus(harvest_line_id=harvest_line.id, handed_over_by_id=None, quantity_base=unsubscribed_part)
            )
    await session.flush()


def _share_of(
    harvest_line: HarvestLine, subscription: Subscription, part: int, absence: Absence | None
) -> list[Allocation | Surplus]:
    holder = subscription.household_id
    if absence is None:
        return [
            Allocation(harvest_line_id=harvest_line.id, share_holder_id=holder, household_id=holder, quantity_base=part)
        ]
    if absence.to_household_id is not None:
        return [
            Allocation(
                harvest_line_id=harvest_line.id,
                share_holder_id=holder,
                household_id=absence.to_household_id,
                quantity_base=part,
            )
        ]
    if part == 0:
        return []
    return [Surplus(harvest_line_id=harvest_line.id, handed_over_by_id=holder, quantity_base=part)]


# What remains to deliver, for ending an agreement by mutual consent


@dataclass(frozen=True)
class Undelivered:
    """An agreed item's quantity not delivered yet, and that quantity's part of the item's price,
    rounded down to the minor unit: the most a refund may count for it."""

    plan_item_id: UUID
    quantity_base: int
    value_minor: int


async def undelivered(session: AsyncSession, agreement: Agreement) -> list[Undelivered]:
    """Per item of the terms in force, what all harvests of the agreement have not delivered. The caller
    holds the agreement's lock, so no harvest is recorded meanwhile."""
    agreed = await repository.agreed_items(session, agreement)
    delivered = await repository.delivered_base(session, agreement.id, [item.plan_item_id for item, _ in agreed])
    remaining = []
    for item, _ in agreed:
        left = max(0, item.quantity_base - delivered.get(item.plan_item_id, 0))
        remaining.append(Undelivered(item.plan_item_id, left, item.line_total_minor * left // item.quantity_base))
    return remaining


# Reading


async def get_harvest(session: AsyncSession, principal: Principal, harvest_id: UUID) -> HarvestRead:
    """A harvest with its allocations and surplus, for the members and coordinators of either group."""
    harvest = await repository.get_harvest(session, harvest_id)
    if harvest is None:
        raise HarvestNotFound(harvest_id)
    agreement = await agreements_repository.get(session, harvest.agreement_id)
    if agreement is None or not (await policies.standing(session, principal, agreement)).party:
        raise HarvestNotFound(harvest_id)
    return await harvest_read(session, harvest)


async def list_harvests(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    agreement, _ = await policies.agreement_of_party(session, principal, agreement_id)
    return await paginate(
        session,
        repository.harvests_of_agreement(agreement.id),
        created_at=Harvest.created_at,
        id_column=Harvest.id,
        limit=limit,
        cursor=cursor,
    )


async def harvest_read(session: AsyncSession, harvest: Harvest) -> HarvestRead:
    lines = await repository.harvest_lines(session, harvest.id)
    items = {item.id: item for _, item in lines}
    return HarvestRead(
        id=harvest.id,
        agreement_id=harvest.agreement_id,
        delivered_on=harvest.delivered_on,
        pickup_station_id=harvest.pickup_station_id,
        carried_by_user_id=harvest.carried_by_user_id,
        recorded_by_user_id=harvest.recorded_by_user_id,
        created_at=harvest.created_at,
        lines=[
            HarvestLineRead(
                plan_item_id=item.id,
                crop=item.crop,
                variety=item.variety,
                unit=item.unit,
                quantity=to_text(line.quantity_base, item.unit),
            )
            for line, item in lines
        ],
        allocations=[
            AllocationRead(
                household_id=allocation.household_id,
                share_holder_id=allocation.share_holder_id,
                plan_item_id=plan_item_id,
                unit=items[plan_item_id].unit,
                quantity=to_text(allocation.quantity_base, items[plan_item_id].unit),
            )
            for allocation, plan_item_id in await repository.allocations(session, harvest)
        ],
        surplus=[
            surplus_read(surplus, harvest_id=harvest.id, plan_item=items[plan_item_id])
            for surplus, plan_item_id in await repository.surplus_of_harvest(session, harvest)
        ],
    )


def surplus_read(surplus: Surplus, *, harvest_id: UUID, plan_item: PlanItem) -> SurplusRead:
    return SurplusRead(
        id=surplus.id,
        harvest_id=harvest_id,
        plan_item_id=plan_item.id,
        unit=plan_item.unit,
        quantity=to_text(surplus.quantity_base, plan_item.unit),
        handed_over_by_id=surplus.handed_over_by_id,
        use=surplus.use,
        note=surplus.note,
        decided_by_user_id=surplus.decided_by_user_id,
        decided_at=surplus.decided_at,
    )
