"""What a digest needs of the store beyond the period sums (storage/queries.py): the records broken in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, select
from sqlmodel import Session

from storage.schema import Figure, FigureStat

FIGURE = Figure.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
STAT = FigureStat.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime


@dataclass(frozen=True)
class RecordDay:
    """A day whose reported increase of CATEGORY was, when reported, higher than every day before."""

    category: str
    report_date: date
    increase: int


def records_between(session: Session, first: date, last: date) -> list[RecordDay]:
    """The all-time records set on the days FIRST … LAST: each day ranked 1st untied at the time (the
    ranks stored with the figures, storage/ranks.py), oldest first."""
    rows = session.execute(
        select(STAT.c.category, STAT.c.report_date, FIGURE.c.increase)
        .join(
            FIGURE,
            and_(FIGURE.c.category == STAT.c.category, FIGURE.c.report_date == STAT.c.report_date),
        )
        .where(
            STAT.c.report_date.between(first, last),
            STAT.c.rank == 1,
            STAT.c.ties == 0,
            STAT.c.known > 1,  # a category's first day is no record: nothing came before it
            FIGURE.c.increase.is_not(None),
        )
        .order_by(STAT.c.report_date, STAT.c.category)
    )
    return [RecordDay(category, day, int(increase)) for category, day, increase in rows]
