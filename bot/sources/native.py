"""The project's own formats, written by `lossbot export` and read by `lossbot import`.

CSV: one row per report date; columns `date, source, source_url`, then one column per canonical key
(the cumulative total) and one `<key>_increase` column per key (the reported increase). An empty cell is
a figure that does not exist. A hand-made CSV may leave the increase columns out altogether; then
increases are implied between consecutive days.

JSONL: one object per report, `{"date", "totals", "increases", "source", "source_url"}`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.domain.categories import KEYS
from bot.domain.report import ReportFigures
from bot.sources.common import (
    SourceError,
    check_known_keys,
    implied_increases,
    parse_count,
    parse_date,
    parse_json,
)

INCREASE_SUFFIX = "_increase"
META_COLUMNS = ("date", "source", "source_url")
CSV_COLUMNS = (*META_COLUMNS, *KEYS, *(k + INCREASE_SUFFIX for k in KEYS))
DEFAULT_SOURCE = "csv"


def looks_like_csv(first_line: str) -> bool:
    return first_line.split(",", 1)[0].strip().strip('"') == "date"


def looks_like_jsonl(first_line: str) -> bool:
    first = first_line.strip()
    return first.startswith("{") and '"totals"' in first and first.endswith("}")


def read_csv(file: Path, lines: Iterable[str]) -> list[ReportFigures]:
    """The reports of the project's CSV, read from LINES one at a time (without a byte order mark)."""
    reader = csv.DictReader(lines)
    header = [h.strip() for h in reader.fieldnames or []]
    for column in header:
        base = column.removesuffix(INCREASE_SUFFIX)
        if column not in META_COLUMNS and base not in KEYS:
            raise SourceError(file, "unknown category key", record="header", field=column)
    has_increases = any(c.endswith(INCREASE_SUFFIX) for c in header)
    reports: dict[Any, ReportFigures] = {}
    for line, row in enumerate(reader, start=2):
        label = f"line {line}"
        if None in row:
            raise SourceError(file, "more cells than columns", record=label)
        row = {k.strip(): (v or "").strip() for k, v in row.items()}
        day = parse_date(row.get("date", ""), file, label)
        if day in reports:
            raise SourceError(file, "date appears twice", record=label, field="date")
        totals: dict[str, int] = {}
        increases: dict[str, int] = {}
        for column, cell in row.items():
            if column in META_COLUMNS or cell == "":
                continue
            if column.endswith(INCREASE_SUFFIX):
                increases[column.removesuffix(INCREASE_SUFFIX)] = parse_count(
                    cell, file, label, column, signed=True
                )
            else:
                totals[column] = parse_count(cell, file, label, column)
        stray = set(increases) - set(totals)
        if stray:
            raise SourceError(file, "an increase without a total", record=label, field=sorted(stray)[0])
        reports[day] = ReportFigures(
            day, row.get("source") or DEFAULT_SOURCE, totals, increases, row.get("source_url") or None
        )
    result = list(reports.values())
    return result if has_increases else implied_increases(result)


def read_jsonl(file: Path, lines: Iterable[str]) -> list[ReportFigures]:
    """The reports of the project's JSONL, read from LINES one at a time (without a byte order mark)."""
    reports: dict[Any, ReportFigures] = {}
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        label = f"line {line_no}"
        try:
            obj = parse_json(line, file, label)
        except json.JSONDecodeError as exc:
            raise SourceError(file, f"not JSON ({exc.msg})", record=label) from None
        if not isinstance(obj, dict):
            raise SourceError(file, "expected an object", record=label)
        day = parse_date(obj.get("date"), file, label)
        if day in reports:
            raise SourceError(file, "date appears twice", record=label, field="date")
        parts: dict[str, dict[str, int]] = {}
        for part in ("totals", "increases"):
            block = obj.get(part, {})
            if not isinstance(block, dict):
                raise SourceError(file, "expected an object", record=label, field=part)
            parts[part] = {
                k: parse_count(v, file, label, f"{part}.{k}", signed=part == "increases")
                for k, v in block.items()
            }
            check_known_keys(parts[part], file, label)
        source, url = obj.get("source") or DEFAULT_SOURCE, obj.get("source_url")
        if not isinstance(source, str) or (url is not None and not isinstance(url, str)):
            raise SourceError(file, "source and source_url must be text", record=label)
        reports[day] = ReportFigures(day, source, parts["totals"], parts["increases"], url)
    return list(reports.values())


def write_csv(reports: Iterable[ReportFigures], out: io.TextIOBase | Any) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for r in reports:
        writer.writerow(
            [
                r.report_date.isoformat(),
                r.source,
                r.source_url or "",
                *(r.totals.get(k, "") for k in KEYS),
                *(r.increases.get(k, "") for k in KEYS),
            ]
        )
        count += 1
    return count


def write_jsonl(reports: Iterable[ReportFigures], out: io.TextIOBase | Any) -> int:
    count = 0
    for r in reports:
        out.write(json.dumps(r.as_json(), ensure_ascii=False) + "\n")
        count += 1
    return count
