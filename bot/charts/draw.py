"""ChartData → PNG, with matplotlib's Agg renderer.

matplotlib is imported on the first chart, not at start-up (it takes a second or two to import), and only
its object-oriented API is used (no pyplot, no global figure state). Drawing is CPU work: callers run
`png` in a worker thread (handlers/charts.py), and one lock draws one chart at a time, because matplotlib
is not thread-safe and two cores gain nothing from two charts at once.

Text is DejaVu Sans, which matplotlib ships and which covers Cyrillic and Latin; dates are written by
Babel in the chat's language. The size suits a phone: 1280 px wide (what Telegram keeps of a photo),
large type, few ticks.
"""

from __future__ import annotations

import gc
import io
import math
import textwrap
import threading
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal

from bot.charts.data import Bar, ChartData, Panel
from bot.domain.categories import BY_KEY
from bot.i18n import fmt
from bot.i18n.catalog import _
from bot.i18n.texts import source_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Inches and dots per inch: 1280 × 960 pixels for one category.
WIDTH, HEIGHT, DPI = 8.0, 6.0, 160
#: Height added per compared category beyond the second.
EXTRA_PANEL_HEIGHT = 1.5
FONT = "DejaVu Sans"

BAR = "#3b6fb6"
RECOUNT = "#e08a1e"
AVERAGE = "#b8322a"
TOTAL = "#2d2d2d"
GAP = "#d9d9d9"
MUTED = "#666666"

_lock = threading.Lock()
#: Charts drawn by this process; see `png` on collecting.
_drawn = 0
FULL_COLLECT_EVERY = 8
EPOCH = date(1970, 1, 1)


def size(chart: ChartData) -> tuple[int, int]:
    """The PNG's size in pixels."""
    width, height = _inches(chart)
    return round(width * DPI), round(height * DPI)


def _inches(chart: ChartData) -> tuple[float, float]:
    return WIDTH, HEIGHT + EXTRA_PANEL_HEIGHT * max(0, len(chart.panels) - 2)


def png(chart: ChartData, lang: str) -> bytes:
    """The chart as PNG bytes."""
    from matplotlib.figure import Figure  # here, not at import: see the module docstring

    with _lock:
        figure = Figure(figsize=_inches(chart), dpi=DPI)
        _draw(figure, chart, lang)
        out = io.BytesIO()
        # zlib level 3, not 6: a tenth larger, about 30 ms less per chart.
        figure.savefig(out, format="png", dpi=DPI, pil_kwargs={"compress_level": 3})
        # A figure's artists refer to each other: freed only by the cycle collector, which may wait a
        # few charts (tens of MB each, with the 5 MB pixel buffer). Clear it and collect the young
        # generations now (cheap), everything every FULL_COLLECT_EVERY charts (50–100 ms in a big heap).
        figure.clear()
        del figure
        global _drawn
        _drawn += 1
        gc.collect(2 if _drawn % FULL_COLLECT_EVERY == 0 else 1)
        return out.getvalue()


# -------------------------------------------------------------------------------------------- layout


def _draw(figure: Figure, chart: ChartData, lang: str) -> None:
    import matplotlib as mpl

    mpl.rcParams["font.family"] = FONT
    inches = _inches(chart)[1]
    single = len(chart.panels) == 1
    rows = 2 if single else len(chart.panels)
    grid = figure.add_gridspec(
        rows, 1, height_ratios=[3.0, 1.3] if single else [1.0] * rows, hspace=0.3 if single else 0.42
    )
    # Room above for the title, subtitle and legend, below for the credit (in inches, so the same in
    # every height).
    grid.update(left=0.1, right=0.975, top=1 - (1.25 if single else 1.45) / inches, bottom=0.8 / inches)
    first = figure.add_subplot(grid[0])
    axes = [first] + [figure.add_subplot(grid[i], sharex=first) for i in range(1, rows)]
    handles: list[Any] = []
    for ax, panel in zip(axes, chart.panels, strict=False):
        handles = _bars(ax, panel, chart, lang) if not handles else handles + _bars(ax, panel, chart, lang)
    if single:
        _totals(axes[1], chart.panels[0], lang)
    for ax in axes:
        _style(ax, chart, lang, last=ax is axes[-1])
    _heading(figure, chart, lang, inches)
    legend = list({h.get_label(): h for h in handles}.values())  # one entry per kind, first panel's
    figure.legend(
        handles=legend,
        loc="upper left",
        bbox_to_anchor=(0.015, 1 - 0.78 / inches),
        fontsize=10.5,
        frameon=False,
        ncols=len(legend),
        handlelength=1.6,
        columnspacing=1.4,
    )
    credit = "\n".join(textwrap.wrap(_credit(chart, lang), 118))
    figure.text(0.02, 0.12 / inches, credit, fontsize=9.5, color=MUTED, va="bottom", linespacing=1.3)


