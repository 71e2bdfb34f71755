"""Benchmark of the store: importing the full history, and every read the bot makes.

Run from the project root:

    .venv/bin/python -m bench.bench_store [--shared PATH] [--calls 1000] [--years 50] [--json [FILE]]
                                          [--budget 2] [--warmup 50] [--runs 3] [--seed 2022]

1. Import of PetroIvaniuk's full history into an empty SQLite file, the way `lossbot import` does it
   (`loader.load([folder])`, then `store_reports` inside one `storage.db.transaction`), best of N runs,
   each into a fresh file; beside it a plain `sqlite3` `executemany` of the very same rows into the same
   table shapes (one transaction, same pragmas). Goal: ours ≤ 3× plain.
2. p50/p99 of each query of `storage/queries.py`, each call in its own `storage.db.reading` session on
   one long-lived engine (as the bot runs them), on the real history (PetroIvaniuk + orc-losses) and on
   a synthetic history of `--years` years written through `store_reports`. Goals: p99 ≤ 5 ms on the
   real history, ≤ 10 ms (2× that) on the synthetic one, wall clock. The queries take turns call by
   call (round-robin), so that a burst of load from other processes spreads over all of them; the
   thread's CPU time is shown beside the wall clock to tell such load apart from the query's own cost.
   A query whose calls take more than `--budget` seconds in all on one history stops short of
   `--calls` (the table's n says how many were timed), so that a slow query cannot stretch the run.

Schema creation and the engine's first connection are outside every timing, for ours and plain alike.
Only the standard library and the project's own dependencies are used.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy
from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain.categories import CATEGORIES
from bot.domain.dates import WAR_START
from bot.domain.report import ReportFigures
from bot.sources import loader
from storage import queries
from storage.db import make_engine, reading, transaction
from storage.writes import store_reports

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = PROJECT.parent / "shared"

IMPORT_GOAL_RATIO = 3.0
REAL_P99_GOAL_MS = 5.0
SYNTHETIC_P99_GOAL_MS = 2 * REAL_P99_GOAL_MS

#: Categories still reported (the synthetic history carries all of them, from its first day).
CURRENT = tuple(c.key for c in CATEGORIES if c.last_date is None)

#: Plausible mean daily increases (roughly 2025's averages); a category added later gets 1.
DAILY_MEAN: dict[str, float] = {
    "personnel": 1100.0,
    "tanks": 5.0,
    "afv": 10.0,
    "artillery": 38.0,
    "mlrs": 0.9,
    "air_defense": 0.6,
    "aircraft": 0.05,
    "helicopters": 0.05,
    "uav": 210.0,
    "cruise_missiles": 3.0,
    "ships": 0.01,
    "submarines": 0.002,
    "vehicles_fuel_tanks": 110.0,
    "special_equipment": 1.0,
    "ground_robotic_systems": 2.0,
}


# ------------------------------------------------------------------------------------------------ paths


@dataclass(frozen=True)
class Data:
    petroivaniuk: Path
    orc_losses: Path


def find_data(shared: Path) -> Data:
    """SHARED may be the `shared` folder or its `data` folder."""
    for data in (shared / "data", shared):
        if (data / "petroivaniuk").is_dir():
            return Data(data / "petroivaniuk", data / "orc-losses" / "russian-losses.json")
    raise SystemExit(f"reference data not found: no petroivaniuk folder in {shared} or {shared / 'data'}")


@contextmanager
def fresh_file(name: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="lossbot-bench-") as folder:
        yield Path(folder) / name


# ----------------------------------------------------------------------------------------------- import


@dataclass
class ImportRun:
    parse_s: float
    store_s: float

    @property
    def total_s(self) -> float:
        return self.parse_s + self.store_s


@dataclass
class ImportResult:
    reports: int
    figures: int
    runs: list[ImportRun]
    plain_runs_s: list[float]

    @property
    def best(self) -> ImportRun:
        return min(self.runs, key=lambda r: r.total_s)

    @property
    def best_store_s(self) -> float:
        return min(r.store_s for r in self.runs)

    @property
    def best_plain_s(self) -> float:
        return min(self.plain_runs_s)


def import_ours(folder: Path, db: Path) -> ImportRun:
    engine = make_engine(f"sqlite:///{db}")  # creates the schema: not timed
    try:
        t0 = time.perf_counter()
        batches = loader.load([folder])
        t1 = time.perf_counter()
        with transaction(engine) as session:
            for batch in batches:
                store_reports(session, batch.reports)
        t2 = time.perf_counter()
    finally:
        engine.dispose()
    return ImportRun(t1 - t0, t2 - t1)


@dataclass(frozen=True)
class PlainRows:
    schema: list[str]
    report_columns: list[str]
    figure_columns: list[str]
    reports: list[tuple[Any, ...]]
    figures: list[tuple[Any, ...]]


def plain_rows(db: Path) -> PlainRows:
    """The schema (the DDL SQLAlchemy emitted for the SQLModel tables) and every row, as stored by us."""
    conn = sqlite3.connect(db)
    try:
        schema = [
            sql
            for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN ('report', 'figure') "
                "ORDER BY type = 'index', name"
            )
        ]
        rcols = [row[1] for row in conn.execute("PRAGMA table_info(report)")]
        fcols = [row[1] for row in conn.execute("PRAGMA table_info(figure)")]
        reports = conn.execute(f"SELECT {', '.join(rcols)} FROM report ORDER BY report_date").fetchall()
        figures = conn.execute(
            f"SELECT {', '.join(fcols)} FROM figure ORDER BY report_date, category"
        ).fetchall()
    finally:
        conn.close()
    return PlainRows(schema, rcols, fcols, reports, figures)


def import_plain(rows: PlainRows, db: Path) -> float:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        for ddl in rows.schema:
            conn.execute(ddl)
        report_sql = (
            f"INSERT INTO report ({', '.join(rows.report_columns)}) "
            f"VALUES ({', '.join('?' * len(rows.report_columns))})"
        )
        figure_sql = (
            f"INSERT INTO figure ({', '.join(rows.figure_columns)}) "
            f"VALUES ({', '.join('?' * len(rows.figure_columns))})"
        )
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(report_sql, rows.reports)
        conn.executemany(figure_sql, rows.figures)
        conn.execute("COMMIT")
        return time.perf_counter() - t0
    finally:
        conn.close()


def bench_import(folder: Path, runs: int) -> ImportResult:
    ours: list[ImportRun] = []
    rows: PlainRows | None = None
    for _ in range(runs):
        with fresh_file("ours.db") as db:
            ours.append(import_ours(folder, db))
            if rows is None:
                rows = plain_rows(db)
    assert rows is not None
    plain: list[float] = []
    for _ in range(runs):
        with fresh_file("plain.db") as db:
            plain.append(import_plain(rows, db))
    return ImportResult(len(rows.reports), len(rows.figures), ours, plain)


# ------------------------------------------------------------------------------------------- histories


def fill_real(data: Data, engine: Engine) -> int:
    """PetroIvaniuk's full history, then orc-losses for the days after it (as tests/conftest.py)."""
    with transaction(engine) as session:
        for batch in loader.load([data.petroivaniuk, data.orc_losses]):
            store_reports(session, batch.reports)
    with reading(engine) as session:
        return queries.report_count(session)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean) * 4)))  # overdispersed: busy and quiet days
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def synthetic_reports(years: int, rng: random.Random) -> list[ReportFigures]:
    """About 365.25 × YEARS daily reports for every current category: cumulative totals and their
    reported increases, with rare missing days (~0.3 %) and rare recounts (~0.2 % of figures)."""
    days = round(365.25 * years)
    totals = dict.fromkeys(CURRENT, 0)
    reports: list[ReportFigures] = []
    for i in range(days):
        day = WAR_START + timedelta(days=i)
        # Means drift slowly over the years (± 50 %), so records and rankings are not flat.
        drift = 1.0 + 0.5 * math.sin(i / 900.0)
        increases: dict[str, int] = {}
        for key in CURRENT:
            increase = _poisson(rng, DAILY_MEAN.get(key, 1.0) * drift)
            totals[key] += increase
            if i and rng.random() < 0.002:
                totals[key] += rng.randint(-3, 10)  # a recount: the total moves beyond the "(+N)"
                totals[key] = max(totals[key], 0)
            increases[key] = increase
        if i and rng.random() < 0.003:
            continue  # a day without a report; the next one still states its own "(+N)"
        reports.append(ReportFigures(day, "synthetic", dict(totals), increases, None))
    return reports


