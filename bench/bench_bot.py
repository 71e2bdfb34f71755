"""Benchmark of the bot: answering commands, starting up, memory.

Run from the project root:

    .venv/bin/python -m bench.bench_bot [--shared PATH] [--calls 1000] [--warmup 20] [--starts 5]
        [--database-url postgresql+psycopg://…]  (a scratch schema on that server; SQLite by default)

1. p50/p99 of each command through `Application.process_update` over `--calls` calls on the full real
   history (PetroIvaniuk + orc-losses in a temporary SQLite file). The application is built by the
   composition point with `bot.cli.offline.OfflineRequest` as its HTTP layer, which answers in-process, so
   only our code (handlers, answers, queries, PTB's dispatch) is timed. Goal: p99 ≤ 10 ms. Beside the
   wall clock, the process's CPU time per call (all threads), which a machine busy with other work
   does not inflate.
2. Start-up of `lossbot run` (`python -m bot run`, a subprocess) until its first getUpdates reaches the
   loopback fake Bot API (`tests/fakebotapi.py`); the median of `--starts` starts, and the CPU time the
   process had used by then. Goal: ≤ 1.0 s.
3. Resident memory (VmRSS from /proc/<pid>/status) of the running bot once it polls; also after it has
   answered each command once. Goal: ≤ 100 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update

from bench.support import add_database_option, database_kind, machine_load, scratch_database
from bot.app import build_application
from bot.cli.offline import OfflineRequest, message_update
from bot.config import Settings
from bot.delivery.budget import BudgetLimiter, Limits
from bot.sources import loader
from storage.db import make_engine, transaction
from storage.writes import store_reports
from tests.support.fakebotapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 8, 23, 9, 0, tzinfo=UTC)

COMMANDS = [
    ("/totals", "en"),
    ("/totals 2025-08-22", "en"),
    ("/day 2024-10-25", "en"),
    ("/day 2024-10-25", "uk"),
    ("/range 2024-10-21..2024-10-25", "en"),
    ("/range all", "en"),
    ("/top personnel 3 2022-04-01..2024-10-25", "en"),
    ("/top drones 50", "en"),
    ("/category tanks 2024", "en"),
    ("/records", "en"),
    ("/categories", "en"),
    ("/help", "en"),
    ("/start", "en"),
    ("/lang en", "en"),
    ("/top 5 personnel", "en"),
    ("/day 2030-01-01", "en"),
    ("hello", "en"),
]

#: A send budget that never makes a reply wait (see time_commands).
UNLIMITED = Limits(per_second=10**9, private_interval=0.0, group_interval=0.0)

GOAL_P99_MS = 10.0
GOAL_START_S = 1.0
GOAL_RSS_MB = 100.0


def build_history(shared: Path, url: str) -> int:
    """The full history, as tests/conftest.py `fill_full_history` builds it; returns the report count."""
    engine = make_engine(url)
    count = 0
    with transaction(engine) as session:
        for batch in loader.load([shared / "data" / "petroivaniuk", shared / "data" / "orc-losses"]):
            count += len(batch.reports)
            store_reports(session, batch.reports)
    engine.dispose()
    return count


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def time_commands(
    url: str, calls: int, warmup: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    settings = Settings(_env_file=None, database_url=url, telegram_api_base_url="http://offline/bot")
    request = OfflineRequest()
    app = build_application(settings, request=request, clock=lambda: NOW, token="1:offline")
    # The offline HTTP layer is not Telegram: its limits (30/s, 1/s into a chat), which the send budget
    # keeps, would make this loop wait for them, and flood control would stop answering one user after
    # 5 commands. So the budget gets limits that never bind, and each call comes from a user of its own.
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, BudgetLimiter)
    limiter.budget.limits = Limits(per_second=1_000_000, private_interval=0.0, group_interval=0.0)
    users = itertools.count(10_000)
    timings: dict[str, list[float]] = {}
    cpu_timings: dict[str, list[float]] = {}
    async with app:
        for text, lang in COMMANDS:
            raw = message_update(text, lang)
            samples: list[float] = []
            cpu: list[float] = []
            for i in range(warmup + calls):
                user = next(users)
                raw["message"]["chat"]["id"] = raw["message"]["from"]["id"] = user
                update = Update.de_json(raw, app.bot)
                start, start_cpu = time.perf_counter(), time.process_time()
                await app.process_update(update)
                elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
                if i >= warmup:
                    samples.append(elapsed * 1000)
                    cpu.append(elapsed_cpu * 1000)
            if not request.sent or not request.sent[-1].text:
                raise SystemExit(f"{text!r} got no reply")
            request.sent.clear()
            timings[f"{text} [{lang}]"] = samples
            cpu_timings[f"{text} [{lang}]"] = cpu
    await app.bot_data.services.read(lambda _s: None)
    app.bot_data.services.engine.dispose()
    return timings, cpu_timings


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) the process has used so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_bot(url: str, starts: int) -> tuple[list[float], list[float], list[float], float]:
    """Start-up times (s) and the CPU time they took, RSS after start (MB) per start, and RSS after
    answering every command once."""
    startup: list[float] = []
    startup_cpu: list[float] = []
    rss: list[float] = []
    rss_after = 0.0
    with FakeBotAPI() as fake:
        env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "LOG_LEVEL"}}
        env.update(DATABASE_URL=url, BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=f"{fake.url}/bot")
        for run in range(starts):
            fake.clear_calls()
            begun = time.monotonic()
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            try:
                first = fake.wait_for("getUpdates", timeout=30)[0]
                startup.append(first.time - begun)
                startup_cpu.append(cpu_seconds(process.pid))
                rss.append(rss_mb(process.pid))
                if run == starts - 1:
                    for n, (text, lang) in enumerate(COMMANDS):
                        fake.inject_message(1000 + n, text, language_code=lang)
                    fake.wait_for("sendMessage", timeout=60, count=len(COMMANDS))
                    rss_after = rss_mb(process.pid)
                process.send_signal(signal.SIGTERM)
                _, err = process.communicate(timeout=30)
                if process.returncode != 0 or b"Traceback" in err:
                    raise SystemExit(f"the bot did not stop cleanly ({process.returncode}):\n{err.decode()}")
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    return startup, startup_cpu, rss, rss_after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--starts", type=int, default=5)
    add_database_option(parser)
    args = parser.parse_args()
    if not (args.shared / "data" / "petroivaniuk").is_dir():
        raise SystemExit(f"reference data not found at {args.shared}; pass --shared PATH")

    print(f"lossbot bench — Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(machine_load())
    with (
        tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp,
        scratch_database(args.database_url, Path(tmp), "history") as url,
    ):
        print(f"database: {database_kind(url)}")
        began = time.perf_counter()
        reports = build_history(args.shared, url)
        print(f"full history: {reports} reports read, built in {time.perf_counter() - began:.1f} s\n")

        timings, cpu_timings = asyncio.run(time_commands(url, args.calls, args.warmup))
        width = max(len(k) for k in timings)
        print(f"1. process_update, {args.calls} calls each (goal p99 ≤ {GOAL_P99_MS:g} ms)")
        print("   (cpu: the process's CPU time per call, all threads: blind to waiting for a busy CPU)")
        print(f"   {'command':<{width}}  {'p50 ms':>7}  {'p99 ms':>7}  {'max ms':>7}  {'cpu p99':>7}  ok")
        worst = 0.0
        for name, samples in timings.items():
            p50, p99 = statistics.median(samples), percentile(samples, 0.99)
            cpu_p99 = percentile(cpu_timings[name], 0.99)
            worst = max(worst, p99)
            ok = "yes" if p99 <= GOAL_P99_MS else "NO"
            print(f"   {name:<{width}}  {p50:7.2f}  {p99:7.2f}  {max(samples):7.2f}  {cpu_p99:7.2f}  {ok}")
        print()

        startup, startup_cpu, rss, rss_after = run_bot(url, args.starts)
        median_start = statistics.median(startup)
        median_rss = statistics.median(rss)
        print(f"2. start-up of `lossbot run` to its first getUpdates, {args.starts} starts (s):")
        print("   " + ", ".join(f"{s:.2f}" for s in startup))
        print("   CPU time of those starts (s): " + ", ".join(f"{s:.2f}" for s in startup_cpu))
        print("3. VmRSS after start (MB): " + ", ".join(f"{r:.1f}" for r in rss))
        print(f"   VmRSS after answering each command once (MB): {rss_after:.1f}\n")

    p99_goal, start_goal, rss_goal = f"≤ {GOAL_P99_MS:g} ms", f"≤ {GOAL_START_S:g} s", f"≤ {GOAL_RSS_MB:g} MB"
    rows = [
        ("worst p99 of a command (process_update)", f"{worst:.2f} ms", p99_goal, worst <= GOAL_P99_MS),
        (
            "start-up to first getUpdates (median)",
            f"{median_start:.2f} s",
            start_goal,
            median_start <= GOAL_START_S,
        ),
        ("RSS after start (median)", f"{median_rss:.1f} MB", rss_goal, median_rss <= GOAL_RSS_MB),
        ("RSS after answering every command", f"{rss_after:.1f} MB", rss_goal, rss_after <= GOAL_RSS_MB),
    ]
    print(f"{'summary':<42}  {'measured':>10}  {'goal':>10}  met")
    for name, value, goal, met in rows:
        print(f"{name:<42}  {value:>10}  {goal:>10}  {'yes' if met else 'NO'}")


if __name__ == "__main__":
    main()
