"""The search's price arithmetic without a database: bounds in one currency turned into ranges of
another currency's minor units, exactly as conversion.convert() rounds, and the words of a search."""

from datetime import date
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from app.catalogue import conversion
from app.catalogue.search.prices import BIGINT_MAX, RateTable
from app.catalogue.search.service import search_words
from app.catalogue.service import AppliedRate

CURRENCIES = ("THB", "VND", "USD", "JPY", "BHD")
rates = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(100_000), places=6)


def table(currency: str, target: str, rate: Decimal) -> RateTable:
    applied = AppliedRate(currency, target, rate, "Test", date(2026, 11, 27), inverted=False)
    return RateTable(target, {} if currency == target else {currency: applied})


@given(
    currency=st.sampled_from(CURRENCIES),
    target=st.sampled_from(CURRENCIES),
    rate=rates,
    price=st.integers(min_value=0, max_value=10**12),
    low=st.integers(min_value=0, max_value=10**9) | st.none(),
    high=st.integers(min_value=0, max_value=10**9) | st.none(),
)
@example(currency="THB", target="USD", rate=Decimal("0.028"), price=125, low=4, high=4)  # 3.5 rounds to 4
@example(currency="THB", target="USD", rate=Decimal("0.028"), price=125, low=3, high=3)
@example(currency="THB", target="USD", rate=Decimal("0.5"), price=5, low=2, high=2)  # 2.5 rounds to 2
@example(currency="THB", target="USD", rate=Decimal("0.5"), price=5, low=3, high=None)
def test_a_price_is_in_range_exactly_when_its_converted_price_is_within_the_bounds(
    currency: str, target: str, rate: Decimal, price: int, low: int | None, high: int | None
) -> None:
    rates_table = table(currency, target, rate)
    converted = price if currency == target else conversion.convert(price, currency, target, rate)

    price_range = rates_table.minor_range(currency, low, high)

    within = (low is None or converted >= low) and (high is None or converted <= high)
    assert within == (price_range is not None and price_range[0] <= price <= price_range[1])
    if price_range is not None:
        assert 0 <= price_range[0] <= price_range[1] <= BIGINT_MAX


@given(currency=st.sampled_from(CURRENCIES), target=st.sampled_from(CURRENCIES), rate=rates)
def test_the_sort_factor_converts_one_minor_unit(currency: str, target: str, rate: Decimal) -> None:
    factor = table(currency, target, rate).factor(currency)
    large = 10**9

    expected = large if currency == target else conversion.convert(large, currency, target, rate)
    assert abs(factor * large - expected) <= Decimal("0.5")


def test_the_words_of_a_search_are_runs_of_letters_marks_and_digits() -> None:
    assert search_words("fair-trade  Cà phê, กาแฟอาราบิก้า! 2027_crop") == (
        "fair",
        "trade",
        "Cà",
        "phê",
        "กาแฟอาราบิก้า",
        "2027",
        "crop",
    )
    assert search_words("Ca\u0300 phe\u0302") == ("Cà", "phê")  # decomposed input is composed (NFC)
    assert search_words("\x00 \"' * ?!") == ()