def _heading(figure: Figure, chart: ChartData, lang: str, inches: float) -> None:
    names = " · ".join(BY_KEY[k].name(lang) for k in chart.categories)
    size = 18 if len(names) <= 45 else 15 if len(names) <= 60 else 12.5
    figure.text(0.02, 1 - 0.12 / inches, names, fontsize=size, weight="bold", va="top")
    what = _bars_label(chart, lang)
    period = chart.period.label(lang)
    dates = fmt.day_range(chart.period.first_day, chart.period.end, lang)
    parts = [what, period] if period == dates else [what, period, dates]
    figure.text(0.02, 1 - 0.5 / inches, " · ".join(parts), fontsize=12.5, color=MUTED, va="top")


def _bars_label(chart: ChartData, lang: str) -> str:
    return _(lang, "losses per month") if chart.monthly else _(lang, "losses per day")


def _credit(chart: ChartData, lang: str) -> str:
    return _(
        lang,
        "Ukraine's General Staff figures · report of {day} · source: {sources}",
        day=fmt.day(chart.report_date, lang),
        sources=", ".join(source_name(s, lang) for s in chart.sources),
    )


def _number_label(value: float, lang: str, compact: bool) -> str:
    if compact:
        return str(
            format_compact_decimal(value, format_type="short", locale=fmt.locale_for(lang), fraction_digits=2)
        )
    return fmt.number(round(value), lang)


def _style(ax: Axes, chart: ChartData, lang: str, *, last: bool) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=11)
    ax.tick_params(axis="x", labelbottom=last)  # the panels share the dates: written once, at the foot
    compact = ax.get_ylim()[1] >= 1_000_000
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _number_label(v, lang, compact)))
    ticks = _ticks(chart.period.first_day, chart.period.end)
    span = (chart.period.end - chart.period.first_day).days
    skeleton = "MMMd" if span <= 120 else "yMMM"
    ax.set_xticks([_x(d) for d in ticks], [_date_label(d, skeleton, lang) for d in ticks])
    if chart.monthly:  # whole months, the first and last too
        start, end = chart.period.first_day.replace(day=1), chart.period.end.replace(day=28)
        ax.set_xlim(_x(start) - 3, _x(end) + 6)
    else:
        ax.set_xlim(_x(chart.period.first_day) - 1, _x(chart.period.end) + 1)


def _x(day: date) -> float:
    """Where DAY is on the x axis: days since the epoch, the unit matplotlib's dates use too."""
    return float((day - EPOCH).days)


def _ticks(first: date, last: date) -> list[date]:
    """A handful of round dates between FIRST and LAST: weeks, half months, months, quarters or years."""
    span = (last - first).days
    days = [first + timedelta(days=n) for n in range(span + 1)]
    if span <= 45:
        wanted = [d for d in days if d.day in (1, 8, 15, 22)]
    elif span <= 120:
        wanted = [d for d in days if d.day in (1, 15)]
    elif span <= 400:
        wanted = [d for d in days if d.day == 1 and d.month % 2 == 1]
    elif span <= 1100:
        wanted = [d for d in days if d.day == 1 and d.month in (1, 7)]
    else:
        wanted = [d for d in days if d.day == 1 and d.month == 1]
    return wanted or [first, last]


def _date_label(day: date, skeleton: str, lang: str) -> str:
    return str(format_skeleton(skeleton, day, locale=fmt.locale_for(lang)))


# ---------------------------------------------------------------------------------------------- bars


def _runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _bar_x(bar: Bar, chart: ChartData) -> float:
    """A day's bar stands on its day; a month's on the middle of the calendar month (the first and last
    months of a period may be partial: their bars stay in their month)."""
    return _x(bar.start.replace(day=1)) + 14.5 if chart.monthly else _x(bar.start)


def _bar_width(chart: ChartData) -> float:
    """Monthly bars leave a gap between months; daily ones too, until the bars are only pixels wide."""
    if chart.monthly:
        return 24.0
    return 0.8 if (chart.period.end - chart.period.first_day).days <= 120 else 1.0


