"""The report as a value: what a source or a moderator states for one report date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class ReportFigures:
    """One report as a source states it: what importers produce and the store takes."""

    report_date: date
    source: str
    totals: dict[str, int]
    increases: dict[str, int] = field(default_factory=dict)
    source_url: str | None = None

    def same_figures(self, other: ReportFigures) -> bool:
        return self.totals == other.totals and self.increases == other.increases

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.report_date.isoformat(),
            "totals": self.totals,
            "increases": self.increases,
            "source": self.source,
            "source_url": self.source_url,
        }
