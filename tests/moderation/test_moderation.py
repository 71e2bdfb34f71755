"""The moderators' workflow without Telegram, on a real SQLite store; and `lossbot parse`."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from bot.cli import main as cli
from bot.domain.bounds import ImpossibleReport
from bot.domain.report import ReportFigures
from bot.moderation import workflow as mod
from storage import moderation as store
from storage import queries, schema
from storage.db import reading, transaction
from storage.writes import store_reports
from tests.conftest import SHARED

DAY = date(2024, 10, 25)
NOW = datetime(2024, 10, 25, 7, 0, tzinfo=UTC)
SEED_DAYS = 90
FIRST = DAY - timedelta(days=SEED_DAYS)
#: Per category: the total on FIRST − 1 and a daily increase that varies a little with the day.
BASE = {"personnel": 480_000, "tanks": 8_500, "artillery": 17_000, "uav": 15_000}


def daily(key: str, i: int) -> int:
    return {
        "personnel": 1200 + (i * 37) % 200,
        "tanks": 5 + i % 6,
        "artillery": 30 + i % 11,
        "uav": 60 + i % 25,
    }[key]


def seeded_totals(day: date) -> dict[str, int]:
    """The synthetic history's totals on DAY (FIRST ≤ DAY < the day after the seed)."""
    n = (day - FIRST).days + 1
    return {k: base + sum(daily(k, i) for i in range(n)) for k, base in BASE.items()}


def seed(engine: Engine) -> None:
    """90 days of an imported history before DAY, from a dataset (revision 1, no moderator record)."""
    reports = []
    for i in range(SEED_DAYS):
        day = FIRST + timedelta(days=i)
        reports.append(ReportFigures(day, "petroivaniuk", seeded_totals(day), {k: daily(k, i) for k in BASE}))
    with transaction(engine) as session:
        store_reports(session, reports)


INCREASES = {"personnel": 1630, "tanks": 7, "artillery": 34, "uav": 73}


def report_text(day: date = DAY, *, totals: dict[str, int] | None = None, year: bool = True) -> str:
    """A report in the General Staff's English wording, consistent with the seeded history."""
    prev = seeded_totals(DAY - timedelta(days=1))
    totals = totals or {k: prev[k] + INCREASES[k] for k in BASE}
    heading = f"{day:%d.%m.%y}" if year else f"{day:%d.%m}"
    return (
        f"The total combat losses of the enemy from 24.02.22 to {heading} were approximately:\n"
        f"personnel - about {totals['personnel']} (+{INCREASES['personnel']}) persons\n"
        f"tanks - {totals['tanks']} (+{INCREASES['tanks']})\n"
        f"artillery systems - {totals['artillery']} (+{INCREASES['artillery']})\n"
        f"UAV operational-tactical level - {totals['uav']} (+{INCREASES['uav']})\n"
    )


def expected_totals() -> dict[str, int]:
    prev = seeded_totals(DAY - timedelta(days=1))
    return {k: prev[k] + INCREASES[k] for k in BASE}


def preview(
    engine: Engine, totals: dict[str, int], *, day: date = DAY, moderator: int = 1
) -> tuple[mod.Preview, int]:
    with transaction(engine) as session:
        p = mod.make_preview(session, report_date=day, totals=totals, increases=dict(INCREASES), today=DAY)
        pid = mod.save_preview(
            session, p, chat_id=moderator, moderator_id=moderator, raw_text="text", now=NOW
        )
    return p, pid


def publish(engine: Engine, pid: int, moderator: int = 1, *, force: bool = False) -> mod.Outcome:
    with transaction(engine) as session:
        return mod.publish(session, pid, moderator_id=moderator, now=NOW, force=force)


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed(engine)
    return engine


# --------------------------------------------------------------------------------------------- findings


def codes(p: mod.Preview) -> set[str]:
    return {f.code for f in p.findings}


def test_consistent_report_has_no_findings(seeded: Engine) -> None:
    p, _ = preview(seeded, expected_totals())
    assert codes(p) == set()
    assert not p.has_errors and not p.correction
    line = next(line for line in p.lines if line.category == "personnel")
    assert (line.increase, line.difference) == (1630, 1630)
    assert "✅ Nothing unusual." in mod.render_preview(p, "en")


