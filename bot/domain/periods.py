"""Parse the periods users ask about ("2024-10", "7d", "з 21 по 25 жовтня", "since October 23" ...) into
date ranges, in English and Ukrainian.

This module is pure: it never reads the clock (callers pass ``today``, normally the current date in Kyiv,
and ``newest``, the newest report's date) and does no I/O, so every rule below is unit-tested with fixed
dates.

Rules, relative to ``today`` unless said otherwise:

* Periods are inclusive at both ends, and relative ones include today: ``7d``/``week`` is today-6..today,
  ``month`` is the last 30 days and ``year`` the last 365 days (rolling windows, not calendar ones, because
  "this month" on the 2nd would be a single day); callers move them to end at the newest report
  (:meth:`Period.up_to`). ``last week`` is the 7 days before those.
* A date or month without a year ("25 October", "жовтень", "since Oct 23") is the most recent such day or
  month not after the *anchor*: the newest report when given, else today. So is ``this month``/``this
  year`` (the anchor's), and ``last month``/``last year`` is the one before it.
* A period that reaches past today is clipped to end today (``2026`` asked on 2026-11-22 ends 2026-11-22);
  one that *starts* after today is refused (reason ``future``).
* Nothing before the full-scale invasion (:data:`WAR_START`, 2022-02-24) has figures. A date the user typed
  that lies before it is refused (reason ``before_war``), but a calendar month or year that merely overlaps
  it (``2022``, ``02.2022``) and an ``Nd`` window that reaches back past it are clipped to start on it, since
  such requests are natural and have an obvious answer.

Errors are :class:`PeriodError` with a machine-readable ``reason`` and the offending ``text`` so the caller
can explain the problem in the user's language; ``str(error)`` is an English message for logs.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from bot.domain.dates import WAR_START
from bot.domain.months import month_number
from bot.i18n import fmt
from bot.i18n.catalog import _, ngettext

__all__ = [
    "ACCEPTED_FORMS",
    "MAX_DAYS",
    "MAX_INPUT_LENGTH",
    "WAR_START",
    "Period",
    "PeriodError",
    "PeriodKind",
    "Reason",
    "parse_date",
    "parse_period",
]

"""The first day of the full-scale invasion and of the General Staff's daily figures."""

MAX_INPUT_LENGTH: Final = 64
"""Longest text looked at; the longest real form ("2024-10-21 .. 2024-10-25") is far shorter."""

MAX_DAYS: Final = 3650
"""Largest N accepted in ``Nd``; ten years is more than the war has lasted, and bounds the arithmetic."""

PeriodKind = Literal["day", "month", "year", "range", "since", "last_days", "all"]

Reason = Literal["empty", "too_long", "malformed", "bad_date", "bad_days", "reversed", "future", "before_war"]
"""Why a text was refused:

* ``empty`` — nothing but whitespace;
* ``too_long`` — longer than :data:`MAX_INPUT_LENGTH` (refused before any parsing);
* ``malformed`` — not one of the accepted forms;
* ``bad_date`` — the form is right but the date does not exist (2024-02-30, month 13);
* ``bad_days`` — ``Nd`` with N outside 1..:data:`MAX_DAYS`;
* ``reversed`` — a range whose start is after its end;
* ``future`` — the period (or date) starts after today;
* ``before_war`` — a date before :data:`WAR_START`, or a period that ends before it.
"""

ACCEPTED_FORMS: Final = (
    "2024-10-25, 25.10.2024, 25/10/2024, 25 October 2024, Oct 25 2024, 25 October, today, yesterday; "
    "2024-10, 10.2024, October 2024, October; 2024; "
    "2024-10-21..2024-10-25, from 21 to 25 October 2024; since 2024-10-21, since October 23; "
    "7d, last 7 days, week, last week, month, this month, last month, year, this year, last year; all"
)
"""A one-line English summary of the accepted forms, for logs and as a fallback help text."""


#: Refusals by the commands' rules rather than by the text's form: the text was read, but the bot has no
#: figures for such days. Their message says which rule refused it, and does not list the forms.
_RULES: Final[dict[Reason, str]] = {
    "future": "the bot has no figures for days after today",
    "before_war": f"the figures start on {WAR_START.isoformat()}, the first day of the full-scale invasion",
}