def fill_synthetic(engine: Engine, years: int, seed: int) -> tuple[int, float]:
    reports = synthetic_reports(years, random.Random(seed))
    t0 = time.perf_counter()
    with transaction(engine) as session:
        store_reports(session, reports)
    return len(reports), time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------- queries

Call = Callable[[Session], object]


@dataclass(frozen=True)
class Span:
    first: date
    last: date

    def day(self, rng: random.Random, *, margin: int = 0) -> date:
        return self.first + timedelta(days=rng.randint(0, (self.last - self.first).days - margin))

    def year(self, rng: random.Random) -> int:
        return rng.randint(self.first.year, self.last.year)


Maker = Callable[[random.Random], Call]


@dataclass(frozen=True)
class _Draw:
    """Makers of one query call each, with random arguments within the stored SPAN (drawn before the
    timing starts)."""

    span: Span

    @staticmethod
    def cat(rng: random.Random) -> str:
        return rng.choice(CURRENT)

    @staticmethod
    def plain(fn: Call) -> Maker:
        return lambda _rng: fn

    def on(self, fn: Callable[[Session, date], object]) -> Maker:
        def make(rng: random.Random) -> Call:
            d = self.span.day(rng)
            return lambda s: fn(s, d)

        return make

    def period(self, days: int) -> Maker:
        def make(rng: random.Random) -> Call:
            start = self.span.day(rng, margin=days - 1)
            return lambda s: queries.period_sums(s, start, start + timedelta(days=days - 1))

        return make

    def average(self, days: int) -> Maker:
        def make(rng: random.Random) -> Call:
            c, d = self.cat(rng), self.span.day(rng)
            return lambda s: queries.daily_average(s, c, days, as_of=d)

        return make

    def whole_year(self, rng: random.Random) -> Call:
        y = self.span.year(rng)
        return lambda s: queries.period_sums(s, date(y, 1, 1), date(y, 12, 31))

    def months(self, rng: random.Random) -> Call:
        c, y = self.cat(rng), self.span.year(rng)
        return lambda s: queries.month_sums(s, c, date(y, 1, 1), date(y, 12, 31))

    def years(self, rng: random.Random) -> Call:
        c = self.cat(rng)
        return lambda s: queries.year_sums(s, c, self.span.first, self.span.last)

    def top_all(self, rng: random.Random) -> Call:
        c = self.cat(rng)
        return lambda s: queries.top_days(s, c, 10)

    def top_year(self, rng: random.Random) -> Call:
        c, y = self.cat(rng), self.span.year(rng)
        return lambda s: queries.top_days(s, c, 10, start=date(y, 1, 1), end=date(y, 12, 31))

    def rank(self, rng: random.Random) -> Call:
        c, d = self.cat(rng), self.span.day(rng)
        return lambda s: queries.rank_at_time(s, c, d)

    def rank_since(self, rng: random.Random) -> Call:
        c, d = self.cat(rng), self.span.day(rng)
        since = date(d.year, 1, 1)  # "the day's rank this year"
        return lambda s: queries.rank_at_time(s, c, d, since=since)

    def records_since(self, rng: random.Random) -> Call:
        since = date(self.span.year(rng), 1, 1)
        return lambda s: queries.record_days(s, since=since)

    def sources(self, rng: random.Random) -> Call:
        start = self.span.day(rng, margin=29)
        return lambda s: queries.sources_between(s, start, start + timedelta(days=29))

    def category_sum(self, rng: random.Random) -> Call:
        c, y = self.cat(rng), self.span.year(rng)
        return lambda s: queries.category_sum(s, c, date(y, 1, 1), date(y, 12, 31))

    def category_span(self, rng: random.Random) -> Call:
        c = self.cat(rng)
        return lambda s: queries.category_span(s, c)