def test_total_down_is_an_error(seeded: Engine) -> None:
    totals = expected_totals()
    prev = seeded_totals(DAY - timedelta(days=1))["tanks"]
    totals["tanks"] = prev - 2
    p, _ = preview(seeded, totals)
    assert "total_down" in codes(p) and p.has_errors
    text = mod.render_preview(p, "en")
    assert f"Tanks: the total went down, {prev:,} → {prev - 2:,}" in text
    assert "publishing needs a second confirmation" in text


def test_implausible_value_is_an_error(seeded: Engine) -> None:
    totals = expected_totals()
    totals["personnel"] += 16_300 - 1630  # a typo: 16,300 a day, ten times the recent days
    p, _ = preview(seeded, totals)
    found = [f for f in p.findings if f.code == "implausible"]
    assert [f.fields["cat"] for f in found] == ["personnel"]
    assert "far above what the last 90 days make plausible" in mod.render_preview(p, "en")
    # The bound comes from the history: the recent maximum day passes.
    bound = mod.plausible_bound([daily("personnel", i) for i in range(90)])
    assert bound is not None and bound > max(daily("personnel", i) for i in range(90))


def test_bounds_grow_with_history() -> None:
    small = mod.plausible_bound([100 + i % 20 for i in range(90)])
    large = mod.plausible_bound([2500 + i % 200 for i in range(90)])
    assert small is not None and large is not None and small < 2700 <= large
    assert mod.plausible_bound([1, 2, 3]) is None  # too little history to judge


def test_future_date_and_missing_category(seeded: Engine) -> None:
    totals = expected_totals()
    del totals["uav"]
    # Tomorrow is within the day of grace for time zones: a preview, with an error to confirm.
    with transaction(seeded) as session:
        p = mod.make_preview(
            session, report_date=DAY + timedelta(days=1), totals=totals, increases={}, today=DAY
        )
    assert {"future", "missing"} <= codes(p) and p.has_errors
    text = mod.render_preview(p, "uk")
    assert "у майбутньому" in text
    # Later than that the report cannot exist: no preview at all.
    with transaction(seeded) as session, pytest.raises(ImpossibleReport) as refused:
        mod.make_preview(session, report_date=DAY + timedelta(days=3), totals=totals, increases={}, today=DAY)
    assert mod.impossible_text(refused.value, "en") == (
        "⛔ Refused: the report date 28 Oct 2024 is after today (26 Oct 2024 at the latest)."
    )


# --------------------------------------------------------------------------------------------- publish


def test_publish_stores_report_and_audit_in_one_go(seeded: Engine) -> None:
    _, pid = preview(seeded, expected_totals())
    outcome = publish(seeded, pid)
    assert (outcome.status, outcome.revision, outcome.correction) == ("published", 1, False)
    with reading(seeded) as session:
        stored = queries.report_on(session, DAY)
        assert stored is not None and stored.source == "moderator" and stored.totals == expected_totals()
        assert stored.figures["personnel"].change == 1630
        [rev] = store.revisions_of(session, DAY)
        assert (rev.revision, rev.moderator_id, rev.raw_text, rev.action) == (1, 1, "text", "publish")


def test_correction_keeps_next_day_difference_right(seeded: Engine) -> None:
    day = DAY - timedelta(days=5)
    with transaction(seeded) as session:
        totals, increases = mod.corrected_figures(session, day, "tanks", 9999, 12)
        p = mod.make_preview(
            session,
            report_date=day,
            totals=totals,
            increases=increases,
            today=DAY,
            action=schema.RevisionAction.CORRECT,
        )
        pid = mod.save_preview(session, p, chat_id=1, moderator_id=1, raw_text="/correct", now=NOW)
    assert p.correction and "correction" in codes(p)
    outcome = publish(seeded, pid, force=True)  # the jump is an error finding: confirmed explicitly
    assert (outcome.status, outcome.revision, outcome.correction) == ("published", 2, True)
    with reading(seeded) as session:
        corrected = queries.report_on(session, day)
        after = queries.report_on(session, day + timedelta(days=1))
        assert corrected is not None and after is not None
        assert corrected.figures["tanks"].total == 9999 and corrected.figures["tanks"].increase == 12
        assert after.figures["tanks"].change == after.figures["tanks"].total - 9999
        assert [r.revision for r in store.revisions_of(session, day)] == [2]


def test_errors_need_explicit_confirmation(seeded: Engine) -> None:
    totals = expected_totals()
    totals["tanks"] -= 100
    _, pid = preview(seeded, totals)
    assert publish(seeded, pid).status == "needs_confirmation"
    with reading(seeded) as session:
        assert queries.report_on(session, DAY) is None
    assert publish(seeded, pid, force=True).status == "published"


