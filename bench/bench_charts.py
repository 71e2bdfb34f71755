"""Benchmark of /chart: drawing, memory, and answering from the cache.

Run from the project root:

    .venv/bin/python -m bench.bench_charts [--renders 30] [--cached 200] [--docs]

1. The chart's data read from the store (`chart_data`, the embedded full history in a temporary SQLite
   file): p50 / p99.
2. Drawing each chart below as PNG (`bot.charts.draw.png`) `--renders` times: p50 / p99; the first
   drawing of the process, which imports matplotlib, separately; and the CPU time of a drawing (what the
   wall time is on a quiet machine; the machine is shared). Goal: p50 ≤ 300 ms.
3. Peak resident memory (ru_maxrss) before matplotlib is imported and after every drawing.
4. /chart answered from the cache (the file id of the first upload: no drawing, no upload) through
   `Application.process_update` against the loopback fake Bot API, `--cached` times: p50 / p99.

`--docs` also writes the README's two pictures: docs/chart-en.png and docs/chart-uk.png.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from telegram import Update

from bot.answers import chart as answer
from bot.app import build_application
from bot.charts import draw
from bot.charts.request import ChartRequest
from bot.config import Settings
from bot.sources import snapshot
from storage.db import make_engine, reading
from tests.support.fakebotapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 8, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 8, 23)
GOAL_P50_MS = 300.0

CHARTS = [
    (ChartRequest(("personnel",), "90d"), "en"),
    (ChartRequest(("tanks",), "30d"), "uk"),
    (ChartRequest(("artillery",), "365d"), "en"),
    (ChartRequest(("uav",), "all"), "uk"),
    (ChartRequest(("tanks", "afv", "artillery"), "90d"), "en"),
]
#: The README's pictures: (file, request, language).
DOCS = [
    ("chart-en.png", ChartRequest(("personnel",), "90d"), "en"),
    ("chart-uk.png", ChartRequest(("tanks", "afv", "artillery"), "all"), "uk"),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(work: Callable[[], Any], times: int, clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """Milliseconds of each of TIMES runs of WORK, by CLOCK (wall time, or process_time: CPU time)."""
    spent = []
    for _i in range(times):
        start = clock()
        work()
        spent.append((clock() - start) * 1000)
    return spent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def cached_answers(url: str, times: int) -> list[float]:
    """/chart tanks through the bot: once to draw and upload, then TIMES from the file id."""
    with FakeBotAPI() as fake:
        settings = Settings(_env_file=None, database_url=url, telegram_api_base_url=fake.base_url)
        app = build_application(settings, clock=lambda: NOW, token=fake.token)
        spent = []
        async with app:
            for n in range(times + 1):
                raw = {
                    "update_id": n + 1,
                    "message": {
                        "message_id": n + 1,
                        "date": int(time.time()),
                        "chat": {"id": 7, "type": "private", "first_name": "B"},
                        "from": {"id": 7, "is_bot": False, "first_name": "B", "language_code": "en"},
                        "text": "/chart tanks",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                    },
                }
                start = time.perf_counter()
                await app.process_update(Update.de_json(raw, app.bot))
                if n:
                    spent.append((time.perf_counter() - start) * 1000)
            assert app.bot_data.charts.drawn == 1, "every answer after the first comes from the cache"
            assert all(c.ok for c in fake.calls_of("sendPhoto"))
        await app.bot_data.services.read(lambda _s: None)
        app.bot_data.services.engine.dispose()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--cached", type=int, default=200)
    parser.add_argument("--docs", action="store_true", help="write docs/chart-en.png and docs/chart-uk.png")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {platform.machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/history.db"
        engine = make_engine(url)
        snapshot.load_if_empty(engine)
        with reading(engine) as session:
            charts = [(answer.chart_data(session, r, today=TODAY), lang) for r, lang in CHARTS]
            reads = timed(lambda: answer.chart_data(session, CHARTS[0][0], today=TODAY), 200)
        engine.dispose()
        print(
            f"chart data read (personnel, 90 days): p50 {percentile(reads, 0.5):.1f} ms, "
            f"p99 {percentile(reads, 0.99):.1f} ms"
        )
        before = peak_mb()
        first = timed(lambda: draw.png(*charts[0]), 1)[0]
        print(
            f"peak RSS before matplotlib {before:.0f} MB; first drawing (imports matplotlib) {first:.0f} ms"
        )
        every: list[float] = []
        cpu: list[float] = []
        for chart, lang in charts:
            spent = timed(lambda chart=chart, lang=lang: draw.png(chart, lang), args.renders)  # type: ignore[misc]
            used = timed(lambda chart=chart, lang=lang: draw.png(chart, lang), 5, time.process_time)  # type: ignore[misc]
            every += spent
            cpu += used
            size = len(draw.png(chart, lang)) // 1024
            print(
                f"  draw {'+'.join(chart.categories)} {chart.period.label('en')} ({lang}, {size} KB): "
                f"p50 {percentile(spent, 0.5):.0f} ms, p99 {percentile(spent, 0.99):.0f} ms, "
                f"CPU {percentile(used, 0.5):.0f} ms"
            )
        p50 = percentile(every, 0.5)
        verdict = "met" if p50 <= GOAL_P50_MS else "missed"
        print(
            f"draw, all charts: p50 {p50:.0f} ms, p99 {percentile(every, 0.99):.0f} ms "
            f"(goal p50 ≤ {GOAL_P50_MS:.0f} ms: {verdict}); CPU time p50 {percentile(cpu, 0.5):.0f} ms"
        )
        print(f"peak RSS after drawing: {peak_mb():.0f} MB")
        cached = asyncio.run(cached_answers(url, args.cached))
        print(
            f"/chart from the cache (file id), {args.cached} answers: p50 {percentile(cached, 0.5):.1f} ms, "
            f"p99 {percentile(cached, 0.99):.1f} ms"
        )
        if args.docs:
            engine = make_engine(url)
            with reading(engine) as session:
                for name, request, lang in DOCS:
                    png = draw.png(answer.chart_data(session, request, today=TODAY), lang)
                    (ROOT / "docs" / name).write_bytes(png)
                    print(f"wrote docs/{name}")
            engine.dispose()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