def _cases(span: Span) -> list[tuple[str, Maker]]:
    """Each query, with a maker of one call's arguments."""
    draw = _Draw(span)
    return [
        ("latest_report", draw.plain(queries.latest_report)),
        ("report_on (random day)", draw.on(queries.report_on)),
        ("report_as_of (random day)", draw.on(queries.report_as_of)),
        ("nearest_reports (random day)", draw.on(queries.nearest_reports)),
        ("first_report_date", draw.plain(queries.first_report_date)),
        ("report_count", draw.plain(queries.report_count)),
        ("category_span", draw.category_span),
        ("sources_between 30 days", draw.sources),
        ("period_sums 5 days", draw.period(5)),
        ("period_sums 30 days", draw.period(30)),
        ("period_sums whole year", draw.whole_year),
        ("daily_average 7", draw.average(7)),
        ("daily_average 30", draw.average(30)),
        ("month_sums one year", draw.months),
        ("year_sums all", draw.years),
        ("top_days 10, all history", draw.top_all),
        ("top_days 10, one year", draw.top_year),
        ("category_sum whole year", draw.category_sum),
        ("standings (random day, stored ranks)", draw.on(queries.standings)),
        ("latest_report_date", draw.plain(queries.latest_report_date)),
        ("rank_at_time", draw.rank),
        ("rank_at_time since 1 Jan", draw.rank_since),
        ("record_days", draw.plain(queries.record_days)),
        ("record_days since 1 Jan", draw.records_since),
    ]


