"""The schema: one row per report, one row per (report, category) figure.

A report is identified by its report date (the date in the General Staff's heading). Its figures keep
both kinds of increase apart (see ../shared/guide/data.md):

- `increase`: the reported increase, the "(+N)" of the text, or the one a source implies by a total one
  day earlier in the same source. NULL when unknown (first report, a gap in the source).
- `change`: the difference of totals against the stored report of the day before. NULL when that day
  has no report or lacked the category. Differs from `increase` on recount days.

Missing is not zero: a category that was not reported on a day has no row that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; SQLite keeps no zone, so restore it on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Report(SQLModel, table=True):
    __tablename__ = "report"

    report_date: date = Field(primary_key=True)
    source: str = Field(sa_column=Column(String(64), nullable=False))
    source_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    stored_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    #: 1 when first stored; each moderator correction or accepted re-import adds one.
    revision: int = Field(default=1)


class Figure(SQLModel, table=True):
    __tablename__ = "figure"
    __table_args__ = (
        # Rankings: "how many days beat this increase" and "top N" walk this index, never the table.
        Index("ix_figure_category_increase", "category", "increase", "report_date"),
        # Periods and "as of" lookups per category.
        Index("ix_figure_category_date", "category", "report_date", "total", "increase"),
        # Recount days are few: a partial index finds them without reading every figure of a period.
        Index(
            "ix_figure_recount",
            "report_date",
            sqlite_where=text("increase <> change"),
            postgresql_where=text("increase <> change"),
        ),
    )

    report_date: date = Field(
        sa_column=Column(
            "report_date", ForeignKey("report.report_date", ondelete="CASCADE"), primary_key=True
        )
    )
    category: str = Field(sa_column=Column(String(40), primary_key=True))
    total: int = Field(sa_column=Column(BigInteger, nullable=False))
    increase: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    change: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


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


class ChatPrefs(SQLModel, table=True):
    """Per-chat choices that outlive a restart: for now the language set with /lang."""

    __tablename__ = "chat_prefs"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    lang: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
