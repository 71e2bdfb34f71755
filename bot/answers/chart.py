"""/chart CATEGORY[,CATEGORY…] [PERIOD]: what to draw, read from the store, and the caption beside it.

Like the query answers (bot/answers/commands.py): (session, arguments, today, language) → a plain value,
tested without Telegram. The picture itself is drawn by bot/charts/draw.py from the ChartData here;
handlers/charts.py sends it (from the cache when the same chart was drawn before).

The buttons under a chart name the chart in their callback data (at most 64 bytes): the categories by
their place in the category list, the period as a short code, and who asked (only they switch it).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.answers import facts, render
from bot.answers.commands import UsageError, _check_length, _period_problem, _q, _split_category
from bot.answers.reply import Button, Keyboard
from bot.charts import data
from bot.charts.data import ChartData
from bot.domain.categories import BY_KEY, KEYS, resolve_category
from bot.domain.dates import WAR_START
from bot.domain.periods import Period, PeriodError, parse_period
from bot.i18n import fmt
from bot.i18n.catalog import N_, _
from storage import queries

USAGE = "/chart CATEGORY[,CATEGORY…] [PERIOD]"
EXAMPLE = "/chart tanks 90d"
DESCRIPTION = N_("a chart: daily losses, 7-day average and total")
#: Without a period: the last 90 days (of figures: up to the newest report).
DEFAULT_CODE = "90d"
#: A single day asked for is charted as the DAY_SPAN days up to it.
DAY_SPAN = 90
#: The buttons under a chart: (label, period code).
SWITCHES = (("30d", "30d"), ("90d", "90d"), ("1y", "365d"), ("all", "all"))
CALLBACK_PREFIX = "chart:"


@dataclass(frozen=True)
class ChartRequest:
    """What to chart: category keys and a period code (see `period_code`)."""

    categories: tuple[str, ...]
    code: str

    def callback(self, owner: int | None) -> str:
        """The button data that asks for this chart: switching OWNER's chart in place, or (OWNER None)
        sending it as a new message, to whoever presses."""
        cats = ".".join(str(KEYS.index(key)) for key in self.categories)
        return f"{CALLBACK_PREFIX}{cats}:{self.code}:{owner if owner is not None else ''}"


@dataclass(frozen=True)
class ChartPress:
    """A pressed chart button: the chart it asks for and whose chart it switches (None: a new one)."""

    request: ChartRequest
    owner: int | None


def parse_callback(callback: str) -> ChartPress | None:
    """The chart a button's data asks for, or None when the data is not a chart's (or no longer valid)."""
    parts = callback.removeprefix(CALLBACK_PREFIX).split(":")
    if not callback.startswith(CALLBACK_PREFIX) or len(parts) != 3:
        return None
    cats, code, owner = parts
    try:
        keys = tuple(KEYS[int(n)] for n in cats.split("."))
        who = int(owner) if owner else None
    except (ValueError, IndexError):
        return None
    if not keys or not _valid_code(code):
        return None
    return ChartPress(ChartRequest(keys, code), who)


def _valid_code(code: str) -> bool:
    try:
        _period_of(code, today=date.max, latest=None)
    except (ValueError, PeriodError):
        return False
    return True


def period_code(period: Period) -> str:
    """A short text that names PERIOD again later: relative periods stay relative ("30d", "all"), others
    are their days ("20240101-20241231")."""
    if period.kind == "all":
        return "all"
    if period.kind == "last_days" and period.days is not None:
        return f"{period.days}d"
    return f"{period.first_day:%Y%m%d}-{period.end:%Y%m%d}"


def _period_of(code: str, *, today: date, latest: date | None) -> Period:
    """The period CODE names, today; relative ones end at LATEST, the newest report (as /range does)."""
    if code == "all" or code.endswith("d"):
        period = parse_period(code, today=today).up_to(latest)
        if latest is not None and period.kind == "all" and latest < period.end:
            period = Period(None, latest, "all")
        return period
    first, dash, last = code.partition("-")
    if not dash or len(first) != 8 or len(last) != 8:
        raise ValueError(code)
    start = date(int(first[:4]), int(first[4:6]), int(first[6:]))
    end = date(int(last[:4]), int(last[4:6]), int(last[6:]))
    if not WAR_START <= start <= end:
        raise ValueError(code)
    return Period(start, end, "range")


# ------------------------------------------------------------------------------------------ arguments


def _usage(lang: str, problem: str | None = None) -> UsageError:
    lines = [problem] if problem else []
    lines.append(_(lang, "Usage: {usage}", usage=html.escape(USAGE)))
    lines.append(_(lang, "Example: {example}", example=html.escape(EXAMPLE)))
    return UsageError("\n".join(lines))


def _categories(args: str, lang: str) -> tuple[tuple[str, ...], str]:
    """The categories named before the period ("tanks,afv 30d"), and the period's text."""
    *named, rest = args.split(",")
    keys = []
    for name in named:
        found = resolve_category(name.strip())
        if found is None:
            raise _usage(
                lang, _(lang, "I don't know the category “{text}”. See /categories.", text=_q(name.strip()))
            )
        keys.append(found.key)
    try:
        last, words = _split_category("category", rest.strip(), lang)
    except UsageError:
        if not rest.strip():
            raise _usage(lang) from None
        raise
    keys.append(last.key)
    unique = tuple(dict.fromkeys(keys))
    if len(unique) > data.MAX_CATEGORIES:
        raise _usage(
            lang, _(lang, "A chart compares at most {n} categories.", n=fmt.number(data.MAX_CATEGORIES, lang))
        )
    return unique, " ".join(words)


