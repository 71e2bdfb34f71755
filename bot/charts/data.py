"""What a chart shows, as plain values: computed from a category's stored figures, before any drawing.

Pure functions of the figures and the period, so the tests check the numbers that go into the figure
(bar by bar) rather than pixels. bot/charts/draw.py draws a ChartData; nothing here imports matplotlib.

Rules, as for every answer: missing is not zero. A day without a report, or whose report lacks the
category's increase, is a gap (`value` None), never a zero bar; the cumulative total has a gap there too.
Bars are the reported increases ("(+N)"); a recount day (the totals moved by another amount than the one
reported) is marked. Monthly bars are differences of the totals at month ends, so they agree with /range.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.periods import Period
from storage.queries import SeriesDay

#: Periods longer than this many days get one bar per month instead of one per day.
MONTHLY_AFTER_DAYS = 366
#: The trailing average's window, and how many of its days must have a figure for it to be drawn.
AVERAGE_DAYS = 7
AVERAGE_MIN_DAYS = 5
#: How many categories one chart compares.
MAX_CATEGORIES = 4


@dataclass(frozen=True)
class Bar:
    """One bar: a day, or a calendar month (START is its first day shown)."""

    start: date
    #: Losses that day (the reported increase) or month (the change of totals); None: no figure, a gap.
    value: int | None
    #: The totals moved by another amount than the one reported (that day, or some day of the month).
    recount: bool = False


@dataclass(frozen=True)
class TotalPoint:
    day: date
    #: The cumulative total reported that day; None: no report with the category, a gap in the line.
    total: int | None


@dataclass(frozen=True)
class Panel:
    """One category's part of a chart."""

    category: str
    bars: tuple[Bar, ...]
    #: The trailing 7-day average at each bar (daily charts only; None where too few days have figures).
    average: tuple[float | None, ...]
    totals: tuple[TotalPoint, ...]
    #: The period's highest bar (the first of equals), None when no bar has a figure.
    highest: Bar | None
    #: Losses over the whole period: the latest total in it minus the total before it.
    amount: int
    #: The latest total in the period.
    latest_total: int | None

    @property
    def has_figures(self) -> bool:
        return any(b.value is not None for b in self.bars)


@dataclass(frozen=True)
class ChartData:
    period: Period
    monthly: bool
    panels: tuple[Panel, ...]
    #: The newest report the chart draws on, and the sources of its reports, most used first.
    report_date: date
    sources: tuple[str, ...]

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(p.category for p in self.panels)

    def digest(self) -> str:
        """Identifies what is drawn: the same digest draws the same picture (the cache's key)."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:32]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _daily(rows: dict[date, SeriesDay], period: Period) -> tuple[tuple[Bar, ...], tuple[float | None, ...]]:
    bars, averages = [], []
    for day in _days(period.first_day, period.end):
        row = rows.get(day)
        value = row.increase if row is not None else None
        recount = row is not None and row.increase is not None and row.change not in (None, row.increase)
        bars.append(Bar(day, value, recount))
        window = [rows.get(day - timedelta(days=n)) for n in range(AVERAGE_DAYS)]
        known = [r.increase for r in window if r is not None and r.increase is not None]
        averages.append(sum(known) / len(known) if len(known) >= AVERAGE_MIN_DAYS else None)
    return tuple(bars), tuple(averages)


def _monthly(rows: dict[date, SeriesDay], period: Period, base: int | None) -> tuple[Bar, ...]:
    """One bar per calendar month: the month's last total minus the one before it. Before the category's
    first report (BASE None) the first month counts its reported increases."""
    months: dict[tuple[int, int], list[SeriesDay]] = {}
    for day in _days(period.first_day, period.end):
        months.setdefault((day.year, day.month), [])
        if day in rows:
            months[(day.year, day.month)].append(rows[day])
    bars, before = [], base
    for (year, month), in_month in months.items():
        start = max(date(year, month, 1), period.first_day)
        if not in_month:
            bars.append(Bar(start, None))
            continue
        last = in_month[-1].total
        value = sum(r.increase or 0 for r in in_month) if before is None else last - before
        recount = any(r.increase is not None and r.change not in (None, r.increase) for r in in_month)
        bars.append(Bar(start, value, recount))
        before = last
    return tuple(bars)


def _highest(bars: Sequence[Bar]) -> Bar | None:
    best: Bar | None = None
    for bar in bars:
        if bar.value is not None and (best is None or best.value is None or bar.value > best.value):
            best = bar
    return best


def panel(category: str, series: Sequence[SeriesDay], period: Period, base: int | None) -> Panel:
    """CATEGORY's panel over PERIOD from its figures SERIES (which may start up to AVERAGE_DAYS − 1 days
    before the period, for the average) and BASE, its latest total before the period (None: none)."""
    rows = {r.report_date: r for r in series}
    in_period = [r for r in series if r.report_date in period]
    monthly = (period.end - period.first_day).days + 1 > MONTHLY_AFTER_DAYS
    average: tuple[float | None, ...] = ()
    if monthly:
        bars = _monthly(rows, period, base)
    else:
        bars, average = _daily(rows, period)
    totals = tuple(
        TotalPoint(day, rows[day].total if day in rows else None)
        for day in _days(period.first_day, period.end)
    )
    latest = in_period[-1].total if in_period else None
    if latest is None:
        amount = 0
    elif base is not None:
        amount = latest - base
    else:  # the category starts inside the period: its first report's increase is its first loss
        amount = latest - in_period[0].total + (in_period[0].increase or 0)
    return Panel(category, bars, average, totals, _highest(bars), amount, latest)


def chart(panels: Sequence[Panel], period: Period, report_date: date, sources: Sequence[str]) -> ChartData:
    monthly = (period.end - period.first_day).days + 1 > MONTHLY_AFTER_DAYS
    return ChartData(period, monthly, tuple(panels), report_date, tuple(sources))
