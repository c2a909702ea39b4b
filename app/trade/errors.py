"""The problems trade-order requests can answer with; `code` is part of the API."""

from uuid import UUID

from app.core.errors import Conflict, CurrencyMismatch, Forbidden, NotFound, Unprocessable

# CurrencyMismatch is the core's, re-exported so routes can declare it.
__all__ = [
    "BelowMinimumOrderQuantity",
    "BuyerIsSeller",
    "CurrencyMismatch",
    "DuplicateProduct",
    "IllegalTransition",
    "MixedCurrencies",
    "NotBuyerMember",
    "NotSellerMember",
    "PrefinanceAboveCeiling",
    "PrefinanceAboveRequest",
    "PrefinanceBelowMinimum",
    "PrefinanceUnpaid",
    "ProductNotFromSeller",
    "ProductNotInOrder",
    "TradeOrderNotFound",
]


class TradeOrderNotFound(NotFound):
    code = "trade-order-not-found"
    title = "Trade order not found"

    def __init__(self, order_id: UUID) -> None:
        super().__init__(
            f"No trade order {order_id} that your organisations are party to.", trade_order_id=str(order_id)
        )


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = "The order's status does not allow this transition"


class PrefinanceUnpaid(Conflict):
    code = "prefinance-unpaid"
    title = "The requested pre-finance has not been paid"


class NotSellerMember(Forbidden):
    code = "not-seller-member"
    title = "Only members of the selling organisation may do this"


class NotBuyerMember(Forbidden):
    code = "not-buyer-member"
    title = "Only members of the buying organisation may do this"


class BuyerIsSeller(Unprocessable):
    code = "buyer-is-seller"
    title = "An organisation cannot order from itself"


class DuplicateProduct(Unprocessable):
    code = "duplicate-product"
    title = "A product appears twice"


class ProductNotFromSeller(Unprocessable):
    code = "product-not-from-seller"
    title = "A product is not listed by the seller"


class MixedCurrencies(Unprocessable):
    code = "mixed-currencies"
    title = "The products are priced in more than one currency"


class BelowMinimumOrderQuantity(Unprocessable):
    code = "below-minimum-order-quantity"
    title = "A quantity is below the product's minimum order quantity"


class ProductNotInOrder(Unprocessable):
    code = "product-not-in-order"
    title = "A price names a product the order does not contain"


class PrefinanceAboveCeiling(Unprocessable):
    code = "prefinance-above-ceiling"
    title = "Fairtrade terms allow pre-finance of at most 60% of the order value"


class PrefinanceBelowMinimum(Unprocessable):
    code = "prefinance-below-minimum"
    title = "The pre-finance paid is less than the terms require"


class PrefinanceAboveRequest(Unprocessable):
    code = "prefinance-above-request"
    title = "The pre-finance paid is more than the seller requested"
