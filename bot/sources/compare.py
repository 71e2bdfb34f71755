"""Where two sources disagree: the same report date, the same category, different totals.

Only figures both state are compared (a figure one source lacks is not a disagreement, it is missing),
so the result is exactly what `lossbot import` would call a conflict, listed in full.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.domain.categories import KEYS
from bot.domain.report import ReportFigures


@dataclass(frozen=True)
class Disagreement:
    report_date: date
    category: str
    ours: int
    theirs: int


@dataclass(frozen=True)
class Comparison:
    """One source against another over the dates both have."""

    dates_compared: int
    disagreements: tuple[Disagreement, ...]

    def by_category(self) -> dict[str, list[Disagreement]]:
        found: dict[str, list[Disagreement]] = {}
        for d in self.disagreements:
            found.setdefault(d.category, []).append(d)
        return {k: found[k] for k in KEYS if k in found}


def compare(
    ours: Iterable[ReportFigures],
    theirs: Iterable[ReportFigures],
    *,
    first: date | None = None,
    last: date | None = None,
) -> Comparison:
    """Every figure that OURS and THEIRS state differently, on the dates both have within FIRST..LAST."""
    mine = {r.report_date: r for r in ours}
    other = {r.report_date: r for r in theirs}
    common = sorted(
        d for d in mine.keys() & other.keys() if (first is None or d >= first) and (last is None or d <= last)
    )
    found = [
        Disagreement(day, key, total, other[day].totals[key])
        for day in common
        for key, total in mine[day].totals.items()
        if key in other[day].totals and other[day].totals[key] != total
    ]
    return Comparison(len(common), tuple(found))
