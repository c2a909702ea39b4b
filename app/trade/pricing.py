"""The arithmetic of a trade order, in exact decimals: line values at the fixed rate, and the
pre-finance rules of the two terms. Pure functions, no database."""

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from app.core.money import minor_unit_exponent
from app.core.quantity import UNIT_DECIMALS, Unit
from app.trade.models import FAIRTRADE_PREFINANCE_CEILING_PERCENT, WFTO_PREFINANCE_FLOOR_PERCENT, TradeTerms

# Enough digits that price × quantity × rate is exact before the one rounding: 19 digits of a BIGINT
# price, 19 of a quantity, the rate's digits and the scale of the exponents.
EXACT = 120


def line_amount(
    per_unit_minor: int, quantity_base: int, unit: Unit, *, from_currency: str, to_currency: str, rate: Decimal | None
) -> int:
    """`per_unit_minor` (minor units of `from_currency` per `unit`) × the quantity, in minor units of
    `to_currency` at `rate` (1 `from_currency` = `rate` `to_currency`; None when they are the same).
    Computed exactly and rounded once, half-even, to the target's minor unit."""
    if (rate is None) != (from_currency == to_currency):
        raise ValueError("a rate is needed exactly when the currencies differ")
    shift = minor_unit_exponent(to_currency) - minor_unit_exponent(from_currency) - UNIT_DECIMALS[unit]
    with localcontext(prec=EXACT, rounding=ROUND_HALF_EVEN):
        exact = (Decimal(per_unit_minor) * Decimal(quantity_base) * (rate or Decimal(1))).scaleb(shift)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def requested_prefinance(order_value_minor: int, percent: int) -> int:
    """`percent` of the order value, rounded down to the minor unit: a request never exceeds its percent,
    so a Fairtrade request of 60% never passes the ceiling by a fraction of a unit."""
    return order_value_minor * percent // 100


def prefinance_range(terms: TradeTerms, order_value_minor: int, requested_minor: int) -> tuple[int, int]:
    """The least and the most the buyer may pay against a request of `requested_minor`.

    Fairtrade: exactly what was requested (the seller asked for at most 60%, and the buyer grants it).
    WFTO: at least half the order value, rounded up so it is never below 50%, unless less was requested,
    and never more than was requested: min(requested, ⌈50% of value⌉) ≤ paid ≤ requested."""
    if terms == TradeTerms.fairtrade:
        assert requested_minor <= order_value_minor * FAIRTRADE_PREFINANCE_CEILING_PERCENT // 100
        return requested_minor, requested_minor
    half = -(-order_value_minor * WFTO_PREFINANCE_FLOOR_PERCENT // 100)  # ceiling division
    return min(requested_minor, half), requested_minor