class PeriodError(ValueError):
    """The text is not a period (or date) the bot can answer for.

    ``reason`` says why (see :data:`Reason`) and ``text`` is the offending input, cut to
    :data:`MAX_INPUT_LENGTH` characters so it can be echoed back safely. The caller renders both in the
    user's language; ``str()`` gives an English message that also lists the accepted forms (or, for a
    refusal by a rule, names the rule).
    """

    def __init__(
        self,
        reason: Reason,
        text: str,
        detail: str = "",
        *,
        day: date | None = None,
        parts: tuple[int, int, int] | None = None,
    ) -> None:
        self.reason: Reason = reason
        self.text: str = _cut(text)
        self.detail: str = detail
        #: The day that was read, when a rule refused it (``future``, ``before_war``).
        self.day: date | None = day
        #: (year, month, day) as read, when that day does not exist (``bad_date``): "31 February 2024".
        self.parts: tuple[int, int, int] | None = parts
        because = f" ({detail})" if detail else ""
        if reason in _RULES:
            super().__init__(f"cannot use {self.text!r}: {_RULES[reason]}{because}")
        else:
            message = f"cannot use {self.text!r} as a period ({reason}{': ' + detail if detail else ''})"
            super().__init__(f"{message}; accepted forms: {ACCEPTED_FORMS}")


def _future(text: str, day: date, today: date) -> PeriodError:
    return PeriodError("future", text, f"{day.isoformat()} is after today, {today.isoformat()}", day=day)


def _before_war(text: str, day: date | None = None) -> PeriodError:
    return PeriodError("before_war", text, "" if day is None else f"{day.isoformat()} is before it", day=day)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_INPUT_LENGTH else text[:MAX_INPUT_LENGTH] + "…"


@dataclass(frozen=True)
class Period:
    """An inclusive range of days.

    ``start`` is ``None`` for "from the war's start" (kind ``all``); use :attr:`first_day` for the
    concrete date. ``days`` is the N the user asked for in a ``last_days`` period: it is kept because
    ``start`` may have been clipped to :data:`WAR_START`, and the label should still say "last 3650 days".
    ``skip`` is how many of the latest days a ``last_days`` window leaves out: "last week" is the 7 days
    before the last 7.
    """

    start: date | None
    end: date
    kind: PeriodKind
    days: int | None = None
    skip: int = 0

    @property
    def first_day(self) -> date:
        """The first day covered: ``start``, or :data:`WAR_START` when the period has no start."""
        return WAR_START if self.start is None else self.start

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.first_day <= d <= self.end

    def up_to(self, newest: date | None) -> Period:
        """A relative period ("last 7 days") moved to end at NEWEST, the newest report, when that is
        earlier than today: "the last week" of figures that stop on 22 Aug is the week to 22 Aug, not an
        empty week. Other periods are what the user named, and stay."""
        if self.kind != "last_days" or newest is None or self.days is None:
            return self
        end = newest - timedelta(days=self.skip)
        if end >= self.end or end < WAR_START:
            return self
        start = max(end - timedelta(days=self.days - 1), WAR_START)
        return Period(start, end, self.kind, self.days, self.skip)

    def label(self, lang: str) -> str:
        """Describe the period for a reader: "25 Oct 2024", "October 2024", "last 7 days", "увесь час"…"""
        first = self.first_day
        match self.kind:
            case "day":
                return fmt.day(self.end, lang)
            case "month":
                return fmt.month(first.year, first.month, lang)
            case "year":
                return str(first.year)  # no grouping separator: "2024", never "2,024"
            case "range":
                return fmt.day_range(first, self.end, lang)
            case "since":
                return _(lang, "since {day}", day=fmt.day(first, lang))
            case "last_days":
                n = self.days if self.days is not None else (self.end - first).days + 1
                if self.skip:
                    return ngettext(lang, "previous {n} day", "previous {n} days", n)
                return _last_days_label(n, lang)
            case "all":
                return _(lang, "all time")
        raise AssertionError(f"unknown period kind {self.kind!r}")  # pragma: no cover


def _last_days_label(n: int, lang: str) -> str:
    # In Ukrainian the adjective agrees with the number too: останній 1/21 день, останні 2 дні, 5 днів.
    return ngettext(lang, "last {n} day", "last {n} days", n)


