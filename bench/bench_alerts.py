"""How many rank alerts the real history would have produced per month, under the old rule and the new one.

Run from the project root:

    .venv/bin/python -m bench.bench_alerts [--top-personnel 10] [--top-other 5]

The history is the embedded snapshot (bot/sources/data/history.jsonl.gz) in a temporary SQLite file. A
report "alerts" when a chat with the default thresholds (/settings: personnel top 10, others top 5)
would get an alert message of it.

- old (main before issue 9): any increase > 0 ranked in the top N at the time among more than one day,
  however many days shared the rank, or a total crossing a multiple of a fixed step per category
  (OLD_MILESTONE_STEP, e.g. warships every 5);
- new (bot/answers/facts.py): a rank in the top N among at least MIN_RANKED_DAYS days shared with at
  most MAX_TIES other days (a new record always), or a milestone on a step scaled to the category
  (`facts.milestone_step`), exactly as `bot.answers.summary.alert_text` decides.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from sqlmodel import Session

from bot.answers import facts, summary
from bot.sources import snapshot
from storage import queries
from storage.db import make_engine, reading
from storage.schema import DEFAULT_TOP_OTHER, DEFAULT_TOP_PERSONNEL

#: The fixed milestone steps of the old rule, as they were on main.
OLD_MILESTONE_STEP: dict[str, int] = {
    "personnel": 50_000,
    "tanks": 500,
    "afv": 1_000,
    "artillery": 1_000,
    "mlrs": 100,
    "air_defense": 100,
    "aircraft": 50,
    "helicopters": 50,
    "uav": 5_000,
    "cruise_missiles": 500,
    "ships": 5,
    "submarines": 1,
    "vehicles_fuel_tanks": 5_000,
    "special_equipment": 500,
    "ground_robotic_systems": 500,
}
OLD_MAX_ALERT_RANK = 50


def old_rule(session: Session, report: queries.StoredReport, top_personnel: int, top_other: int) -> bool:
    standings = queries.standings(session, report.report_date)
    for key, figure in report.figures.items():
        standing = standings.get(key)
        if figure.increase is not None and figure.increase > 0 and standing is not None:
            top = min(OLD_MAX_ALERT_RANK, top_personnel if key == "personnel" else top_other)
            if standing.every.out_of > 1 and standing.every.rank <= top:
                return True
        step = OLD_MILESTONE_STEP.get(key)
        moved = figure.change if figure.change is not None else figure.increase
        if step is not None and moved is not None and moved > 0:
            before, mark = figure.total - moved, figure.total // step * step
            if before < mark and mark > 0:
                return True
    return False


def new_rule(session: Session, report: queries.StoredReport, top_personnel: int, top_other: int) -> bool:
    report_facts = facts.report_facts(session, report)
    text = summary.alert_text(report_facts, "en", top_personnel=top_personnel, top_other=top_other)
    return text is not None


def months(first: date, last: date) -> Iterator[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def count(session: Session, top_personnel: int, top_other: int) -> tuple[Counter[tuple[int, int]], ...]:
    """Alerts per (year, month) under the old rule and the new one."""
    old: Counter[tuple[int, int]] = Counter()
    new: Counter[tuple[int, int]] = Counter()
    for head in queries.iter_reports(session):
        report = queries.report_on(session, head.report_date)
        assert report is not None
        month = (report.report_date.year, report.report_date.month)
        old[month] += old_rule(session, report, top_personnel, top_other)
        new[month] += new_rule(session, report, top_personnel, top_other)
    return old, new


def describe(per_month: list[int]) -> str:
    return (
        f"min {min(per_month)}, median {statistics.median(per_month):g}, max {max(per_month)}, "
        f"total {sum(per_month)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--top-personnel", type=int, default=DEFAULT_TOP_PERSONNEL)
    parser.add_argument("--top-other", type=int, default=DEFAULT_TOP_OTHER)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'history.db'}")
        snapshot.load_if_empty(engine)
        with reading(engine) as session:
            first, last = queries.first_report_date(session), queries.latest_report_date(session)
            assert first is not None and last is not None
            old, new = count(session, args.top_personnel, args.top_other)
        engine.dispose()
    calendar = list(months(first, last))
    print(f"alerts per month, thresholds personnel top {args.top_personnel}, others top {args.top_other}")
    print(f"{'month':<8}  {'old':>4}  {'new':>4}")
    for year, month in calendar:
        print(f"{year}-{month:02d}   {old[(year, month)]:>4}  {new[(year, month)]:>4}")
    print()
    print("old rule: " + describe([old[m] for m in calendar]))
    print("new rule: " + describe([new[m] for m in calendar]))


if __name__ == "__main__":
    main()
