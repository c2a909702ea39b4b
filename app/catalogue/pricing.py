"""The fair-trade price floor: a product's minimum price is the least a buyer ever pays for a unit of it,
whatever price is listed or agreed. Pure, no database; trade orders fix their prices with it too."""


def price_paid(*, minimum_minor: int, agreed_minor: int) -> int:
    """The price paid per unit: the price agreed (or, before any agreement, listed), never below the
    minimum price; in minor units of one currency, both."""
    return max(minimum_minor, agreed_minor)