def parse_request(args: str, *, today: date, lang: str) -> ChartRequest:
    """/chart's arguments as a request (raises UsageError, in LANG, saying what is wrong)."""
    args = _check_length("category", args, lang)
    if not args:
        raise _usage(lang)
    keys, text = _categories(args, lang)
    if not text:
        return ChartRequest(keys, DEFAULT_CODE)
    try:
        period = parse_period(text, today=today)
    except PeriodError as exc:
        raise _usage(lang, _period_problem(exc, lang)) from None
    if period.kind == "day":  # one bar says nothing: the days up to it
        period = Period(max(period.end - timedelta(days=DAY_SPAN - 1), WAR_START), period.end, "range")
    return ChartRequest(keys, period_code(period))


# ---------------------------------------------------------------------------------------------- facts


def chart_data(session: Session, request: ChartRequest, *, today: date) -> ChartData:
    """The chart REQUEST asks for, from the store (Unanswerable when the period has no figures)."""
    latest = facts.latest_report_date(session)
    if latest is None:
        raise facts.Unanswerable(facts.NoReports())
    period = _period_of(request.code, today=today, latest=latest)
    first = period.first_day
    bases = queries.latest_totals_before(session, request.categories, first)
    panels, dates = [], []
    for key in request.categories:
        series = queries.category_series(
            session, key, first - timedelta(days=data.AVERAGE_DAYS - 1), period.end
        )
        base = bases.get(key)
        panels.append(data.panel(key, series, period, base[1] if base else None))
        dates += [r.report_date for r in series if r.report_date in period]
    if not any(p.has_figures for p in panels):
        if queries.nearest_reports(session, first)[1] is None and queries.report_on(session, first) is None:
            raise facts.Unanswerable(facts.NoReportsIn(period))
        raise facts.Unanswerable(facts.NoFigures(request.categories[0], period))
    sources = queries.sources_between(session, min(dates), max(dates))
    return data.chart(panels, period, max(dates), sources)


# -------------------------------------------------------------------------------------------- caption


def title(chart: ChartData, lang: str) -> str:
    """The chart's heading, plain text: "Tanks: daily losses, last 90 days"."""
    names = ", ".join(BY_KEY[k].name(lang) for k in chart.categories)
    label = chart.period.label(lang)
    if chart.monthly:
        return _(lang, "{names}: losses per month, {period}", names=names, period=label)
    return _(lang, "{names}: losses per day, {period}", names=names, period=label)


def _panel_line(panel: data.Panel, chart: ChartData, lang: str) -> str:
    cat = BY_KEY[panel.category]
    name = f"{cat.icon} {html.escape(cat.name(lang))}"
    if panel.highest is None or panel.highest.value is None:
        return _(lang, "{name}: no figures in this period", name=name)
    if chart.monthly:
        highest = _(
            lang,
            "highest month {month}, {amount}",
            month=fmt.month(panel.highest.start.year, panel.highest.start.month, lang),
            amount=fmt.signed(panel.highest.value, lang),
        )
    else:
        highest = _(
            lang,
            "highest day {day}, {amount}",
            day=fmt.day(panel.highest.start, lang),
            amount=fmt.signed(panel.highest.value, lang),
        )
    return _(
        lang,
        "{name}: <b>{amount}</b> in the period; {highest}",
        name=name,
        amount=fmt.number(panel.amount, lang),
        highest=highest,
    )


def caption(chart: ChartData, lang: str) -> str:
    """The HTML beside the picture: what it shows, the period's figures, and where they come from."""
    first, last = chart.period.first_day, chart.period.end
    lines = [
        f"📈 <b>{html.escape(title(chart, lang))}</b> ({fmt.day_range(first, last, lang)})",
        *(_panel_line(p, chart, lang) for p in chart.panels),
        "",
        render.citation_line(facts.Citation(chart.report_date, chart.sources[0], None), lang)
        if len(chart.sources) == 1
        else render.citations_line(facts.Citations(first, chart.report_date, chart.sources), lang),
    ]
    return "\n".join(lines)


def switches(request: ChartRequest, owner: int | None, lang: str) -> Keyboard:
    """The period buttons under a chart; the one shown is marked."""
    labels = {"30d": N_("30 days"), "90d": N_("90 days"), "1y": N_("1 year"), "all": N_("all")}
    row = tuple(
        Button(
            ("• " if code == request.code else "") + _(lang, labels[name]),
            ChartRequest(request.categories, code).callback(owner),
        )
        for name, code in SWITCHES
    )
    return (row,)


def chart_button(categories: Sequence[str], code: str, lang: str) -> Keyboard:
    """The "📈 chart" button under /day and /category: sends that chart as a new message."""
    return ((Button(_(lang, "📈 chart"), ChartRequest(tuple(categories), code).callback(None)),),)
