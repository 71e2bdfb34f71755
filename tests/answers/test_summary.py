"""The daily summary and the rank alert, rendered from the facts of real stored reports (no Telegram)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from bot.answers.facts import RankFact, ReportFacts, milestone_crossed, milestone_step, report_facts
from bot.answers.summary import alert_text, summary_text
from storage import queries
from storage.db import reading
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import visible_text


def test_milestones() -> None:
    assert milestone_crossed(50_000, 1_499_200, 1_500_130) == 1_500_000
    assert milestone_crossed(500, 12_490, 12_509) == 12_500
    assert milestone_crossed(500, 12_500, 12_509) is None  # crossed the day before
    assert milestone_crossed(500, 12_509, 12_490) is None  # a recount down is no milestone


def test_milestone_steps_are_round_numbers_scaled_to_the_category() -> None:
    assert milestone_step(1_250_000, 95_000) == 100_000  # personnel at ≈ 1,050 a day
    assert milestone_step(200_000, 45_000) == 50_000  # personnel in 2023
    assert milestone_step(11_000, 450) == 500  # tanks at ≈ 5 a day
    assert milestone_step(35, 1) == 10  # warships: 30, 40 — never "passed 35"
    assert milestone_step(2, 1) == 10  # submarines: none before 10
    assert milestone_step(120_000, 0) == 2_000  # a category that stopped moving: a hundredth of it


def test_summary_lists_what_was_reported(engine: Engine) -> None:
    store_reports(engine, reports())
    with reading(engine) as session:
        report = queries.latest_report(session)
        assert report is not None
        facts = report_facts(session, report)
    text = visible_text(summary_text(facts, "en"), "HTML")
    uk = visible_text(summary_text(facts, "uk", corrected=True), "HTML")
    assert text.splitlines()[0] == "📊 Russia's losses: report of 25 Oct 2024 (day 975)"
    assert "👤 Personnel: 701,000 (+1,630)" in text
    assert "Tanks: 12,509 (+25)" in text
    assert "Aircraft" not in text  # not in this report: omitted, not zero
    assert "source: PetroIvaniuk dataset" in text
    assert uk.splitlines()[:2] == [
        "📊 Втрати росії: звіт за 25 жовт. 2024\u202fр. (975-й день)",
        "✏️ виправлено",
    ]


def test_alert_applies_the_chat_thresholds(engine: Engine) -> None:
    store_reports(engine, reports())
    with reading(engine) as session:
        report = queries.latest_report(session)
        assert report is not None
        stored = report_facts(session, report)
    # Eight days are too few for a rank to mean anything: only the milestone is news.
    text = visible_text(alert_text(stored, "en", top_personnel=10, top_other=5) or "", "HTML")
    assert "🎯 Personnel passed 700,000 (now 701,000)" in text and "highest" not in text
    ranked = ReportFacts(
        stored.report,
        (RankFact("personnel", 1_630, 2, 975, None), RankFact("tanks", 25, 1, 975, None)),
        (),
        (),
    )
    text = visible_text(alert_text(ranked, "en", top_personnel=10, top_other=5) or "", "HTML")
    assert "🏅 +1,630 personnel on 25 Oct 2024: the 2nd-highest day since 24 Feb 2022" in text
    assert "🏆 +25 tanks on 25 Oct 2024: a new all-time record" in text
    strict = visible_text(alert_text(ranked, "en", top_personnel=1, top_other=1) or "", "HTML")
    assert "personnel on 25 Oct" not in strict and "a new all-time record" in strict


def test_alert_says_when_a_rank_is_shared(engine: Engine) -> None:
    store_reports(engine, reports())
    with reading(engine) as session:
        report = queries.latest_report(session)
        assert report is not None
        stored = report_facts(session, report)
    ranked = ReportFacts(
        stored.report,
        (RankFact("personnel", 1_630, 3, 975, None, ties=1), RankFact("tanks", 25, 1, 975, None, ties=2)),
        (),
        (),
    )
    en = visible_text(alert_text(ranked, "en", top_personnel=10, top_other=5) or "", "HTML")
    uk = visible_text(alert_text(ranked, "uk", top_personnel=10, top_other=5) or "", "HTML")
    assert "the 3rd-highest day since 24 Feb 2022, tied with 1 other day" in en
    assert "🏆 +25 tanks on 25 Oct 2024: equals the all-time record, tied with 2 other days" in en
    assert "нарівні з 1 іншим днем" in uk and "нарівні з 2 іншими днями" in uk


def test_real_history_alert_and_length(full_history_url: str) -> None:
    from storage.db import make_engine

    engine = make_engine(full_history_url)
    with reading(engine) as session:
        report = queries.report_on(session, date(2024, 10, 25))
        assert report is not None
        facts = report_facts(session, report)
        alert = alert_text(facts, "en", top_personnel=10, top_other=5)
        assert alert is not None
        assert (
            "+1,630 personnel on 25 Oct 2024: the 4th-highest day since 24 Feb 2022 (3rd since 1 Apr 2022)"
            in visible_text(alert, "HTML")
        )
        latest = queries.latest_report(session)
        assert latest is not None
        for lang in ("en", "uk"):
            for day in (report, latest):
                day_facts = report_facts(session, day)
                assert len(summary_text(day_facts, lang, corrected=True)) <= 4096
                assert len(alert_text(day_facts, lang, top_personnel=50, top_other=50) or "") <= 4096
    engine.dispose()
