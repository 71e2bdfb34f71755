"""What a report can be at all: a date between the war's first day and today, and figures of a sane size.

These are hard limits, not the moderators' plausibility checks: a report outside them is refused by every
importer and by the moderator path, and cannot be published "anyway". They are far from any real figure
(by 2026 the largest total, personnel, is about 1.5 million and the largest daily increase about 3,200),
so they only stop typos, corrupt files and hostile input, including numbers too large for the database.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, Literal

from bot.domain.dates import WAR_START, utc_now

#: No total reaches 10^8 (SQLite's integers end at 2^63; Python's never do).
MAX_TOTAL: Final = 10**8 - 1
#: No category gains or loses more than this in one report (real days: at most a few thousand).
MAX_INCREASE: Final = 100_000
#: A report may be dated up to one day after today: "today" differs between time zones.
GRACE: Final = timedelta(days=1)

Problem = Literal["before_war", "future", "total", "increase"]


class ImpossibleReport(ValueError):
    """A report that cannot exist; PROBLEM says which limit, FIELD names the field ("date",
    "totals.tanks", "increases.tanks"), VALUE and LIMIT what was given and the limit it passed.
    ``str()`` is an English sentence for the command line and logs."""

    def __init__(self, problem: Problem, field: str, value: int | date, limit: int | date) -> None:
        self.problem: Problem = problem
        self.field = field
        self.value = value
        self.limit = limit
        super().__init__(
            {
                "before_war": f"{value} is before the war began ({limit})",
                "future": f"{value} is after today ({limit} at the latest)",
                "total": f"{value} is beyond any possible total (at most {limit:,})",
                "increase": f"{value} is beyond any possible daily change (at most ±{limit:,})",
            }[problem]
        )


def latest_date(today: date | None = None) -> date:
    """The latest report date accepted when it is TODAY in the configured zone. Without TODAY (a dataset
    reader knows no zone): the latest date that is today anywhere, UTC+14 being a day ahead of UTC."""
    if today is None:
        today = utc_now().date() + timedelta(days=1)
    return today + GRACE


def check_date(day: date, today: date | None = None) -> None:
    """Refuse a date before the war or after today (see `latest_date`) and its day of grace."""
    if day < WAR_START:
        raise ImpossibleReport("before_war", "date", day, WAR_START)
    if day > latest_date(today):
        raise ImpossibleReport("future", "date", day, latest_date(today))


def check_total(value: int, field: str) -> None:
    if not 0 <= value <= MAX_TOTAL:
        raise ImpossibleReport("total", field, value, MAX_TOTAL)


def check_increase(value: int, field: str) -> None:
    if abs(value) > MAX_INCREASE:
        raise ImpossibleReport("increase", field, value, MAX_INCREASE)


def check_report(day: date, totals: dict[str, int], increases: dict[str, int], today: date | None) -> None:
    """Refuse the first impossible thing in a report (its date, then its figures)."""
    check_date(day, today)
    for key, total in totals.items():
        check_total(total, f"totals.{key}")
    for key, increase in increases.items():
        check_increase(increase, f"increases.{key}")
