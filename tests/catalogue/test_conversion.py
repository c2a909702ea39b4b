"""Conversion, inverse rates, the producers' share in percent and GTIN check digits: pure functions."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalogue.codes import gtin_check_digit_is_valid
from app.catalogue.conversion import INVERSE_RATE_DIGITS, convert, invert, rate_text, share_percent
from app.core.money import minor_unit_exponent

# Zero-decimal (JPY, VND, KRW), two-decimal (THB, USD, PHP), three-decimal (BHD, KWD) and four-decimal (CLF).
CURRENCIES = ["JPY", "VND", "KRW", "THB", "USD", "PHP", "SGD", "BHD", "KWD", "CLF"]

currencies = st.sampled_from(CURRENCIES)
# Amounts that fit a BIGINT column; rates as they can be stored: above zero, up to 12 decimals.
amounts = st.integers(min_value=0, max_value=2**63 - 1)
rates = st.decimals(
    min_value=Decimal("0.000000000001"), max_value=Decimal("999999999999999"), places=12, allow_nan=False
)


def exact(amount_minor: int, from_currency: str, to_currency: str, rate: Decimal) -> Fraction:
    shift = minor_unit_exponent(to_currency) - minor_unit_exponent(from_currency)
    return Fraction(amount_minor) * Fraction(rate) * Fraction(10) ** shift


@given(amounts, currencies, currencies, rates)
def test_conversion_is_the_exact_value_rounded_half_even(
    amount_minor: int, from_currency: str, to_currency: str, rate: Decimal
) -> None:
    # Python's round() of a Fraction rounds half to even: the reference, computed without Decimal.
    assert convert(amount_minor, from_currency, to_currency, rate) == round(
        exact(amount_minor, from_currency, to_currency, rate)
    )


@given(amounts, currencies, currencies, rates)
def test_conversion_is_within_half_a_minor_unit_of_the_exact_value(
    amount_minor: int, from_currency: str, to_currency: str, rate: Decimal
) -> None:
    converted = convert(amount_minor, from_currency, to_currency, rate)

    assert abs(converted - exact(amount_minor, from_currency, to_currency, rate)) <= Fraction(1, 2)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_exact_halves_round_to_the_even_neighbour(whole: int) -> None:
    # JPY → USD at 0.005: n yen are n/2 cents, an exact half for every odd n.
    yen = 2 * whole + 1

    cents = convert(yen, "JPY", "USD", Decimal("0.005"))

    assert cents in (whole, whole + 1)
    assert cents % 2 == 0


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["THB", "USD", "BHD", "CLF"]), rates)
def test_zero_decimal_targets_get_whole_units(amount_minor: int, from_currency: str, rate: Decimal) -> None:
    for target in ("VND", "JPY"):
        converted = convert(amount_minor, from_currency, target, rate)

        assert abs(converted - exact(amount_minor, from_currency, target, rate)) <= Fraction(1, 2)


@given(
    st.integers(min_value=0, max_value=10**15),
    currencies,
    currencies,
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=12, allow_nan=False),
)
def test_a_round_trip_through_the_inverse_rate_loses_at_most_the_two_roundings(
    amount_minor: int, from_currency: str, to_currency: str, rate: Decimal
) -> None:
    there = convert(amount_minor, from_currency, to_currency, rate)
    back = convert(there, to_currency, from_currency, invert(rate))

    # Half a minor unit of the target, carried back at 1/rate, plus half a unit on the way back, plus
    # the inverse rate's relative error (below 10^-27) on the amount.
    scale = Fraction(10) ** (minor_unit_exponent(from_currency) - minor_unit_exponent(to_currency))
    bound = Fraction(1, 2) + Fraction(1, 2) * scale / Fraction(rate) + Fraction(amount_minor, 10**27)
    assert abs(back - amount_minor) <= bound


@given(rates)
def test_the_inverse_rate_has_28_significant_digits_at_most_and_is_correctly_rounded(rate: Decimal) -> None:
    inverse = invert(rate)

    assert len(inverse.as_tuple().digits) <= INVERSE_RATE_DIGITS
    # Within half a unit of the 28th significant digit of the exact inverse.
    exact_inverse = 1 / Fraction(rate)
    last_digit = Fraction(10) ** (inverse.adjusted() - INVERSE_RATE_DIGITS + 1)
    assert abs(Fraction(inverse) - exact_inverse) <= last_digit / 2
    assert "E" not in rate_text(inverse)


@pytest.mark.parametrize(
    ("_case", "amount_minor", "from_currency", "to_currency", "rate", "expected"),
    [
        ("1 THB in whole dong", 100, "THB", "VND", "712.345", 712),
        ("1.50 THB in whole dong, .5175 rounds up", 150, "THB", "VND", "712.345", 1069),
        ("dong to baht", 1_000, "VND", "THB", "0.0014", 140),
        ("10.00 USD in yen, exact half to even (down)", 1_000, "USD", "JPY", "150.05", 1500),
        ("10.00 USD in yen, exact half to even (up)", 1_000, "USD", "JPY", "150.15", 1502),
        ("1.00 USD in fils of Bahraini dinar", 100, "USD", "BHD", "0.376", 376),
        ("1.000 BHD in cents", 1_000, "BHD", "USD", "2.659574468085", 266),
        ("zero stays zero", 0, "THB", "VND", "712.345", 0),
        ("a huge amount at a rate with an exponent", 10**18, "JPY", "CLF", "1E+12", 10**34),
        ("a rate of many digits", 3, "USD", "THB", "33.3333333333333333333333333333333333", 100),
    ],
)
def test_conversion_examples(
    _case: str, amount_minor: int, from_currency: str, to_currency: str, rate: str, expected: int
) -> None:
    assert convert(amount_minor, from_currency, to_currency, Decimal(rate)) == expected


@pytest.mark.parametrize("rate", ["0", "-1"])
def test_a_rate_must_be_above_zero(rate: str) -> None:
    with pytest.raises(ValueError, match="above zero"):
        convert(100, "THB", "VND", Decimal(rate))
    with pytest.raises(ValueError, match="above zero"):
        invert(Decimal(rate))


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("800", "0.00125"), ("4", "0.25"), ("0.001", "1000"), ("0.000000000001", "1000000000000"), ("3", "0." + "3" * 28)],
)
def test_inverse_rate_examples(rate: str, expected: str) -> None:
    assert rate_text(invert(Decimal(rate))) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (150, 250, "60.0"),
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (1, 16, "6.2"),  # 6.25: half to even, down
        (3, 16, "18.8"),  # 18.75: half to even, up
        (0, 100, "0.0"),
        (100, 100, "100.0"),
    ],
)
def test_producer_share_percent_has_one_decimal_rounded_half_even(part: int, whole: int, expected: str) -> None:
    assert share_percent(part, whole) == expected


@given(st.integers(min_value=1, max_value=2**63 - 1), st.data())
def test_producer_share_percent_is_within_half_a_tenth(whole: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(min_value=0, max_value=whole))

    percent = Fraction(share_percent(part, whole))

    assert abs(percent - Fraction(part * 100, whole)) <= Fraction(1, 20)
    assert 0 <= percent <= 100


@pytest.mark.parametrize(
    ("gtin", "valid"),
    [
        ("4006381333931", True),  # GTIN-13
        ("4006381333932", False),
        ("4006381333930", False),
        ("96385074", True),  # GTIN-8
        ("96385075", False),
        ("036000291452", True),  # GTIN-12 (UPC-A)
        ("036000291453", False),
        ("10614141000415", True),  # GTIN-14
        ("10614141000416", False),
        ("5901234123457", True),  # GTIN-13, the GS1 barcode example
        ("5901234123458", False),
    ],
)
def test_gtin_check_digits(gtin: str, valid: bool) -> None:
    assert gtin_check_digit_is_valid(gtin) is valid


@given(st.text(alphabet="0123456789", min_size=7, max_size=13))
def test_exactly_one_check_digit_completes_a_gtin(body: str) -> None:
    valid_digits = [digit for digit in "0123456789" if gtin_check_digit_is_valid(body + digit)]

    assert len(valid_digits) == 1
