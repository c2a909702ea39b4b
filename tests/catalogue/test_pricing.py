"""The fair-trade price floor, a pure function: what is paid per unit is never below the minimum price."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalogue.pricing import price_paid

# Prices as a BIGINT column stores them, in minor units.
prices = st.integers(min_value=0, max_value=2**63 - 1)


@pytest.mark.parametrize(
    ("minimum", "agreed", "paid"),
    [
        (18_000, 25_000, 25_000),  # agreed above the minimum: the agreed price
        (18_000, 18_000, 18_000),  # agreed at the minimum
        (18_000, 17_999, 18_000),  # below the minimum by a minor unit: the minimum
        (18_000, 0, 18_000),
        (0, 500, 500),  # no minimum
    ],
)
def test_the_price_paid_is_the_agreed_price_raised_to_the_minimum(minimum: int, agreed: int, paid: int) -> None:
    assert price_paid(minimum_minor=minimum, agreed_minor=agreed) == paid


@given(prices, prices)
def test_the_price_paid_is_never_below_the_minimum_nor_the_agreed_price(minimum: int, agreed: int) -> None:
    paid = price_paid(minimum_minor=minimum, agreed_minor=agreed)

    assert paid >= minimum
    assert paid >= agreed
    assert paid in (minimum, agreed)
