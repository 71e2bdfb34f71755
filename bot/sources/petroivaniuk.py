"""PetroIvaniuk's "2022-Ukraine-Russia-War-Dataset": personnel and equipment files, plus recount records.

The dataset stores cumulative totals only. The reported increase is the difference of totals, except on
the recount days listed in `russia_losses_equipment_correction.json`, where each record holds
(difference of totals − reported increase) per category. A record belongs to the report whose totals it
explains; at least one is dated a day early (2023-05-27 explains the report of 2023-05-28: on the 27th it
would make the aircraft increase −3), so a record goes to the first of its date and the next day on which
it leaves no reported increase negative.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.domain.report import ReportFigures
from bot.sources.common import (
    SourceError,
    add_merged_vehicles,
    check_known_keys,
    parse_count,
    parse_date,
    source_key_map,
)

SOURCE = "petroivaniuk"
PERSONNEL_FILE = "russia_losses_personnel.json"
EQUIPMENT_FILE = "russia_losses_equipment.json"
CORRECTION_FILE = "russia_losses_equipment_correction.json"
# Fields of the dataset that are not figures.
NOT_FIGURES = {"date", "day", "personnel*", "POW", "greatest losses direction"}


def is_personnel(data: Any) -> bool:
    return _records_with(data, "personnel") and not _records_with(data, "tank")


def is_equipment(data: Any) -> bool:
    return _records_with(data, "tank") and not _records_with(data, "personnel")


def is_correction(data: Any) -> bool:
    return _records_with(data, "tank") and _records_with(data, "personnel")


def _records_with(data: Any, key: str) -> bool:
    return (
        isinstance(data, list)
        and bool(data)
        and isinstance(data[0], dict)
        and key in data[0]
        and "sourceUri" not in data[0]
    )


def _figures(
    record: dict[str, Any], file: Path, label: str, keys: dict[str, str], *, signed: bool = False
) -> dict[str, int]:
    figures: dict[str, int] = {}
    for field, value in record.items():
        if field in NOT_FIGURES or (signed and field == "personnel"):
            continue
        if field not in keys:
            raise SourceError(file, "unknown category key", record=label, field=field)
        if value is None:
            continue
        figures[keys[field]] = parse_count(value, file, label, field, signed=signed)
    return figures


def _by_date(data: Any, file: Path, *, signed: bool = False) -> dict[date, dict[str, int]]:
    if not isinstance(data, list):
        raise SourceError(file, "expected a JSON array of daily records")
    keys = source_key_map(SOURCE)
    result: dict[date, dict[str, int]] = {}
    for index, record in enumerate(data, start=1):
        label = str(index)
        if not isinstance(record, dict):
            raise SourceError(file, "expected an object", record=label)
        day = parse_date(record.get("date"), file, label)
        label = f"{index} ({day})"
        if day in result:
            raise SourceError(file, "date appears twice", record=label, field="date")
        figures = _figures(record, file, label, keys, signed=signed)
        if signed and "personnel" in record:
            figures["personnel"] = parse_count(record["personnel"], file, label, "personnel", signed=True)
        result[day] = figures
    return result


def read(
    personnel: tuple[Path, Any], equipment: tuple[Path, Any], correction: tuple[Path, Any] | None
) -> list[ReportFigures]:
    """Reports from the parsed files (path, JSON content) of the dataset."""
    people = _by_date(personnel[1], personnel[0])
    gear = _by_date(equipment[1], equipment[0])
    if set(people) != set(gear):
        only = sorted(set(people) ^ set(gear))[:3]
        raise SourceError(equipment[0], f"personnel and equipment files cover different dates (e.g. {only})")
    totals: dict[date, dict[str, int]] = {}
    for day in sorted(gear):
        figures = {**gear[day], **people[day]}
        check_known_keys(figures, equipment[0], str(day))
        add_merged_vehicles(figures, day)
        totals[day] = figures

    increases: dict[date, dict[str, int]] = {}
    for day, figures in totals.items():
        previous = totals.get(day - timedelta(days=1))
        if previous is not None:
            increases[day] = {k: v - previous[k] for k, v in figures.items() if k in previous}
    if correction is not None:
        for day, fixes in _by_date(correction[1], correction[0], signed=True).items():
            _apply_correction(day, fixes, increases, correction[0])

    return [
        ReportFigures(day, SOURCE, figures, increases.get(day, {}), None) for day, figures in totals.items()
    ]


def _apply_correction(
    day: date, fixes: dict[str, int], increases: dict[date, dict[str, int]], file: Path
) -> None:
    fixes = {k: v for k, v in fixes.items() if v != 0}
    for candidate in (day, day + timedelta(days=1)):
        diffs = increases.get(candidate)
        if diffs is None or any(k not in diffs for k in fixes):
            continue
        if all(diffs[k] - v >= 0 for k, v in fixes.items()):
            for k, v in fixes.items():
                diffs[k] -= v
            return
    raise SourceError(file, "recount record fits neither its date nor the next day", record=str(day))
