"""Quantities of produce: decimal strings in the item's unit, stored as integers of the unit's
smallest step (grams for kg, one piece for `piece`), so allocations add up exactly."""

import enum
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.errors import Unprocessable


class Unit(enum.StrEnum):
    kg = "kg"
    g = "g"
    litre = "litre"
    piece = "piece"
    bunch = "bunch"
    dozen = "dozen"
    box = "box"


# Decimal places of each unit's smallest step: kg to the gram, litre to the millilitre.
UNIT_DECIMALS = {
    Unit.kg: 3,
    Unit.g: 0,
    Unit.litre: 3,
    Unit.piece: 0,
    Unit.bunch: 0,
    Unit.dozen: 0,
    Unit.box: 0,
}

QuantityText = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,12}(\.[0-9]{1,3})?$", max_length=16),
    Field(
        description='Decimal string in the item\'s unit, e.g. "12.5" kg; kg and litre to 3 decimals.',
        examples=["12.500"],
    ),
]


class InvalidQuantity(Unprocessable):
    code = "invalid-quantity"
    title = "The quantity is not valid for its unit"


def to_base(quantity: str, unit: Unit) -> int:
    decimals = UNIT_DECIMALS[unit]
    try:
        scaled = Decimal(quantity).scaleb(decimals)
    except InvalidOperation as error:
        raise InvalidQuantity(f"'{quantity}' is not a decimal quantity.") from error
    if scaled != scaled.to_integral_value():
        raise InvalidQuantity(f"Quantities in {unit} have at most {decimals} decimals; '{quantity}' has more.")
    return int(scaled)


def to_text(base: int, unit: Unit) -> str:
    decimals = UNIT_DECIMALS[unit]
    return f"{Decimal(base).scaleb(-decimals):.{decimals}f}"
