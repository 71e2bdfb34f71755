"""Moderation: report revisions (the audit trail) and pending previews. Tables and queries.

Every function runs inside the caller's session (`storage.db.transaction` or `reading`).

Exactly one revision per (report date, revision number) is enforced by the database: `report_revision`
has a unique key on it, and a preview is claimed with a conditional update (pending → done), so a double
tap or two moderators racing can never both publish.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from storage import locks
from storage.schema import Figure, PendingPreview, PreviewStatus, Report, ReportRevision

FIGURE = Figure.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
REPORT = Report.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime


PREVIEW = PendingPreview.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
REVISION = ReportRevision.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime


def state_fingerprint(session: Session, day: date) -> str:
    """A digest of everything a preview of DAY rests on: the stored report of DAY (its revision, source and
    figures) and the latest report before it (its date and totals). Any publish, correction or import
    touching them changes it."""
    parts: list[Any] = []
    head = session.execute(
        select(REPORT.c.revision, REPORT.c.source).where(REPORT.c.report_date == day)
    ).first()
    parts.append(None if head is None else [head.revision, head.source])
    before = session.execute(
        select(REPORT.c.report_date).where(REPORT.c.report_date < day).order_by(REPORT.c.report_date.desc())
    ).scalar()
    parts.append(None if before is None else before.isoformat())
    for d in (day, before):
        if d is None:
            continue
        rows = session.execute(
            select(FIGURE.c.category, FIGURE.c.total, FIGURE.c.increase)
            .where(FIGURE.c.report_date == d)
            .order_by(FIGURE.c.category)
        ).all()
        parts.append([list(r) for r in rows])
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def add_preview(session: Session, preview: PendingPreview) -> int:
    session.add(preview)
    session.flush()
    assert preview.id is not None
    return preview.id


def get_preview(session: Session, preview_id: int) -> PendingPreview | None:
    return session.get(PendingPreview, preview_id)


def close_preview(session: Session, preview_id: int, status: PreviewStatus, *, by: int, at: datetime) -> bool:
    """Compare-and-set: move a PENDING preview to STATUS. False when it was no longer pending (a double
    tap, or another moderator closed it first)."""
    # The claim comes first in a publish: the second of two racing publishers then reads the first's work.
    locks.exclusive(session, locks.Lock.MODERATION)
    result = session.execute(
        update(PREVIEW)
        .where(PREVIEW.c.id == preview_id, PREVIEW.c.status == PreviewStatus.PENDING)
        .values(status=status, closed_by=by, closed_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def pending_previews(session: Session, *, newer_than: datetime | None = None) -> list[PendingPreview]:
    # col(): the model's attributes are typed as their values; col() gives the column to compare.
    query = select(PendingPreview).where(col(PendingPreview.status) == PreviewStatus.PENDING)
    if newer_than is not None:
        query = query.where(col(PendingPreview.created_at) >= newer_than)
    return list(session.scalars(query.order_by(col(PendingPreview.id))))


def expire_previews(session: Session, *, older_than: datetime) -> int:
    """Pending previews shown before OLDER_THAN become stale."""
    result = session.execute(
        update(PREVIEW)
        .where(PREVIEW.c.status == PreviewStatus.PENDING, PREVIEW.c.created_at < older_than)
        .values(status=PreviewStatus.STALE)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def add_revision(session: Session, revision: ReportRevision) -> None:
    """Insert the audit row; the unique (report_date, revision) key fails a second writer of the same one."""
    session.add(revision)
    session.flush()


def revisions_of(session: Session, day: date) -> list[ReportRevision]:
    query = select(ReportRevision).where(col(ReportRevision.report_date) == day)
    return list(session.scalars(query.order_by(col(ReportRevision.revision))))


def report_revision(session: Session, day: date) -> int | None:
    """The stored report's revision number, or None when DAY has no report."""
    value: int | None = session.execute(select(REPORT.c.revision).where(REPORT.c.report_date == day)).scalar()
    return value


def recent_increases(session: Session, day: date, *, days: int = 90) -> dict[str, list[int]]:
    """Per category, the daily figures of the DAYS days before DAY: the reported increase where known,
    else the difference of totals."""
    rows = session.execute(
        select(FIGURE.c.category, FIGURE.c.increase, FIGURE.c.change).where(
            FIGURE.c.report_date >= day - timedelta(days=days), FIGURE.c.report_date < day
        )
    ).all()
    out: dict[str, list[int]] = {}
    for category, increase, change in rows:
        value = increase if increase is not None else change
        if value is not None:
            out.setdefault(category, []).append(int(value))
    return out