# --- the grammar ------------------------------------------------------------------------------------------
# Input is matched after _normalise() (lower-cased, single spaces, commas, year marks and ordinal endings
# dropped), always with fullmatch(). Digits are spelled [0-9] because Python's \d also matches other
# scripts' digits, which int() would then accept.
#
# A typed date is first read as a _Point — a day, a month or a year, any part of which may be missing
# ("25 October" has no year, the "21" of "з 21 по 25 жовтня" has neither month nor year) — and the missing
# parts are then filled in: from the other end of a range, else from the anchor (see the module docstring).

#: Days named by a word, as days from today.
_DAY_WORDS: Final = {
    "today": 0,
    "сьогодні": 0,
    "yesterday": -1,
    "вчора": -1,
    "учора": -1,
    "day before yesterday": -2,
    "позавчора": -2,
    "tomorrow": 1,
    "завтра": 1,
    "післязавтра": 2,
}

_ISO_RE: Final = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})")
# day.month.year or day/month/year, the same separator twice; the year may be left out (only where the
# other end of a range gives it: "з 21.10 по 25.10.2024").
_DMY_RE: Final = re.compile(
    r"(?P<d>[0-9]{1,2})(?P<sep>[./])(?P<m>[0-9]{1,2})(?:(?P=sep)(?P<y>[0-9]{4}|[0-9]{2}))?"
)
_WORD: Final = r"[^\W\d_]+"
_DAY_MONTH_RE: Final = re.compile(rf"(?P<d>[0-9]{{1,2}}) (?P<m>{_WORD})\.?(?: (?P<y>[0-9]{{4}}))?")
_MONTH_DAY_RE: Final = re.compile(rf"(?P<m>{_WORD})\.? (?P<d>[0-9]{{1,2}})(?: (?P<y>[0-9]{{4}}))?")
_MONTH_RE: Final = re.compile(rf"(?P<m>{_WORD})\.?(?: (?P<y>[0-9]{{4}}))?")
_NUMERIC_MONTH_RE: Final = re.compile(
    r"(?:(?P<y1>[0-9]{4})-(?P<m1>[0-9]{1,2})|(?P<m2>[0-9]{1,2})[./](?P<y2>[0-9]{4}))"
)
_YEAR_RE: Final = re.compile(r"[0-9]{4}")
_BARE_DAY_RE: Final = re.compile(r"[0-9]{1,2}")

# Where a range splits: words first ("from 2024-10-21 to 2024-10-25" must not split at a hyphen), then
# dashes and dots, then a bare hyphen (the point patterns are rigid enough that "2024-10-21-2024-10-25"
# splits in only one way).
_RANGE_WORDS: Final = re.compile(r" (?:to|till|until|through|thru|and|по|до) ")
_RANGE_MARKS: Final = re.compile(r" ?(?:\.\.|…|–|—) ?| - ")
_HYPHEN: Final = re.compile(r"-")
_FROM_RE: Final = re.compile(r"(?:from|between|з|із|зі|від) (?P<rest>.+)")
_SINCE_RE: Final = re.compile(r"(?:since|from|after|starting|з|із|зі|від|починаючи з) (?P<rest>.+)")

#: Words before a period that add nothing: "in October", "за тиждень", "у 2024 році", "on 25 Oct".
_PREPOSITIONS: Final = frozenset({"in", "during", "for", "on", "over", "у", "в", "за", "протягом", "на"})

#: Rolling windows: (days, days left out at the end).
_WINDOWS: Final = {
    **dict.fromkeys(["week", "this week", "past week", "тиждень", "цей тиждень", "цього тижня"], (7, 0)),
    **dict.fromkeys(["останній тиждень", "минулі 7 днів"], (7, 0)),
    **dict.fromkeys(["last week", "previous week", "минулий тиждень", "минулого тижня"], (7, 7)),
    **dict.fromkeys(["попередній тиждень"], (7, 7)),
    **dict.fromkeys(["month", "past month", "місяць", "останній місяць"], (30, 0)),
    **dict.fromkeys(["year", "past year", "рік", "останній рік"], (365, 0)),
}
#: Calendar months and years named relative to the anchor: 0 this one, -1 the one before.
_THIS_MONTH: Final = {
    **dict.fromkeys(["this month", "цей місяць", "цього місяця", "поточний місяць"], 0),
    **dict.fromkeys(["last month", "previous month", "минулий місяць", "минулого місяця"], -1),
}
_THIS_YEAR: Final = {
    **dict.fromkeys(["this year", "цей рік", "цього року", "поточний рік"], 0),
    **dict.fromkeys(["last year", "previous year", "минулий рік", "минулого року"], -1),
}
_DAYS_RE: Final = re.compile(
    r"(?:(?:last|past|the last|останні|останній|останніх|минулі) )?(?P<n>[0-9]+) ?"
    r"(?:(?P<days>d|days?|д|дн|дні|днів|день|доби|діб)|(?P<weeks>w|weeks?|тижні|тижнів|тиждень))"
)
_ALL_WORDS: Final = frozenset(
    {"all", "all time", "ever", "everything", "все", "усе", "весь час", "увесь час", "за весь час"}
)


