"""Parse the periods users ask about ("2024-10", "7d", "з 21.10.2024" ...) into date ranges.

This module is pure: it never reads the clock (callers pass ``today``, normally the current date in Kyiv)
and does no I/O, so every rule below is unit-tested with fixed dates.

Rules, all relative to ``today``:

* Periods are inclusive at both ends, and relative ones include today: ``7d``/``week`` is today-6..today,
  ``month`` is the last 30 days and ``year`` the last 365 days (rolling windows, not calendar ones, because
  "this month" on the 2nd would be a single day).
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
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from babel import Locale

from bot.domain.dates import DATE_PATTERN, WAR_START, DateError, parse_calendar_date
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
    "2024-10-25, 25.10.2024, 25/10/2024, today, yesterday; "
    "2024-10, 10.2024, October 2024; 2024; "
    "2024-10-21..2024-10-25; since 2024-10-21; 7d, week, month, year; all"
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

    def __init__(self, reason: Reason, text: str, detail: str = "") -> None:
        self.reason: Reason = reason
        self.text: str = _cut(text)
        self.detail: str = detail
        because = f" ({detail})" if detail else ""
        if reason in _RULES:
            super().__init__(f"cannot use {self.text!r}: {_RULES[reason]}{because}")
        else:
            message = f"cannot use {self.text!r} as a period ({reason}{': ' + detail if detail else ''})"
            super().__init__(f"{message}; accepted forms: {ACCEPTED_FORMS}")


def _future(text: str, day: date, today: date) -> PeriodError:
    return PeriodError("future", text, f"{day.isoformat()} is after today, {today.isoformat()}")


def _before_war(text: str, day: date | None = None) -> PeriodError:
    return PeriodError("before_war", text, "" if day is None else f"{day.isoformat()} is before it")


def _cut(text: str) -> str:
    return text if len(text) <= MAX_INPUT_LENGTH else text[:MAX_INPUT_LENGTH] + "…"


@dataclass(frozen=True)
class Period:
    """An inclusive range of days.

    ``start`` is ``None`` for "from the war's start" (kind ``all``); use :attr:`first_day` for the
    concrete date. ``days`` is the N the user asked for in a ``last_days`` period: it is kept because
    ``start`` may have been clipped to :data:`WAR_START`, and the label should still say "last 3650 days".
    """

    start: date | None
    end: date
    kind: PeriodKind
    days: int | None = None

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
        if self.kind != "last_days" or newest is None or newest >= self.end or self.days is None:
            return self
        return Period(max(newest - timedelta(days=self.days - 1), WAR_START), newest, self.kind, self.days)

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
                return _last_days_label(n, lang)
            case "all":
                return _(lang, "all time")
        raise AssertionError(f"unknown period kind {self.kind!r}")  # pragma: no cover


def _last_days_label(n: int, lang: str) -> str:
    # In Ukrainian the adjective agrees with the number too: останній 1/21 день, останні 2 дні, 5 днів.
    return ngettext(lang, "last {n} day", "last {n} days", n)


# --- the grammar ------------------------------------------------------------------------------------------
# Input is matched after _normalise() (lower-cased, single spaces), always with fullmatch(). Digits are
# spelled [0-9] because Python's \d also matches other scripts' digits, which int() would then accept.
# A single date is read by bot.domain.dates.parse_calendar_date; this grammar only adds the words for
# today and yesterday, and finds where the dates of a range start and end.

_TODAY_WORDS: Final = frozenset({"today", "сьогодні"})
_YESTERDAY_WORDS: Final = frozenset({"yesterday", "вчора", "учора"})
_ONE_DATE: Final = "|".join([DATE_PATTERN, *sorted(_TODAY_WORDS | _YESTERDAY_WORDS)])

_DATE_RE: Final = re.compile(_ONE_DATE)
# Between two dates: "..", "…", an en or em dash, or a hyphen (the date patterns are rigid enough that
# "2024-10-21-2024-10-25" splits in only one way).
_RANGE_RE: Final = re.compile(rf"(?P<a>{_ONE_DATE})\s?(?:\.\.|…|–|—|-)\s?(?P<b>{_ONE_DATE})")
_SINCE_RE: Final = re.compile(r"(?:since|from|з|із|від) (?P<rest>.+)")
_MONTH_NUM_RE: Final = re.compile(
    r"(?:(?P<y1>[0-9]{4})-(?P<m1>[0-9]{1,2})|(?P<m2>[0-9]{1,2})[./](?P<y2>[0-9]{4}))"
)
_MONTH_NAME_RE: Final = re.compile(r"(?P<name>[^\W\d_]+)\.? ?(?P<y>[0-9]{4})")
_YEAR_RE: Final = re.compile(r"[0-9]{4}")
_DAYS_RE: Final = re.compile(r"(?P<n>[0-9]+) ?(?:d|days?|д|дн|дні|днів|день)")

_WORD_DAYS: Final = {
    "week": 7,
    "тиждень": 7,
    "month": 30,
    "місяць": 30,
    "year": 365,
    "рік": 365,
}
_ALL_WORDS: Final = frozenset({"all", "all time", "все", "усе", "весь час", "увесь час", "за весь час"})


def _month_names() -> dict[str, int]:
    """Month names users may type, from CLDR so there are no typos: "october", "oct", "sept", "жовтень"…

    Ukrainian gets both the nominative ("жовтень 2024") and the genitive that dates use ("жовтня 2024").
    Abbreviations are stored without their final dot; the parser makes the dot optional.
    """
    names: dict[str, int] = {}
    for locale in (Locale.parse("en"), Locale.parse("en_GB"), Locale.parse("uk")):
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    names[str(name).casefold().rstrip(".")] = int(number)
    return names


_MONTH_NAMES: Final = _month_names()


def _normalise(text: str) -> str:
    """Lower-case and collapse whitespace, refusing overlong text before doing any real work."""
    if len(text) > 4 * MAX_INPUT_LENGTH:
        # Refuse without even scanning a huge message; the stripped length is checked below.
        raise PeriodError("too_long", text)
    cleaned = " ".join(text.split()).casefold()
    if not cleaned:
        raise PeriodError("empty", text)
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise PeriodError("too_long", text)
    return cleaned


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise PeriodError("bad_date", text, str(exc)) from None


def _read_date(part: str, text: str, today: date) -> date:
    """The date of PART, one date of the user's TEXT (a word for today or yesterday, or a calendar date)."""
    if part in _TODAY_WORDS:
        return today
    if part in _YESTERDAY_WORDS:
        if today == date.min:  # only reachable with a nonsensical `today`, but must not overflow
            raise _before_war(text)
        return today - timedelta(days=1)
    try:
        return parse_calendar_date(part)
    except DateError as exc:
        raise PeriodError(exc.reason, text, exc.detail) from None


