"""Prices across currencies for a search: the stored rates into one currency, taken once per search, and
what they make of price bounds, price sorts and display prices.

A product's price "in EUR" is always conversion.convert() of its price with the rate the product page
would show (the newest rate for the pair in force today, else the inverse of the opposite pair's). A
product whose currency has no rate to the asked currency has no price in it: price bounds and price
sorts leave it out."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.catalogue import conversion
from app.catalogue.models import ExchangeRate
from app.catalogue.repository import NEWEST_RATE_FIRST, in_force_on
from app.catalogue.search.schemas import DisplayPriceRead
from app.catalogue.service import AppliedRate
from app.core import money

BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True)
class RateTable:
    """The rates from every other currency into `target`, as recorded up to one moment."""

    target: str
    rates: Mapping[str, AppliedRate]

    def currencies(self) -> list[str]:
        """The currencies whose prices have a value in `target`, `target` itself included."""
        return sorted({self.target, *self.rates})

    def factor(self, currency: str) -> Decimal:
        """Minor units of `target` for one minor unit of `currency`, exactly (before any rounding)."""
        if currency == self.target:
            return Decimal(1)
        shift = money.minor_unit_exponent(self.target) - money.minor_unit_exponent(currency)
        return self.rates[currency].rate.scaleb(shift)

    def minor_range(self, currency: str, low: int | None, high: int | None) -> tuple[int, int] | None:
        """The prices in `currency` (minor units) that convert to between `low` and `high` minor units of
        `target`, both included, with conversion.convert's rounding (half to even). None when none do."""
        if currency == self.target:
            first, last = low or 0, BIGINT_MAX if high is None else high
        else:
            factor = Fraction(self.factor(currency))
            first = 0 if low is None else _smallest_converting_to_at_least(low, factor)
            last = BIGINT_MAX if high is None else _largest_converting_to_at_most(high, factor)
        first, last = max(first, 0), min(last, BIGINT_MAX)
        return (first, last) if first <= last else None

    def display(self, price_minor: int, currency: str) -> DisplayPriceRead | None:
        applied = self.rates.get(currency)
        if applied is None:
            return None
        converted = conversion.convert(price_minor, currency, self.target, applied.rate)
        return DisplayPriceRead(
            currency=self.target,
            price=money.to_text(converted, self.target),
            rate=conversion.rate_text(applied.rate),
            rate_source=applied.source,
            rate_as_of=applied.as_of,
            rate_inverted=applied.inverted,
        )


# round_half_even(p × f) >= m  ⇔  p × f > m - ½, or p × f = m - ½ when m is even (the tie rounds up to m).
def _smallest_converting_to_at_least(m: int, factor: Fraction) -> int:
    threshold = (m - Fraction(1, 2)) / factor
    return ceil(threshold) if m % 2 == 0 else floor(threshold) + 1


# round_half_even(p × f) <= m  ⇔  p × f < m + ½, or p × f = m + ½ when m is even (the tie rounds down to m).
def _largest_converting_to_at_most(m: int, factor: Fraction) -> int:
    threshold = (m + Fraction(1, 2)) / factor
    return floor(threshold) if m % 2 == 0 else ceil(threshold) - 1


async def rates_into(connection: AsyncConnection, target: str, *, recorded_until: datetime) -> RateTable:
    """The rate for every currency into `target`, choosing as service.applied_rate does, among the rates
    recorded until `recorded_until` and in force on its day: the pages of one search use the same rates
    (see cursor.py)."""
    statement = (
        select(ExchangeRate.base, ExchangeRate.quote, ExchangeRate.rate_text, ExchangeRate.source, ExchangeRate.as_of)
        .where(or_(ExchangeRate.quote == target, ExchangeRate.base == target))
        .where(ExchangeRate.created_at <= recorded_until, in_force_on(recorded_until.date()))
        .order_by(*NEWEST_RATE_FIRST)
    )
    direct: dict[str, AppliedRate] = {}
    opposite: dict[str, AppliedRate] = {}
    for base, quote, rate_text, source, as_of in await connection.execute(statement):
        if quote == target and base not in direct:
            direct[base] = AppliedRate(base, target, Decimal(rate_text), source, as_of, inverted=False)
        elif base == target and quote not in opposite:
            inverse = conversion.invert(Decimal(rate_text))
            opposite[quote] = AppliedRate(quote, target, inverse, source, as_of, inverted=True)
    return RateTable(target, {**opposite, **direct})
