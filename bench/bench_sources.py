"""Benchmark of the figures arriving by themselves: first start, catch-up, polling cost.

Run from the project root:

    .venv/bin/python -m bench.bench_sources [--runs 3]

1. First start: `lossbot ask "/totals"` (a subprocess) on an empty SQLite database, which loads the
   embedded history and answers; wall time from start to the answer, the median of `--runs`. Goal: ≤ 3 s.
2. Catch-up of the whole history from the loopback russianwarship.rip API (`tests/support/fakesources.py`,
   paged, 50 a page) into an empty database, through the same checks as a moderator's post: seconds,
   requests, and reports stored or held.
3. A normal morning: the store is one day behind; polls every 3 (the default) or 5 minutes from 07:00
   while the day's report appears at 09:12: requests made in the day (goal: a handful, not hundreds, which
   conditional requests make cheap 304s), and how long after it appeared the report was stored (goal
   ≤ 3 min at the default interval). The summary is queued the moment the report is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from bot.moderation.intake import fetch_new
from bot.sources import snapshot
from bot.sources.live import Http, RussianWarship
from storage.db import make_engine, transaction
from storage.writes import store_reports
from tests.support.fakesources import FakeSources

ROOT = Path(__file__).resolve().parents[1]


def first_start(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/first.db"}
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-m", "bot", "ask", "/totals"],
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            times.append(time.perf_counter() - started)
            assert "Russia's losses as of" in out, out
    return times


async def catch_up(fake: FakeSources) -> tuple[float, int, int, int]:
    history = snapshot.read_snapshot()
    fake.publish(history)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/catchup.db")
        async with httpx.AsyncClient(timeout=30) as client:
            http = Http(client)
            started = time.perf_counter()
            [run] = await fetch_new(
                engine, [RussianWarship(fake.api_url)], http, today=history[-1].report_date
            )
            seconds = time.perf_counter() - started
        engine.dispose()
    return seconds, http.requests, len(run.stored), len(run.held)


async def morning(fake: FakeSources, interval_minutes: int) -> tuple[int, float | None]:
    """Simulated polls (the clock is ours; the requests are real HTTP to the loopback API)."""
    history = snapshot.read_snapshot()
    today = history[-1].report_date
    fake.visible = list(history[:-1])
    appears = datetime.combine(today, datetime.min.time()) + timedelta(hours=9, minutes=12)
    poll = datetime.combine(today, datetime.min.time()) + timedelta(hours=7)
    end = poll.replace(hour=14)
    stored_at = None
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/morning.db")
        with transaction(engine) as session:
            store_reports(session, history[-400:-1])
        async with httpx.AsyncClient(timeout=30) as client:
            http = Http(client)
            while poll <= end and stored_at is None:
                if poll >= appears and len(fake.visible) < len(history):
                    fake.publish([history[-1]])
                [run] = await fetch_new(engine, [RussianWarship(fake.api_url)], http, today=today)
                if run.stored:
                    stored_at = poll
                poll += timedelta(minutes=interval_minutes)
        engine.dispose()
    delay = (stored_at - appears).total_seconds() / 60 if stored_at else None
    return http.requests, delay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    starts = first_start(args.runs)
    print(
        f"first start to /totals answered: median {statistics.median(starts):.2f} s (goal ≤ 3 s), "
        f"runs {[round(s, 2) for s in starts]}"
    )
    with FakeSources() as fake:
        seconds, requests, stored, held = asyncio.run(catch_up(fake))
        print(
            f"catch-up of the whole history from the paged API: {seconds:.1f} s, {requests} requests, "
            f"{stored} reports stored, {held} held for moderators"
        )
    for interval in (3, 5):  # 3: FETCH_INTERVAL_MINUTES's default
        with FakeSources() as fake:
            requests, delay = asyncio.run(morning(fake, interval))
        print(
            f"a morning polled every {interval} min (report appears 09:12): {requests} requests; "
            f"stored {delay:.0f} min after it appeared"
            if delay is not None
            else "never stored"
        )


if __name__ == "__main__":
    main()
