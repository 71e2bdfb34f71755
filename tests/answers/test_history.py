"""The figures the issue names, reproduced from the full real history in ../shared/data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from storage import queries
from storage.db import reading


def test_report_of_2024_10_25(full_history: Engine) -> None:
    with reading(full_history) as s:
        report = queries.report_on(s, date(2024, 10, 25))
    assert report is not None
    assert report.source == "petroivaniuk"
    assert report.totals["personnel"] == 685_910
    assert report.increases["personnel"] == 1_630
    assert (report.increases["tanks"], report.increases["afv"]) == (7, 33)
    assert (report.increases["artillery"], report.increases["uav"]) == (34, 73)


def test_rank_at_the_time_counting_every_day_and_from_april_2022(full_history: Engine) -> None:
    with reading(full_history) as s:
        every_day = queries.rank_at_time(s, "personnel", date(2024, 10, 25))
        from_april = queries.rank_at_time(s, "personnel", date(2024, 10, 25), since=date(2022, 4, 1))
        top = queries.top_days(s, "personnel", 3, start=date(2022, 4, 1), end=date(2024, 10, 25))
    assert every_day is not None and every_day.rank == 4  # 2022-03-03's +3,160 is counted
    assert from_april is not None and from_april.rank == 3
    assert [(d.report_date, d.increase, d.rank) for d in top] == [
        (date(2024, 5, 13), 1_740, 1),
        (date(2024, 10, 21), 1_710, 2),
        (date(2024, 10, 25), 1_630, 3),
    ]


def test_rank_today_differs_from_rank_at_the_time(full_history: Engine) -> None:
    with reading(full_history) as s:
        at_the_time = queries.rank_at_time(s, "personnel", date(2024, 10, 25))
        latest = queries.latest_report(s)
        assert latest is not None
        higher_since = queries.top_days(s, "personnel", 50, start=date(2024, 10, 26))
    assert at_the_time is not None
    assert any(d.increase > 1_630 for d in higher_since)  # later days beat it, the rank at the time stays


def test_sums_over_the_reports_of_2024_10_21_to_25(full_history: Engine) -> None:
    with reading(full_history) as s:
        period = queries.period_sums(s, date(2024, 10, 21), date(2024, 10, 25))
    amounts = {k: v.amount for k, v in period.sums.items()}
    assert amounts["personnel"] == 7_390
    assert amounts["artillery"] == 188
    assert amounts["uav"] == 383
    assert amounts["afv"] == 176
    assert period.report_days == 5 and period.missing_days == []
    # PetroIvaniuk records a recount on 2024-10-22 (cruise missiles): the period says so.
    assert period.recount_days == [date(2024, 10, 22)]
    assert period.sums["cruise_missiles"].amount != period.sums["cruise_missiles"].reported


def test_totals_of_2025_08_22(full_history: Engine) -> None:
    with reading(full_history) as s:
        report = queries.report_as_of(s, date(2025, 8, 22))
    assert report is not None and report.report_date == date(2025, 8, 22)
    totals = report.totals
    assert (totals["personnel"], totals["tanks"], totals["afv"]) == (1_074_320, 11_124, 23_160)
    assert (totals["artillery"], totals["uav"]) == (31_835, 52_787)


def test_recount_of_2023_05_28(full_history: Engine) -> None:
    with reading(full_history) as s:
        tanks = queries.report_on(s, date(2023, 5, 28))
        day_before = queries.report_on(s, date(2023, 5, 27))
    assert tanks is not None and day_before is not None
    figure = tanks.figures["tanks"]
    assert (figure.total, figure.increase) == (3_797, 3)
    assert figure.change == -2 and figure.recount  # the total went down by 2 while +3 was reported
    # The correction record dated 2023-05-27 belongs to the 28th: the 27th keeps its plain differences.
    assert day_before.figures["aircraft"].increase == day_before.figures["aircraft"].change


def test_merged_vehicles_have_a_continuous_series(full_history: Engine) -> None:
    with reading(full_history) as s:
        april_30 = queries.report_on(s, date(2022, 4, 30))
        may_1 = queries.report_on(s, date(2022, 5, 1))
    assert april_30 is not None and may_1 is not None
    assert (april_30.totals["vehicles"], april_30.totals["fuel_tanks"]) == (1_701, 76)
    assert april_30.totals["vehicles_fuel_tanks"] == 1_777
    assert "vehicles" not in may_1.totals and "fuel_tanks" not in may_1.totals
    assert may_1.increases["vehicles_fuel_tanks"] == 1_796 - 1_777


def test_categories_appear_when_they_began(full_history: Engine) -> None:
    with reading(full_history) as s:
        before = queries.report_on(s, date(2026, 5, 2))
        first = queries.report_on(s, date(2026, 5, 3))
        no_missiles_yet = queries.report_on(s, date(2022, 4, 30))
    assert before is not None and first is not None and no_missiles_yet is not None
    assert "ground_robotic_systems" not in before.totals
    assert first.totals["ground_robotic_systems"] == 1_306
    assert "ground_robotic_systems" not in first.increases  # it starts large: not a one-day loss
    assert "cruise_missiles" not in no_missiles_yet.totals  # missing is not zero


def test_days_after_the_petroivaniuk_history_come_from_orc_losses(full_history: Engine) -> None:
    with reading(full_history) as s:
        latest = queries.latest_report(s)
    assert latest is not None
    assert latest.report_date == date(2026, 8, 22)
    assert latest.source == "orc-losses"
    assert latest.source_url is not None and "mod.gov.ua" in latest.source_url
    assert latest.totals["personnel"] == 1_475_270
    assert latest.increases["personnel"] == 1_475_270 - 1_474_030


def test_record_days_and_year_sums(full_history: Engine) -> None:
    with reading(full_history) as s:
        records = queries.record_days(s)
        from_april = queries.record_days(s, since=date(2022, 4, 1))
        years = dict(queries.year_sums(s, "personnel", date(2022, 2, 24), date(2026, 12, 31)))
        end_2024 = queries.report_as_of(s, date(2024, 12, 31))
        end_2023 = queries.report_as_of(s, date(2023, 12, 31))
    assert (records["personnel"].report_date, records["personnel"].increase) == (date(2022, 3, 3), 3_160)
    assert from_april["personnel"].increase >= 1_740
    assert end_2024 is not None and end_2023 is not None
    assert years[2024] == end_2024.totals["personnel"] - end_2023.totals["personnel"]
    latest_total = 1_475_270
    assert sum(years.values()) == latest_total


def test_daily_averages(full_history: Engine) -> None:
    with reading(full_history) as s:
        week = queries.daily_average(s, "personnel", 7, as_of=date(2024, 10, 25))
        period = queries.period_sums(s, date(2024, 10, 19), date(2024, 10, 25))
    assert week == period.sums["personnel"].amount / 7
