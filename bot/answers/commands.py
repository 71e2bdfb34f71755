"""The query commands' answers: (session, arguments, today, language) → Reply.

Each reads its arguments (a UsageError explains, in the user's language, what is wrong and how to ask),
reads the answer's facts from the store (bot/answers/facts.py) and renders them (bot/answers/render.py).
Handlers and `lossbot ask` call these; they never touch Telegram, so they are tested directly.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import html
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Protocol, TypeVar

from sqlmodel import Session

from bot.answers import facts, render
from bot.answers.reply import Keyboard, Reply
from bot.charts.request import chart_button, period_code
from bot.domain.categories import Category, resolve_category, suggest_category
from bot.domain.dates import WAR_START
from bot.domain.periods import Period, PeriodError, parse_date, parse_period
from bot.i18n import fmt
from bot.i18n.catalog import N_, _, ngettext
from bot.i18n.texts import COMMANDS, EXAMPLES, usage_line

MAX_ARGS = 200
MAX_TOP = 50
DEFAULT_TOP = 10
#: The chart under /category without a period.
DEFAULT_CHART = "90d"

V = TypeVar("V")

#: A number with a fraction where a count belongs ("/top personnel 3.5"): no date is written like it.
_DECIMAL = re.compile(r"[+-]?[0-9]+[.,][0-9]+")
#: A year of the war where N could stand: "/top drones 2025" is the top days of 2025.
_YEAR = re.compile(r"20[2-9][0-9]")


class UsageError(Exception):
    """The arguments cannot be answered; the message (already in the user's language) says why and how."""


def _usage(command: str, lang: str, problem: str | None = None) -> UsageError:
    usage = usage_line(next(c for c in COMMANDS if c.name == command), lang)
    lines = [problem] if problem else []
    lines.append(_(lang, "Usage: {usage}", usage=html.escape(usage)))
    if command in EXAMPLES:
        lines.append(_(lang, "Example: {example}", example=html.escape(_(lang, EXAMPLES[command]))))
    return UsageError("\n".join(lines))


def _check_length(command: str, args: str, lang: str) -> str:
    args = " ".join(args.split())
    if len(args) > MAX_ARGS:
        raise _usage(command, lang, _(lang, "That is too long for a command argument."))
    return args


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
#: A date or period that was read, but that no report can cover: no advice on how to write it.
NO_FIGURES = N_("There are no figures for “{text}”{detail}.")


def _impossible_day(exc: PeriodError, lang: str) -> str | None:
    """What is wrong with a day that does not exist: "“31 February 2024” is not a date: February 2024
    has 29 days." None when the error does not say (a year 0)."""
    if exc.parts is None:
        return None
    year, month, day = exc.parts
    if not 1 <= month <= 12:
        return _(lang, "“{text}” is not a date: there is no month {month}.", text=_q(exc.text), month=month)
    if not 1 <= year <= 9999:
        return None
    if day < 1:
        return _(lang, "“{text}” is not a date: there is no day 0.", text=_q(exc.text))
    length = calendar.monthrange(year, month)[1]
    return ngettext(
        lang,
        "“{text}” is not a date: {month} has {n} day.",
        "“{text}” is not a date: {month} has {n} days.",
        length,
        text=_q(exc.text),
        month=fmt.month(year, month, lang),
    )


def _period_problem(exc: PeriodError, lang: str, sentence: str = BAD_PERIOD) -> str:
    if exc.reason == "bad_date" and (impossible := _impossible_day(exc, lang)) is not None:
        return impossible
    reason = PERIOD_REASONS.get(exc.reason)
    detail = _(lang, reason) if reason else ""
    if exc.reason in ("before_war", "future"):
        sentence = NO_FIGURES
    return _(lang, sentence, text=_q(exc.text), detail=detail)


def _parse_day(command: str, text: str, today: date, lang: str, session: Session) -> date:
    latest = facts.latest_report_date(session)
    try:
        return parse_date(text, today=today, newest=latest)
    except PeriodError as exc:
        if exc.reason == "future" and exc.day is not None and latest is not None:
            raise UsageError(
                _(
                    lang,
                    "{day} is in the future: the latest report is of {latest}.",
                    day=fmt.day(exc.day, lang),
                    latest=fmt.day(latest, lang),
                )
            ) from None
        if exc.reason == "malformed" and _is_period(text, today, latest):
            problem = _(
                lang,
                "“{text}” is a period, not one day. For a period, try: /range {text}",
                text=_q(" ".join(text.split())),
            )
            raise _usage(command, lang, problem) from None
        raise _usage(command, lang, _period_problem(exc, lang, BAD_DATE)) from None


def _is_period(text: str, today: date, latest: date | None) -> bool:
    """Whether TEXT names a period (a month, a week…), though perhaps one without figures ("2030")."""
    try:
        parse_period(text, today=today, newest=latest)
    except PeriodError as exc:
        return exc.reason not in ("malformed", "empty", "too_long")
    return True


def _parse_period(command: str, text: str, today: date, lang: str, session: Session) -> Period:
    """The period TEXT names (a date without a year is the latest such one), ending at the newest report
    when relative."""
    latest = facts.latest_report_date(session)
    try:
        period = parse_period(text, today=today, newest=latest)
    except PeriodError as exc:
        raise _usage(command, lang, _period_problem(exc, lang)) from None
    return period.up_to(latest)


def _split_category(command: str, args: str, lang: str) -> tuple[Category, list[str]]:
    """The category named at the start of ARGS (it may be several words) and the words after it."""
    words = args.split()
    for n in range(min(len(words), 4), 0, -1):
        found = resolve_category(" ".join(words[:n]))
        if found is not None:
            return found, words[n:]
    if not words:
        raise _usage(command, lang)
    raise _usage(command, lang, unknown_category(words, lang))


def unknown_category(words: list[str], lang: str) -> str:
    """Why WORDS name no category, with the closest name when there is one ("Did you mean tanks?")."""
    guesses = (suggest_category(" ".join(words[:n])) for n in range(min(len(words), 3), 0, -1))
    guess = next((g for g in guesses if g is not None), None)
    if guess is not None:
        return _(
            lang,
            "I don't know the category “{text}”. Did you mean {name}?",
            text=_q(words[0]),
            name=html.escape(guess[0]),
        )
    return _(
        lang,
        "I don't know the category “{text}”. Try one of: {examples} — or see /categories.",
        text=_q(words[0]),
        examples=_(lang, "personnel, tanks, afv, artillery, drones"),
    )


def _view(build: Callable[[], V], lang: str) -> V:
    """The view BUILD reads; when the store cannot answer, the usage error that says what is missing."""
    try:
        return build()
    except facts.Unanswerable as exc:
        raise UsageError(render.gap(exc.gap, lang)) from None


class Answer(Protocol):
    """A query command's answer: (session, arguments, today, language) → Reply."""

    __name__: str

    def __call__(self, session: Session, args: str, *, today: date, lang: str) -> Reply: ...


def with_late_notice(session: Session, answer: Reply, *, today: date, lang: str) -> Reply:
    """ANSWER with the one-line notice, first, that the newest report is older than expected (if it is)."""
    late = facts.late_by(session, today)
    if late is None:
        return answer
    return replace(answer, text=render.fit(f"{render.late_notice(late, lang)}\n\n{answer.text}", lang))


def noting_late(answer: Answer) -> Answer:
    """ANSWER, its every reply carrying the late-data notice: the one place every figure answer (commands,
    menu buttons, questions, inline results) gets it, so none can forget it."""

    def answered(session: Session, args: str, *, today: date, lang: str) -> Reply:
        answer_given = answer(session, args, today=today, lang=lang)
        return with_late_notice(session, answer_given, today=today, lang=lang)

    functools.update_wrapper(answered, answer)
    return answered


# ---------------------------------------------------------------------------------------------- answers


@noting_late
def totals(session: Session, args: str, *, today: date, lang: str) -> Reply:
    args = _check_length("totals", args, lang)
    asked = _parse_day("totals", args, today, lang, session) if args else None
    return render.totals(_view(lambda: facts.totals(session, asked), lang), lang)


@noting_late
def day(session: Session, args: str, *, today: date, lang: str) -> Reply:
    args = _check_length("day", args, lang)
    if not args:
        raise _usage("day", lang)
    asked = _parse_day("day", args, today, lang, session)
    view = _view(lambda: facts.day(session, asked), lang)
    answer = render.day(view, lang, facts.year_before(session, view.report.report_date))
    return replace(answer, keyboard=day_chart_button(asked, lang))


def day_chart_button(day: date, lang: str) -> Keyboard:
    """The "📈 chart" button of an answer about DAY: personnel over the 90 days up to it."""
    return chart_button(["personnel"], _days_up_to(day), lang)


def _days_up_to(day: date, days: int = 90) -> str:
    """The chart period of the DAYS days up to DAY (the "📈 chart" button of an answer about DAY)."""
    return period_code(Period(max(day - timedelta(days=days - 1), WAR_START), day, "range"))


@noting_late
def range_(session: Session, args: str, *, today: date, lang: str) -> Reply:
    args = _check_length("range", args, lang)
    if not args:
        raise _usage("range", lang)
    period = _parse_period("range", args, today, lang, session)
    return render.period(_view(lambda: facts.period(session, period), lang), lang)


def _top_count(words: list[str], lang: str, *, is_period: Callable[[str], bool]) -> tuple[int, list[str]]:
    """The N of /top CATEGORY [N] [PERIOD] (DEFAULT_TOP when absent) and the words after it. A decimal
    such as 3.5 is a mistaken N, unless it reads as a period ("10.2024", "25.10")."""
    if words and _DECIMAL.fullmatch(words[0]) and not is_period(words[0]):
        raise _usage(
            "top",
            lang,
            _(
                lang,
                "“{text}” is not a count: N must be a whole number from 1 to {max}.",
                text=_q(words[0]),
                max=MAX_TOP,
            ),
        )
    if not words or not words[0].lstrip("+-").isdigit() or _YEAR.fullmatch(words[0]):
        return DEFAULT_TOP, words  # "/top drones 2025": a year is the period, not N
    value = int(words[0]) if len(words[0]) < 6 else MAX_TOP + 1
    if not 1 <= value <= MAX_TOP:
        raise _usage("top", lang, _(lang, "N must be a whole number from 1 to {max}.", max=MAX_TOP))
    return value, words[1:]


def _reads_as_period(word: str, today: date, latest: date | None) -> bool:
    try:
        parse_period(word, today=today, newest=latest)
    except PeriodError:
        return False
    return True


@noting_late
def top(session: Session, args: str, *, today: date, lang: str) -> Reply:
    args = _check_length("top", args, lang)
    cat, rest = _split_category("top", args, lang)
    latest = facts.latest_report_date(session)
    n, rest = _top_count(rest, lang, is_period=lambda word: _reads_as_period(word, today, latest))
    period = _parse_period("top", " ".join(rest), today, lang, session) if rest else None
    return render.top(_view(lambda: facts.top(session, cat.key, n, period), lang), lang)


@noting_late
def category(session: Session, args: str, *, today: date, lang: str) -> Reply:
    args = _check_length("category", args, lang)
    cat, rest = _split_category("category", args, lang)
    period = _parse_period("category", " ".join(rest), today, lang, session) if rest else None
    view = _view(lambda: facts.category(session, cat.key, period), lang)
    view = dataclasses.replace(view, estimate=facts.milestone_estimate(view, today))
    answer = render.category(view, lang)
    code = period_code(period) if period is not None and period.kind != "day" else DEFAULT_CHART
    return replace(answer, keyboard=chart_button([cat.key], code, lang))


def figure_on(session: Session, args: str, *, today: date, lang: str) -> Reply:
    """A question about one category on one day ("how many tanks yesterday", ARGS as for /category): one
    line, the day's increase and total with the report's date and source. Any other question, or a day
    whose report lacks the category, gets /category's full answer."""
    args = _check_length("category", args, lang)
    cat, rest = _split_category("category", args, lang)
    period = _parse_period("category", " ".join(rest), today, lang, session) if rest else None
    if period is not None and period.kind == "day":
        view = _view(lambda: facts.figure_on(session, cat.key, period.end), lang)
        if view is not None:
            return with_late_notice(session, render.figure_on(view, lang), today=today, lang=lang)
    return category(session, args, today=today, lang=lang)


@noting_late
def records(session: Session, args: str, *, today: date, lang: str) -> Reply:
    """/records [PERIOD]: of all time, or within PERIOD."""
    args = _check_length("records", args, lang)
    if not args:
        return render.records(_view(lambda: facts.records(session), lang), lang)
    period = _parse_period("records", args, today, lang, session)
    return render.records(_view(lambda: facts.records_in(session, period), lang), lang)


#: Words between the two periods of /compare: "October 2024 vs October 2023", "2024 і 2023"…
_COMPARE_WORDS = re.compile(
    r"\s+(?:vs\.?|versus|against|compared to|compared with|with|and|і|й|та|проти|порівняно з|супроти)\s+"
    r"|\s*[;|]\s*",
    re.IGNORECASE,
)


def _two_periods(args: str, today: date, lang: str, session: Session) -> tuple[Period, Period]:
    """The two periods of /compare ARGS: split at a word such as "vs", else between any two words — the
    first split where both halves are periods wins ("this week last week", "2024-10 2023-10")."""
    splits = [(args[: m.start()], args[m.end() :]) for m in _COMPARE_WORDS.finditer(args)]
    words = args.split()
    splits += [(" ".join(words[:n]), " ".join(words[n:])) for n in range(1, len(words))]
    latest = facts.latest_report_date(session)
    problem: PeriodError | None = None
    for left, right in splits:
        try:
            first = parse_period(left, today=today, newest=latest)
            second = parse_period(right, today=today, newest=latest)
        except PeriodError as exc:
            # Keep the first refusal that is not "malformed" ("in the future"): it says more.
            if problem is None and exc.reason != "malformed":
                problem = exc
            continue
        return first.up_to(latest), second.up_to(latest)
    if problem is not None:
        raise _usage("compare", lang, _period_problem(problem, lang))
    raise _usage("compare", lang, _(lang, "I can't read two periods in “{text}”.", text=_q(args)))


@noting_late
def compare(session: Session, args: str, *, today: date, lang: str) -> Reply:
    """/compare PERIOD PERIOD: the first period's losses against the second's."""
    args = _check_length("compare", args, lang)
    if not args:
        raise _usage("compare", lang)
    first, second = _two_periods(args, today, lang, session)
    return render.compare(_view(lambda: facts.compare(session, first, second), lang), lang)
