"""The history the package ships, so a new installation answers at once, even offline.

`data/history.jsonl.gz` is what `lossbot export -o history.jsonl.gz` writes after importing the
MIT-licensed PetroIvaniuk and orc-losses datasets (`.ci/snapshot` makes it; `data/NOTICE.md` carries their
attribution and licences). It is loaded once, into an empty database, in one transaction; the live
sources then fetch what came after it.
"""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

from sqlalchemy import Engine

from bot.domain.report import ReportFigures
from bot.sources import native
from storage import locks, queries
from storage.db import reading, transaction
from storage.writes import store_reports

log = logging.getLogger(__name__)

SNAPSHOT = Path(__file__).parent / "data" / "history.jsonl.gz"


def read_snapshot(path: Path = SNAPSHOT) -> list[ReportFigures]:
    """Every report of the shipped snapshot, oldest first."""
    with gzip.open(path, "rt", encoding="utf-8") as text:
        return native.read_jsonl(path, text)


def load_if_empty(engine: Engine, path: Path = SNAPSHOT) -> int:
    """Store the snapshot when the database holds no report yet; return how many reports were stored.

    A database with any report is left alone: it may hold corrections and newer reports."""
    with reading(engine) as session:
        if queries.latest_report(session) is not None:
            return 0
    reports = read_snapshot(path)
    with transaction(engine) as session:
        # Checked again inside the write: two processes starting at once must not both load it.
        locks.exclusive(session, locks.Lock.FIRST_LOAD)  # on PostgreSQL the second waits here, then sees it
        if queries.latest_report(session) is not None:
            return 0
        store_reports(session, reports)
    log.info(
        "first start: loaded the embedded history, %d reports up to %s",
        len(reports),
        reports[-1].report_date if reports else "-",
    )
    return len(reports)
