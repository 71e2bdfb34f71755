"""The query commands' answers: (session, arguments, today, language) → Reply.

Each reads its arguments (a UsageError explains, in the user's language, what is wrong and how to ask),
reads the answer's facts from the store (bot/answers/facts.py) and renders them (bot/answers/render.py).
Handlers and `lossbot ask` call these; they never touch Telegram, so they are tested directly.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlmodel import Session

from bot.answers import facts, render
from bot.answers.reply import Reply
from bot.domain.categories import Category, resolve_category
from bot.domain.periods import Period, PeriodError, parse_date, parse_period
from bot.i18n import fmt
from bot.i18n.catalog import N_, _
from bot.i18n.texts import COMMANDS, EXAMPLES, usage_line

MAX_ARGS = 200
MAX_TOP = 50
DEFAULT_TOP = 10

V = TypeVar("V")


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


def _period_problem(exc: PeriodError, lang: str, sentence: str = BAD_PERIOD) -> str:
    reason = PERIOD_REASONS.get(exc.reason)
    detail = _(lang, reason) if reason else ""
    if exc.reason in ("before_war", "future"):
        sentence = NO_FIGURES
    return _(lang, sentence, text=_q(exc.text), detail=detail)


def _parse_day(command: str, text: str, today: date, lang: str, session: Session) -> date:
    try:
        return parse_date(text, today=today)
    except PeriodError as exc:
        if exc.reason == "future":
            latest = facts.latest_report_date(session)
            asked = parse_date(text, today=date.max)
            if latest is not None:
                raise UsageError(
                    _(
                        lang,
                        "{day} is in the future: the latest report is of {latest}.",
                        day=fmt.day(asked, lang),
                        latest=fmt.day(latest, lang),
                    )
                ) from None
        raise _usage(command, lang, _period_problem(exc, lang, BAD_DATE)) from None


def _parse_period(command: str, text: str, today: date, lang: str, session: Session) -> Period:
    try:
        period = parse_period(text, today=today)
    except PeriodError as exc:
        raise _usage(command, lang, _period_problem(exc, lang)) from None
    return period.up_to(facts.latest_report_date(session))


def _split_category(command: str, args: str, lang: str) -> tuple[Category, list[str]]:
    """The category named at the start of ARGS (it may be several words) and the words after it."""
    words = args.split()
    for n in range(min(len(words), 4), 0, -1):
        found = resolve_category(" ".join(words[:n]))
        if found is not None:
            return found, words[n:]
    if not words:
        raise _usage(command, lang)
    raise _usage(
        command,
        lang,
        _(
            lang,
            "I don't know the category “{text}”. Try one of: {examples} — or see /categories.",
            text=_q(words[0]),
            examples=_(lang, "personnel, tanks, afv, artillery, drones"),
        ),
    )


def _view(build: Callable[[], V], lang: str) -> V:
    """The view BUILD reads; when the store cannot answer, the usage error that says what is missing."""
    try:
        return build()
    except facts.Unanswerable as exc:
        raise UsageError(render.gap(exc.gap, lang)) from None


# ---------------------------------------------------------------------------------------------- answers


def totals(session: Session, args: str, *, today: date, lang: str) -> Reply:
    args = _check_length("totals", args, lang)
    asked = _parse_day("totals", args, today, lang, session) if args else None
    return render.totals(_view(lambda: facts.totals(session, asked, today=today), lang), lang)


def day(session: Session, args: str, *, today: date, lang: str) -> Reply:
    args = _check_length("day", args, lang)
    if not args:
        raise _usage("day", lang)
    asked = _parse_day("day", args, today, lang, session)
    return render.day(_view(lambda: facts.day(session, asked), lang), lang)


def range_(session: Session, args: str, *, today: date, lang: str) -> Reply:
    args = _check_length("range", args, lang)
    if not args:
        raise _usage("range", lang)
    period = _parse_period("range", args, today, lang, session)
    return render.period(_view(lambda: facts.period(session, period), lang), lang)


def _top_count(words: list[str], lang: str) -> tuple[int, list[str]]:
    """The N of /top CATEGORY [N] [PERIOD] (DEFAULT_TOP when absent) and the words after it."""
    if not words or not words[0].lstrip("+-").isdigit():
        return DEFAULT_TOP, words
    value = int(words[0]) if len(words[0]) < 6 else MAX_TOP + 1
    if not 1 <= value <= MAX_TOP:
        raise _usage("top", lang, _(lang, "N must be a whole number from 1 to {max}.", max=MAX_TOP))
    return value, words[1:]


def top(session: Session, args: str, *, today: date, lang: str) -> Reply:
    args = _check_length("top", args, lang)
    cat, rest = _split_category("top", args, lang)
    n, rest = _top_count(rest, lang)
    period = _parse_period("top", " ".join(rest), today, lang, session) if rest else None
    return render.top(_view(lambda: facts.top(session, cat.key, n, period), lang), lang)


def category(session: Session, args: str, *, today: date, lang: str) -> Reply:
    args = _check_length("category", args, lang)
    cat, rest = _split_category("category", args, lang)
    period = _parse_period("category", " ".join(rest), today, lang, session) if rest else None
    return render.category(_view(lambda: facts.category(session, cat.key, period), lang), lang)


def records(
    session: Session,
    args: str,  # noqa: ARG001  # the arguments every query answer takes (handlers/figures.py); none here
    *,
    today: date,  # noqa: ARG001  # records are of all time, whatever the day
    lang: str,
) -> Reply:
    """Takes no arguments: whatever follows /records is ignored."""
    return render.records(_view(lambda: facts.records(session), lang), lang)