def _check_date(d: date, text: str, today: date) -> date:
    """The commands' rule for a single typed date: refuse one in the future or before the war."""
    if d > today:
        raise _future(text, d, today)
    if d < WAR_START:
        raise _before_war(text, d)
    return d


def parse_date(text: str, *, today: date) -> date:
    """Parse one day: ``2024-10-25``, ``25.10.2024``, ``25.10.24``, ``25/10/2024``, ``today``, ``вчора``…

    Raises :class:`PeriodError` for anything else, for impossible dates, and for dates after ``today`` or
    before :data:`WAR_START`.
    """
    cleaned = _normalise(text)
    if _DATE_RE.fullmatch(cleaned) is None:
        raise PeriodError("malformed", text)
    return _check_date(_read_date(cleaned, text, today), text, today)


def _calendar_span(start: date, end: date, kind: PeriodKind, text: str, today: date) -> Period:
    """A whole month or year: clipped to the war's start and to today, refused if outside both."""
    if start > today:
        raise _future(text, start, today)
    if end < WAR_START:
        raise _before_war(text, end)
    return Period(start=max(start, WAR_START), end=min(end, today), kind=kind)


def _month_period(year: int, month: int, text: str, today: date) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError("bad_date", text, f"no month {month}")
    start = _make_date(year, month, 1, text)
    end = start.replace(day=calendar.monthrange(year, month)[1])
    return _calendar_span(start, end, "month", text, today)


def _year_period(year: int, text: str, today: date) -> Period:
    start = _make_date(year, 1, 1, text)
    return _calendar_span(start, start.replace(month=12, day=31), "year", text, today)


def _last_days(n: int, text: str, today: date) -> Period:
    if not 1 <= n <= MAX_DAYS:
        raise PeriodError("bad_days", text, f"N must be 1..{MAX_DAYS}, got {n}")
    if today < WAR_START:
        raise _before_war(text, today)
    return Period(start=max(today - timedelta(days=n - 1), WAR_START), end=today, kind="last_days", days=n)


# Each form below reads the normalised text CLEANED as one kind of period, or returns None when the text is
# not of its form; TEXT is what the user typed, for errors.


def _all_time(cleaned: str, text: str, today: date) -> Period | None:
    """``all``, ``все``, ``увесь час``."""
    if cleaned not in _ALL_WORDS:
        return None
    if today < WAR_START:
        raise _before_war(text, today)
    return Period(start=None, end=today, kind="all")


