"""SVG charts a network can put straight into its report, drawn with matplotlib's object API: each chart its
own Figure and canvas, never pyplot, whose global state is not safe across threads. Text stays text
(svg.fonttype none), so a browser renders it readably and a screen reader or a search finds it."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from app.indicators.schemas import CbeIndicatorsRead, Indicators, MonitoringRead

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SVG_MEDIA_TYPE = "image/svg+xml"
COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52")
OPENING_TAG = re.compile(r"<svg\b[^>]*>")


@cache
def _matplotlib() -> None:
    """matplotlib, imported on the first chart rather than with the app: it is most of a process's start-up
    time, and most processes (workers, jobs, most API requests) draw nothing. Its settings are made here
    once and never changed: drawing reads them, no request writes them."""
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["svg.hashsalt"] = "teikei-indicators"  # the same chart is the same bytes


def _svg(figure: Figure, title: str) -> str:
    """The figure as SVG, with `title` as the document's <title> (what a browser tab and a screen reader show)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(figure)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Title": title, "Date": None})
    drawn = buffer.getvalue()
    opening = OPENING_TAG.search(drawn)
    assert opening is not None
    return drawn[: opening.end()] + f"\n <title>{escape(title)}</title>" + drawn[opening.end() :]


def _figure(width: float = 8, height: float = 4.5) -> Figure:
    _matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _no_data(axes: Axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes)


def quantities(read: CbeIndicatorsRead) -> str:
    """Planned, agreed and delivered quantity per crop, as grouped bars; each crop in its own unit."""
    title = f"{read.name}: planned, agreed and delivered per crop, {read.season.key}"
    figure = _figure()
    axes = figure.add_subplot()
    crops = read.indicators.crops
    labels = [f"{crop.crop} ({crop.unit})" for crop in crops]
    width = 0.27
    for offset, (name, colour) in enumerate(zip(("planned", "agreed", "delivered"), COLOURS, strict=False)):
        values = [float(getattr(crop, name)) for crop in crops]
        positions = [index + (offset - 1) * width for index in range(len(crops))]
        axes.bar(positions, values, width, label=name.capitalize(), color=colour)
    axes.set_xticks(range(len(crops)), labels)
    axes.set_xlabel("Crop (unit)")
    axes.set_ylabel("Quantity, in each crop's unit")
    axes.set_title(title, fontsize=11)
    if crops:
        axes.legend()
    else:
        _no_data(axes, "No crop planned, agreed or delivered this season")
    return _svg(figure, title)


def advance_payment_timeliness(name: str, seasons: Sequence[tuple[str, Indicators]]) -> str:
    """Per season, the share of the agreements' total the producers had received by the due date; one line
    per currency (shares of different currencies are compared, never their amounts added)."""
    title = f"{name}: advance payment received by the due date, per season"
    figure = _figure()
    axes = figure.add_subplot()
    keys = [key for key, _ in seasons]
    currencies = sorted({advance.currency for _, shown in seasons for advance in shown.advance_payments})
    for currency, colour in zip(currencies, COLOURS * 8, strict=False):
        points = [
            (index, advance.share_paid_by_due_date_percent)
            for index, (_, shown) in enumerate(seasons)
            for advance in shown.advance_payments
            if advance.currency == currency and advance.share_paid_by_due_date_percent is not None
        ]
        axes.plot([x for x, _ in points], [y for _, y in points], marker="o", label=currency, color=colour)
    axes.set_xticks(range(len(keys)), keys, rotation=20, ha="right")
    axes.set_ylim(0, 105)
    axes.set_xlabel("Season")
    axes.set_ylabel("Share of the total paid by the due date (%)")
    axes.set_title(title, fontsize=11)
    if currencies:
        axes.legend(title="Currency")
    else:
        _no_data(axes, "No agreement with a due date yet")
    return _svg(figure, title)


def producers_share(read: CbeIndicatorsRead) -> str:
    """Per currency, the share of what consumers paid that reached the producers, with both amounts."""
    title = f"{read.name}: share of the consumers' money that reached the producers, {read.season.key}"
    figure = _figure()
    axes = figure.add_subplot()
    flows = [flow for flow in read.indicators.money_flow if flow.producers_share_percent is not None]
    shares = [flow.producers_share_percent or 0.0 for flow in flows]
    bars = axes.bar(range(len(flows)), shares, 0.5, color=COLOURS[2])
    axes.bar_label(
        bars,
        [f"{flow.producers_received} of {flow.consumers_paid} {flow.currency}" for flow in flows],
        padding=3,
    )
    axes.axhline(100, color="#888888", linewidth=0.8, linestyle="--")
    axes.set_xticks(range(len(flows)), [flow.currency for flow in flows])
    axes.set_ylim(0, max([110.0, *(share + 15 for share in shares)]))
    axes.set_xlabel("Currency")
    axes.set_ylabel("Reached the producers (%)")
    axes.set_title(title, fontsize=11)
    if not flows:
        _no_data(axes, "Households paid nothing this season")
    return _svg(figure, title)


def monitored_cbes(read: MonitoringRead) -> str:
    """Each ASEAN member's monitored CBEs, as bars against the target line."""
    title = f"Monitored community-based enterprises per ASEAN member (target {read.target} each)"
    figure = _figure(9, 4.5)
    axes = figure.add_subplot()
    countries = read.countries
    colours = [COLOURS[2] if country.target_met else COLOURS[0] for country in countries]
    bars = axes.bar(range(len(countries)), [country.monitored_cbes for country in countries], 0.6, color=colours)
    axes.bar_label(bars, [str(country.monitored_cbes) for country in countries], padding=2)
    axes.axhline(read.target, color=COLOURS[3], linestyle="--", label=f"Target: {read.target}")
    axes.set_xticks(range(len(countries)), [country.name for country in countries], rotation=30, ha="right")
    axes.set_ylim(0, max([read.target + 1, *(country.monitored_cbes + 1 for country in countries)]))
    axes.set_xlabel("ASEAN member")
    axes.set_ylabel("Monitored CBEs")
    axes.set_title(title, fontsize=11)
    axes.legend()
    return _svg(figure, title)