def _normalise(text: str) -> str:
    """Lower-case and collapse whitespace, refusing overlong text before doing any real work; then drop
    what carries no meaning here: commas ("Oct 25, 2024"), a year's mark ("2024 р.", "2024 року"),
    ordinal endings ("25th", "25-го"), and "the"/"of" ("the 25th of October")."""
    if len(text) > 4 * MAX_INPUT_LENGTH:
        # Refuse without even scanning a huge message; the stripped length is checked below.
        raise PeriodError("too_long", text)
    cleaned = " ".join(text.split()).casefold()
    if not cleaned:
        raise PeriodError("empty", text)
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise PeriodError("too_long", text)
    cleaned = cleaned.replace(",", " ")
    cleaned = re.sub(r"(?<=[0-9]{4}) ?(?:рр?\.?|року|році|рік|year)(?= |$)", "", cleaned)
    cleaned = re.sub(r"(?<![0-9])([0-9]{1,2})(?:st|nd|rd|th|-?го|-?е)(?= |$)", r"\1", cleaned)
    words = [w for w in cleaned.split() if w not in ("the", "of")]
    return " ".join(words)


@dataclass(frozen=True)
class _Point:
    """A day, a month (DAY None) or a year (MONTH None) as typed: YEAR or MONTH may be missing."""

    year: int | None
    month: int | None
    day: int | None

    @property
    def kind(self) -> PeriodKind:
        return "day" if self.day is not None else "month" if self.month is not None else "year"


def _full_year(digits: str | None) -> int | None:
    if digits is None:
        return None
    return int(digits) + 2000 if len(digits) == 2 else int(digits)


def _named_point(part: str) -> _Point | None:
    """A date with the month's name: "25 october 2024", "oct 25", "жовтня 2024", "жовтні"."""
    for pattern in (_DAY_MONTH_RE, _MONTH_DAY_RE, _MONTH_RE):
        m = pattern.fullmatch(part)
        if m is None:
            continue
        month = month_number(m.group("m"))
        if month is None:
            return None
        day = int(m.group("d")) if "d" in pattern.groupindex else None
        return _Point(_full_year(m.group("y")), month, day)
    return None


