import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.money import MAX_MINOR_UNITS, AmountTooLarge, InvalidAmount, capped, to_minor, to_text


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("1250.50", "THB", 125050), ("15000", "VND", 15000), ("0.005", "BHD", 5), ("7", "JPY", 7), ("1.5", "USD", 150)],
)
def test_amounts_convert_to_minor_units_exactly(amount: str, currency: str, minor: int) -> None:
    assert to_minor(amount, currency) == minor


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (125050, "THB", "1250.50"),
        (15000, "VND", "15000"),
        (5, "BHD", "0.005"),
        (-5, "THB", "-0.05"),
        (-125050, "THB", "-1250.50"),
        (0, "USD", "0.00"),
        (-7, "JPY", "-7"),
    ],
)
def test_minor_units_print_with_the_currencys_decimals(minor: int, currency: str, text: str) -> None:
    assert to_text(minor, currency) == text


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("1.001", "THB"), ("0.5", "VND"), ("999999999999999.9999", "CLF"), ("1", "XXX"), ("1", "XAU")],
)
def test_amounts_a_currency_cannot_hold_are_refused(amount: str, currency: str) -> None:
    with pytest.raises(InvalidAmount):
        to_minor(amount, currency)


@given(
    minor=st.integers(-MAX_MINOR_UNITS, MAX_MINOR_UNITS), currency=st.sampled_from(["THB", "VND", "BHD", "CLF", "IDR"])
)
def test_printed_amounts_read_back_to_the_same_minor_units(minor: int, currency: str) -> None:
    assert to_minor(to_text(minor, currency), currency) == minor


@pytest.mark.parametrize("minor", [0, MAX_MINOR_UNITS, -MAX_MINOR_UNITS])
def test_a_computed_amount_within_the_cap_is_kept(minor: int) -> None:
    assert capped(minor, "too large") == minor


@pytest.mark.parametrize("minor", [MAX_MINOR_UNITS + 1, -MAX_MINOR_UNITS - 1, 2**63])
def test_a_computed_amount_past_the_cap_is_too_large(minor: int) -> None:
    with pytest.raises(AmountTooLarge) as refused:
        capped(minor, "The order's value is too large to store.")

    assert (refused.value.code, refused.value.detail) == (
        "amount-too-large",
        "The order's value is too large to store.",
    )
