"""/chart CATEGORY[,CATEGORY…] [PERIOD]: what to draw, read from the store, and the caption beside it.

Like the query answers (bot/answers/commands.py): (session, arguments, today, language) → a plain value,
tested without Telegram. The picture itself is drawn by bot/charts/draw.py from the ChartData here;
handlers/charts.py sends it (from the cache when the same chart was drawn before).

The buttons under a chart name the chart in their callback data (at most 64 bytes): the categories by
their place in the category list, the period as a short code, and who asked (only they switch it).
"""

from __future__ import annotations

import html
from datetime import date, timedelta

from sqlmodel import Session

from bot.answers import facts, render
from bot.answers.commands import MAX_ARGS, UsageError, _period_problem, _q
from bot.charts import data
from bot.charts.data import ChartData
from bot.charts.request import DEFAULT_CODE, ChartRequest, period_code, period_of
from bot.domain.categories import BY_KEY, resolve_category
from bot.domain.dates import WAR_START
from bot.domain.periods import Period, PeriodError, parse_period
from bot.i18n import fmt
from bot.i18n.catalog import N_, _
from storage import queries

USAGE = "/chart CATEGORY[,CATEGORY…] [PERIOD]"
EXAMPLE = "/chart tanks 90d"
DESCRIPTION = N_("a chart: daily losses, 7-day average and total")
#: A single day asked for is charted as the DAY_SPAN days up to it.
DAY_SPAN = 90


# ------------------------------------------------------------------------------------------ arguments


def _usage(lang: str, problem: str | None = None) -> UsageError:
    lines = [problem] if problem else []
    lines.append(_(lang, "Usage: {usage}", usage=html.escape(USAGE)))
    lines.append(_(lang, "Example: {example}", example=html.escape(EXAMPLE)))
    return UsageError("\n".join(lines))


def _unknown(text: str, lang: str) -> UsageError:
    return _usage(
        lang,
        _(
            lang,
            "I don't know the category “{text}”. Try one of: {examples} — or see /categories.",
            text=_q(text),
            examples=_(lang, "personnel, tanks, afv, artillery, drones"),
        ),
    )


def _categories(args: str, lang: str) -> tuple[tuple[str, ...], str]:
    """The categories named before the period ("tanks,afv 30d", "air defence, tanks"), and the period's
    text. The last category may be several words; the words after it are the period."""
    *named, rest = args.split(",")
    keys = []
    for name in named:
        found = resolve_category(name.strip())
        if found is None:
            raise _unknown(name.strip(), lang)
        keys.append(found.key)
    words = rest.split()
    if not words:
        raise _usage(lang)
    for n in range(min(len(words), 4), 0, -1):
        last = resolve_category(" ".join(words[:n]))
        if last is not None:
            break
    else:
        raise _unknown(words[0], lang)
    keys.append(last.key)
    unique = tuple(dict.fromkeys(keys))
    if len(unique) > data.MAX_CATEGORIES:
        raise _usage(
            lang, _(lang, "A chart compares at most {n} categories.", n=fmt.number(data.MAX_CATEGORIES, lang))
        )
    return unique, " ".join(words[n:])


def parse_request(args: str, *, today: date, lang: str) -> ChartRequest:
    """/chart's arguments as a request (raises UsageError, in LANG, saying what is wrong)."""
    args = " ".join(args.split())
    if len(args) > MAX_ARGS:
        raise _usage(lang, _(lang, "That is too long for a command argument."))
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
    period = period_of(request.code, today=today, latest=latest)
    first = period.first_day
    bases = queries.latest_totals_before(session, request.categories, first)
    history_start = queries.first_report_date(session)
    panels, dates = [], []
    for key in request.categories:
        series = queries.category_series(
            session, key, first - timedelta(days=data.AVERAGE_DAYS - 1), period.end
        )
        base = bases[key][1] if key in bases else None
        if base is None and history_start is not None and first <= history_start:
            base = 0  # the period starts with the war: every loss counted so far is in it (as /range)
        panels.append(data.panel(key, series, period, base))
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
    days = fmt.day_range(first, last, lang)
    dates = "" if chart.period.label(lang) == days else f" ({days})"
    lines = [
        f"📈 <b>{html.escape(title(chart, lang))}</b>{dates}",
        *(_panel_line(p, chart, lang) for p in chart.panels),
        "",
        render.citation_line(facts.Citation(chart.report_date, chart.sources[0], None), lang)
        if len(chart.sources) == 1
        else render.citations_line(facts.Citations(first, chart.report_date, chart.sources), lang),
    ]
    return "\n".join(lines)
