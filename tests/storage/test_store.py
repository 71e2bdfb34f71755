"""The store on small, hand-written reports: idempotence, conflicts, recounts, ties, gaps, transactions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, text

from bot.domain.report import ReportFigures
from storage import queries
from storage.db import reading, transaction
from storage.writes import StoreSummary, store_reports
from tests.support import databases

D = date.fromisoformat


def rf(
    day: str, source: str = "test", increases: dict[str, int] | None = None, **totals: int
) -> ReportFigures:
    return ReportFigures(D(day), source, totals, increases or {}, None)


def store(engine: Engine, reports: list[ReportFigures], *, prefer_new: bool = False) -> StoreSummary:
    with transaction(engine) as s:
        return store_reports(s, reports, prefer_new=prefer_new)


@databases.sqlite_only("PRAGMAs are SQLite's; PostgreSQL needs none of them")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_second_import_of_the_same_reports_changes_nothing(engine: Engine) -> None:
    reports = [rf("2024-01-01", tanks=10), rf("2024-01-02", tanks=12, increases={"tanks": 2})]
    first = store(engine, reports)
    second = store(engine, reports)
    assert (len(first.added), len(second.added), len(second.unchanged)) == (2, 0, 2)
    assert not second.changed_anything
    with reading(engine) as s:
        report = queries.report_on(s, D("2024-01-02"))
    assert report is not None and report.revision == 1


def test_same_source_updates_and_other_source_conflicts(engine: Engine) -> None:
    store(engine, [rf("2024-01-01", "a", tanks=10)])
    updated = store(engine, [rf("2024-01-01", "a", tanks=11)])
    conflict = store(engine, [rf("2024-01-01", "b", tanks=12)])
    assert updated.updated == [D("2024-01-01")]
    assert [(c.stored_source, c.new_source, c.differences) for c in conflict.conflicts] == [
        ("a", "b", {"tanks": (11, 12)})
    ]
    with reading(engine) as s:
        kept = queries.report_on(s, D("2024-01-01"))
    assert kept is not None and (kept.source, kept.totals, kept.revision) == ("a", {"tanks": 11}, 2)

    preferred = store(engine, [rf("2024-01-01", "b", tanks=12)], prefer_new=True)
    assert preferred.updated == [D("2024-01-01")]
    with reading(engine) as s:
        now = queries.report_on(s, D("2024-01-01"))
    assert now is not None and (now.source, now.totals["tanks"], now.revision) == ("b", 12, 3)


def test_another_source_agreeing_on_shared_totals_is_not_a_conflict(engine: Engine) -> None:
    store(engine, [rf("2024-01-01", "a", tanks=10, ships=2)])
    result = store(engine, [rf("2024-01-01", "b", tanks=10)])
    assert result.unchanged == [D("2024-01-01")] and not result.conflicts


def test_difference_of_totals_follows_a_day_stored_later_in_between(engine: Engine) -> None:
    store(engine, [rf("2024-01-01", tanks=10), rf("2024-01-03", tanks=15)])
    with reading(engine) as s:
        gap = queries.report_on(s, D("2024-01-03"))
    assert gap is not None and gap.figures["tanks"].change is None  # a gap is not a one-day change
    store(engine, [rf("2024-01-02", tanks=12)])
    with reading(engine) as s:
        filled = queries.report_on(s, D("2024-01-03"))
    assert filled is not None and filled.figures["tanks"].change == 3


def test_a_failed_write_leaves_the_database_as_it_was(engine: Engine) -> None:
    store(engine, [rf("2024-01-01", tanks=10)])
    with pytest.raises(ValueError, match="unknown category key 'tankz'"):
        store(engine, [rf("2024-01-02", tanks=11), rf("2024-01-03", tankz=1)])
    with reading(engine) as s:
        assert queries.report_count(s) == 1


def test_top_days_rank_ties_as_equals(engine: Engine) -> None:
    increases = [5, 9, 7, 9, 3, 7]
    reports = [
        rf(f"2024-01-{i + 1:02d}", increases={"tanks": inc}, tanks=100 + i * 10)
        for i, inc in enumerate(increases)
    ]
    store(engine, reports)
    with reading(engine) as s:
        top = queries.top_days(s, "tanks", 5)
        rank = queries.rank_at_time(s, "tanks", D("2024-01-06"))
        rank_from = queries.rank_at_time(s, "tanks", D("2024-01-06"), since=D("2024-01-05"))
    assert [(d.rank, d.increase) for d in top] == [(1, 9), (1, 9), (3, 7), (3, 7), (5, 5)]
    assert [d.report_date for d in top[:2]] == [D("2024-01-02"), D("2024-01-04")]  # equal: earlier first
    assert rank is not None and (rank.rank, rank.out_of) == (3, 6)
    assert rank_from is not None and (rank_from.rank, rank_from.out_of) == (1, 2)


def test_period_sums_report_missing_days_and_recounts(engine: Engine) -> None:
    store(
        engine,
        [
            rf("2024-01-01", tanks=100, increases={"tanks": 1}),
            rf("2024-01-02", tanks=104, increases={"tanks": 4}),
            # 2024-01-03 missing
            rf("2024-01-04", tanks=110, increases={"tanks": 3}),
            rf("2024-01-05", tanks=108, increases={"tanks": 2}),  # a recount: down 2, reported +2
        ],
    )
    with reading(engine) as s:
        period = queries.period_sums(s, D("2024-01-02"), D("2024-01-05"))
        empty = queries.period_sums(s, D("2024-02-01"), D("2024-02-05"))
    tanks = period.sums["tanks"]
    assert tanks.amount == 108 - 100  # agrees with the totals at the ends
    assert tanks.reported == 4 + 3 + 2
    assert period.missing_days == [D("2024-01-03")]
    assert period.recount_days == [D("2024-01-05")]
    assert (empty.report_days, empty.sums) == (0, {})


def test_missing_is_not_zero(engine: Engine) -> None:
    store(engine, [rf("2024-01-01", tanks=1), rf("2024-01-02", tanks=2, ships=5)])
    with reading(engine) as s:
        first = queries.report_on(s, D("2024-01-01"))
        second = queries.report_on(s, D("2024-01-02"))
    assert first is not None and second is not None
    assert "ships" not in first.totals
    assert second.figures["ships"].change is None


def test_nearest_reports_around_a_missing_day(engine: Engine) -> None:
    store(engine, [rf("2024-01-01", tanks=1), rf("2024-01-05", tanks=2)])
    with reading(engine) as s:
        assert queries.report_on(s, D("2024-01-03")) is None
        assert queries.nearest_reports(s, D("2024-01-03")) == (D("2024-01-01"), D("2024-01-05"))
        as_of = queries.report_as_of(s, D("2024-01-03"))
    assert as_of is not None and as_of.report_date == D("2024-01-01")


def test_month_sums_are_differences_of_month_end_totals(engine: Engine) -> None:
    store(
        engine,
        [
            rf("2024-01-30", tanks=10),
            rf("2024-01-31", tanks=12),
            rf("2024-02-01", tanks=15),
            rf("2024-02-02", tanks=16),
        ],
    )
    with reading(engine) as s:
        months = queries.month_sums(s, "tanks", D("2024-01-31"), D("2024-02-29"))
    assert [(m.month, m.amount, m.reports) for m in months] == [(1, 2, 1), (2, 4, 2)]
