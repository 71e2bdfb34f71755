"""The alert rule and the ranks on the full real history: what a subscriber and a user would see."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import Engine

from bot.answers import commands, facts
from bot.answers.summary import alert_text
from storage import queries
from storage.db import reading
from storage.schema import DEFAULT_TOP_OTHER, DEFAULT_TOP_PERSONNEL
from tests.support.fakebotapi import visible_text

TODAY = date(2026, 8, 23)


def alerts(full_history: Engine) -> dict[date, str]:
    """Every report's alert text for a chat with the default thresholds, by report date."""
    found = {}
    with reading(full_history) as s:
        for head in queries.iter_reports(s):
            report = queries.report_on(s, head.report_date)
            assert report is not None
            text = alert_text(
                facts.report_facts(s, report),
                "en",
                top_personnel=DEFAULT_TOP_PERSONNEL,
                top_other=DEFAULT_TOP_OTHER,
            )
            if text is not None:
                found[report.report_date] = visible_text(text, "HTML")
    return found


def test_alerts_per_month_on_the_real_history_stay_in_a_sane_range(full_history: Engine) -> None:
    sent = alerts(full_history)
    per_month = Counter((d.year, d.month) for d in sent)
    # Under the old rule: up to 30 a month (every day of March 2022) and 678 in all (bench/bench_alerts.py).
    assert max(per_month.values()) <= 20
    assert 400 <= len(sent) <= 600
    # No alert for a rank most days share, and no milestone that is no round number for its category.
    for day, text in sent.items():
        assert "Warships / boats passed 35" not in text, day
        assert "Submarines passed" not in text, day
    with reading(full_history) as s:
        crowded = [
            d
            for d in sent
            if (st := queries.standings(s, d).get("ships")) is not None and st.every.ties > facts.MAX_TIES
        ]
    assert crowded  # days whose alert had other news while warships were +1 like dozens of days
    for day in crowded:
        assert "warships / boats on" not in sent[day], day


def test_the_issues_plus_one_warship_day_is_no_longer_an_alert(full_history: Engine) -> None:
    with reading(full_history) as s:
        for head in queries.iter_reports(s, start=date(2023, 1, 1)):
            report = queries.report_on(s, head.report_date)
            assert report is not None
            ships = report.figures.get("ships")
            standing = queries.standings(s, report.report_date).get("ships")
            if ships is None or ships.increase != 1 or standing is None or standing.every.rank > 5:
                continue
            # +1 warships in the top 5 at the time: shared with dozens of days, named by no alert.
            assert standing.every.ties > facts.MAX_TIES
            reported = facts.report_facts(s, report)
            assert all(r.category != "ships" for r in reported.alert_ranks(top_personnel=10, top_other=5))
            day = commands.day(s, report.report_date.isoformat(), today=TODAY, lang="en")
            assert "Warships / boats +1" not in visible_text(day.text, "HTML")
            return
    raise AssertionError("no +1 warships day in the top 5 after 2022")


def test_a_day_without_loss_has_no_rank_in_category_answers(full_history: Engine) -> None:
    with reading(full_history) as s:
        for lang in ("en", "uk"):
            text = visible_text(commands.category(s, "submarines", today=TODAY, lang=lang).text, "HTML")
            assert "rank" not in text.lower() and "місце" not in text, text
            assert "of 1,073" not in text
        tanks = visible_text(commands.category(s, "tanks", today=TODAY, lang="en").text, "HTML")
    # Tanks lost something on the latest day: its rank is shown, with its tie when other days share it.
    assert "Latest day's rank:" in tanks
