"""Figures as the API shows them (decimal strings, percentages), and as CSV: one row per figure, so a
spreadsheet filters by indicator, crop, unit or currency without knowing the JSON's nesting."""

import csv
import io
from collections.abc import Iterator

from app.core import money
from app.core.quantity import Unit, to_text
from app.indicators.figures import Figures, percent
from app.indicators.schemas import (
    AdvancePaymentIndicators,
    CbeIndicatorsRead,
    CountryIndicatorsRead,
    CropIndicators,
    Indicators,
    MoneyFlowIndicators,
    NetworkIndicatorsRead,
    PremiumIndicators,
    SurplusIndicators,
)

CSV_COLUMNS = ("cbe_kind", "indicator", "crop", "unit", "currency", "disposal", "value")
# A crop is named by its producers: one starting with these would be a formula to a spreadsheet (OWASP
# "CSV injection"), so it is written as text. Values are the service's own numbers and stay as they are.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def quantity(base: int, unit: str) -> str:
    return to_text(base, Unit(unit))


def indicators(figures: Figures) -> Indicators:
    return Indicators(
        **{name: getattr(figures, name) for name in Figures.COUNTS},
        crops=[
            CropIndicators(
                crop=crop,
                unit=unit,
                planned=quantity(values.planned_base, unit),
                agreed=quantity(values.agreed_base, unit),
                delivered=quantity(values.delivered_base, unit),
            )
            for (crop, unit), values in sorted(figures.crops.items())
        ],
        advance_payments=[
            AdvancePaymentIndicators(
                currency=currency,
                total=money.to_text(advance.total_minor, currency),
                paid_by_due_date=money.to_text(advance.paid_by_due_minor, currency),
                share_paid_by_due_date_percent=percent(advance.paid_by_due_minor, advance.total_minor),
                agreements_paid_on_time=advance.on_time,
                agreements_paid_late=advance.late,
                agreements_not_fully_paid=advance.not_fully_paid,
                average_days_early=(
                    round(advance.days_early_sum / paid, 1) if (paid := advance.on_time + advance.late) else None
                ),
            )
            for currency, advance in sorted(figures.advance_payments.items())
        ],
        money_flow=[
            MoneyFlowIndicators(
                currency=currency,
                consumers_paid=money.to_text(flow.consumers_paid_minor, currency),
                producers_received=money.to_text(flow.producers_received_minor, currency),
                producers_share_percent=percent(flow.producers_received_minor, flow.consumers_paid_minor),
            )
            for currency, flow in sorted(figures.money.items())
        ],
        fair_trade_premium=[
            PremiumIndicators(
                currency=currency,
                paid=money.to_text(premium.paid_minor, currency),
                received=money.to_text(premium.received_minor, currency),
            )
            for currency, premium in sorted(figures.premium.items())
        ],
        surplus=[
            SurplusIndicators(crop=crop, unit=unit, disposal=use, quantity=quantity(base, unit))
            for (crop, unit, use), base in sorted(figures.surplus.items())
        ],
    )


def _rows(kind: str, shown: Indicators) -> Iterator[tuple[str, ...]]:
    """(cbe_kind, indicator, crop, unit, currency, disposal, value) for every figure."""
    for name in Figures.COUNTS:
        yield kind, name, "", "", "", "", str(getattr(shown, name))
    for crop in shown.crops:
        for name in ("planned", "agreed", "delivered"):
            yield kind, f"{name}_quantity", _cell(crop.crop), crop.unit, "", "", getattr(crop, name)
    for advance in shown.advance_payments:
        for name in ("total", "paid_by_due_date", "share_paid_by_due_date_percent", "agreements_paid_on_time",
                     "agreements_paid_late", "agreements_not_fully_paid", "average_days_early"):  # fmt: skip
            yield kind, f"advance_payment_{name}", "", "", advance.currency, "", _text(getattr(advance, name))
    for flow in shown.money_flow:
        for name in ("consumers_paid", "producers_received", "producers_share_percent"):
            yield kind, name, "", "", flow.currency, "", _text(getattr(flow, name))
    for premium in shown.fair_trade_premium:
        yield kind, "fair_trade_premium_paid", "", "", premium.currency, "", premium.paid
        yield kind, "fair_trade_premium_received", "", "", premium.currency, "", premium.received
    for surplus in shown.surplus:
        yield kind, "surplus", _cell(surplus.crop), surplus.unit, "", surplus.disposal, surplus.quantity


def _cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _csv(rows: Iterator[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def cbe_csv(read: CbeIndicatorsRead) -> str:
    return _csv(_rows(read.cbe_kind.value, read.indicators))


def roll_up_csv(read: CountryIndicatorsRead | NetworkIndicatorsRead) -> str:
    return _csv(row for part in read.by_kind for row in _rows(part.cbe_kind.value, part.indicators))
