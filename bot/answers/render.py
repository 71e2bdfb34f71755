"""The answers to the query commands, rendered from their views (bot/answers/facts.py) in one language.

Pure functions of a view and a language: no database, no Telegram, so each is tested on small hand-made
views. Every answer names the report date(s) and source(s) behind its figures, and fits one message.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, timedelta
from typing import assert_never

from bot.answers.facts import (
    REGULAR_FROM,
    CarriedTotal,
    CategoryView,
    Citation,
    Citations,
    CompareView,
    FigureOnDay,
    Gap,
    InLatest,
    InPeriod,
    MilestoneEstimate,
    NoFigures,
    NoReportOn,
    NoReports,
    NoReportsIn,
    NotYet,
    PeriodView,
    RankFact,
    RecordsView,
    Recount,
    ReportFacts,
    ReportView,
    TopView,
    TotalsView,
)
from bot.answers.reply import Reply
from bot.domain.categories import BY_KEY, CATEGORIES, Category, resolve_category
from bot.domain.dates import day_number
from bot.domain.periods import Period
from bot.i18n import fmt
from bot.i18n.catalog import _, ngettext
from bot.i18n.texts import SOURCE_HOME, Command, source_name, usage_line
from storage.queries import DayFigure

MAX_MESSAGE = 4096
MAX_CAPTION = 1024


def fit(text: str, lang: str, limit: int = MAX_MESSAGE) -> str:
    """Cut TEXT at a line boundary so it fits LIMIT (a last resort; answers are sized to fit)."""
    if len(text) <= limit:
        return text
    tail = "\n" + _(lang, "… (shortened to fit Telegram)")
    cut = text[: limit - len(tail)]
    cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
    return cut + tail


def fit_items(head: list[str], items: list[str], tail: list[str], lang: str, limit: int = MAX_MESSAGE) -> str:
    """HEAD, as many ITEMS as fit, then TAIL, one per line, within LIMIT characters: the items left out are
    summarised as "… and N more" (a preview's findings, open previews, revisions). Items are whole
    lines of HTML, never cut: each must be far shorter than a message."""
    room = limit - len("\n".join(head + tail)) - 1
    # Room is kept for the summary line while more items follow (its widest form: every item left out).
    summary_room = len(_(lang, "… and {n} more", n=len(items))) + 1
    shown: list[str] = []
    for index, item in enumerate(items):
        following = index < len(items) - 1
        if len(item) + 1 + (summary_room if following else 0) > room:
            shown.append(_(lang, "… and {n} more", n=len(items) - index))
            break
        shown.append(item)
        room -= len(item) + 1
    return "\n".join(head + shown + tail)


def _reply(lines: list[str], lang: str) -> Reply:
    return Reply(fit("\n".join(lines), lang))


def _bold(text: str) -> str:
    return f"<b>{text}</b>"


def _name(category: str, lang: str) -> str:
    return html.escape(_cat_name(BY_KEY[category], lang))


def _cat_name(cat: Category, lang: str) -> str:
    """The category's name in LANG, saying it is retired (English names already do: "Vehicles (retired)")."""
    name, marker = cat.name(lang), " (" + _(lang, "retired") + ")"
    return name + marker if cat.retired and marker not in name else name


def _label(period: Period | None, lang: str) -> str:
    return html.escape(period.label(lang) if period is not None else _(lang, "all time"))


# -------------------------------------------------------------------------------------------- citations


def _source_link(source: str, url: str | None, lang: str) -> str:
    name = html.escape(source_name(source, lang))
    link = url or SOURCE_HOME.get(source)
    return f'<a href="{html.escape(link, quote=True)}">{name}</a>' if link else name


def citation_line(cited: Citation, lang: str) -> str:
    return _(
        lang,
        "📎 Ukraine's General Staff figures · report of {day} · source: {source}",
        day=fmt.day(cited.report_date, lang),
        source=_source_link(cited.source, cited.url, lang),
    )


def citations_line(cited: Citations, lang: str) -> str:
    return _(
        lang,
        "📎 Ukraine's General Staff figures · reports {first} – {last} · sources: {sources}",
        first=fmt.day(cited.first, lang),
        last=fmt.day(cited.last, lang),
        sources=", ".join(_source_link(s, None, lang) for s in cited.sources),
    )


# ------------------------------------------------------------------------------------------------- gaps


def gap(missing: Gap, lang: str) -> str:
    """Why there is no answer, and what there is instead."""
    match missing:
        case NoReports():
            return _(
                lang, "No reports are stored yet. An operator can load the history with: lossbot import PATH"
            )
        case NotYet(day, latest):
            return (
                _(lang, "No report for {day} yet.", day=fmt.day(day, lang))
                + " "
                + _(lang, "Nearest reports: {days}.", days=fmt.day(latest, lang))
            )
        case NoReportOn(day, before, after):
            near = [fmt.day(d, lang) for d in (before, after) if d is not None]
            return (
                _(lang, "No report is stored for {day}.", day=fmt.day(day, lang))
                + " "
                + _(lang, "Nearest reports: {days}.", days=", ".join(near))
            )
        case NoReportsIn(period):
            return _(lang, "No reports for this period ({period}).", period=_label(period, lang))
        case NoFigures(category, period):
            return _(
                lang,
                "No daily figures for {name} in this period ({period}).",
                name=_name(category, lang),
                period=_label(period, lang),
            )
        case _:
            assert_never(missing)


# ------------------------------------------------------------------------------------- /totals and /day


def figure_line(figure: DayFigure, lang: str) -> str:
    """A category's total and, when known, the day's increase: "👤 Personnel: 685,910 (+1,630)"."""
    cat = BY_KEY[figure.category]
    change = f" ({fmt.signed(figure.increase, lang)})" if figure.increase is not None else ""
    return f"{cat.icon} {html.escape(cat.name(lang))}: <b>{fmt.number(figure.total, lang)}</b>{change}"


def totals(view: TotalsView, lang: str) -> Reply:
    report = view.report
    lines = [
        _(
            lang,
            "<b>Russia's losses as of {day}</b> (day {n} of the full-scale invasion)",
            day=fmt.day(report.report_date, lang),
            n=day_number(report.report_date),
        )
    ]
    if view.instead_of is not None:
        lines.append(
            _(
                lang,
                "No report is dated {asked}; these are the totals of the latest report before it.",
                asked=fmt.day(view.instead_of, lang),
            )
        )
    lines.append("")
    lines += [figure_line(f, lang) for f in report.figures]
    lines += [carried_line(c, lang) for c in view.carried]
    lines += ["", citation_line(report.citation, lang)]
    return _reply(lines, lang)


def late_notice(days: int, lang: str) -> str:
    """The line every figure answer carries while the newest report is older than expected."""
    return ngettext(
        lang,
        "⚠️ The newest report is {n} day old: the sources may be late.",
        "⚠️ The newest report is {n} days old: the sources may be late.",
        days,
    )


def figure_on(view: FigureOnDay, lang: str) -> Reply:
    """One line: "🛡 Tanks on 22 Aug 2026: +6, 12,292 in all · source: …" (with a line before it when the
    day asked for has no report and the figure is the latest report's before it)."""
    figure, cited = view.figure, view.citation
    cat = BY_KEY[figure.category]
    fields = {
        "icon": cat.icon,
        "name": html.escape(cat.name(lang)),
        "day": fmt.day(cited.report_date, lang),
        "total": fmt.number(figure.total, lang),
        "source": _source_link(cited.source, cited.url, lang),
    }
    if figure.increase is None:
        line = _(
            lang,
            "{icon} {name} on {day}: <b>{total}</b> in all (that day's increase not reported) · "
            "source: {source}",
            **fields,
        )
    else:
        line = _(
            lang,
            "{icon} {name} on {day}: <b>{increase}</b>, <b>{total}</b> in all · source: {source}",
            increase=fmt.signed(figure.increase, lang),
            **fields,
        )
    if view.instead_of is None:
        return Reply(line)
    before = _(
        lang,
        "No report is dated {asked}; the latest before it is of {day}.",
        asked=fmt.day(view.instead_of, lang),
        day=fmt.day(cited.report_date, lang),
    )
    return Reply(f"{before}\n{line}")


def carried_line(carried: CarriedTotal, lang: str) -> str:
    """A category the report lacks, with its latest figure and that figure's own date."""
    cat = BY_KEY[carried.category]
    return _(
        lang,
        "{icon} {name}: {total} (as of {day}: not in this report)",
        icon=cat.icon,
        name=html.escape(cat.name(lang)),
        total=fmt.number(carried.total, lang),
        day=fmt.day(carried.report_date, lang),
    )


def tie_text(ties: int, lang: str) -> str:
    """ ", tied with 41 other days" when other days share the rank, else nothing: a shared rank says so."""
    if ties <= 0:
        return ""
    return ngettext(lang, ", tied with {n} other day", ", tied with {n} other days", ties)


def rank_lines(ranks: Iterable[RankFact], lang: str) -> list[str]:
    """Where the day's increases ranked at the time (/day and the daily summary)."""
    lines = []
    for r in ranks:
        extra = tie_text(r.ties, lang)
        if r.rank_since is not None:
            extra += _(
                lang,
                "; {rank} counting from {since}",
                rank=fmt.ordinal(r.rank_since, lang),
                since=fmt.day(REGULAR_FROM, lang),
            )
        name, increase = _name(r.category, lang), fmt.signed(r.increase, lang)
        if r.rank == 1 and r.out_of > 1 and r.ties == 0:
            lines.append(
                _(lang, "🏆 {category} {increase}: a record at the time.", category=name, increase=increase)
            )
        elif r.rank == 1 and r.out_of > 1:
            lines.append(
                _(
                    lang,
                    "🏆 {category} {increase}: equals the record at the time{extra}.",
                    category=name,
                    increase=increase,
                    extra=extra,
                )
            )
        else:
            lines.append(
                ngettext(
                    lang,
                    "🏅 {category} {increase}: the {rank}-highest day at the time (of {n} day){extra}",
                    "🏅 {category} {increase}: the {rank}-highest day at the time (of {n} days){extra}",
                    r.out_of,
                    category=name,
                    increase=increase,
                    rank=fmt.ordinal(r.rank, lang),
                    extra=extra,
                )
            )
    return lines


def recount_lines(recounts: Iterable[Recount], lang: str) -> list[str]:
    return [
        _(
            lang,
            "↺ Recount in {category}: the total changed by {change} while {increase} was reported.",
            category=_name(r.category, lang),
            change=fmt.signed(r.change, lang),
            increase=fmt.signed(r.increase, lang),
        )
        for r in recounts
    ]


#: The categories a "this day last year" line names: the ones people follow most.
YEAR_BEFORE_CATEGORIES = ("personnel", "tanks", "artillery", "uav")


def year_before_line(earlier: ReportView, lang: str) -> str:
    """ "📅 This day last year (25 Oct 2023): 👤 +1,380 · 🛡 +20 …" — the same day's losses a year before."""
    figures = {f.category: f for f in earlier.figures}
    parts = [
        f"{BY_KEY[key].icon} {fmt.signed(figure.increase, lang)}"
        for key in YEAR_BEFORE_CATEGORIES
        if (figure := figures.get(key)) is not None and figure.increase is not None
    ]
    return _(
        lang,
        "📅 This day last year ({day}): {figures}",
        day=fmt.day(earlier.report_date, lang),
        figures=" · ".join(parts) if parts else "—",
    )


def day(view: ReportFacts, lang: str, year_before: ReportView | None = None) -> Reply:
    report = view.report
    lines = [
        _(
            lang,
            "<b>Report of {day}</b> (day {n}): losses over the past day, and totals",
            day=fmt.day(report.report_date, lang),
            n=day_number(report.report_date),
        ),
        "",
    ]
    for f in report.figures:
        cat = BY_KEY[f.category]
        increase = fmt.signed(f.increase, lang) if f.increase is not None else "—"
        lines.append(
            f"{cat.icon} {html.escape(cat.name(lang))}: <b>{increase}</b> → {fmt.number(f.total, lang)}"
        )
    extra = rank_lines(view.notable_ranks(), lang) + recount_lines(view.recounts, lang)
    if extra:
        lines += ["", *extra]
    if year_before is not None:
        lines += ["", year_before_line(year_before, lang)]
    lines += ["", citation_line(report.citation, lang)]
    return _reply(lines, lang)


# ------------------------------------------------------------------------------------------------- /range


def _day_list(days: Iterable[date], lang: str, limit: int = 8) -> str:
    """Dates as short ranges ("1–3 Mar 2022, 7 Mar 2022"), at most LIMIT items."""
    runs: list[tuple[date, date]] = []
    for d in days:
        if runs and d == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    items = [fmt.day(a, lang) if a == b else fmt.day_range(a, b, lang) for a, b in runs[:limit]]
    if len(runs) > limit:
        items.append("…")
    return ", ".join(items)


def _period_notes(view: PeriodView, lang: str) -> list[str]:
    notes = []
    if view.missing_days:
        notes.append(
            ngettext(
                lang,
                "⚠️ No report for {n} day: {days}. Sums follow the totals at the ends.",
                "⚠️ No report for {n} days: {days}. Sums follow the totals at the ends.",
                len(view.missing_days),
                days=_day_list(view.missing_days, lang),
            )
        )
    if view.recount_days and view.differing:
        names = ", ".join(BY_KEY[k].name(lang) for k in view.differing[:6])
        notes.append(
            _(
                lang,
                "↺ Recount(s) on {days}: sums follow the totals at the ends; the reported "
                "increases add up differently for {categories}.",
                days=_day_list(view.recount_days, lang),
                categories=html.escape(names),
            )
        )
    return notes


def period(view: PeriodView, lang: str) -> Reply:
    lines = [
        ngettext(
            lang,
            "<b>Losses, {period}</b> ({n} report, {first} – {last})",
            "<b>Losses, {period}</b> ({n} reports, {first} – {last})",
            view.report_days,
            period=_label(view.period, lang),
            first=fmt.day(view.citations.first, lang),
            last=fmt.day(view.citations.last, lang),
        ),
        "",
    ]
    for s in view.sums:
        cat = BY_KEY[s.category]
        fields = {
            "icon": cat.icon,
            "name": html.escape(cat.name(lang)),
            "amount": _bold(fmt.number(s.amount, lang)),
            "avg": fmt.average(s.daily_average(), lang),
        }
        if s.first_reported is not None:
            # Its whole total; the first report's own total was lost before, so the average (what came
            # after) says so, or a reader dividing the total by the days finds another figure.
            first_day, first_total = s.first_reported
            line = _(
                lang,
                "{icon} {name}: {amount} ({first} at its first report on {day}, then ≈{avg}/day)",
                first=fmt.number(first_total, lang),
                day=fmt.day(first_day, lang),
                **fields,
            )
        else:
            line = _(lang, "{icon} {name}: {amount} (≈{avg}/day)", **fields)
        if s.started is not None:
            line += _(lang, " — counted from {day}, when first reported", day=fmt.day(s.started, lang))
        lines.append(line)
    notes = _period_notes(view, lang)
    if notes:
        lines += ["", *notes]
    lines += ["", citations_line(view.citations, lang)]
    return _reply(lines, lang)


# --------------------------------------------------------------------------------------------------- /top


def top(view: TopView, lang: str) -> Reply:
    lines = [
        ngettext(
            lang,
            "<b>Top {n} day: {name}</b>, {period}",
            "<b>Top {n} days: {name}</b>, {period}",
            len(view.days),
            name=_name(view.category, lang),
            period=_label(view.period, lang),
        ),
        "",
    ]
    lines += [
        _(
            lang,
            "{rank}. {day} — {increase}",
            rank=d.rank,
            day=fmt.day(d.report_date, lang),
            increase=_bold(fmt.signed(d.increase, lang)),
        )
        for d in view.days
    ]
    if len({d.rank for d in view.days}) < len(view.days):
        lines += ["", _(lang, "Equal increases share a rank.")]
    lines += ["", citations_line(view.citations, lang)]
    return _reply(lines, lang)


# ---------------------------------------------------------------------------------------------- /category


def _now_lines(view: CategoryView, lang: str) -> list[str]:
    now, name = view.now, _name(view.category, lang)
    if not isinstance(now, InLatest):
        return [
            _(
                lang,
                "{name} is not in the latest report (reported {first} – {last}).",
                name=name,
                first=fmt.day(now.first, lang),
                last=fmt.day(now.last, lang),
            )
        ]
    lines = [
        _(
            lang,
            "Total as of {day}: {total} ({increase} that day)",
            day=fmt.day(view.latest.report_date, lang),
            total=_bold(fmt.number(now.total, lang)),
            increase=fmt.signed(now.increase, lang) if now.increase is not None else "—",
        )
    ]
    if now.avg7 is not None and now.avg30 is not None:
        lines.append(
            _(
                lang,
                "Daily average: {avg7} over 7 days, {avg30} over 30 days",
                avg7=fmt.average(now.avg7, lang),
                avg30=fmt.average(now.avg30, lang),
            )
        )
    if now.rank is not None:
        lines.append(
            ngettext(
                lang,
                "Latest day's rank: {rank} of {n} day",
                "Latest day's rank: {rank} of {n} days",
                now.rank.out_of,
                rank=fmt.ordinal(now.rank.rank, lang),
            )
            + tie_text(now.rank.ties, lang)
        )
    return lines


def _in_period_line(in_period: InPeriod | NoFigures, lang: str) -> str:
    if isinstance(in_period, NoFigures):
        return gap(in_period, lang)
    losses = in_period.losses
    if losses.first_reported is not None:
        return _(
            lang,
            "{period}: {amount} ({first} at its first report on {since}, then ≈{avg}/day); "
            "highest day {day}, {increase}",
            period=_label(in_period.period, lang),
            amount=_bold(fmt.number(losses.amount, lang)),
            first=fmt.number(losses.first_reported[1], lang),
            avg=fmt.average(losses.daily_average(), lang),
            since=fmt.day(losses.first_reported[0], lang),
            day=fmt.day(in_period.best.report_date, lang),
            increase=fmt.signed(in_period.best.increase, lang),
        )
    return ngettext(
        lang,
        "{period}: {amount} (≈{avg}/day over {n} report); highest day {day}, {increase}",
        "{period}: {amount} (≈{avg}/day over {n} reports); highest day {day}, {increase}",
        losses.days,
        period=_label(in_period.period, lang),
        amount=_bold(fmt.number(losses.amount, lang)),
        avg=fmt.average(losses.daily_average(), lang),
        day=fmt.day(in_period.best.report_date, lang),
        increase=fmt.signed(in_period.best.increase, lang),
    )


def category(view: CategoryView, lang: str) -> Reply:
    cat = BY_KEY[view.category]
    lines = [_(lang, "<b>{icon} {name}</b>", icon=cat.icon, name=_name(view.category, lang)), ""]
    lines += _now_lines(view, lang)
    if view.record is not None:
        lines.append(
            _(
                lang,
                "Record day: {day}, {increase}",
                day=fmt.day(view.record.report_date, lang),
                increase=fmt.signed(view.record.increase, lang),
            )
        )
    if view.estimate is not None:
        lines.append(estimate_line(view.category, view.estimate, lang))
    if view.in_period is not None:
        lines += ["", _in_period_line(view.in_period, lang)]
    lines += ["", citation_line(view.latest, lang)]
    return _reply(lines, lang)


# ----------------------------------------------------------------------------------------------- /records


def records(view: RecordsView, lang: str) -> Reply:
    lines = [_(lang, "<b>Record day of each category</b> (highest reported increase)"), ""]
    if view.period is not None:
        lines[0] = _(
            lang,
            "<b>Record day of each category, {period}</b> (highest reported increase)",
            period=_label(view.period, lang),
        )
    for r in view.records:
        cat = BY_KEY[r.category]
        lines.append(
            _(
                lang,
                "{icon} {name}: {increase} on {day}",
                icon=cat.icon,
                name=html.escape(_cat_name(cat, lang)),
                increase=_bold(fmt.signed(r.best.increase, lang)),
                day=fmt.day(r.best.report_date, lang),
            )
        )
        if r.since_regular is not None:
            lines.append(
                _(
                    lang,
                    "   since Apr 2022: {increase} on {day}",
                    increase=fmt.signed(r.since_regular.increase, lang),
                    day=fmt.day(r.since_regular.report_date, lang),
                )
            )
    if any(r.since_regular is not None for r in view.records):
        lines += ["", _(lang, "Days of February–March 2022 carry artifacts of irregular early reporting.")]
    lines += ["", citations_line(view.citations, lang)]
    return _reply(lines, lang)


# ------------------------------------------------------------------------------------ /categories, /help


def categories_list(lang: str) -> Reply:
    lines = [_(lang, "<b>Categories</b> (name — what you can type)"), ""]
    for cat in CATEGORIES:
        typed = ", ".join(_typed_forms(cat))
        lines.append(f"{cat.icon} <b>{html.escape(_cat_name(cat, lang))}</b> — {html.escape(typed)}")
    return _reply(lines, lang)


def _typed_forms(cat: Category) -> list[str]:
    """What one can type for CAT: its key and aliases that lead to it. "vehicles" and "fuel tanks" lead to
    the merged series (which holds the two retired ones' sum before May 2022), so the retired categories
    are reached by their names."""
    forms = [form for form in dict.fromkeys([cat.key, *cat.aliases]) if resolve_category(form) is cat]
    names = [name.casefold() for name in (cat.en, cat.uk) if resolve_category(name) is cat]
    return forms or names


def help_text(lang: str, commands: Iterable[Command]) -> Reply:
    lines = [_(lang, "<b>Commands</b>"), ""]
    for command in commands:
        usage, description = usage_line(command, lang), _(lang, command.description)
        lines.append(f"{html.escape(usage)} — {html.escape(description)}")
    lines += [
        "",
        _(
            lang,
            "<b>PERIOD</b>: 2024-10-25, 25 October 2024, yesterday, October 2024, October, 2024, "
            "2024-10-21..2024-10-25, from 21 to 25 October 2024, since October 23, 7d, week, last week, "
            "this month, last year, all.\n<b>CATEGORY</b>: a name or alias, e.g. personnel, tanks, afv, "
            "drones — see /categories.",
        ),
        "",
        _(
            lang,
            "Figures are Ukraine's General Staff estimates; every answer names its report date and source.",
        ),
    ]
    return _reply(lines, lang)


def estimate_line(category: str, estimate: MilestoneEstimate, lang: str) -> str:
    """ "📈 Estimate: at the 30-day pace (1,120.3/day), 1,500,000 around 13 Sept 2026." """
    return _(
        lang,
        "📈 Estimate, not a figure: at the 30-day pace ({pace}/day), {name} would reach {milestone} "
        "around {day}.",
        pace=fmt.average(estimate.pace, lang),
        name=_name(category, lang),
        milestone=_bold(fmt.number(estimate.milestone, lang)),
        day=fmt.day(estimate.day, lang),
    )


# ---------------------------------------------------------------------------------------------- /compare


def _percent(change: float, base: float, lang: str) -> str:
    """CHANGE as a signed percentage of BASE: "+49.6%"; "—" when BASE is zero (no loss to compare with)."""
    if base == 0:
        return "—"
    share = change / base * 100
    sign = "+" if round(share, 1) > 0 else ""
    return f"{sign}{fmt.average(share, lang)}%"


def _compare_line(
    category: str, a: int | None, b: int | None, per_day: tuple[float, float] | None, lang: str
) -> str:
    cat = BY_KEY[category]
    first, second = a or 0, b or 0
    if per_day is None:
        change = _(
            lang,
            "{change}, {percent}",
            change=fmt.signed(first - second, lang),
            percent=_percent(first - second, second, lang),
        )
    else:
        pace_a, pace_b = per_day
        change = _(
            lang,
            "per day {a} vs {b}, {percent}",
            a=fmt.average(pace_a, lang),
            b=fmt.average(pace_b, lang),
            percent=_percent(pace_a - pace_b, pace_b, lang),
        )
    return _(
        lang,
        "{icon} {name}: {first} vs {second} ({change})",
        icon=cat.icon,
        name=html.escape(cat.name(lang)),
        first=_bold(fmt.number(first, lang)),
        second=fmt.number(second, lang),
        change=change,
    )


def _compare_side(view: PeriodView, lang: str) -> str:
    return ngettext(
        lang,
        "{period}: {n} report, {first} – {last}",
        "{period}: {n} reports, {first} – {last}",
        view.report_days,
        period=_label(view.period, lang),
        first=fmt.day(view.citations.first, lang),
        last=fmt.day(view.citations.last, lang),
    )


def compare(view: CompareView, lang: str) -> Reply:
    """Two periods' losses per category side by side: the first, the second, and the change from the
    second to the first. Periods of different lengths are compared by their daily averages."""
    a, b = view.first, view.second
    lines = [
        _(
            lang,
            "<b>Losses: {first} vs {second}</b>",
            first=_label(a.period, lang),
            second=_label(b.period, lang),
        ),
        _compare_side(a, lang),
        _compare_side(b, lang),
        "",
    ]
    sums_a = {s.category: s for s in a.sums}
    sums_b = {s.category: s for s in b.sums}
    same_length = a.report_days == b.report_days
    for cat in CATEGORIES:
        sa, sb = sums_a.get(cat.key), sums_b.get(cat.key)
        if not (sa and sa.amount) and not (sb and sb.amount):
            continue  # no loss in either period: nothing to compare
        per_day = None
        if not same_length:
            per_day = (sa.daily_average() if sa else 0.0, sb.daily_average() if sb else 0.0)
        lines.append(
            _compare_line(cat.key, sa.amount if sa else None, sb.amount if sb else None, per_day, lang)
        )
    if not same_length:
        lines += [
            "",
            _(
                lang,
                "The periods have different numbers of reports, so the change compares daily averages.",
            ),
        ]
    lines += ["", citations_line(a.citations, lang), citations_line(b.citations, lang)]
    return _reply(lines, lang)
