"""The problems catalogue requests can answer with; `code` is part of the API."""

from uuid import UUID

from app.core.errors import Conflict, Forbidden, NotFound, PriceNotPositive, QuantityNotPositive, Unprocessable
from app.groups.errors import GroupNotFound, UserNotFound
from app.producers.errors import ProducerGroupNotFound

# Raised for the groups, users, prices and quantities of the packages below, re-exported so routes can declare them.
__all__ = [
    "AhtnNotUnderHsCode",
    "AlreadyOrganisationMember",
    "AvailabilityNotValid",
    "CountryDiffersFromGroup",
    "CurrencyChangeNeedsAmounts",
    "ExchangeRateExists",
    "GroupAlreadyTrading",
    "GroupNotFound",
    "InvalidGtin",
    "NoExchangeRate",
    "NotAdministrator",
    "NotAseanOrigin",
    "NotGroupCoordinator",
    "NotOrganisationMember",
    "NotOrganisationOwner",
    "PriceBelowMinimum",
    "PriceNotPositive",
    "ProducerGroupNotFound",
    "ProducerShareAbovePrice",
    "ProductNotFound",
    "QuantityNotPositive",
    "TradingOrganisationNotFound",
    "UnitChangeNeedsQuantities",
    "UserNotFound",
]

# Trading organisations


class TradingOrganisationNotFound(NotFound):
    code = "trading-organisation-not-found"
    title = "Trading organisation not found"

    def __init__(self, organisation_id: UUID) -> None:
        super().__init__(f"No trading organisation {organisation_id}.", trading_organisation_id=str(organisation_id))


class NotGroupCoordinator(Forbidden):
    code = "not-group-coordinator"
    title = "Only a coordinator of the group may trade for it"


class GroupAlreadyTrading(Conflict):
    code = "group-already-trading"
    title = "The group already trades through an organisation"


class CountryDiffersFromGroup(Unprocessable):
    code = "country-differs-from-group"
    title = "An organisation acting for a group is in the group's country"


class NotOrganisationMember(Forbidden):
    code = "not-organisation-member"
    title = "Only the organisation's members may do this"


class NotOrganisationOwner(Forbidden):
    code = "not-organisation-owner"
    title = "Only the organisation's owners may do this"


class AlreadyOrganisationMember(Conflict):
    code = "already-organisation-member"
    title = "The user is already a member of the organisation"


# Products


class ProductNotFound(NotFound):
    code = "product-not-found"
    title = "Product not found"

    def __init__(self, product_id: UUID) -> None:
        super().__init__(f"No listed product {product_id}.", product_id=str(product_id))


class InvalidGtin(Unprocessable):
    code = "invalid-gtin"
    title = "The GTIN's check digit is wrong"


class AhtnNotUnderHsCode(Unprocessable):
    code = "ahtn-not-under-hs-code"
    title = "The AHTN code does not begin with the HS code"


class NotAseanOrigin(Unprocessable):
    code = "not-asean-origin"
    title = "AHTN codes and Form D criteria are for goods of ASEAN origin only"


class AvailabilityNotValid(Unprocessable):
    code = "availability-not-valid"
    title = "The availability period ends before it starts"


class PriceBelowMinimum(Unprocessable):
    code = "price-below-minimum"
    title = "The price is below the product's fair-trade minimum price"


class ProducerShareAbovePrice(Unprocessable):
    code = "producer-share-above-price"
    title = "The producers' share cannot exceed the price"


class CurrencyChangeNeedsAmounts(Unprocessable):
    code = "currency-change-needs-amounts"
    title = "A new currency needs the price, minimum price, premium and producers' share in it"


class UnitChangeNeedsQuantities(Unprocessable):
    code = "unit-change-needs-quantities"
    title = "A new unit needs the pack size and minimum order quantity in it"


# Exchange rates


class NotAdministrator(Forbidden):
    code = "not-administrator"
    title = "Only administrators may record exchange rates"


class ExchangeRateExists(Conflict):
    code = "exchange-rate-exists"
    title = "This source's rate for the pair and day is already recorded"


class NoExchangeRate(Unprocessable):
    code = "no-exchange-rate"
    title = "No exchange rate is recorded for the currency pair"
