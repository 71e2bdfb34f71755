"""What every reader shares: the error type, figure validation and the merge of retired categories."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.domain import bounds
from bot.domain.categories import BY_KEY, CATEGORIES, MERGE_DATE
from bot.domain.dates import WAR_START, DateError, day_number, parse_calendar_date
from bot.domain.report import ReportFigures


class SourceError(ValueError):
    """Input refused; the message names the file, the record and the field."""

    def __init__(
        self, file: str | Path, problem: str, *, record: str | None = None, field: str | None = None
    ):
        self.file = str(file)
        self.record = record
        self.field = field
        self.problem = problem
        where = [self.file]
        if record is not None:
            where.append(f"record {record}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(": ".join([*where, problem]))


def parse_json(text: str | bytes, file: str | Path, record: str | None = None) -> Any:
    """json.loads, with nesting too deep for the parser (an attack, never a dataset) as a SourceError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise SourceError(file, "nested too deeply to be a dataset", record=record) from None


def source_key_map(source: str) -> dict[str, str]:
    """A dataset's own key → canonical key, from the category list (so a new category needs no code)."""
    mapping: dict[str, str] = {}
    for cat in CATEGORIES:
        for name, key in cat.source_keys:
            if name == source:
                mapping.setdefault(key, cat.key)
    return mapping


def parse_date(value: object, file: str | Path, record: str, field: str = "date") -> date:
    """A record's date, read like every date the bot reads (see `parse_calendar_date`), between the war's
    first day and the latest date that is today anywhere (`check_reports` applies TIMEZONE's today)."""
    if not isinstance(value, str):
        raise SourceError(file, f"{value!r} is not a date (YYYY-MM-DD)", record=record, field=field)
    try:
        day = parse_calendar_date(value)
        bounds.check_date(day)
    except (DateError, bounds.ImpossibleReport) as exc:
        raise SourceError(file, str(exc), record=record, field=field) from None
    return day


def date_of_day(number: object, file: str | Path, record: str, field: str = "day") -> date:
    """The date of a day of the war (day 1 is its first day), within the dates `parse_date` accepts."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise SourceError(file, f"{number!r} is not a day number", record=record, field=field)
    last = day_number(bounds.latest_date())
    if not 1 <= number <= last:
        raise SourceError(
            file, f"day {number} is not a day of the war (1 … {last})", record=record, field=field
        )
    return WAR_START + timedelta(days=number - 1)


_SEPARATORS = re.compile("[ ,\u00a0\u2009\u202f]")
_WHOLE_NUMBER = re.compile("[+-]?[0-9]{1,30}")


def parse_count(value: object, file: str | Path, record: str, field: str, *, signed: bool = False) -> int:
    """A figure: a whole number, non-negative unless SIGNED (recount corrections may be negative)."""
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise SourceError(file, f"{value!r} is not a whole number", record=record, field=field)
    if isinstance(value, float):
        if not value.is_integer():
            raise SourceError(file, f"{value!r} is not a whole number", record=record, field=field)
        value = int(value)
    if isinstance(value, str):
        # The separators reports use may group thousands; int() alone would also take "12_251" and
        # non-ASCII digits, which no dataset writes.
        text = _SEPARATORS.sub("", value.strip())
        if not _WHOLE_NUMBER.fullmatch(text):
            raise SourceError(file, f"{value!r} is not a whole number", record=record, field=field)
        value = int(text)
    if value < 0 and not signed:
        raise SourceError(file, f"{value} is negative", record=record, field=field)
    try:  # before the figure goes anywhere: the database cannot even hold 2^63
        (bounds.check_increase if signed else bounds.check_total)(value, field)
    except bounds.ImpossibleReport as exc:
        raise SourceError(file, str(exc), record=record, field=field) from None
    return value


def check_reports(file: str | Path, reports: list[ReportFigures], today: date | None) -> None:
    """Refuse the first report that cannot exist when it is TODAY in the configured zone: dated after
    today (and its day of grace), or with a figure the readers could not see (an implied increase)."""
    for report in reports:
        try:
            bounds.check_report(report.report_date, report.totals, report.increases, today)
        except bounds.ImpossibleReport as exc:
            raise SourceError(file, str(exc), record=str(report.report_date), field=exc.field) from None


def check_known_keys(keys: dict[str, int], file: str | Path, record: str) -> None:
    for key in keys:
        if key not in BY_KEY:
            raise SourceError(file, "unknown category key (see /categories)", record=record, field=key)


def drop_inactive(totals: dict[str, int], day: date) -> dict[str, int]:
    """Keep the categories that existed on DAY: some sources back-fill them with 0 before they existed."""
    return {k: v for k, v in totals.items() if BY_KEY[k].active_on(day)}


def add_merged_vehicles(totals: dict[str, int], day: date) -> None:
    """Before the merge, give `vehicles_fuel_tanks` its continuous series: vehicles + fuel tanks."""
    if day < MERGE_DATE and "vehicles" in totals and "fuel_tanks" in totals:
        totals["vehicles_fuel_tanks"] = totals["vehicles"] + totals["fuel_tanks"]


def implied_increases(reports: list[ReportFigures]) -> list[ReportFigures]:
    """Fill the increases a source implies: today's total minus its own total of the calendar day before.

    An increase over a gap in the source is not a one-day increase, so a report after a gap gets none.
    Increases the source states (e.g. after a recount correction) are kept as they are.
    """
    by_date = {r.report_date: r for r in reports}
    result = []
    for report in sorted(reports, key=lambda r: r.report_date):
        previous = by_date.get(report.report_date - timedelta(days=1))
        increases = dict(report.increases)
        if previous is not None:
            for key, total in report.totals.items():
                if key not in increases and key in previous.totals:
                    increases[key] = total - previous.totals[key]
        result.append(
            ReportFigures(report.report_date, report.source, report.totals, increases, report.source_url)
        )
    return result
