"""Largest-remainder allocation: exact, within one step of each quota, deterministic (principle 3)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.allocation import allocate

totals = st.integers(min_value=-(10**12), max_value=10**12)
weights_lists = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60).filter(
    lambda weights: sum(weights) > 0
)


@given(totals, weights_lists)
def test_parts_sum_exactly_to_the_total(total: int, weights: list[int]) -> None:
    assert sum(allocate(total, weights)) == total


@given(totals, weights_lists)
def test_each_part_is_within_one_step_of_its_exact_quota(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)

    quotas = [Fraction(total * weight, sum(weights)) for weight in weights]
    assert all(abs(part - quota) < 1 for part, quota in zip(parts, quotas, strict=True))


@given(totals, weights_lists)
def test_zero_weight_gets_nothing(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)

    assert [part for part, weight in zip(parts, weights, strict=True) if weight == 0] == [0] * weights.count(0)


@given(totals, weights_lists)
def test_same_input_gives_same_output(total: int, weights: list[int]) -> None:
    assert allocate(total, list(weights)) == allocate(total, list(weights))


@given(st.integers(min_value=0, max_value=10**12), weights_lists)
def test_left_over_steps_go_to_the_largest_remainders_then_the_earliest(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)

    remainders = [Fraction(total * weight, sum(weights)) % 1 for weight in weights]
    rounded_up = [index for index, weight in enumerate(weights) if parts[index] * sum(weights) > total * weight]
    rounded_down = [index for index in range(len(weights)) if index not in rounded_up]
    # Every part that got a left-over step ranks before every part that did not: larger remainder,
    # or an equal remainder at an earlier position.
    assert all((remainders[up], -up) > (remainders[down], -down) for up in rounded_up for down in rounded_down)


@pytest.mark.parametrize(
    ("_case", "total", "weights", "expected"),
    [
        ("equal remainders: earliest first", 100, [1, 1, 1], [34, 33, 33]),
        ("two left over among three equal", 2, [1, 1, 1], [1, 1, 0]),
        ("largest remainder beats position", 10, [1, 2], [3, 7]),
        ("exact split has no remainder", 10_000, [3, 3, 3, 1], [3_000, 3_000, 3_000, 1_000]),
        ("one gram left over", 10_001, [3, 3, 3, 1], [3_001, 3_000, 3_000, 1_000]),
        ("a piece left over goes to the largest remainder", 7, [3, 3, 3, 1], [2, 2, 2, 1]),
        ("zero weight in the middle", 5, [1, 0, 1], [3, 0, 2]),
        ("nothing to split", 0, [2, 5], [0, 0]),
        ("negative total mirrors", -100, [1, 1, 1], [-34, -33, -33]),
    ],
)
def test_known_splits(_case: str, total: int, weights: list[int], expected: list[int]) -> None:
    assert allocate(total, weights) == expected


@pytest.mark.parametrize(
    ("_case", "weights"), [("no weights", []), ("weights sum to zero", [0, 0]), ("negative weight", [2, -1])]
)
def test_weights_that_cannot_split_are_refused(_case: str, weights: list[int]) -> None:
    with pytest.raises(ValueError, match="weight"):
        allocate(10, weights)
