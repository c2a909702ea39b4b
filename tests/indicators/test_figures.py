"""Figures without a database: what a summary row keeps reads back the same, and sums never cross a currency,
a unit or a kind of figure."""

from app.indicators import formats
from app.indicators.figures import Figures, percent


def figures(currency: str, paid: int, received: int, rice_base: int) -> Figures:
    built = Figures(households_served=2, agreements=1)
    built.flow(currency).consumers_paid_minor = paid
    built.flow(currency).producers_received_minor = received
    built.crop("Rice", "kg").delivered_base = rice_base
    built.advance(currency).total_minor = paid
    built.advance(currency).on_time = 1
    built.advance(currency).days_early_sum = 4
    built.surplus[("Rice", "kg", "given")] = 500
    return built


def test_a_summary_rows_detail_reads_back_as_the_same_figures() -> None:
    original = figures("THB", 10_000, 9_000, 1_500)

    read_back = Figures.of({name: getattr(original, name) for name in Figures.COUNTS}, original.detail())

    assert read_back == original


def test_sums_keep_currencies_and_units_apart() -> None:
    total = Figures()

    for part in (
        figures("THB", 10_000, 9_000, 1_500),
        figures("VND", 300_000, 300_000, 2_000),
        figures("THB", 5_000, 5_000, 500),
    ):
        total.add(part)

    shown = formats.indicators(total)
    assert (shown.households_served, shown.agreements) == (6, 3)
    assert [(flow.currency, flow.consumers_paid, flow.producers_share_percent) for flow in shown.money_flow] == [
        ("THB", "150.00", 93.3),
        ("VND", "300000", 100.0),
    ]
    assert [(crop.crop, crop.unit, crop.delivered) for crop in shown.crops] == [("Rice", "kg", "4.000")]
    assert [advance.average_days_early for advance in shown.advance_payments] == [4.0, 4.0]
    assert [(s.disposal, s.quantity) for s in shown.surplus] == [("given", "1.500")]


def test_a_share_of_nothing_is_none_not_a_division_by_zero() -> None:
    assert (percent(5, 0), percent(1, 3), percent(0, 7)) == (None, 33.3, 0.0)


def test_a_crop_named_like_a_formula_is_written_as_text_in_csv() -> None:
    built = Figures()
    built.crop('=HYPERLINK("x")', "kg").agreed_base = 1_000

    shown = formats.indicators(built)
    text = formats._csv(formats._rows("producer_group", shown))

    assert "'=HYPERLINK" in text
