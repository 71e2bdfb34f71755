"""The russianwarship.rip API: `/statistics/latest`, `/statistics/{date}` or a page of `records`.

It states both totals (`stats`) and reported increases (`increase`). It back-fills categories that did not
exist yet with 0, so figures outside a category's active dates are dropped; before 2022-05-01 its
`vehicles_fuel_tanks` is vehicles only, stored as the retired `vehicles` category.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from bot.domain.categories import MERGE_DATE
from bot.domain.report import ReportFigures
from bot.sources.common import (
    SourceError,
    date_of_day,
    drop_inactive,
    parse_count,
    parse_date,
    source_key_map,
)

SOURCE = "russianwarship"


def is_russianwarship(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        return False
    inner = data["data"]
    return "stats" in inner or "records" in inner


def read(file: Path, data: Any) -> list[ReportFigures]:
    keys = source_key_map(SOURCE)
    reports = []
    seen: set[date] = set()
    for index, record in enumerate(_records(file, data), start=1):
        if not isinstance(record, dict):
            raise SourceError(file, "expected an object", record=str(index))
        day = _day(file, record, str(index))
        label = f"{index} ({day})"
        if day in seen:
            raise SourceError(file, "date appears twice", record=label, field="date")
        seen.add(day)
        url = record.get("resource")
        if url is not None and not isinstance(url, str):
            raise SourceError(file, f"{url!r} is not a URL", record=label, field="resource")
        totals = _figures(file, record, "stats", keys, day, label)
        reported = _figures(file, record, "increase", keys, day, label)
        if not totals:
            raise SourceError(file, "no figures", record=label, field="stats")
        increases = {k: v for k, v in reported.items() if k in totals}
        reports.append(ReportFigures(day, SOURCE, totals, increases, url))
    return reports


def _records(file: Path, data: Any) -> list[Any]:
    """The daily records: a page of `records`, or the one day of `/statistics/latest` or `/{date}`."""
    inner = data["data"]
    if "records" not in inner:
        return [inner]
    records = inner["records"]
    if not isinstance(records, list):
        raise SourceError(file, "expected a list", field="data.records")
    return records


def _day(file: Path, record: dict[str, Any], label: str) -> date:
    """The record's date, or the date of its day number (day 1 is the war's first day)."""
    if "date" in record:
        return parse_date(record["date"], file, label)
    if "day" in record:
        return date_of_day(record["day"], file, label)
    raise SourceError(file, "no date and no day number", record=label, field="date")


def _figures(
    file: Path, record: dict[str, Any], part: str, keys: dict[str, str], day: date, label: str
) -> dict[str, int]:
    """One block of figures (PART is `stats` or `increase`) by canonical key, those active on DAY."""
    block = record.get(part, {})
    if not isinstance(block, dict):
        raise SourceError(file, "expected an object", record=label, field=part)
    values: dict[str, int] = {}
    for field, value in block.items():
        if field not in keys:
            raise SourceError(file, "unknown category key", record=label, field=f"{part}.{field}")
        if value is None:
            continue
        key = keys[field]
        if key == "vehicles_fuel_tanks" and day < MERGE_DATE:
            key = "vehicles"
        # A recount can make a reported increase negative (PetroIvaniuk has such days too).
        values[key] = parse_count(value, file, label, f"{part}.{field}", signed=part == "increase")
    return drop_inactive(values, day)
