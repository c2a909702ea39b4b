"""The problems harvest, absence, surplus and pickup-list requests can answer with; `code` is part of the API."""

from uuid import UUID

from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.quantity import InvalidQuantity
from app.groups.errors import HouseholdNotFound

# Raised by the lower packages this one calls, re-exported so routes can declare them.
__all__ = [
    "AbsenceAlreadyGiven",
    "AbsenceNotBeforehand",
    "AbsenceNotFound",
    "AbsenceOutsideSeason",
    "AgreementNotActive",
    "CarrierNotAMember",
    "DeliveredOnInFuture",
    "DeliveredOnOutsideSeason",
    "DeliveryExceedsAgreement",
    "HarvestAlreadyRecorded",
    "HarvestNotFound",
    "HouseholdNotFound",
    "HouseholdNotSubscribed",
    "InvalidQuantity",
    "ItemNotInAgreement",
    "PickupStationNotFound",
    "PickupStationNotOfConsumerGroup",
    "RecipientIsAbsentHousehold",
    "RecipientNotAMember",
    "SurplusAlreadyDecided",
    "SurplusNotFound",
]


class HarvestNotFound(NotFound):
    code = "harvest-not-found"
    title = "Harvest not found"

    def __init__(self, harvest_id: UUID) -> None:
        super().__init__(f"No harvest {harvest_id} that your groups are part of.", harvest_id=str(harvest_id))


class SurplusNotFound(NotFound):
    code = "surplus-not-found"
    title = "Surplus not found"

    def __init__(self, surplus_id: UUID) -> None:
        super().__init__(f"No surplus {surplus_id} that your groups are part of.", surplus_id=str(surplus_id))


class AbsenceNotFound(NotFound):
    code = "absence-not-found"
    title = "Absence not found"

    def __init__(self, absence_id: UUID) -> None:
        super().__init__(f"No absence {absence_id} of a household you belong to.", absence_id=str(absence_id))


class PickupStationNotFound(NotFound):
    code = "pickup-station-not-found"
    title = "Pickup station not found"

    def __init__(self, station_id: UUID) -> None:
        super().__init__(f"No pickup station {station_id} that you may see.", pickup_station_id=str(station_id))


class AgreementNotActive(Conflict):
    code = "agreement-not-active"
    title = "The agreement is not active"


class PickupStationNotOfConsumerGroup(Unprocessable):
    code = "pickup-station-not-of-consumer-group"
    title = "The pickup station is not one of the consumer group's"


class CarrierNotAMember(Conflict):
    code = "carrier-not-a-member"
    title = "The carrier belongs to neither group"


class DeliveredOnInFuture(Unprocessable):
    code = "delivered-on-in-future"
    title = "A harvest is recorded when it is delivered, not before"


class DeliveredOnOutsideSeason(Unprocessable):
    code = "harvest-date-outside-season"
    title = "A harvest is dated within the season of the agreement's plan"


class ItemNotInAgreement(Unprocessable):
    code = "item-not-in-agreement"
    title = "The plan item is not part of the agreed terms"


class DeliveryExceedsAgreement(Conflict):
    code = "delivery-exceeds-agreement"
    title = "The delivery would take an item past its agreed quantity"


class HouseholdNotSubscribed(Conflict):
    code = "household-not-subscribed"
    title = "The household holds no shares of the agreement"


class RecipientNotAMember(Conflict):
    code = "recipient-not-a-member"
    title = "The receiving household does not belong to the consumer group"


class RecipientIsAbsentHousehold(Unprocessable):
    code = "recipient-is-absent-household"
    title = "A household cannot hand its produce to itself"


class AbsenceNotBeforehand(Conflict):
    code = "absence-not-beforehand"
    title = "An absence is given before its date"


class AbsenceOutsideSeason(Unprocessable):
    code = "absence-date-outside-season"
    title = "An absence is dated on a day harvests of the agreement can be delivered"


class AbsenceAlreadyGiven(Conflict):
    code = "absence-already-given"
    title = "The household already gave an absence for that date"


class HarvestAlreadyRecorded(Conflict):
    code = "harvest-already-recorded"
    title = "A harvest is already recorded and allocated on that date"


class SurplusAlreadyDecided(Conflict):
    code = "surplus-already-decided"
    title = "What the group did with this surplus is already recorded"
