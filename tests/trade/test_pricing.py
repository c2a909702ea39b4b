"""The arithmetic of trade orders: exact line values at a rate, one half-even rounding, and the
pre-finance bounds of the two terms."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.quantity import Unit
from app.trade.models import TradeTerms
from app.trade.pricing import line_amount, prefinance_range, requested_prefinance


@pytest.mark.parametrize(
    ("per_unit", "quantity", "unit", "source", "target", "rate", "expected"),
    [
        (25_000, 100_000, Unit.kg, "THB", "THB", None, 2_500_000),  # 250.00 × 100 kg
        (18_000, 50_500, Unit.kg, "THB", "THB", None, 909_000),  # 180.00 × 50.5 kg
        (1, 1, Unit.kg, "THB", "THB", None, 0),  # 0.01 × 0.001 kg = 0.00001 → 0.00
        (1, 500, Unit.kg, "THB", "THB", None, 0),  # exactly half a minor unit: to the even 0
        (3, 500, Unit.kg, "THB", "THB", None, 2),  # 1.5 minor units: to the even 2
        (12_345, 3, Unit.piece, "USD", "VND", Decimal("25000.5"), 9_258_935),  # 370.35 USD = 9258935.175 VND
        (100, 1, Unit.piece, "VND", "THB", Decimal("0.0014"), 14),  # 100 VND = 0.14 THB
        (500, 1, Unit.piece, "JPY", "BHD", Decimal("0.0025"), 1_250),  # BHD has three decimals
    ],
)
def test_line_amounts_are_exact_then_rounded_half_even_once(
    per_unit: int, quantity: int, unit: Unit, source: str, target: str, rate: Decimal | None, expected: int
) -> None:
    assert line_amount(per_unit, quantity, unit, from_currency=source, to_currency=target, rate=rate) == expected


def test_a_rate_is_given_exactly_when_the_currencies_differ() -> None:
    with pytest.raises(ValueError, match="rate"):
        line_amount(100, 1, Unit.piece, from_currency="THB", to_currency="VND", rate=None)
    with pytest.raises(ValueError, match="rate"):
        line_amount(100, 1, Unit.piece, from_currency="THB", to_currency="THB", rate=Decimal(1))


@given(value=st.integers(min_value=1, max_value=10**15), percent=st.integers(min_value=1, max_value=100))
def test_a_request_never_exceeds_its_percent_by_any_fraction(value: int, percent: int) -> None:
    requested = requested_prefinance(value, percent)

    assert requested * 100 <= value * percent < (requested + 1) * 100


@given(value=st.integers(min_value=1, max_value=10**15), percent=st.integers(min_value=1, max_value=100))
def test_wfto_requires_at_least_half_or_the_whole_smaller_request(value: int, percent: int) -> None:
    requested = requested_prefinance(value, percent)

    least, most = prefinance_range(TradeTerms.wfto, value, requested)

    assert least <= most == requested
    # Either the whole request (when it is no more than half), or the smallest amount that is half or more.
    assert least == requested or (least * 2 >= value and (least - 1) * 2 < value)
    if percent <= 50:
        assert least == requested


@given(value=st.integers(min_value=1, max_value=10**15), percent=st.integers(min_value=1, max_value=60))
def test_fairtrade_pays_exactly_the_request(value: int, percent: int) -> None:
    requested = requested_prefinance(value, percent)

    assert prefinance_range(TradeTerms.fairtrade, value, requested) == (requested, requested)


@pytest.mark.parametrize(
    ("terms", "value", "percent", "expected"),
    [
        (TradeTerms.wfto, 101, 100, (51, 101)),  # half of 1.01 is 0.505: at least 0.51
        (TradeTerms.wfto, 101, 60, (51, 60)),
        (TradeTerms.wfto, 101, 50, (50, 50)),
        (TradeTerms.fairtrade, 101, 60, (60, 60)),  # 60.6 rounded down: never past 60%
    ],
)
def test_rounding_at_the_edges(terms: TradeTerms, value: int, percent: int, expected: tuple[int, int]) -> None:
    assert prefinance_range(terms, value, requested_prefinance(value, percent)) == expected
