"""The views read from a real store (small histories written here), before any language."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from bot.answers import facts
from bot.answers.facts import (
    Milestone,
    NoReportOn,
    NoReports,
    NotYet,
    RankFact,
    ReportFacts,
    ReportView,
    Unanswerable,
)
from storage import queries
from storage.db import reading
from tests.support.delivery_fixtures import reports, store

DAY = date(2024, 10, 25)


def test_a_reports_facts_hold_its_ranks_milestones_and_source(engine: Engine) -> None:
    store(engine, reports())
    with reading(engine) as session:
        report = queries.report_on(session, DAY)
        assert report is not None
        found = facts.report_facts(session, report)
    assert found.report.citation.report_date == DAY and found.report.citation.source == "petroivaniuk"
    assert [f.category for f in found.report.figures] == ["personnel", "tanks", "uav"]
    assert found.ranks == (
        RankFact("personnel", 1_630, 2, 8, None),  # behind the first day's +3,160
        RankFact("tanks", 25, 1, 8, None),
        RankFact("uav", 900, 1, 8, None),
    )
    # Personnel's step is 10,000 here (its 7,840 so far); tanks' 200 (a hundredth of 12,509): 12,400 was
    # passed before this day.
    assert found.milestones == (Milestone("personnel", 700_000, 701_000),)
    assert found.recounts == ()


def ranked(*ranks: RankFact) -> ReportFacts:
    return ReportFacts(ReportView(facts.Citation(DAY, "petroivaniuk", None), ()), ranks, (), ())


def test_day_and_summary_call_out_personnel_always_and_others_in_the_top_ten() -> None:
    personnel, tanks, uav = (
        RankFact("personnel", 900, 400, 975, None),
        RankFact("tanks", 9, 10, 975, None),
        RankFact("uav", 9, 11, 975, None),
    )
    assert ranked(personnel, tanks, uav).notable_ranks() == (personnel, tanks)


def test_an_alert_applies_the_chats_thresholds_and_skips_the_only_day_so_far() -> None:
    personnel, tanks = RankFact("personnel", 1_630, 4, 975, 3), RankFact("tanks", 25, 2, 975, None)
    first = RankFact("ships", 1, 1, 1, None)
    view = ranked(personnel, tanks, first)
    assert view.alert_ranks(top_personnel=10, top_other=5) == (personnel, tanks)
    assert view.alert_ranks(top_personnel=3, top_other=2) == (tanks,)
    far = ranked(RankFact("personnel", 900, 400, 975, None))
    assert far.alert_ranks(top_personnel=1000, top_other=1000) == ()  # alerts stop at MAX_ALERT_RANK


def test_a_rank_shared_with_many_days_or_among_few_days_is_no_alert_and_not_called_out() -> None:
    crowd = RankFact("ships", 1, 4, 975, None, ties=41)  # +1 warships: dozens of days had +1
    few = RankFact("aircraft", 3, 3, 975, None, ties=facts.MAX_TIES)
    early = RankFact("tanks", 40, 2, facts.MIN_RANKED_DAYS - 1, None)
    view = ranked(crowd, few, early)
    assert view.alert_ranks(top_personnel=50, top_other=50) == (few,)
    assert view.notable_ranks() == (few,)
    shared_personnel = RankFact("personnel", 620, 114, 443, 107, ties=7)
    assert ranked(shared_personnel).notable_ranks() == (shared_personnel,)  # said, with its tie


def test_gaps_name_the_nearest_reports(engine: Engine) -> None:
    store(engine, reports(days=3))
    with reading(engine) as session:
        with pytest.raises(Unanswerable) as early:
            facts.day(session, date(2024, 10, 1))
        with pytest.raises(Unanswerable) as late:
            facts.day(session, date(2024, 11, 1))
        before = facts.totals(session, date(2024, 11, 1))
    assert early.value.gap == NoReportOn(date(2024, 10, 1), None, date(2024, 10, 23))
    assert late.value.gap == NotYet(date(2024, 11, 1), DAY)
    assert before.report.report_date == DAY and before.instead_of == date(2024, 11, 1)


def test_an_empty_store_has_nothing_to_say(engine: Engine) -> None:
    with reading(engine) as session:
        for build in (
            lambda: facts.totals(session, None),
            lambda: facts.day(session, DAY),
            lambda: facts.records(session),
            lambda: facts.category(session, "tanks", None),
        ):
            with pytest.raises(Unanswerable) as caught:
                build()
            assert caught.value.gap == NoReports()
