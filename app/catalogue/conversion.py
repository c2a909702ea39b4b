"""Currency conversion for display, in exact decimal arithmetic, and the producers' share in percent.

Pure functions, no database: the rules of rounding live here and are property-tested."""

from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from fractions import Fraction

from app.core.money import minor_unit_exponent

# The inverse of a stored rate (only B→A stored, A→B asked) is 1/rate to this many significant digits,
# rounded half-even: the decimal module's default precision, stated so a client can reproduce the figure.
# Its relative error, below 5e-28, stays far under a minor unit for any price a catalogue shows.
INVERSE_RATE_DIGITS = 28


def convert(amount_minor: int, from_currency: str, to_currency: str, rate: Decimal) -> int:
    """Minor units of `from_currency` into minor units of `to_currency`, where 1 unit of `from_currency`
    is `rate` units of `to_currency`. Rounded once, half-even, to the target's ISO 4217 minor unit:
    100 THB minor units (1 THB) at 712.345 VND/THB → 712 VND."""
    if rate <= 0:
        raise ValueError("an exchange rate is above zero")
    shift = minor_unit_exponent(to_currency) - minor_unit_exponent(from_currency)
    # Enough digits for amount × rate, scaled, to be exact: the quantize below is then the only rounding.
    _, rate_digits, rate_exponent = rate.as_tuple()
    digits = len(str(abs(amount_minor))) + len(rate_digits) + max(int(rate_exponent), 0) + abs(shift) + 2
    with localcontext(prec=max(digits, INVERSE_RATE_DIGITS), rounding=ROUND_HALF_EVEN):
        exact = (Decimal(amount_minor) * rate).scaleb(shift)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def invert(rate: Decimal) -> Decimal:
    """1 / rate to INVERSE_RATE_DIGITS significant digits, half-even, without trailing zeros."""
    if rate <= 0:
        raise ValueError("an exchange rate is above zero")
    inverse = Context(prec=INVERSE_RATE_DIGITS, rounding=ROUND_HALF_EVEN).divide(Decimal(1), rate)
    return inverse.normalize(Context(prec=INVERSE_RATE_DIGITS))


def rate_text(rate: Decimal) -> str:
    """Plain decimal notation, never an exponent: Decimal('1E+3') → '1000'."""
    return format(rate, "f")


def share_percent(part_minor: int, whole_minor: int) -> str:
    """`part` as a percentage of `whole` with one decimal, half-even: 3 of 8 → '37.5', 1 of 3 → '33.3'."""
    # A Fraction is exact, and round() of a Fraction rounds half to even.
    tenths = round(Fraction(part_minor * 1000, whole_minor))
    return f"{Decimal(tenths).scaleb(-1):.1f}"
