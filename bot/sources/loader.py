"""Turn the paths given to `lossbot import` into reports, detecting each file's format from its content."""

from __future__ import annotations

import gzip
import json
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.domain.report import ReportFigures
from bot.sources import native, orc_losses, petroivaniuk, russianwarship
from bot.sources.common import SourceError, check_reports, parse_json

MAX_FILE_BYTES = 200 * 1024 * 1024
READABLE_SUFFIXES = (".json", ".csv", ".jsonl", ".jsonl.gz", ".csv.gz")


@dataclass
class Batch:
    """The reports read from one dataset (one file, or the PetroIvaniuk pair)."""

    name: str
    format: str
    reports: list[ReportFigures]


def _read_text(path: Path) -> str:
    """The file's text, without the byte order mark some editors write (every format accepts it)."""
    return _read_bytes_as_text(path).removeprefix("\ufeff")


def _read_bytes_as_text(path: Path) -> str:
    try:
        info = path.stat()
        # A device or a FIFO has no size to check and may never end (/dev/zero): only files are read.
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(path, "not a regular file (a device, pipe or socket cannot be imported)")
        if info.st_size > MAX_FILE_BYTES:
            raise SourceError(path, f"larger than {MAX_FILE_BYTES // 2**20} MB")
        if path.suffix == ".gz":  # e.g. what `lossbot export -o history.jsonl.gz` wrote
            with gzip.open(path, "rb") as packed:
                data = packed.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise SourceError(path, f"unpacks to more than {MAX_FILE_BYTES // 2**20} MB")
            return data.decode("utf-8")
        return path.read_text(encoding="utf-8")
    except (gzip.BadGzipFile, EOFError):
        raise SourceError(path, "not a complete gzip file") from None
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except UnicodeDecodeError:
        raise SourceError(path, "not UTF-8 text") from None
    except OSError as exc:
        raise SourceError(path, exc.strerror or "cannot be read") from None


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.name.endswith(READABLE_SUFFIXES))
            found = [p for p in found if not p.name.endswith(".schema.json")]
            if not found:
                raise SourceError(path, "folder holds no .json, .jsonl or .csv file")
            files.extend(found)
        else:
            files.append(path)
    return list(dict.fromkeys(files))  # the same file named twice is read once


def load(paths: list[Path], *, today: date | None = None) -> list[Batch]:
    """Read every path (file or folder); raise SourceError on the first problem found, including a
    report that cannot exist when it is TODAY in the configured zone (default: in any zone)."""
    batches = _load(paths)
    for batch in batches:
        check_reports(batch.name, batch.reports, today)
    return batches


def _load(paths: list[Path]) -> list[Batch]:
    files = _expand(paths)
    pi_parts: dict[str, tuple[Path, Any]] = {}
    batches: list[Batch] = []
    for path in files:
        text = _read_text(path)
        if not text.strip():
            raise SourceError(path, "empty file")
        if native.looks_like_csv(text):
            batches.append(Batch(str(path), "csv", native.read_csv(path, text)))
            continue
        if native.looks_like_jsonl(text):
            batches.append(Batch(str(path), "jsonl", native.read_jsonl(path, text)))
            continue
        try:
            data = parse_json(text, path)
        except json.JSONDecodeError as exc:
            raise SourceError(
                path, f"not JSON, nor the project's CSV (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        if orc_losses.is_orc_losses(data):
            batches.append(Batch(str(path), "orc-losses", orc_losses.read(path, data)))
        elif russianwarship.is_russianwarship(data):
            batches.append(Batch(str(path), "russianwarship", russianwarship.read(path, data)))
        elif petroivaniuk.is_personnel(data):
            pi_parts["personnel"] = (path, data)
        elif petroivaniuk.is_equipment(data):
            pi_parts["equipment"] = (path, data)
        elif petroivaniuk.is_correction(data):
            pi_parts["correction"] = (path, data)
        else:
            raise SourceError(
                path,
                "unrecognised format: expected the PetroIvaniuk or orc-losses JSON, a russianwarship.rip "
                "API response, or the project's CSV/JSONL",
            )
    if pi_parts:
        batches.insert(0, _petroivaniuk_batch(pi_parts))
    return batches


def _petroivaniuk_batch(parts: dict[str, tuple[Path, Any]]) -> Batch:
    # One file of the pair may be given alone: its sibling is read from the same folder.
    folder = next(iter(parts.values()))[0].parent
    for role, name in (
        ("personnel", petroivaniuk.PERSONNEL_FILE),
        ("equipment", petroivaniuk.EQUIPMENT_FILE),
        ("correction", petroivaniuk.CORRECTION_FILE),
    ):
        if role in parts:
            continue
        sibling = folder / name
        if sibling.exists():
            parts[role] = (sibling, _json(sibling))
        elif role != "correction":
            raise SourceError(
                next(iter(parts.values()))[0], f"the PetroIvaniuk {role} file ({name}) is needed beside it"
            )
    reports = petroivaniuk.read(parts["personnel"], parts["equipment"], parts.get("correction"))
    return Batch(str(parts["equipment"][0].parent), "petroivaniuk", reports)


def _json(path: Path) -> Any:
    try:
        return parse_json(_read_text(path), path)
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"not JSON (line {exc.lineno}: {exc.msg})") from None
