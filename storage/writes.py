"""Storing reports. Every call runs inside the caller's transaction (`storage.db.transaction`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session

from bot.domain.categories import BY_KEY
from bot.domain.dates import utc_now
from bot.domain.report import ReportFigures
from storage import ranks
from storage.db import bulk_insert
from storage.schema import Figure, Report

FIGURE = Figure.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
REPORT = Report.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime


#: A total that falls by more than this share, or this number, when its own source is imported again is
#: a conflict too: a dataset's recount takes back a handful, a truncated or corrupt file takes back much.
SHARP_DROP_SHARE = 0.10
SHARP_DROP_COUNT = 1_000


@dataclass(frozen=True)
class Conflict:
    """A report whose figures differ from those already stored from another source, or whose totals drop
    sharply from those its own source gave before (see SHARP_DROP_SHARE)."""

    report_date: date
    stored_source: str
    new_source: str
    #: category → (stored total, new total), for the totals that differ.
    differences: dict[str, tuple[int, int]]


@dataclass
class StoreSummary:
    added: list[date] = field(default_factory=list)
    updated: list[date] = field(default_factory=list)
    unchanged: list[date] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.updated)


@dataclass
class _Stored:
    source: str
    source_url: str | None
    revision: int
    totals: dict[str, int]
    increases: dict[str, int]


def store_reports(
    session: Session,
    reports: Iterable[ReportFigures],
    *,
    prefer_new: bool = False,
    now: datetime | None = None,
) -> StoreSummary:
    """Add new reports, update those from the same source, and keep (not overwrite) figures of another
    source that disagree unless PREFER_NEW. Identical figures are left as they are."""
    incoming = sorted(reports, key=lambda r: r.report_date)
    summary = StoreSummary()
    if not incoming:
        return summary
    for report in incoming:
        unknown = (set(report.totals) | set(report.increases)) - set(BY_KEY)
        if unknown:
            raise ValueError(f"{report.report_date}: unknown category key {sorted(unknown)[0]!r}")
    now = now or utc_now()
    # The days around the incoming ones too: their totals give the differences on both sides.
    lo = incoming[0].report_date - timedelta(days=1)
    hi = incoming[-1].report_date + timedelta(days=1)
    state = _load(session, lo, hi)
    written, replaced = _plan(incoming, state, summary, prefer_new=prefer_new)
    if written:
        _write_reports(session, written, replaced, now)
        _write_figures(session, written, state)
        _refresh_next_day_changes(session, written, state)
        ranks.refresh(session, min(written))
    return summary


def _plan(
    incoming: list[ReportFigures], state: dict[date, _Stored], summary: StoreSummary, *, prefer_new: bool
) -> tuple[dict[date, _Stored], set[date]]:
    """Decide each report's fate and note it in SUMMARY. Returns the reports to write and, of them, the
    days that replace a stored report; STATE is updated to what will be stored."""
    written: dict[date, _Stored] = {}
    replaced: set[date] = set()
    for report in incoming:
        day = report.report_date
        old = state.get(day)
        new = _Stored(report.source, report.source_url, 1, dict(report.totals), dict(report.increases))
        if old is None:
            summary.added.append(day)
        elif old.source != new.source and not prefer_new:
            diffs = _disagreements(old, new)
            if diffs:
                summary.conflicts.append(Conflict(day, old.source, new.source, diffs))
            else:
                summary.unchanged.append(day)
            continue
        elif not prefer_new and (drops := _sharp_drops(old, new)):
            summary.conflicts.append(Conflict(day, old.source, new.source, drops))
            continue
        elif (old.source, old.source_url, old.totals, old.increases) == (
            new.source,
            new.source_url,
            new.totals,
            new.increases,
        ):
            summary.unchanged.append(day)
            continue
        else:
            summary.updated.append(day)
            new.revision = old.revision + 1
            replaced.add(day)
        state[day] = new
        written[day] = new
    return written, replaced


def _disagreements(old: _Stored, new: _Stored) -> dict[str, tuple[int, int]]:
    """Another source's figures: only totals both state can disagree. A category one source lacks, or an
    increase it cannot know (over a gap in its days), is not a disagreement."""
    return {
        k: (old.totals[k], new.totals[k])
        for k in BY_KEY
        if k in old.totals and k in new.totals and old.totals[k] != new.totals[k]
    }


def _sharp_drops(old: _Stored, new: _Stored) -> dict[str, tuple[int, int]]:
    """The totals NEW takes back sharply from OLD: by more than SHARP_DROP_SHARE or SHARP_DROP_COUNT."""
    drops = {}
    for key, before in old.totals.items():
        after = new.totals.get(key, before)
        if before - after > min(SHARP_DROP_COUNT, before * SHARP_DROP_SHARE):
            drops[key] = (before, after)
    return drops


def _write_reports(
    session: Session, written: dict[date, _Stored], replaced: set[date], now: datetime
) -> None:
    """The report rows: REPLACED days lose their figures and get the new source and revision; others are
    inserted."""
    if replaced:
        session.execute(delete(FIGURE).where(FIGURE.c.report_date.in_(sorted(replaced))))
        session.execute(
            update(REPORT)
            .where(REPORT.c.report_date == bindparam("day"))
            .values(
                source=bindparam("source"),
                source_url=bindparam("url"),
                stored_at=bindparam("stored_at"),
                revision=bindparam("rev"),
            ),
            [
                {"day": d, "source": s.source, "url": s.source_url, "stored_at": now, "rev": s.revision}
                for d, s in written.items()
                if d in replaced
            ],
        )
    new_reports = [
        {"report_date": d, "source": s.source, "source_url": s.source_url, "stored_at": now, "revision": 1}
        for d, s in written.items()
        if d not in replaced
    ]
    if new_reports:
        session.execute(insert(REPORT), new_reports)


def _write_figures(session: Session, written: dict[date, _Stored], state: dict[date, _Stored]) -> None:
    """The figure rows of the WRITTEN reports, with the difference of totals against the day before."""
    rows: list[tuple[Any, ...]] = []
    for day, stored in written.items():
        before = state.get(day - timedelta(days=1))
        for key, total in stored.totals.items():
            previous = before.totals.get(key) if before else None
            change = None if previous is None else total - previous
            rows.append((day, key, total, stored.increases.get(key), change))
    bulk_insert(session, FIGURE, ("report_date", "category", "total", "increase", "change"), rows)


def _refresh_next_day_changes(
    session: Session, written: dict[date, _Stored], state: dict[date, _Stored]
) -> None:
    """A report written under an existing next-day report changes that day's difference of totals."""
    fixes = []
    for day, stored in written.items():
        after_day = day + timedelta(days=1)
        after = state.get(after_day)
        if after is None or after_day in written:
            continue
        for key, total in after.totals.items():
            previous = stored.totals.get(key)
            fixes.append({"d": after_day, "c": key, "v": None if previous is None else total - previous})
    if fixes:
        session.execute(
            update(FIGURE)
            .where(FIGURE.c.report_date == bindparam("d"), FIGURE.c.category == bindparam("c"))
            .values(change=bindparam("v")),
            fixes,
        )


def _load(session: Session, lo: date, hi: date) -> dict[date, _Stored]:
    state: dict[date, _Stored] = {}
    for day, source, url, revision in session.execute(
        select(REPORT.c.report_date, REPORT.c.source, REPORT.c.source_url, REPORT.c.revision).where(
            REPORT.c.report_date.between(lo, hi)
        )
    ):
        state[day] = _Stored(source, url, revision, {}, {})
    for day, key, total, increase in session.execute(
        select(FIGURE.c.report_date, FIGURE.c.category, FIGURE.c.total, FIGURE.c.increase).where(
            FIGURE.c.report_date.between(lo, hi)
        )
    ):
        stored = state[day]
        stored.totals[key] = total
        if increase is not None:
            stored.increases[key] = increase
    return state