def _rolling_window(cleaned: str, text: str, today: date) -> Period | None:
    """``week``, ``місяць``, ``7d``, ``7 днів``… ending today."""
    if cleaned in _WORD_DAYS:
        return _last_days(_WORD_DAYS[cleaned], text, today)
    m = _DAYS_RE.fullmatch(cleaned)
    if m is None:
        return None
    digits = m.group("n").lstrip("0") or "0"
    if len(digits) > len(str(MAX_DAYS)):
        # Refuse a 60-digit N without converting it: it is out of range whatever its value.
        raise PeriodError("bad_days", text, f"N must be 1..{MAX_DAYS}")
    return _last_days(int(digits), text, today)


def _single_day(cleaned: str, text: str, today: date) -> Period | None:
    """``2024-10-25``, ``25.10.2024``, ``today``…"""
    if _DATE_RE.fullmatch(cleaned) is None:
        return None
    d = _check_date(_read_date(cleaned, text, today), text, today)
    return Period(start=d, end=d, kind="day")


def _day_range(cleaned: str, text: str, today: date) -> Period | None:
    """Two days joined by ``..``, ``–``, ``—`` or ``-``."""
    m = _RANGE_RE.fullmatch(cleaned)
    if m is None:
        return None
    start = _read_date(m.group("a"), text, today)
    end = _read_date(m.group("b"), text, today)
    if start > end:
        raise PeriodError("reversed", text, f"{start.isoformat()} is after {end.isoformat()}")
    _check_date(start, text, today)
    # The end may lie past today: like any period, the range is clipped to end today.
    return Period(start=start, end=min(end, today), kind="range")


def _open_range(cleaned: str, text: str, today: date) -> Period | None:
    """``since``/``from``/``з``/``від`` a day, month or year, ending today."""
    m = _SINCE_RE.fullmatch(cleaned)
    if m is None:
        return None
    rest = m.group("rest")
    if _DATE_RE.fullmatch(rest):
        start = _check_date(_read_date(rest, text, today), text, today)
    elif (span := _month_or_year(rest, text, today)) is not None:
        start = span.first_day  # "since October 2024" starts on 1 October (or the war's start)
    else:
        raise PeriodError("malformed", text)
    return Period(start=start, end=today, kind="since")


def _month_or_year(cleaned: str, text: str, today: date) -> Period | None:
    """The calendar forms ("2024-10", "10.2024", "October 2024", "жовтня 2024", "2024")."""
    if m := _MONTH_NUM_RE.fullmatch(cleaned):
        if m.group("y1") is not None:
            return _month_period(int(m.group("y1")), int(m.group("m1")), text, today)
        return _month_period(int(m.group("y2")), int(m.group("m2")), text, today)
    if (m := _MONTH_NAME_RE.fullmatch(cleaned)) and m.group("name") in _MONTH_NAMES:
        return _month_period(int(m.group("y")), _MONTH_NAMES[m.group("name")], text, today)
    if _YEAR_RE.fullmatch(cleaned):
        return _year_period(int(cleaned), text, today)
    return None


#: The forms in the order they are tried; the first that recognises the text decides.
_FORMS: Final = (_all_time, _rolling_window, _single_day, _day_range, _open_range, _month_or_year)


def parse_period(text: str, *, today: date) -> Period:
    """Parse what a user typed into a :class:`Period`, or raise :class:`PeriodError`.

    Accepted (case-insensitive, extra whitespace ignored), with English and Ukrainian words:

    * a day: ``2024-10-25``, ``25.10.2024``, ``25.10.24``, ``25/10/2024``, ``today``/``сьогодні``,
      ``yesterday``/``вчора``;
    * a month: ``2024-10``, ``10.2024``, ``October 2024``, ``oct 2024``, ``жовтень 2024``;
    * a year: ``2024``;
    * a range: two days joined by ``..``, ``–``, ``—`` or ``-`` (spaces allowed): ``2024-10-21..25.10.2024``;
    * an open range: ``since``/``from``/``з``/``від`` followed by a day, month or year — it ends today;
    * a rolling window ending today: ``7d``, ``Nd`` (N = 1..3650), ``7д``, ``7 days``, ``week``/``тиждень``
      (7 days), ``month``/``місяць`` (30), ``year``/``рік`` (365);
    * everything: ``all``, ``все``, ``увесь час``.
    """
    cleaned = _normalise(text)
    for form in _FORMS:
        period = form(cleaned, text, today)
        if period is not None:
            return period
    raise PeriodError("malformed", text)