def _point(part: str, today: date, *, partial: bool = False) -> _Point | None:
    """PART read as one day, month or year, or None when it is none of the forms. PARTIAL allows what only
    the start of a range may be: a day without its month ("21" of "з 21 по 25 жовтня"), a day.month."""
    if part in _DAY_WORDS:
        if today in (date.min, date.max):  # only reachable with a nonsensical `today`; must not overflow
            raise _before_war(part)
        d = today + timedelta(days=_DAY_WORDS[part])
        return _Point(d.year, d.month, d.day)
    if m := _ISO_RE.fullmatch(part):
        return _Point(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    if (m := _DMY_RE.fullmatch(part)) and (partial or m.group("y") is not None):
        return _Point(_full_year(m.group("y")), int(m.group("m")), int(m.group("d")))
    if m := _NUMERIC_MONTH_RE.fullmatch(part):
        if m.group("y1") is not None:
            return _Point(int(m.group("y1")), int(m.group("m1")), None)
        return _Point(int(m.group("y2")), int(m.group("m2")), None)
    if _YEAR_RE.fullmatch(part):
        return _Point(int(part), None, None)
    if partial and _BARE_DAY_RE.fullmatch(part):
        return _Point(None, None, int(part))
    return _named_point(part)


def _make_date(year: int, month: int, day: int, text: str) -> date:
    if not 1 <= month <= 12:
        raise PeriodError("bad_date", text, f"no month {month}", parts=(year, month, day))
    try:
        return date(year, month, day)
    except ValueError as exc:  # "day is out of range for month", "year 0 is out of range"
        raise PeriodError("bad_date", text, str(exc), parts=(year, month, day)) from None


def _recent_year(month: int, day: int | None, anchor: date, text: str) -> int:
    """The year of the most recent MONTH (and DAY) not after ANCHOR: "25 October" asked in August 2026 is
    25 October 2025; "29 February" the last leap day."""
    if not 1 <= month <= 12:
        raise PeriodError("bad_date", text, f"no month {month}", parts=(anchor.year, month, day or 1))
    year = anchor.year if (month, day or 1) <= (anchor.month, anchor.day) else anchor.year - 1
    if day is None:
        return year
    for candidate in range(year, year - 8, -1):  # a leap day is at most 8 years back (2100 is not leap)
        if day <= calendar.monthrange(candidate, month)[1]:
            return candidate
    raise PeriodError("bad_date", text, "day is out of range for month", parts=(year, month, day))


def _first_day(point: _Point, text: str) -> date:
    assert point.year is not None  # filled in by _complete
    return _make_date(point.year, point.month or 1, point.day or 1, text)


def _last_day(point: _Point, text: str) -> date:
    assert point.year is not None
    if point.day is not None:
        return _make_date(point.year, point.month or 1, point.day, text)
    month = point.month or 12
    _make_date(point.year, month, 1, text)  # refuses month 13, year 0
    return date(point.year, month, calendar.monthrange(point.year, month)[1])


def _complete(point: _Point, anchor: date, text: str) -> _Point:
    """POINT with its year, when it was left out: the most recent one not after ANCHOR."""
    if point.year is not None or point.month is None:
        return point
    return _Point(_recent_year(point.month, point.day, anchor, text), point.month, point.day)


def _complete_range(a: _Point, b: _Point, anchor: date, text: str) -> tuple[_Point, _Point]:
    """Both ends of a range, the start borrowing from the end what it leaves out: "з 21 по 25 жовтня",
    "from 28 December to 3 January 2024" (28 December 2023)."""
    if b.month is None and b.day is not None:
        raise PeriodError("malformed", text)  # "from 21 to 25": of which month?
    b = _complete(b, anchor, text)
    if a.month is None and a.day is not None:
        a = _Point(b.year, b.month, a.day)
    if a.year is None and b.year is not None and a.month is not None:
        later = (a.month, a.day or 1) > (b.month or 12, b.day or 31)
        a = _Point(b.year - 1 if later else b.year, a.month, a.day)
    return a, b


def _anchor(today: date, newest: date | None) -> date:
    return newest if newest is not None and newest <= today else today


# Each form below reads the normalised text CLEANED as one kind of period, or returns None when the text is
# not of its form; TEXT is what the user typed, for errors.


def _check_date(d: date, text: str, today: date) -> date:
    """The commands' rule for a single typed date: refuse one in the future or before the war."""
    if d > today:
        raise _future(text, d, today)
    if d < WAR_START:
        raise _before_war(text, d)
    return d


def _span(start: date, end: date, kind: PeriodKind, text: str, today: date) -> Period:
    """A whole month or year (or a range of them): clipped to the war's start and to today, refused if
    outside both."""
    if start > today:
        raise _future(text, start, today)
    if end < WAR_START:
        raise _before_war(text, end)
    return Period(start=max(start, WAR_START), end=min(end, today), kind=kind)


def _window(days: int, skip: int, text: str, today: date) -> Period:
    if not 1 <= days <= MAX_DAYS:
        raise PeriodError("bad_days", text, f"N must be 1..{MAX_DAYS}, got {days}")
    end = today - timedelta(days=skip)
    if end < WAR_START:
        raise _before_war(text, end)
    start = max(end - timedelta(days=days - 1), WAR_START)
    return Period(start=start, end=end, kind="last_days", days=days, skip=skip)


def _all_time(cleaned: str, text: str, today: date, _anchor_day: date) -> Period | None:
    """``all``, ``все``, ``увесь час``."""
    if cleaned not in _ALL_WORDS:
        return None
    if today < WAR_START:
        raise _before_war(text, today)
    return Period(start=None, end=today, kind="all")


def _rolling_window(cleaned: str, text: str, today: date, _anchor_day: date) -> Period | None:
    """``week``, ``last week``, ``місяць``, ``7d``, ``last 7 days``, ``останні 7 днів``… ending today."""
    if cleaned in _WINDOWS:
        return _window(*_WINDOWS[cleaned], text, today)
    m = _DAYS_RE.fullmatch(cleaned)
    if m is None:
        return None
    digits = m.group("n").lstrip("0") or "0"
    if len(digits) > len(str(MAX_DAYS)):
        # Refuse a 60-digit N without converting it: it is out of range whatever its value.
        raise PeriodError("bad_days", text, f"N must be 1..{MAX_DAYS}")
    return _window(int(digits) * (7 if m.group("weeks") else 1), 0, text, today)


def _relative_calendar(cleaned: str, text: str, today: date, anchor: date) -> Period | None:
    """``this month``, ``last month``, ``цього року``, ``минулого року``: calendar ones, by the anchor."""
    if cleaned in _THIS_MONTH:
        months = anchor.year * 12 + anchor.month - 1 + _THIS_MONTH[cleaned]
        return _point_period(_Point(months // 12, months % 12 + 1, None), text, today)
    if cleaned in _THIS_YEAR:
        return _point_period(_Point(anchor.year + _THIS_YEAR[cleaned], None, None), text, today)
    return None


def _point_period(point: _Point, text: str, today: date) -> Period:
    start, end = _first_day(point, text), _last_day(point, text)
    if point.kind == "day":
        return Period(start=_check_date(start, text, today), end=start, kind="day")
    return _span(start, end, point.kind, text, today)


def _single(cleaned: str, text: str, today: date, anchor: date) -> Period | None:
    """One day, month or year: ``2024-10-25``, ``25 жовтня``, ``October 2024``, ``жовтень``, ``2024``…"""
    point = _point(cleaned, today)
    if point is None:
        return None
    return _point_period(_complete(point, anchor, text), text, today)


def _split_range(body: str, today: date) -> tuple[_Point, _Point] | None:
    """The two ends of a range written BODY, or None when it does not split into two points."""
    for separators in (_RANGE_WORDS, _RANGE_MARKS, _HYPHEN):
        for m in separators.finditer(body):
            a = _point(body[: m.start()], today, partial=True)
            b = _point(body[m.end() :], today) if a is not None else None
            if a is not None and b is not None:
                return a, b
    return None


#: "October 21-25 2024": the month is written once, before the first day.
_MONTH_DAYS_RE: Final = re.compile(
    rf"(?P<m>{_WORD}\.?) (?P<a>[0-9]{{1,2}}) ?(?P<sep>-|–|—|\.\.|to|till|until|through|thru) ?"
    rf"(?P<b>[0-9]{{1,2}})(?P<y> [0-9]{{4}})?"
)


def _day_range(cleaned: str, text: str, today: date, anchor: date) -> Period | None:
    """Two points joined by ``..``, a dash or ``to``/``по``/``до``, perhaps after ``from``/``з``/``від``:
    ``2024-10-21..25.10.2024``, ``з 21 по 25 жовтня``, ``October 21-25 2024``, ``from October 2024 to
    March 2025``."""
    if shared := _MONTH_DAYS_RE.fullmatch(cleaned):
        month, year = shared.group("m"), shared.group("y") or ""
        cleaned = f"{shared.group('a')} {month} - {shared.group('b')} {month}{year}"
    m = _FROM_RE.fullmatch(cleaned)
    ends = _split_range(m.group("rest") if m else cleaned, today)
    if ends is None and m is not None:
        ends = _split_range(cleaned, today)  # "з" was not "from": no such date starts with it, though
    if ends is None:
        return None
    a, b = _complete_range(*ends, anchor, text)
    start, end = _first_day(a, text), _last_day(b, text)
    if start > end:
        raise PeriodError("reversed", text, f"{start.isoformat()} is after {end.isoformat()}")
    if a.kind == "day":
        _check_date(start, text, today)
    elif start > today:
        raise _future(text, start, today)
    if end < WAR_START:
        raise _before_war(text, start)
    # The end may lie past today: like any period, the range is clipped to end today.
    return Period(start=max(start, WAR_START), end=min(end, today), kind="range")


def _open_range(cleaned: str, text: str, today: date, anchor: date) -> Period | None:
    """``since``/``from``/``з``/``від`` a day, month or year, ending today."""
    m = _SINCE_RE.fullmatch(cleaned)
    if m is None:
        return None
    point = _point(m.group("rest"), today)
    if point is None:
        raise PeriodError("malformed", text)
    point = _complete(point, anchor, text)
    start = _first_day(point, text)
    if point.kind == "day":
        _check_date(start, text, today)
    else:
        # "since October 2024" starts on 1 October; "since 2022" on the war's start.
        start = _span(start, _last_day(point, text), point.kind, text, today).first_day
    return Period(start=start, end=today, kind="since")


Form = Callable[[str, str, date, date], "Period | None"]

#: The forms in the order they are tried; the first that recognises the text decides.
_FORMS: Final[tuple[Form, ...]] = (
    _all_time,
    _rolling_window,
    _relative_calendar,
    _single,
    _day_range,
    _open_range,
)


def _without_preposition(cleaned: str) -> str | None:
    first, _space, rest = cleaned.partition(" ")
    return rest if first in _PREPOSITIONS and rest else None


def _read(cleaned: str, text: str, today: date, anchor: date) -> Period | None:
    for form in _FORMS:
        period = form(cleaned, text, today, anchor)
        if period is not None:
            return period
    return None


def parse_period(text: str, *, today: date, newest: date | None = None) -> Period:
    """Parse what a user typed into a :class:`Period`, or raise :class:`PeriodError`.

    Accepted (case-insensitive, extra whitespace ignored), with English and Ukrainian words, after an
    optional "in"/"for"/"у"/"за"…:

    * a day: ``2024-10-25``, ``25.10.2024``, ``25.10.24``, ``25/10/2024``, ``25 October 2024``,
      ``Oct 25, 2024``, ``25 жовтня 2024 р.``, ``25 October`` (the latest one), ``today``/``сьогодні``,
      ``yesterday``/``вчора``, ``tomorrow``/``завтра`` (refused as ``future``);
    * a month: ``2024-10``, ``10.2024``, ``October 2024``, ``oct 2024``, ``жовтень 2024``, ``у жовтні
      2024``, ``October``/``жовтень`` (the latest one), ``this month``, ``last month``;
    * a year: ``2024``, ``2024 рік``, ``this year``, ``last year``;
    * a range: two of those joined by ``..``, ``–``, ``—``, ``-``, ``to``, ``по``, ``до``, perhaps after
      ``from``/``з``/``від``: ``2024-10-21..25.10.2024``, ``з 21.10.2024 по 25.10.2024``, ``з 21 по 25
      жовтня``, ``21–25 October 2024``;
    * an open range: ``since``/``from``/``з``/``від`` followed by a day, month or year — it ends today;
    * a rolling window ending today: ``7d``, ``Nd`` (N = 1..3650), ``7д``, ``7 days``, ``last 7 days``,
      ``останні 7 днів``, ``2 weeks``, ``week``/``тиждень`` (7 days), ``month``/``місяць`` (30),
      ``year``/``рік`` (365); ``last week``/``минулого тижня`` is the 7 days before the last 7;
    * everything: ``all``, ``все``, ``увесь час``.

    NEWEST, the newest report's date, anchors a date or month written without its year.
    """
    cleaned = _normalise(text)
    anchor = _anchor(today, newest)
    period = _read(cleaned, text, today, anchor)
    if period is None and (rest := _without_preposition(cleaned)) is not None:
        period = _read(rest, text, today, anchor)
    if period is None:
        raise PeriodError("malformed", text)
    return period


def parse_date(text: str, *, today: date, newest: date | None = None) -> date:
    """Parse one day: ``2024-10-25``, ``25.10.2024``, ``25 October 2024``, ``Oct 25``, ``вчора``…

    Raises :class:`PeriodError` for anything else (a month or a year is not a day), for impossible dates,
    and for dates after ``today`` or before :data:`WAR_START`. NEWEST anchors a date without a year.
    """
    cleaned = _normalise(text)
    if (rest := _without_preposition(cleaned)) is not None and _point(cleaned, today) is None:
        cleaned = rest  # "on 25 October", "за 25 жовтня"
    point = _point(cleaned, today)
    if point is None or point.kind != "day":
        raise PeriodError("malformed", text)
    point = _complete(point, _anchor(today, newest), text)
    return _check_date(_first_day(point, text), text, today)
