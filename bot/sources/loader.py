"""Turn the paths given to `lossbot import` into reports, detecting each file's format from its content."""

from __future__ import annotations

import gzip
import itertools
import json
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

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


#: A line of the project's CSV or JSONL is about 1 KB; one past this is not a report, and reading it
#: whole would let one endless line fill the memory.
MAX_LINE_CHARS = 1024 * 1024
_MB = MAX_FILE_BYTES // 2**20


def _open_text(path: Path) -> TextIO:
    """The file as text, checked before anything is read. "utf-8-sig" drops the byte order mark some
    editors write, so every format accepts it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except OSError as exc:
        raise SourceError(path, exc.strerror or "cannot be read") from None
    # A device or a FIFO has no size to check and may never end (/dev/zero): only files are read.
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(path, "not a regular file (a device, pipe or socket cannot be imported)")
    if info.st_size > MAX_FILE_BYTES:
        raise SourceError(path, f"larger than {_MB} MB")
    try:
        if path.suffix == ".gz":  # e.g. what `lossbot export -o history.jsonl.gz` wrote
            return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SourceError(path, exc.strerror or "cannot be read") from None


@contextmanager
def _reading(path: Path) -> Iterator[TextIO]:
    """_open_text, with every decoding or read error as a SourceError naming the file."""
    stream = _open_text(path)
    try:
        with stream:
            yield stream
    except (gzip.BadGzipFile, EOFError):
        raise SourceError(path, "not a complete gzip file") from None
    except UnicodeDecodeError:
        raise SourceError(path, "not UTF-8 text") from None
    except OSError as exc:
        raise SourceError(path, exc.strerror or "cannot be read") from None


def _lines(path: Path, stream: TextIO, read: int) -> Iterator[str]:
    """STREAM's lines one at a time (the whole file is never held), each at most MAX_LINE_CHARS, and at
    most MAX_FILE_BYTES in all with the READ characters before them (a packed file may unpack to far more
    than its size)."""
    while line := stream.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise SourceError(path, f"a line longer than {MAX_LINE_CHARS // 2**20} MB is not a report")
        read += len(line)
        if read > MAX_FILE_BYTES:
            raise SourceError(path, f"unpacks to more than {_MB} MB")
        yield line


def _rest(path: Path, start: str, stream: TextIO) -> str:
    """START and the rest of STREAM as one text (JSON is parsed whole), at most MAX_FILE_BYTES."""
    text = start + stream.read(MAX_FILE_BYTES + 1 - len(start))
    if len(text) > MAX_FILE_BYTES:
        raise SourceError(path, f"unpacks to more than {_MB} MB")
    return text


def _read_text(path: Path) -> str:
    with _reading(path) as stream:
        return _rest(path, "", stream)


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
        with _reading(path) as stream:
            batch, data = _read_file(path, stream)
        if batch is not None:
            batches.append(batch)
        elif orc_losses.is_orc_losses(data):
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


def _read_file(path: Path, stream: TextIO) -> tuple[Batch | None, Any]:
    """The project's CSV or JSONL as a batch, read line by line; or any other file's parsed JSON."""
    blank = 0  # counted, not kept: a file of blank lines is no reason to fill the memory
    while (head := stream.readline(MAX_LINE_CHARS + 1)) and not head.strip():
        blank += 1
    if not head:
        raise SourceError(path, "empty file")
    if len(head) <= MAX_LINE_CHARS:  # a longer first line is JSON on one line, or nothing readable
        after = _lines(path, stream, blank + len(head))
        lines = itertools.chain(itertools.repeat("\n", blank), [head], after)
        if blank == 0 and native.looks_like_csv(head):
            return Batch(str(path), "csv", native.read_csv(path, lines)), None
        if native.looks_like_jsonl(head):
            return Batch(str(path), "jsonl", native.read_jsonl(path, lines)), None
    try:
        return None, parse_json(_rest(path, "\n" * blank + head, stream), path)
    except json.JSONDecodeError as exc:
        raise SourceError(
            path, f"not JSON, nor the project's CSV (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


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
