"""Money as integers of the currency's ISO 4217 minor unit; decimal strings at the API edge.

Never floats: SQLite stores NUMERIC as REAL, so amounts live in BIGINT columns (`<name>_minor`)."""

from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated

import iso4217
from pydantic import AfterValidator, Field, StringConstraints

from app.core.errors import Unprocessable

AMOUNT_PATTERN = r"^[0-9]{1,15}(\.[0-9]{1,4})?$"
# The one cap on every amount the service stores, given or computed (line totals, order values): far
# below BIGINT's 9.2e18, so sums of many amounts still fit; no real payment comes near it.
MAX_MINOR_UNITS = 10**15


class InvalidAmount(Unprocessable):
    code = "invalid-amount"
    title = "The amount is not valid for its currency"


class AmountTooLarge(Unprocessable):
    code = "amount-too-large"
    title = "An amount is too large to store"


def capped(minor: int, detail: str) -> int:
    """`minor` when it is within MAX_MINOR_UNITS either way; otherwise AmountTooLarge with `detail`.
    For amounts the service computes: one given by a client is checked by to_minor."""
    if abs(minor) > MAX_MINOR_UNITS:
        raise AmountTooLarge(detail)
    return minor


@cache
def minor_unit_exponent(currency: str) -> int:
    """Digits after the decimal point in the currency's minor unit (THB 2, VND 0, BHD 3)."""
    try:
        exponent = iso4217.Currency(currency).exponent
    except ValueError:
        exponent = None
    if exponent is None:
        raise InvalidAmount(f"'{currency}' is not an ISO 4217 currency with a minor unit.")
    return int(exponent)


def _known_currency(code: str) -> str:
    try:
        minor_unit_exponent(code)
    except InvalidAmount as error:
        raise ValueError(error.detail) from error
    return code


CurrencyCode = Annotated[
    str,
    StringConstraints(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$"),
    AfterValidator(_known_currency),
    Field(description="ISO 4217 currency code, e.g. THB, VND, PHP.", examples=["THB"]),
]
AmountText = Annotated[
    str,
    StringConstraints(pattern=AMOUNT_PATTERN, max_length=20),
    Field(
        description='Decimal string in the currency\'s minor unit, e.g. "1250.00" THB, "15000" VND.',
        examples=["1250.00"],
    ),
]


def to_minor(amount: str, currency: str) -> int:
    """`"1250.50"` THB → 125050. More decimals than the currency has is refused, never rounded away."""
    exponent = minor_unit_exponent(currency)
    try:
        value = Decimal(amount)
    except InvalidOperation as error:
        raise InvalidAmount(f"'{amount}' is not a decimal amount.") from error
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{currency} has {exponent} decimal places; '{amount}' has more.", currency=currency)
    if abs(scaled) > MAX_MINOR_UNITS:
        raise InvalidAmount(f"'{amount}' {currency} is more than this service handles.", currency=currency)
    return int(scaled)


def to_text(minor: int, currency: str) -> str:
    """125050 THB → `"1250.50"`; always exactly the currency's number of decimals."""
    exponent = minor_unit_exponent(currency)
    if exponent == 0:
        return str(minor)
    whole, fraction = divmod(abs(minor), 10**exponent)  # integers: a Decimal per amount costs 3 times more
    return f"{'-' if minor < 0 else ''}{whole}.{fraction:0{exponent}d}"
