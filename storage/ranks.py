"""The figures' derived rows (storage.schema.FigureStat): running sums and the rank each day held at the time.

`storage.writes.store_reports` calls `refresh` in the same transaction as the figures it writes, so every
reader, in any instance of the bot, sees rows that agree with the figures. An answer then reads one row
where it would count every earlier day: /day's ranks, /category's rank, /range's sums (the difference of
two running sums), /records (the latest untied 1st place).

A rank is competition ranking at the time: 1 + the days up to this one (this one's date included) whose
reported increase is greater; `ties` counts the other days up to it with the same increase, so "2nd"
among 41 equal days can be told from a 2nd place of its own.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlmodel import Session

from storage.db import bulk_insert
from storage.schema import Figure, FigureStat

FIGURE = Figure.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
STAT = FigureStat.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime

#: Ranks are also counted from here: the reports of the first weeks were irregular (a day's "(+N)" may
#: cover several days; see ../shared/guide/data.md), so 2022-03-03's +3,160 personnel is an artifact.
REGULAR_FROM = date(2022, 4, 1)


class _Ranking:
    """The increases seen so far, sorted, to rank each next one among them and itself."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def add(self, increase: int) -> tuple[int, int, int]:
        """Count INCREASE in; its rank, how many other days have the same, and how many days are counted."""
        insort(self.seen, increase)
        low, high = bisect_left(self.seen, increase), bisect_right(self.seen, increase)
        return len(self.seen) - high + 1, high - low - 1, len(self.seen)


#: The order of the values of a stat row as `_category_rows` gives them.
STAT_COLUMNS = (
    "category",
    "report_date",
    "total",
    "seq",
    "reported_sum",
    "known",
    "rank",
    "ties",
    "known_regular",
    "rank_regular",
    "ties_regular",
)


def _category_rows(rows: Iterable[Any], since: date) -> Iterator[tuple[Any, ...]]:
    """The stat rows (values in STAT_COLUMNS order) of one category's figures (given in date order)
    dated SINCE or later."""
    every, regular = _Ranking(), _Ranking()
    seq = reported_sum = known = 0
    for category, day, total, increase in rows:
        seq += 1
        rank = ties = None
        rank_regular = ties_regular = known_regular = None
        if increase is not None:
            known += 1
            reported_sum += increase
            rank, ties, _counted = every.add(increase)
            if day >= REGULAR_FROM:
                rank_regular, ties_regular, known_regular = regular.add(increase)
        elif day >= REGULAR_FROM:
            known_regular = len(regular.seen)
        if day < since:
            continue
        yield (
            category,
            day,
            total,
            seq,
            reported_sum,
            known,
            rank,
            ties,
            known_regular,
            rank_regular,
            ties_regular,
        )


def refresh(session: Session | Connection, since: date) -> None:
    """Recompute the stat rows of every figure dated SINCE or later (a write's earliest day), from all
    the figures: a correction of an old day moves the ranks and sums of every day after it.

    Every figure is read (about 25,000 rows for the whole war, tens of milliseconds), once per write, and
    the rows are computed in one pass in memory and written with one bulk insert: importing the whole
    history costs one such pass, not one per report."""
    session.execute(delete(STAT).where(STAT.c.report_date >= since))
    figures = session.execute(
        select(FIGURE.c.category, FIGURE.c.report_date, FIGURE.c.total, FIGURE.c.increase).order_by(
            FIGURE.c.category, FIGURE.c.report_date
        )
    )
    rows = [
        row for _key, group in groupby(figures, key=itemgetter(0)) for row in _category_rows(group, since)
    ]
    bulk_insert(session, STAT, STAT_COLUMNS, rows)


def rebuild(session: Session | Connection) -> None:
    """Remake every stat row from the figures (the migration that adds the table fills it so)."""
    refresh(session, date.min)