@dataclass
class Timing:
    name: str
    calls: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    #: p99 of the CPU time of the calling thread: blind to time spent waiting for a CPU (other processes).
    cpu_p99_ms: float


def _percentile(sorted_ms: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    return sorted_ms[max(0, math.ceil(pct / 100 * len(sorted_ms)) - 1)]


@dataclass
class _Series:
    name: str
    calls: list[Call]
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    spent_ns: int = 0
    open: bool = True


def bench_queries(engine: Engine, calls: int, warmup: int, budget_s: float, seed: int) -> list[Timing]:
    """CALLS timed calls of each query after WARMUP untimed ones, round-robin over the queries so that a
    burst of load on the machine spreads over all of them instead of spoiling one. A query stops early
    once its calls took BUDGET_S seconds (a tenth of that for the warm-up), so that a slow query cannot
    stretch the run for minutes."""
    with reading(engine) as session:
        first = queries.first_report_date(session)
        latest = queries.latest_report(session)
    assert first is not None and latest is not None
    span = Span(first, latest.report_date)
    rng = random.Random(seed)
    series = [_Series(name, [make(rng) for _ in range(warmup + calls)]) for name, make in _cases(span)]
    wall, cpu = time.perf_counter_ns, time.thread_time_ns
    budget_ns = int(budget_s * 1e9)

    for i in range(warmup):
        for one in series:
            if one.spent_ns > budget_ns // 10:
                continue
            t0 = wall()
            with reading(engine) as session:
                one.calls[i](session)
            one.spent_ns += wall() - t0
    for one in series:
        one.spent_ns = 0
    for i in range(warmup, warmup + calls):
        for one in series:
            if not one.open:
                continue
            call = one.calls[i]
            t0, c0 = wall(), cpu()
            with reading(engine) as session:
                call(session)
            c1, t1 = cpu(), wall()
            one.wall_ms.append((t1 - t0) / 1e6)
            one.cpu_ms.append((c1 - c0) / 1e6)
            one.spent_ns += t1 - t0
            one.open = one.spent_ns <= budget_ns

    timings: list[Timing] = []
    for one in series:
        ms = sorted(one.wall_ms)
        timings.append(
            Timing(
                one.name,
                len(ms),
                _percentile(ms, 50),
                _percentile(ms, 99),
                ms[-1],
                _percentile(sorted(one.cpu_ms), 99),
            )
        )
    return timings


# ----------------------------------------------------------------------------------------------- report


@dataclass
class Results:
    machine: dict[str, Any]
    imports: dict[str, Any]
    real: dict[str, Any]
    synthetic: dict[str, Any]
    queries: list[dict[str, Any]] = field(default_factory=list)
    runtime_s: float = 0.0


def machine_info() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or "?",
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def _ok(good: bool) -> str:
    return "ok" if good else "MISS"


def print_header(info: dict[str, Any], out: TextIO) -> None:
    print("lossbot store benchmark", file=out)
    print(
        f"Python {info['python']} ({info['python_implementation']}), SQLite {info['sqlite']}, "
        f"SQLAlchemy {info['sqlalchemy']}",
        file=out,
    )
    print(
        f"Machine: {info['platform']}, {info['machine']}, processor {info['processor']}, "
        f"{info['cpu_count']} CPUs, load average {info['load_average']} at the start",
        file=out,
    )
    out.flush()


def print_import(result: ImportResult, out: TextIO) -> dict[str, Any]:
    best = result.best
    plain = result.best_plain_s
    ratio_total = best.total_s / plain
    ratio_store = result.best_store_s / plain
    runs = len(result.runs)
    print(
        f"\n1. Import of PetroIvaniuk's full history ({result.reports} reports, {result.figures} figures), "
        f"best of {runs}, each into a fresh file",
        file=out,
    )
    rows = [
        ("ours: loader.load + store_reports", f"{best.total_s:8.3f} s", ""),
        ("  reading/parsing files", f"{best.parse_s:8.3f} s", f"{best.parse_s / best.total_s:4.0%}"),
        ("  storing (one transaction)", f"{best.store_s:8.3f} s", f"{best.store_s / best.total_s:4.0%}"),
        ("plain sqlite3 executemany, same rows", f"{plain:8.3f} s", ""),
    ]
    for label, value, share in rows:
        print(f"   {label:<40}{value}  {share}", file=out)
    print(
        f"   ours/plain, whole import:  {ratio_total:5.2f}×   goal ≤ {IMPORT_GOAL_RATIO:.0f}×  "
        f"{_ok(ratio_total <= IMPORT_GOAL_RATIO)}\n"
        f"   ours/plain, storing alone: {ratio_store:5.2f}×   goal ≤ {IMPORT_GOAL_RATIO:.0f}×  "
        f"{_ok(ratio_store <= IMPORT_GOAL_RATIO)}   (best storing of the {runs} runs: "
        f"{result.best_store_s:.3f} s)",
        file=out,
    )
    out.flush()
    return {
        "reports": result.reports,
        "figures": result.figures,
        "ours_runs": [asdict(r) for r in result.runs],
        "plain_runs_s": result.plain_runs_s,
        "best_total_s": best.total_s,
        "best_parse_s": best.parse_s,
        "best_store_s": result.best_store_s,
        "best_plain_s": plain,
        "ratio_total": ratio_total,
        "ratio_store": ratio_store,
        "goal_ratio": IMPORT_GOAL_RATIO,
    }


def _verdict(t: Timing, goal_ms: float) -> str:
    if t.p99_ms <= goal_ms:
        return "ok"
    return "MISS*" if t.cpu_p99_ms <= goal_ms else "MISS"


def print_queries(
    real: list[Timing], synthetic: list[Timing], calls: int, years: int, out: TextIO
) -> list[dict[str, Any]]:
    print(
        f"\n2. Queries: up to {calls} calls each after a warm-up, round-robin, one reading() session per "
        f"call, in ms\n"
        f"   goals: p99 ≤ {REAL_P99_GOAL_MS:g} ms on the real history, ≤ {SYNTHETIC_P99_GOAL_MS:g} ms "
        f"on {years} years (wall clock)\n"
        f"   n = timed calls (fewer than {calls} when the query used up its time budget); cpu99 = p99 of "
        f"the thread's CPU time",
        file=out,
    )
    y = f"{years}y"
    head = (
        f"   {'query':<29}{'n':>5}{'p50':>7}{'p99':>7}{'cpu99':>7}{'max':>6} {'real':<6}"
        f"{'n':>5}{'p50':>7}{'p99':>7}{'cpu99':>7}{'max':>6} {y:<6}{f'{y}/real':>8}"
    )
    print(head, file=out)
    print("   " + "-" * (len(head) - 3), file=out)
    rows: list[dict[str, Any]] = []
    starred = False
    for r, s in zip(real, synthetic, strict=True):
        real_v, syn_v = _verdict(r, REAL_P99_GOAL_MS), _verdict(s, SYNTHETIC_P99_GOAL_MS)
        starred = starred or "*" in real_v + syn_v
        print(
            f"   {r.name:<29}{r.calls:5d}{r.p50_ms:7.2f}{r.p99_ms:7.2f}{r.cpu_p99_ms:7.2f}{r.max_ms:6.1f} "
            f"{real_v:<6}{s.calls:5d}{s.p50_ms:7.2f}{s.p99_ms:7.2f}{s.cpu_p99_ms:7.2f}{s.max_ms:6.1f} "
            f"{syn_v:<6}{s.p99_ms / r.p99_ms:7.1f}×",
            file=out,
        )
        rows.append(
            {
                "query": r.name,
                "real": asdict(r) | {"ok": real_v == "ok"},
                "synthetic": asdict(s) | {"ok": syn_v == "ok"},
            }
        )
    misses = [row["query"] for row in rows if not (row["real"]["ok"] and row["synthetic"]["ok"])]
    print(f"\n   {len(rows) - len(misses)} of {len(rows)} queries meet both goals", file=out)
    if misses:
        print(f"   missed: {', '.join(misses)}", file=out)
    if starred:
        print(
            "   MISS* = the CPU time meets the goal: the miss is time spent waiting for a CPU (machine load)",
            file=out,
        )
    out.flush()
    return rows


# ------------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_store", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help=f"the shared folder (or its data folder) holding petroivaniuk/ (default {DEFAULT_SHARED})",
    )
    parser.add_argument("--calls", type=int, default=1000, help="timed calls per query (default 1000)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed calls per query first (default 50)")
    parser.add_argument(
        "--budget",
        type=float,
        default=2.0,
        help="seconds one query may take in all on one history before it stops short of --calls (default 2)",
    )
    parser.add_argument("--years", type=int, default=50, help="years of synthetic history (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="import runs; the best counts (default 3)")
    parser.add_argument("--seed", type=int, default=2022, help="random seed (default 2022)")
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="also write the results as JSON to FILE; without FILE, to stdout (the table goes to stderr)",
    )
    args = parser.parse_args(argv)
    if args.calls < 1 or args.runs < 1 or args.years < 1 or args.warmup < 0 or args.budget <= 0:
        parser.error("--calls, --runs and --years must be ≥ 1, --warmup ≥ 0, --budget > 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    out = sys.stderr if args.json == "-" else sys.stdout
    data = find_data(args.shared)
    info = machine_info()
    print_header(info, out)

    imports = print_import(bench_import(data.petroivaniuk, args.runs), out)

    with fresh_file("real.db") as real_db, fresh_file("synthetic.db") as syn_db:
        real_engine = make_engine(f"sqlite:///{real_db}")
        syn_engine = make_engine(f"sqlite:///{syn_db}")
        try:
            real_reports = fill_real(data, real_engine)
            syn_reports, syn_store_s = fill_synthetic(syn_engine, args.years, args.seed)
            with reading(real_engine) as s:
                real_span = (queries.first_report_date(s), queries.latest_report(s))
            with reading(syn_engine) as s:
                syn_span = (queries.first_report_date(s), queries.latest_report(s))
            real_info = {
                "reports": real_reports,
                "first": str(real_span[0]),
                "last": str(real_span[1].report_date if real_span[1] else None),
            }
            syn_info = {
                "years": args.years,
                "reports": syn_reports,
                "categories": len(CURRENT),
                "store_s": syn_store_s,
                "first": str(syn_span[0]),
                "last": str(syn_span[1].report_date if syn_span[1] else None),
            }
            print(
                f"\n   real history: {real_reports} reports, {real_info['first']} … {real_info['last']} "
                f"(PetroIvaniuk + orc-losses)\n"
                f"   synthetic:    {syn_reports} reports × {len(CURRENT)} categories, "
                f"{syn_info['first']} … {syn_info['last']} (stored in {syn_store_s:.1f} s)",
                file=out,
            )
            out.flush()
            real_t = bench_queries(real_engine, args.calls, args.warmup, args.budget, args.seed)
            syn_t = bench_queries(syn_engine, args.calls, args.warmup, args.budget, args.seed)
        finally:
            real_engine.dispose()
            syn_engine.dispose()

    rows = print_queries(real_t, syn_t, args.calls, args.years, out)
    runtime = time.perf_counter() - started
    load = (
        f", load average {[round(x, 2) for x in os.getloadavg()]} at the end"
        if hasattr(os, "getloadavg")
        else ""
    )
    print(f"\nTotal runtime {runtime:.1f} s{load}", file=out)
    if args.json:
        results = Results(info, imports, real_info, syn_info, rows, runtime)
        text = json.dumps(asdict(results), indent=2, ensure_ascii=False)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
