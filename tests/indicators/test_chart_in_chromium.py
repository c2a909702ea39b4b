"""A chart as a browser shows it: headless Chromium opens the SVG file a network would put in its report, and
draws it at its size with its text as text. No database: the chart is drawn from figures built here."""

from pathlib import Path

import pytest

from app.indicators import charts
from app.indicators.schemas import CountryMonitoring, MonitoringRead
from tests.browser.test_in_chromium import chromium, running_chromium

pytestmark = pytest.mark.xdist_group("browser")


def test_chromium_draws_the_monitored_count_chart_with_its_text(tmp_path: Path) -> None:
    counts = {"TH": 3, "VN": 2, "TL": 1}
    drawn = charts.monitored_cbes(
        MonitoringRead(
            countries=[
                CountryMonitoring(
                    country=code,
                    name=name,
                    monitored_cbes=counts.get(code, 0),
                    target=3,
                    target_met=counts.get(code, 0) >= 3,
                )
                for code, name in [("TH", "Thailand"), ("VN", "Viet Nam"), ("TL", "Timor-Leste"), ("LA", "Laos")]
            ],
            target=3,
            countries_meeting_target=1,
        )
    )
    chart = tmp_path / "monitored.svg"
    chart.write_text(drawn)

    with running_chromium(chromium(), tmp_path / "profile") as browser:
        page = browser.open(chart.as_uri())
        browser.read_when(page, "document.querySelector('svg text')")
        size = browser.evaluate(
            page, "[document.documentElement.width.baseVal.value, document.documentElement.height.baseVal.value]"
        )
        texts = browser.evaluate(page, "Array.from(document.querySelectorAll('text'), t => t.textContent).join('|')")
        drawn_width = browser.evaluate(page, "document.querySelector('text').getBBox().width")
        title = browser.evaluate(page, "document.title")

    # 9 x 4.5 inches, written as 648 x 324 pt: 96 CSS pixels an inch.
    assert size == [864, 432]
    assert "Timor-Leste" in texts and "Monitored CBEs" in texts and "ASEAN member" in texts
    assert drawn_width > 0
    assert title == "Monitored community-based enterprises per ASEAN member (target 3 each)"
