"""The numbers that go into a chart: bars, gaps, recounts, the average, monthly sums, the highest bar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from bot.answers import chart as answer
from bot.charts import data
from bot.charts.request import ChartRequest
from bot.domain.periods import Period
from storage.db import reading
from storage.queries import SeriesDay

D = date(2024, 10, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def series(increases: dict[int, int | None], *, start_total: int = 1000) -> list[SeriesDay]:
    """Reports on the days given (offsets from D), totals following the increases."""
    rows, total = [], start_total
    for n in sorted(increases):
        inc = increases[n]
        total += inc or 0
        rows.append(SeriesDay(day(n), total, inc, inc))
    return rows


def test_daily_bars_are_the_reported_increases_and_missing_days_are_gaps() -> None:
    period = Period(day(0), day(4), "range")
    panel = data.panel("tanks", series({0: 5, 1: 0, 3: None, 4: 7}), period, base=995)
    assert [b.value for b in panel.bars] == [5, 0, None, None, 7]  # 0 is a bar; no report is a gap
    assert [p.total for p in panel.totals] == [1005, 1005, None, 1005, 1012]
    assert panel.amount == 1012 - 995
    assert panel.latest_total == 1012
    assert panel.highest == data.Bar(day(4), 7)


def test_a_recount_day_is_marked_and_the_sum_follows_the_totals() -> None:
    rows = [
        SeriesDay(day(0), 100, 2, 2),
        SeriesDay(day(1), 98, 3, -2),  # reported +3 while the total went down by 2
        SeriesDay(day(2), 101, 3, 3),
    ]
    panel = data.panel("tanks", rows, Period(day(0), day(2), "range"), base=98)
    assert [(b.value, b.recount) for b in panel.bars] == [(2, False), (3, True), (3, False)]
    assert panel.amount == 3


def test_the_average_needs_five_of_seven_days_and_reads_the_days_before_the_period() -> None:
    rows = series({n: 10 + n for n in range(-6, 10) if n not in (3, 4, 5)})
    panel = data.panel("tanks", rows, Period(day(0), day(9), "range"), base=None)
    assert panel.average[0] == pytest.approx(sum(10 + n for n in range(-6, 1)) / 7)
    # Day 5: days -1..5 minus 3, 4, 5 → four figures, too few.
    assert panel.average[5] is None
    # Day 4: days -2..4 minus 3 and 4 → five figures.
    assert panel.average[4] == pytest.approx((8 + 9 + 10 + 11 + 12) / 5)


def test_the_average_of_a_day_counts_only_days_with_figures() -> None:
    rows = series(dict.fromkeys(range(-6, 3), 7) | {3: None})
    panel = data.panel("tanks", rows, Period(day(0), day(3), "range"), base=None)
    assert panel.average == (7.0, 7.0, 7.0, 7.0)  # day 3 has no figure: the six before it


def test_monthly_bars_are_differences_of_month_end_totals() -> None:
    first, last = date(2023, 1, 1), date(2024, 3, 10)
    rows = []
    total = 500
    d = first
    while d <= last:
        if d.month != 6 or d.year != 2023:  # no report at all in June 2023
            total += 2
            rows.append(SeriesDay(d, total, 2, 2))
        d += timedelta(days=1)
    period = Period(first, last, "range")
    panel = data.panel("tanks", rows, period, base=500)
    assert data.chart([panel], period, last, ["petroivaniuk"]).monthly
    values = {(b.start.year, b.start.month): b.value for b in panel.bars}
    assert values[(2023, 1)] == 62
    assert values[(2023, 6)] is None  # a gap, not a zero
    assert values[(2023, 7)] == 62  # the totals' difference across the gap month
    assert values[(2024, 3)] == 20
    assert panel.average == ()
    assert sum(v for v in values.values() if v is not None) == panel.amount == total - 500


def test_a_category_that_starts_inside_the_period_counts_from_its_first_report() -> None:
    panel = data.panel("tanks", series({2: 4, 3: 6}, start_total=10), Period(day(0), day(3), "range"), None)
    assert panel.amount == 4 + 6  # totals 14 and 20: the first report's increase counts too


def test_digest_changes_with_any_figure() -> None:
    period = Period(day(0), day(1), "range")
    one = data.chart([data.panel("tanks", series({0: 1, 1: 2}), period, 0)], period, day(1), ["x"])
    same = data.chart([data.panel("tanks", series({0: 1, 1: 2}), period, 0)], period, day(1), ["x"])
    other = data.chart([data.panel("tanks", series({0: 1, 1: 3}), period, 0)], period, day(1), ["x"])
    assert one.digest() == same.digest() != other.digest()


# --------------------------------------------------------------------------------- the real history


def test_known_week_of_the_real_history(full_history: Engine) -> None:
    request = ChartRequest(("personnel",), "20241021-20241025")
    with reading(full_history) as session:
        chart = answer.chart_data(session, request, today=date(2026, 8, 23))
    [panel] = chart.panels
    assert [b.value for b in panel.bars] == [1710, 1350, 1460, 1240, 1630]
    assert panel.amount == 7390  # as /range 2024-10-21..2024-10-25 says
    assert panel.totals[-1].total == 685_910
    assert panel.highest is not None and panel.highest.start == date(2024, 10, 21)
    assert chart.report_date == date(2024, 10, 25) and not chart.monthly


def test_all_time_is_monthly_and_ends_at_the_newest_report(full_history: Engine) -> None:
    with reading(full_history) as session:
        chart = answer.chart_data(session, ChartRequest(("tanks",), "all"), today=date(2026, 8, 23))
    assert chart.monthly
    assert chart.period.end == chart.report_date == date(2026, 8, 22)
    [panel] = chart.panels
    assert panel.bars[0].start == date(2022, 2, 24)
    assert sum(b.value or 0 for b in panel.bars) == panel.amount == panel.latest_total
