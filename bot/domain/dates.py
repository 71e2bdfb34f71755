"""The war's calendar, the one clock and the strict date parser.

Every module takes `WAR_START` and `utc_now` from here, and every dataset reader and the command line read
a calendar date written as text with :func:`parse_calendar_date`. What people type in chat commands is read
by bot/domain/periods.py, which takes these numeric forms too (tests/domain/test_grammar.py checks that
both read them alike) and also month names, dates without a year and words ("yesterday").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Final, Literal

#: The first day of the full-scale invasion: report day 1.
WAR_START: Final = date(2022, 2, 24)


def utc_now() -> datetime:
    """The current time, aware, in UTC (stored times are UTC; shown times are converted at the edge)."""
    return datetime.now(UTC)


def day_number(day: date) -> int:
    """Day of the war of a report date: 2022-02-24 is day 1."""
    return (day - WAR_START).days + 1


# --- reading a date from text ------------------------------------------------------------------------------
# Digits are spelled [0-9] because Python's \d also matches other scripts' digits, which int() would accept.

#: One calendar date: ISO year-month-day, or day.month.year / day/month/year (the same separator twice) with
#: a 4- or 2-digit year. Day first, as dates are written in Ukraine; a month-first date is never guessed.
#: Has no groups, so other grammars can embed it (the period parser splits "2024-10-21..25.10.2024" with it).
DATE_PATTERN: Final = (
    r"(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"|[0-9]{1,2}\.[0-9]{1,2}\.(?:[0-9]{4}|[0-9]{2})"
    r"|[0-9]{1,2}/[0-9]{1,2}/(?:[0-9]{4}|[0-9]{2}))"
)
_DATE_RE: Final = re.compile(DATE_PATTERN)

#: The accepted forms, for error messages.
DATE_FORMS: Final = "YYYY-MM-DD, DD.MM.YYYY, DD.MM.YY or DD/MM/YYYY"

#: Longest text echoed back in an error.
_MAX_ECHO: Final = 64

DateProblem = Literal["malformed", "bad_date"]
"""Why a text is not a date: ``malformed`` — not one of the forms; ``bad_date`` — the form is right but
the day does not exist (2024-02-30, month 13, year 0)."""


class DateError(ValueError):
    """The text is not a calendar date; ``reason`` says why (see :data:`DateProblem`).

    ``str()`` is an English sentence naming the text and the accepted forms, fit for the command line, logs
    and import errors. ``text`` is the input as given, cut to 64 characters.
    """

    def __init__(self, reason: DateProblem, text: str, detail: str = "") -> None:
        self.reason: DateProblem = reason
        self.text: str = text if len(text) <= _MAX_ECHO else text[:_MAX_ECHO] + "…"
        self.detail: str = detail
        because = f" ({detail})" if detail else ""
        super().__init__(f"{self.text!r} is not a date{because}; write it as {DATE_FORMS}")


def parse_calendar_date(text: str) -> date:
    """Read one calendar date: ``2024-10-25``, ``2024-1-5``, ``25.10.2024``, ``25.10.24``, ``25/10/2024``.

    Surrounding whitespace is ignored; a two-digit year is in this century (the war started in 2022).
    Any date that exists is returned: whether a command accepts it (not in the future, not before the
    invasion) is that command's rule. Raises :class:`DateError` otherwise.
    """
    cleaned = text.strip()
    if _DATE_RE.fullmatch(cleaned) is None:
        raise DateError("malformed", text)
    if "-" in cleaned:
        year, month, day = cleaned.split("-")
    else:
        day, month, year = re.split(r"[./]", cleaned)
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    try:
        return date(full_year, int(month), int(day))
    except ValueError as exc:  # "day is out of range for month", "month must be in 1..12" …
        raise DateError("bad_date", text, str(exc)) from None
