"""The answers to the query commands, as plain functions: (session, arguments, today, language) → HTML text.

Handlers and `lossbot ask` call these; they never touch Telegram, so they are tested directly. Every
answer names the report date(s) and source(s) behind its figures, and fits one Telegram message.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, timedelta

from sqlmodel import Session

from bot.domain.categories import BY_KEY, CATEGORIES, Category, resolve_category
from bot.domain.dates import day_number
from bot.domain.periods import Period, PeriodError, parse_date, parse_period
from bot.i18n import fmt
from bot.i18n.catalog import N_, _, ngettext
from bot.i18n.texts import COMMANDS, EXAMPLES, SOURCE_HOME, Command, source_name
from storage import queries

MAX_MESSAGE = 4096
MAX_ARGS = 200
MAX_TOP = 50
DEFAULT_TOP = 10
#: "Counting from April 2022" leaves out the irregular reports of the first weeks (see data guide).
REGULAR_FROM = date(2022, 4, 1)
#: A day whose increase ranks this high at the time is called out in /day.
NOTABLE_RANK = 10


class UsageError(Exception):
    """The arguments cannot be answered; the message (already in the user's language) says why and how."""


def _usage(command: str, lang: str, problem: str | None = None) -> UsageError:
    usage = next(c.usage for c in COMMANDS if c.name == command)
    lines = [problem] if problem else []
    lines.append(_(lang, "Usage: {usage}", usage=html.escape(usage)))
    if command in EXAMPLES:
        lines.append(_(lang, "Example: {example}", example=html.escape(EXAMPLES[command])))
    return UsageError("\n".join(lines))


def _check_length(command: str, args: str, lang: str) -> str:
    args = " ".join(args.split())
    if len(args) > MAX_ARGS:
        raise _usage(command, lang, _(lang, "That is too long for a command argument."))
    return args


def _bold(text: str) -> str:
    return f"<b>{text}</b>"


def _q(text: str) -> str:
    """User text quoted back: escaped and cut short."""
    return html.escape(text if len(text) <= 40 else text[:40] + "…")


#: Why a period or date was refused (PeriodError.reason), appended to the "can't read" sentence.
PERIOD_REASONS = {
    "future": N_(": it is in the future"),
    "before_war": N_(": it is before the full-scale invasion (24 Feb 2022)"),
    "reversed": N_(": it ends before it starts"),
    "bad_date": N_(": no such date"),
    "bad_days": N_(": days must be 1–3650"),
    "too_long": N_(": too long"),
}
BAD_PERIOD = N_("I can't read the period “{text}”{detail}.")
BAD_DATE = N_("I can't read the date “{text}”{detail}. Write it as 2024-10-25 or 25.10.2024.")


def _period_problem(exc: PeriodError, lang: str, sentence: str = BAD_PERIOD) -> str:
    reason = PERIOD_REASONS.get(exc.reason)
    detail = _(lang, reason) if reason else ""
    return _(lang, sentence, text=_q(exc.text), detail=detail)


def fit(text: str, lang: str) -> str:
    """Cut TEXT at a line boundary so it fits one message (a last resort; answers are sized to fit)."""
    if len(text) <= MAX_MESSAGE:
        return text
    tail = "\n" + _(lang, "… (shortened to fit Telegram)")
    cut = text[: MAX_MESSAGE - len(tail)]
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


def _source_link(source: str, url: str | None, lang: str) -> str:
    name = html.escape(source_name(source, lang))
    link = url or SOURCE_HOME.get(source)
    return f'<a href="{html.escape(link, quote=True)}">{name}</a>' if link else name


def source_line(report: queries.StoredReport, lang: str) -> str:
    return _(
        lang,
        "📎 Ukraine's General Staff figures · report of {day} · source: {source}",
        day=fmt.day(report.report_date, lang),
        source=_source_link(report.source, report.source_url, lang),
    )


def _sources_line(session: Session, first: date, last: date, lang: str) -> str:
    sources = queries.sources_between(session, first, last)
    return _(
        lang,
        "📎 Ukraine's General Staff figures · reports {first} – {last} · sources: {sources}",
        first=fmt.day(first, lang),
        last=fmt.day(last, lang),
        sources=", ".join(_source_link(s, None, lang) for s in sources),
    )


def _no_data(lang: str) -> UsageError:
    return UsageError(
        _(lang, "No reports are stored yet. An operator can load the history with: lossbot import PATH")
    )


def _missing_day(session: Session, day: date, lang: str) -> UsageError:
    """A date without a report: say so and name the nearest reports."""
    latest = queries.latest_report(session)
    if latest is None:
        return _no_data(lang)
    if day > latest.report_date:
        return UsageError(
            _(lang, "No report for {day} yet.", day=fmt.day(day, lang))
            + " "
            + _(lang, "Nearest reports: {days}.", days=fmt.day(latest.report_date, lang))
        )
    before, after = queries.nearest_reports(session, day)
    near = [fmt.day(d, lang) for d in (before, after) if d is not None]
    return UsageError(
        _(lang, "No report is stored for {day}.", day=fmt.day(day, lang))
        + " "
        + _(lang, "Nearest reports: {days}.", days=", ".join(near))
    )


def _parse_day(command: str, text: str, today: date, lang: str, session: Session) -> date:
    try:
        return parse_date(text, today=today)
    except PeriodError as exc:
        if exc.reason == "future":
            latest = queries.latest_report(session)
            asked = parse_date(text, today=date.max)
            if latest is not None:
                raise UsageError(
                    _(
                        lang,
                        "{day} is in the future: the latest report is of {latest}.",
                        day=fmt.day(asked, lang),
                        latest=fmt.day(latest.report_date, lang),
                    )
                ) from None
        raise _usage(command, lang, _period_problem(exc, lang, BAD_DATE)) from None


def _parse_period(command: str, text: str, today: date, lang: str) -> Period:
    try:
        return parse_period(text, today=today)
    except PeriodError as exc:
        raise _usage(command, lang, _period_problem(exc, lang)) from None


def _split_category(command: str, args: str, lang: str) -> tuple[Category, list[str]]:
    """The category named at the start of ARGS (it may be several words) and the words after it."""
    words = args.split()
    for n in range(min(len(words), 4), 0, -1):
        found = resolve_category(" ".join(words[:n]))
        if found is not None:
            return found, words[n:]
    if not words:
        raise _usage(command, lang)
    examples = (
        "personnel, tanks, afv, artillery, drones" if lang != "uk" else "особовий, танки, ббм, арта, дрони"
    )
    raise _usage(
        command,
        lang,
        _(
            lang,
            "I don't know the category “{text}”. Try one of: {examples} — or see /categories.",
            text=_q(words[0]),
            examples=examples,
        ),
    )


def _figure_line(cat: Category, total: int, increase: int | None, lang: str) -> str:
    change = f" ({fmt.signed(increase, lang)})" if increase is not None else ""
    return f"{cat.icon} {html.escape(cat.name(lang))}: <b>{fmt.number(total, lang)}</b>{change}"


def _listed(report: queries.StoredReport) -> Iterable[tuple[Category, queries.DayFigure]]:
    for key, figure in report.figures.items():
        cat = BY_KEY.get(key)
        # The merged series stands for vehicles and fuel tanks; before May 2022 list the lines as reported.
        if cat is None or (key == "vehicles_fuel_tanks" and "vehicles" in report.figures):
            continue
        yield cat, figure


# ------------------------------------------------------------------------------------------------ /totals


def totals(session: Session, args: str, *, today: date, lang: str) -> str:
    args = _check_length("totals", args, lang)
    asked: date | None = _parse_day("totals", args, today, lang, session) if args else None
    report = queries.report_as_of(session, asked) if asked else queries.latest_report(session)
    if report is None:
        if asked is not None and queries.report_count(session):
            raise _missing_day(session, asked, lang)
        raise _no_data(lang)
    lines = [
        _(
            lang,
            "<b>Russia's losses as of {day}</b> (day {n} of the full-scale invasion)",
            day=fmt.day(report.report_date, lang),
            n=day_number(report.report_date),
        )
    ]
    if asked is not None and asked != report.report_date:
        lines.append(
            _(
                lang,
                "No report is dated {asked}; these are the totals of the latest report before it.",
                asked=fmt.day(asked, lang),
            )
        )
    lines.append("")
    lines += [_figure_line(cat, f.total, f.increase, lang) for cat, f in _listed(report)]
    lines += ["", source_line(report, lang)]
    return fit("\n".join(lines), lang)


# --------------------------------------------------------------------------------------------------- /day


def rank_lines(
    session: Session, report: queries.StoredReport, lang: str, *, notable: int = NOTABLE_RANK
) -> list[str]:
    """Where the day's increases ranked at the time: always personnel, and any category in the top NOTABLE."""
    lines = []
    for cat, figure in _listed(report):
        if figure.increase is None or figure.increase <= 0:
            continue
        within = None if cat.key == "personnel" else notable
        rank = queries.rank_at_time(session, cat.key, report.report_date, within=within)
        if rank is None:
            continue
        since = (
            queries.rank_at_time(session, cat.key, report.report_date, since=REGULAR_FROM)
            if report.report_date >= REGULAR_FROM
            else None
        )
        extra = ""
        if since is not None and since.rank != rank.rank:
            extra = _(
                lang,
                "; {rank} counting from {since}",
                rank=fmt.ordinal(since.rank, lang),
                since=fmt.day(REGULAR_FROM, lang),
            )
        name = html.escape(cat.name(lang))
        increase = fmt.signed(figure.increase, lang)
        if rank.rank == 1 and rank.out_of > 1:
            lines.append(
                _(lang, "🏆 {category} {increase}: a record at the time.", category=name, increase=increase)
            )
        else:
            lines.append(
                ngettext(
                    lang,
                    "🏅 {category} {increase}: the {rank}-highest day at the time (of {n} day){extra}",
                    "🏅 {category} {increase}: the {rank}-highest day at the time (of {n} days){extra}",
                    rank.out_of,
                    category=name,
                    increase=increase,
                    rank=fmt.ordinal(rank.rank, lang),
                    extra=extra,
                )
            )
    return lines


def recount_lines(report: queries.StoredReport, lang: str) -> list[str]:
    return [
        _(
            lang,
            "↺ Recount in {category}: the total changed by {change} while {increase} was reported.",
            category=html.escape(BY_KEY[k].name(lang)),
            change=fmt.signed(f.change, lang),
            increase=fmt.signed(f.increase, lang),
        )
        for k, f in report.figures.items()
        if f.recount and f.change is not None and f.increase is not None and k in BY_KEY
    ]


def day(session: Session, args: str, *, today: date, lang: str) -> str:
    args = _check_length("day", args, lang)
    if not args:
        raise _usage("day", lang)
    asked = _parse_day("day", args, today, lang, session)
    report = queries.report_on(session, asked)
    if report is None:
        raise _missing_day(session, asked, lang)
    lines = [
        _(
            lang,
            "<b>Report of {day}</b> (day {n}): losses over the past day, and totals",
            day=fmt.day(report.report_date, lang),
            n=day_number(report.report_date),
        ),
        "",
    ]
    for cat, f in _listed(report):
        increase = fmt.signed(f.increase, lang) if f.increase is not None else "—"
        lines.append(
            f"{cat.icon} {html.escape(cat.name(lang))}: <b>{increase}</b> → {fmt.number(f.total, lang)}"
        )
    extra = rank_lines(session, report, lang) + recount_lines(report, lang)
    if extra:
        lines += ["", *extra]
    lines += ["", source_line(report, lang)]
    return fit("\n".join(lines), lang)


# ------------------------------------------------------------------------------------------------- /range


def _day_list(days: list[date], lang: str, limit: int = 8) -> str:
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


def range_(session: Session, args: str, *, today: date, lang: str) -> str:
    args = _check_length("range", args, lang)
    if not args:
        raise _usage("range", lang)
    period = _parse_period("range", args, today, lang)
    return period_summary(session, period, lang)


def period_summary(session: Session, period: Period, lang: str) -> str:
    sums = queries.period_sums(session, period.first_day, period.end)
    label = html.escape(period.label(lang))
    if sums.first_report is None or sums.last_report is None:
        if not queries.report_count(session):
            raise _no_data(lang)
        raise UsageError(_(lang, "No reports in {period}.", period=label))
    lines = [
        ngettext(
            lang,
            "<b>Losses, {period}</b> ({n} report, {first} – {last})",
            "<b>Losses, {period}</b> ({n} reports, {first} – {last})",
            sums.report_days,
            period=label,
            first=fmt.day(sums.first_report, lang),
            last=fmt.day(sums.last_report, lang),
        ),
        "",
    ]
    for key, s in sums.sums.items():
        cat = BY_KEY[key]
        if cat.retired and "vehicles_fuel_tanks" in sums.sums:
            continue  # the merged series covers them
        line = _(
            lang,
            "{icon} {name}: {amount} (≈{avg}/day)",
            icon=cat.icon,
            name=html.escape(cat.name(lang)),
            amount=_bold(fmt.number(s.amount, lang)),
            avg=fmt.average(s.daily_average(), lang),
        )
        if s.started is not None:
            line += _(lang, " — counted from {day}, when first reported", day=fmt.day(s.started, lang))
        lines.append(line)
    notes = []
    if sums.missing_days:
        notes.append(
            ngettext(
                lang,
                "⚠️ No report for {n} day: {days}. Sums follow the totals at the ends.",
                "⚠️ No report for {n} days: {days}. Sums follow the totals at the ends.",
                len(sums.missing_days),
                days=_day_list(sums.missing_days, lang),
            )
        )
    differing = [
        BY_KEY[k].name(lang) for k, s in sums.sums.items() if s.amount != s.reported and s.started is None
    ]
    if sums.recount_days and differing:
        notes.append(
            _(
                lang,
                "↺ Recount(s) on {days}: sums follow the totals at the ends; the reported "
                "increases add up differently for {categories}.",
                days=_day_list(sums.recount_days, lang),
                categories=html.escape(", ".join(differing[:6])),
            )
        )
    if notes:
        lines += ["", *notes]
    lines += ["", _sources_line(session, sums.first_report, sums.last_report, lang)]
    return fit("\n".join(lines), lang)


# --------------------------------------------------------------------------------------------------- /top


def top(session: Session, args: str, *, today: date, lang: str) -> str:
    args = _check_length("top", args, lang)
    cat, rest = _split_category("top", args, lang)
    n = DEFAULT_TOP
    if rest and rest[0].lstrip("+-").isdigit():
        value = int(rest[0]) if len(rest[0]) < 6 else MAX_TOP + 1
        if not 1 <= value <= MAX_TOP:
            raise _usage("top", lang, _(lang, "N must be a whole number from 1 to {max}.", max=MAX_TOP))
        n, rest = value, rest[1:]
    period = _parse_period("top", " ".join(rest), today, lang) if rest else None
    start, end = (period.start, period.end) if period else (None, None)
    days = queries.top_days(session, cat.key, n, start=start, end=end)
    label = html.escape(period.label(lang) if period else _all_time(lang))
    name = html.escape(cat.name(lang))
    if not days:
        if not queries.report_count(session):
            raise _no_data(lang)
        raise UsageError(_(lang, "No daily figures for {name} in {period}.", name=name, period=label))
    lines = [
        ngettext(
            lang,
            "<b>Top {n} day: {name}</b>, {period}",
            "<b>Top {n} days: {name}</b>, {period}",
            len(days),
            name=name,
            period=label,
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
        for d in days
    ]
    if len({d.rank for d in days}) < len(days):
        lines += ["", _(lang, "Equal increases share a rank.")]
    first, last = min(d.report_date for d in days), max(d.report_date for d in days)
    lines += ["", _sources_line(session, first, last, lang)]
    return fit("\n".join(lines), lang)


def _all_time(lang: str) -> str:
    return "увесь час" if lang == "uk" else "all time"


# ---------------------------------------------------------------------------------------------- /category


def category(session: Session, args: str, *, today: date, lang: str) -> str:
    args = _check_length("category", args, lang)
    cat, rest = _split_category("category", args, lang)
    period = _parse_period("category", " ".join(rest), today, lang) if rest else None
    latest = queries.latest_report(session)
    if latest is None:
        raise _no_data(lang)
    name = html.escape(cat.name(lang))
    lines = [_(lang, "<b>{icon} {name}</b>", icon=cat.icon, name=name), ""]
    figure = latest.figures.get(cat.key)
    if figure is None:
        span = queries.category_span(session, cat.key)
        if span is None:
            raise UsageError(
                _(lang, "No daily figures for {name} in {period}.", name=name, period=_all_time(lang))
            )
        lines.append(
            _(
                lang,
                "{name} is not in the latest report (reported {first} – {last}).",
                name=name,
                first=fmt.day(span[0], lang),
                last=fmt.day(span[1], lang),
            )
        )
    else:
        increase = fmt.signed(figure.increase, lang) if figure.increase is not None else "—"
        lines.append(
            _(
                lang,
                "Total as of {day}: {total} ({increase} that day)",
                day=fmt.day(latest.report_date, lang),
                total=_bold(fmt.number(figure.total, lang)),
                increase=increase,
            )
        )
        avg7 = queries.daily_average(session, cat.key, 7, as_of=latest.report_date)
        avg30 = queries.daily_average(session, cat.key, 30, as_of=latest.report_date)
        if avg7 is not None and avg30 is not None:
            lines.append(
                _(
                    lang,
                    "Daily average: {avg7} over 7 days, {avg30} over 30 days",
                    avg7=fmt.average(avg7, lang),
                    avg30=fmt.average(avg30, lang),
                )
            )
        rank = queries.rank_at_time(session, cat.key, latest.report_date)
        if rank is not None:
            lines.append(
                ngettext(
                    lang,
                    "Latest day's rank: {rank} of {n} day",
                    "Latest day's rank: {rank} of {n} days",
                    rank.out_of,
                    rank=fmt.ordinal(rank.rank, lang),
                )
            )
    record = queries.top_days(session, cat.key, 1)
    if record:
        lines.append(
            _(
                lang,
                "Record day: {day}, {increase}",
                day=fmt.day(record[0].report_date, lang),
                increase=fmt.signed(record[0].increase, lang),
            )
        )
    if period is not None:
        sums = queries.period_sums(session, period.first_day, period.end)
        s = sums.sums.get(cat.key)
        best = queries.top_days(session, cat.key, 1, start=period.start, end=period.end)
        if s is None or not best:
            lines += [
                "",
                _(
                    lang,
                    "No daily figures for {name} in {period}.",
                    name=name,
                    period=html.escape(period.label(lang)),
                ),
            ]
        else:
            lines += [
                "",
                ngettext(
                    lang,
                    "{period}: {amount} (≈{avg}/day over {n} report); highest day {day}, {increase}",
                    "{period}: {amount} (≈{avg}/day over {n} reports); highest day {day}, {increase}",
                    s.days,
                    period=html.escape(period.label(lang)),
                    amount=_bold(fmt.number(s.amount, lang)),
                    avg=fmt.average(s.daily_average(), lang),
                    day=fmt.day(best[0].report_date, lang),
                    increase=fmt.signed(best[0].increase, lang),
                ),
            ]
    lines += ["", source_line(latest, lang)]
    return fit("\n".join(lines), lang)


# ----------------------------------------------------------------------------------------------- /records


def records(
    session: Session,
    args: str,  # noqa: ARG001  # the arguments every query answer takes (handlers/figures.py); none here
    *,
    today: date,  # noqa: ARG001  # records are of all time, whatever the day
    lang: str,
) -> str:
    best = queries.record_days(session)
    if not best:
        raise _no_data(lang)
    since = queries.record_days(session, since=REGULAR_FROM)
    lines = [_(lang, "<b>Record day of each category</b> (highest reported increase)"), ""]
    early = False
    for key, d in best.items():
        cat = BY_KEY[key]
        lines.append(
            _(
                lang,
                "{icon} {name}: {increase} on {day}",
                icon=cat.icon,
                name=html.escape(cat.name(lang)),
                increase=_bold(fmt.signed(d.increase, lang)),
                day=fmt.day(d.report_date, lang),
            )
        )
        later = since.get(key)
        if d.report_date < REGULAR_FROM and later is not None and later.increase > 0:
            early = True
            lines.append(
                _(
                    lang,
                    "   since Apr 2022: {increase} on {day}",
                    increase=fmt.signed(later.increase, lang),
                    day=fmt.day(later.report_date, lang),
                )
            )
    if early:
        lines += ["", _(lang, "Days of February–March 2022 carry artifacts of irregular early reporting.")]
    dates = [d.report_date for d in best.values()]
    lines += ["", _sources_line(session, min(dates), max(dates), lang)]
    return fit("\n".join(lines), lang)


# ------------------------------------------------------------------------------------ /categories, /help


def categories_list(lang: str) -> str:
    lines = [_(lang, "<b>Categories</b> (name — what you can type)"), ""]
    for cat in CATEGORIES:
        typed = ", ".join(dict.fromkeys([cat.key, *cat.aliases]))
        marker = " (" + _(lang, "retired") + ")"
        # English names of retired categories already say so ("Vehicles (retired)").
        retired = marker if cat.retired and marker not in cat.name(lang) else ""
        lines.append(f"{cat.icon} <b>{html.escape(cat.name(lang))}</b>{retired} — {html.escape(typed)}")
    return fit("\n".join(lines), lang)


def help_text(lang: str, commands: Iterable[Command]) -> str:
    lines = [_(lang, "<b>Commands</b>"), ""]
    for command in commands:
        lines.append(f"{html.escape(command.usage)} — {html.escape(_(lang, command.description))}")
    lines += [
        "",
        _(
            lang,
            "<b>PERIOD</b>: 2024-10-25, 25.10.2024, 2024-10, 2024, 2024-10-21..2024-10-25, "
            "since 2024-10-21, 7d, 30d, week, month, year, all.\n<b>CATEGORY</b>: a name or "
            "alias, e.g. personnel, tanks, afv, drones — see /categories.",
        ),
        "",
        _(
            lang,
            "Figures are Ukraine's General Staff estimates; every answer names its report date and source.",
        ),
    ]
    return fit("\n".join(lines), lang)
