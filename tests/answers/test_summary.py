"""The daily summary and the rank alert, rendered from the facts of real stored reports (no Telegram)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from bot.answers.facts import milestone_crossed, report_facts
from bot.answers.summary import alert_text, summary_text
from bot.domain.categories import CATEGORIES
from storage import queries
from storage.db import reading
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import visible_text


def test_milestones() -> None:
    assert milestone_crossed("personnel", 1_499_200, 1_500_130) == 1_500_000
    assert milestone_crossed("tanks", 12_490, 12_509) == 12_500
    assert milestone_crossed("tanks", 12_500, 12_509) is None  # crossed the day before
    assert milestone_crossed("tanks", 12_509, 12_490) is None  # a recount down is no milestone


def test_every_current_category_has_milestones_and_retired_ones_none() -> None:
    # A new category's entry needs its step: without one it would never get a milestone alert.
    for cat in CATEGORIES:
        assert (cat.milestone_step is None) == cat.retired, cat.key


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
        facts = report_facts(session, report)
    text = visible_text(alert_text(facts, "en", top_personnel=10, top_other=5) or "", "HTML")
    assert "🏅 +1,630 personnel on 25 Oct 2024: the 2nd-highest day since 24 Feb 2022" in text
    assert "🏆 +25 tanks on 25 Oct 2024: a new all-time record" in text
    assert "🎯 Tanks passed 12,500 (now 12,509)" in text
    strict = visible_text(alert_text(facts, "en", top_personnel=1, top_other=1) or "", "HTML")
    assert "personnel on 25 Oct" not in strict and "a new all-time record" in strict


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
            "+1,630 personnel on 25 Oct 2024: the 4th-highest day since 24 Feb 2022 (3rd since April 2022)"
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
