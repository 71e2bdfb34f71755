"""The war's calendar and the one clock: every module takes `WAR_START` and `utc_now` from here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Final

#: The first day of the full-scale invasion: report day 1.
WAR_START: Final = date(2022, 2, 24)


def utc_now() -> datetime:
    """The current time, aware, in UTC (stored times are UTC; shown times are converted at the edge)."""
    return datetime.now(UTC)


def day_number(day: date) -> int:
    """Day of the war of a report date: 2022-02-24 is day 1."""
    return (day - WAR_START).days + 1
