"""The lod-db "orc-losses" dataset: one JSON array, newest first, with the MoD page of every day.

It states totals only, and has gaps (189 days), so increases are implied only between consecutive days.
Before 2022-05-01 its `unarmoredVehicles` is vehicles only (no fuel tanks), so it is stored as the
retired `vehicles` category there, not as the merged series.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.domain.categories import MERGE_DATE
from bot.domain.report import ReportFigures
from bot.sources.common import (
    SourceError,
    drop_inactive,
    implied_increases,
    parse_count,
    parse_date,
    source_key_map,
)

SOURCE = "orc-losses"
NOT_FIGURES = {"date", "sourceUri"}


def is_orc_losses(data: Any) -> bool:
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "sourceUri" in data[0]


def read(file: Path, data: Any) -> list[ReportFigures]:
    if not isinstance(data, list):
        raise SourceError(file, "expected a JSON array of daily records")
    keys = source_key_map(SOURCE)
    reports: dict[Any, ReportFigures] = {}
    for index, record in enumerate(data, start=1):
        label = str(index)
        if not isinstance(record, dict):
            raise SourceError(file, "expected an object", record=label)
        day = parse_date(record.get("date"), file, label)
        label = f"{index} ({day})"
        if day in reports:
            raise SourceError(file, "date appears twice", record=label, field="date")
        url = record.get("sourceUri")
        if url is not None and not isinstance(url, str):
            raise SourceError(file, f"{url!r} is not a URL", record=label, field="sourceUri")
        totals: dict[str, int] = {}
        for field, value in record.items():
            if field in NOT_FIGURES:
                continue
            if field not in keys:
                raise SourceError(file, "unknown category key", record=label, field=field)
            if value is None:  # null: not reported that day
                continue
            key = keys[field]
            if key == "vehicles_fuel_tanks" and day < MERGE_DATE:
                key = "vehicles"
            totals[key] = parse_count(value, file, label, field)
        reports[day] = ReportFigures(day, SOURCE, drop_inactive(totals, day), {}, url)
    return implied_increases(list(reports.values()))
