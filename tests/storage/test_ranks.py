"""The figures' derived rows (storage/ranks.py): they agree with counting the figures, on the real history
and after a correction of an old day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.domain.categories import KEYS
from storage import queries
from storage.db import reading, transaction
from storage.ranks import REGULAR_FROM
from storage.schema import Figure
from storage.writes import store_reports
from tests.support.delivery_fixtures import reports

FIGURE = Figure.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime


def counted(session: Session, category: str, day: date, since: date | None = None) -> tuple[int, int, int]:
    """Rank, ties and days counted of DAY's increase, by counting every figure up to it."""
    rows = session.execute(
        select(FIGURE.c.report_date, FIGURE.c.increase).where(
            FIGURE.c.category == category, FIGURE.c.report_date <= day, FIGURE.c.increase.is_not(None)
        )
    ).all()
    rows = [r for r in rows if since is None or r[0] >= since]
    mine = next(inc for d, inc in rows if d == day)
    higher = sum(1 for _d, inc in rows if inc > mine)
    same = sum(1 for _d, inc in rows if inc == mine) - 1
    return higher + 1, same, len(rows)


def test_stored_ranks_are_the_counted_ones_on_the_real_history(full_history: Engine) -> None:
    days = [date(2022, 3, 3), date(2022, 4, 1), date(2023, 5, 14), date(2024, 10, 25), date(2026, 8, 22)]
    with reading(full_history) as s:
        for day in days:
            for key, standing in queries.standings(s, day).items():
                every = standing.every
                assert (every.rank, every.ties, every.out_of) == counted(s, key, day), (key, day)
                if day >= REGULAR_FROM:
                    regular = standing.regular
                    assert regular is not None
                    expected = counted(s, key, day, REGULAR_FROM)
                    assert (regular.rank, regular.ties, regular.out_of) == expected, (key, day)
        personnel = queries.standings(s, date(2024, 10, 25))["personnel"]
        ships = queries.standings(s, date(2024, 10, 25))["ships"]
    assert (personnel.every.rank, personnel.every.ties) == (4, 0)  # as the README says: 4th, 3rd since April
    assert personnel.regular is not None and personnel.regular.rank == 3
    assert ships.every.ties > 900  # a day without a warship lost shares its "rank" with most days


def test_period_sums_from_running_sums_are_the_summed_figures(full_history: Engine) -> None:
    spans = [
        (date(2022, 2, 24), date(2026, 8, 22)),
        (date(2022, 3, 10), date(2022, 6, 1)),
        (date(2024, 10, 21), date(2024, 10, 25)),
        (date(2026, 4, 1), date(2026, 6, 30)),  # ground robotic systems first reported inside it
    ]
    with reading(full_history) as s:
        for start, end in spans:
            sums = queries.period_sums(s, start, end).sums
            rows = s.execute(
                select(FIGURE.c.category, FIGURE.c.increase).where(FIGURE.c.report_date.between(start, end))
            ).all()
            for key in KEYS:
                mine = [inc for k, inc in rows if k == key]
                if not mine:
                    assert key not in sums
                    continue
                assert sums[key].days == len(mine), (key, start)
                assert sums[key].reported == sum(inc for inc in mine if inc is not None), (key, start)
                one = queries.category_sum(s, key, start, end)
                assert one == sums[key]


def test_a_correction_of_an_old_day_moves_the_later_ranks(engine: Engine) -> None:
    history = reports(days=8)
    with transaction(engine) as session:
        store_reports(session, history)
    last = history[-1].report_date
    with reading(engine) as s:
        before = queries.standings(s, last)["personnel"].every
    assert (before.rank, before.ties) == (2, 0)  # behind the first day's +3,160
    # The source corrects the third day: +1,630 too, so the last day now shares its rank.
    third = history[2]
    fixed_totals = {**third.totals, "personnel": third.totals["personnel"]}
    corrected = replace(third, increases={**third.increases, "personnel": 1_630}, totals=fixed_totals)
    with transaction(engine) as session:
        summary = store_reports(session, [corrected])
    assert summary.updated == [third.report_date]
    with reading(engine) as s:
        after = queries.standings(s, last)["personnel"].every
        middle = queries.standings(s, third.report_date + timedelta(days=1))["personnel"].every
        records = queries.record_days(s)
    assert (after.rank, after.ties, after.out_of) == (2, 1, 8)
    assert middle.rank == 3  # the day after the corrected one now has it above
    assert records["personnel"].report_date == history[0].report_date