def test_double_tap_publishes_once(seeded: Engine) -> None:
    _, pid = preview(seeded, expected_totals())
    assert publish(seeded, pid).status == "published"
    second = publish(seeded, pid, moderator=2)
    assert (second.status, second.other_moderator) == ("closed", 1)
    assert "already published by moderator 1" in mod.render_outcome(second, "en")
    with reading(seeded) as session:
        assert len(store.revisions_of(session, DAY)) == 1


def test_stale_preview_is_refused(seeded: Engine) -> None:
    _, pid = preview(seeded, expected_totals())
    changed = seeded_totals(DAY - timedelta(days=1))
    changed["tanks"] += 1
    with transaction(seeded) as session:  # the previous day is re-imported with other figures
        store_reports(session, [ReportFigures(DAY - timedelta(days=1), "petroivaniuk", changed)])
    outcome = publish(seeded, pid)
    assert outcome.status == "stale"
    assert "changed since this preview was shown" in mod.render_outcome(outcome, "en")
    with reading(seeded) as session:
        assert queries.report_on(session, DAY) is None
        assert store.pending_previews(session) == []


def test_two_moderators_at_once_leave_one_revision(seeded: Engine) -> None:
    """Two threads publish two previews of the same day through the real database at the same moment."""
    pids = [preview(seeded, expected_totals(), moderator=m)[1] for m in (1, 2)]
    barrier = threading.Barrier(2)
    outcomes: dict[int, mod.Outcome] = {}

    def run(moderator: int, pid: int) -> None:
        barrier.wait()
        try:
            outcomes[moderator] = publish(seeded, pid, moderator)
        except IntegrityError:
            with transaction(seeded) as session:
                outcomes[moderator] = mod.lost_race(session, pid, now=NOW)

    threads = [threading.Thread(target=run, args=(m, pid)) for m, pid in zip((1, 2), pids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.status for o in outcomes.values()) == ["published", "stale"]
    winner = next(m for m, o in outcomes.items() if o.status == "published")
    loser = next(o for o in outcomes.values() if o.status == "stale")
    assert loser.other_moderator == winner
    with reading(seeded) as session:
        assert [(r.revision, r.moderator_id) for r in store.revisions_of(session, DAY)] == [(1, winner)]


def test_database_refuses_a_second_revision_with_the_same_number(seeded: Engine) -> None:
    def revision(moderator: int) -> schema.ReportRevision:
        return schema.ReportRevision(
            report_date=DAY,
            revision=1,
            moderator_id=moderator,
            action=schema.RevisionAction.PUBLISH,
            raw_text="x",
        )

    with transaction(seeded) as session:
        store.add_revision(session, revision(1))
    with pytest.raises(IntegrityError), transaction(seeded) as session:
        store.add_revision(session, revision(2))


# --------------------------------------------------------------------------------------------- lossbot parse


def test_cli_parse_a_shared_message(capsys: pytest.CaptureFixture[str]) -> None:
    message = SHARED / "messages" / "2024-10-25-uk-en-12.txt"
    if not message.is_file():
        pytest.skip(f"shared messages not found at {message.parent}")
    expected = json.loads(message.with_suffix("").with_suffix(".expected.json").read_text(encoding="utf-8"))
    code = cli.main(["parse", str(message), "--as-of", expected["as_of"]])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (out["report_date"], out["totals"], out["increases"]) == (
        expected["report_date"],
        expected["totals"],
        expected["increases"],
    )
    assert isinstance(out["warnings"], list)


def test_cli_parse_text_that_is_not_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Good morning, see you at the meeting.\n", encoding="utf-8")
    assert cli.main(["parse", str(note)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "not a report: no line with a category and a number" in captured.err


def test_publish_refuses_an_impossible_preview_saved_before_the_limits(seeded: Engine) -> None:
    # A pending preview of a figure no report can have (saved by an older version, or by hand).
    _preview, pid = preview(seeded, expected_totals())
    with transaction(seeded) as session:
        row = store.get_preview(session, pid)
        assert row is not None
        row.figures = {**row.figures, "totals": {**row.figures["totals"], "tanks": 2**63}}
    with pytest.raises(ImpossibleReport) as refused:
        publish(seeded, pid, force=True)
    assert refused.value.field == "totals.tanks"
    with reading(seeded) as session:  # rolled back as a whole: nothing stored, the preview still open
        assert queries.report_on(session, DAY) is None
        assert [q.id for q in store.pending_previews(session)] == [pid]