def _bars(ax: Axes, panel: Panel, chart: ChartData, lang: str) -> list[Any]:
    """The panel's bars, average, gaps and highest bar; the legend's entries for what it drew."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    width = _bar_width(chart)
    shown = [b for b in panel.bars if b.value is not None]
    xs = [_bar_x(b, chart) for b in shown]
    colors = [RECOUNT if b.recount else BAR for b in shown]
    # One collection of rectangles, not a patch per bar (ax.bar): a year of days draws ten times faster.
    half = width / 2
    boxes = [
        [(x - half, 0), (x - half, b.value or 0), (x + half, b.value or 0), (x + half, 0)]
        for x, b in zip(xs, shown, strict=True)
    ]
    ax.add_collection(PolyCollection(boxes, facecolors=colors, linewidths=0), autolim=False)
    gaps = [b.start for b in panel.bars if b.value is None]
    for first, last in _runs(gaps) if not chart.monthly else [(d.replace(day=1), d) for d in gaps]:
        end = last.replace(day=28) + timedelta(days=3) if chart.monthly else last + timedelta(days=1)
        ax.axvspan(_x(first) - 0.5, _x(end) - 0.5, color=GAP, alpha=0.6, linewidth=0)
    handles: list[Any] = [Patch(color=BAR, label=_bars_label(chart, lang))]
    if panel.average:
        line = [math.nan if a is None else a for a in panel.average]
        (avg,) = ax.plot(
            [_x(b.start) for b in panel.bars],
            line,
            color=AVERAGE,
            linewidth=2.2,
            label=_(lang, "7-day average"),
        )
        handles.append(avg)
    if any(b.recount for b in panel.bars):
        handles.append(
            Patch(
                color=RECOUNT,
                label=_(lang, "month with a recount") if chart.monthly else _(lang, "recount day"),
            )
        )
    if gaps:
        handles.append(Patch(color=GAP, label=_(lang, "no figure")))
    if panel.highest is not None and panel.highest.value is not None:
        _mark_highest(ax, panel.highest, chart, lang)
    if len(chart.panels) > 1:
        ax.set_title(_panel_title(panel, lang), loc="left", fontsize=12.5, weight="bold", color=TOTAL, pad=4)
    ax.set_ylim(0, max([b.value or 0 for b in panel.bars] + [1]) * 1.25)
    return handles


def _panel_title(panel: Panel, lang: str) -> str:
    name = BY_KEY[panel.category].name(lang)
    return _(lang, "{name}: {amount} in the period", name=name, amount=fmt.number(panel.amount, lang))


def _mark_highest(ax: Axes, bar: Bar, chart: ChartData, lang: str) -> None:
    assert bar.value is not None
    x = _bar_x(bar, chart)
    when = fmt.month(bar.start.year, bar.start.month, lang) if chart.monthly else fmt.day(bar.start, lang)
    label = _(lang, "highest: {amount}, {when}", amount=fmt.signed(bar.value, lang), when=when)
    ax.plot([x], [bar.value], marker="*", markersize=13, color=AVERAGE, markeredgecolor="white", zorder=5)
    ax.annotate(
        label,
        xy=(x, bar.value),
        xytext=(0, 9),
        textcoords="offset points",
        ha=_alignment(bar.start, chart),
        va="bottom",
        fontsize=10.5,
        color=TOTAL,
    )


def _alignment(day: date, chart: ChartData) -> str:
    """Keep the label inside the axes: left-aligned near the start, right-aligned near the end."""
    share = (day - chart.period.first_day).days / max(1, (chart.period.end - chart.period.first_day).days)
    return "left" if share < 0.3 else "right" if share > 0.7 else "center"


def _totals(ax: Axes, panel: Panel, lang: str) -> None:
    xs = [_x(p.day) for p in panel.totals]
    ys = [math.nan if p.total is None else p.total for p in panel.totals]
    ax.plot(xs, ys, color=TOTAL, linewidth=2.2)
    known = [p.total for p in panel.totals if p.total is not None]
    if known:
        low, high = min(known), max(known)
        margin = max(1.0, (high - low) * 0.15)
        ax.set_ylim(low - margin, high + margin)
        ax.set_title(
            _(lang, "Total: {total}", total=fmt.number(known[-1], lang)),
            loc="left",
            fontsize=12,
            color=TOTAL,
            pad=4,
        )
