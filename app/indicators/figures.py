"""A CBE's indicators for a season as plain integers (minor units of money, base steps of quantities),
the one shape that is computed from the facts, stored in a summary row, merged across a country's CBEs
and formatted for the API, CSV and charts.

A season is named by the year it starts in and the production plan's season name: "2026 Rainy season".
A trading organisation has no plans, so its season is the calendar year: "2026 calendar year"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

CALENDAR_YEAR = "calendar year"


def season_key(season_name: str, starts_on: date) -> str:
    return f"{starts_on.year} {season_name}"


@dataclass(frozen=True)
class Season:
    key: str
    name: str
    starts_on: date
    ends_on: date

    @property
    def year(self) -> int:
        return self.starts_on.year


def calendar_year(year: int) -> Season:
    return Season(f"{year} {CALENDAR_YEAR}", CALENDAR_YEAR, date(year, 1, 1), date(year, 12, 31))


@dataclass
class Crop:
    """Per crop and unit: what the plans said the farms could grow, what agreements took, what was delivered."""

    planned_base: int = 0
    agreed_base: int = 0
    delivered_base: int = 0


@dataclass
class AdvancePayment:
    """Per currency, over the season's agreed agreements: their totals, how much of it the producers had
    received by each agreement's due date, and how many agreements were fully paid on time, late or never."""

    total_minor: int = 0
    paid_by_due_minor: int = 0
    on_time: int = 0
    late: int = 0
    not_fully_paid: int = 0
    # Summed over the fully paid agreements, to average them once merged: positive early, negative late.
    days_early_sum: int = 0


@dataclass
class MoneyFlow:
    """Per currency: what households paid into the season's agreements (net of refunds) and what the
    producers received of it (net of what they gave back)."""

    consumers_paid_minor: int = 0
    producers_received_minor: int = 0


@dataclass
class Premium:
    """Per currency: the fair-trade premium of trade orders, paid as buyer and received as seller."""

    paid_minor: int = 0
    received_minor: int = 0


@dataclass
class Figures:
    households_served: int = 0
    shares_offered: int = 0
    shares_subscribed: int = 0
    agreements: int = 0
    renewals: int = 0
    lapses: int = 0
    cancellations: int = 0
    learning_events: int = 0
    learning_attendances: int = 0
    crops: dict[tuple[str, str], Crop] = field(default_factory=dict)
    advance_payments: dict[str, AdvancePayment] = field(default_factory=dict)
    money: dict[str, MoneyFlow] = field(default_factory=dict)
    premium: dict[str, Premium] = field(default_factory=dict)
    # Per crop, unit and disposal (undecided, stored, sold, given): the quantity in base steps.
    surplus: dict[tuple[str, str, str], int] = field(default_factory=dict)

    COUNTS = (
        "households_served",
        "shares_offered",
        "shares_subscribed",
        "agreements",
        "renewals",
        "lapses",
        "cancellations",
        "learning_events",
        "learning_attendances",
    )

    def crop(self, crop: str, unit: str) -> Crop:
        return self.crops.setdefault((crop, unit), Crop())

    def advance(self, currency: str) -> AdvancePayment:
        return self.advance_payments.setdefault(currency, AdvancePayment())

    def flow(self, currency: str) -> MoneyFlow:
        return self.money.setdefault(currency, MoneyFlow())

    def premium_in(self, currency: str) -> Premium:
        return self.premium.setdefault(currency, Premium())

    def add(self, other: Figures) -> None:
        """Add another CBE's figures: counts and quantities per crop and unit, money per currency, never
        across currencies or units."""
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for (crop, unit), theirs in other.crops.items():
            _add_fields(self.crop(crop, unit), theirs)
        for currency, advance in other.advance_payments.items():
            _add_fields(self.advance(currency), advance)
        for currency, flow in other.money.items():
            _add_fields(self.flow(currency), flow)
        for currency, premium in other.premium.items():
            _add_fields(self.premium_in(currency), premium)
        for key, quantity in other.surplus.items():
            self.surplus[key] = self.surplus.get(key, 0) + quantity

    def detail(self) -> dict[str, Any]:
        """What the summary row keeps besides its count columns, as JSON."""
        return {
            "crops": [[crop, unit, vars(figures)] for (crop, unit), figures in sorted(self.crops.items())],
            "advance_payments": {currency: vars(advance) for currency, advance in self.advance_payments.items()},
            "money": {currency: vars(flow) for currency, flow in self.money.items()},
            "premium": {currency: vars(premium) for currency, premium in self.premium.items()},
            "surplus": [[crop, unit, use, quantity] for (crop, unit, use), quantity in sorted(self.surplus.items())],
        }

    @classmethod
    def of(cls, counts: dict[str, int], detail: dict[str, Any]) -> Figures:
        """The figures a summary row holds."""
        return cls(
            **{name: counts[name] for name in cls.COUNTS},
            crops={(crop, unit): Crop(**values) for crop, unit, values in detail["crops"]},
            advance_payments={
                currency: AdvancePayment(**values) for currency, values in detail["advance_payments"].items()
            },
            money={currency: MoneyFlow(**values) for currency, values in detail["money"].items()},
            premium={currency: Premium(**values) for currency, values in detail["premium"].items()},
            surplus={(crop, unit, use): quantity for crop, unit, use, quantity in detail["surplus"]},
        )


def _add_fields(mine: Any, theirs: Any) -> None:
    for name, value in vars(theirs).items():
        setattr(mine, name, getattr(mine, name) + value)


def percent(part: int, whole: int) -> float | None:
    """A share in percent with one decimal, or None when there is no whole to take it of."""
    if whole <= 0:
        return None
    return round(100 * part / whole, 1)
