"""Benchmark of replies under load: commands from many users during a broadcast, against the loopback fake
Bot API enforcing Telegram's limits (30 msg/s in total, ~1/s into a private chat; 429 with retry_after).

The bot as built by `bot.app.build_application`, polling the fake as `lossbot run` does. A report is
published to N subscribers; for --seconds, U users each send a command (/totals, /day, /range, /records)
every --every seconds on average (at random moments), and F flooders each send --flood commands at once
every 10 s. Then the broadcast is let finish.

Printed: the users' commands answered (goal 100%), their reply time p50/p99 (the /totals goal: p99 ≤ 0.5 s),
the flooders' messages (flood control: a burst, one "slow down", then silence), 429s (goal 0), the
broadcast's rate during the flood and over the whole broadcast as a fraction of 30/s (goal ≥ 0.9 in
total: replies take their slots from the same budget, the broadcast the rest), and messages not delivered.

    .venv/bin/python -m bench.bench_flood [--seconds 60] [--users 100] [--subscribers 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from bench.support import LIMIT, SUBSCRIBERS, percentile, subscribe
from bot.app import build_application
from bot.config import Settings
from storage import delivery as store
from storage.db import make_engine, reading
from storage.schema import DeliveryState
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import Call, FakeBotAPI, Stats
from tests.support.running import polling

NOW = datetime(2024, 10, 25, 9, 0, tzinfo=UTC)
USERS = 1_001  # users are chats 1001 …; flooders from 5001; subscribers from 100,000
FLOODERS = 5_001
COMMANDS = ("/totals", "/day 2024-10-25", "/range 2024-10-21..2024-10-25", "/records", "/totals")


@dataclass
class Asked:
    #: Per user chat: when each command was sent (monotonic), and which.
    times: dict[int, list[float]] = field(default_factory=dict)
    commands: dict[int, list[str]] = field(default_factory=dict)
    flooded: int = 0


def prepare(path: Path, n: int) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    store_reports(engine, reports())
    subscribe(engine, n, NOW)
    return engine


async def user(
    fake: FakeBotAPI, chat: int, every: float, until: float, asked: Asked, rng: random.Random
) -> None:
    await asyncio.sleep(rng.uniform(0, every))
    while time.monotonic() < until:
        command = rng.choice(COMMANDS)
        asked.times.setdefault(chat, []).append(time.monotonic())
        asked.commands.setdefault(chat, []).append(command)
        fake.inject_message(chat, command)
        await asyncio.sleep(min(rng.uniform(0.5, 1.5) * every, max(0.0, until - time.monotonic())))


async def flooder(fake: FakeBotAPI, chat: int, burst: int, until: float, asked: Asked) -> None:
    while time.monotonic() < until:
        for _i in range(burst):
            fake.inject_message(chat, "/totals")
            asked.flooded += 1
        await asyncio.sleep(min(10.0, max(0.0, until - time.monotonic())))


async def run(args: argparse.Namespace, tmp: Path) -> None:
    engine = prepare(tmp / "flood.db", args.subscribers)
    rng = random.Random(12)
    with FakeBotAPI(rate_limits=True) as fake:
        settings = Settings(_env_file=None, telegram_api_base_url=fake.base_url)
        app = build_application(settings, engine=engine, clock=lambda: NOW, token=fake.token)
        asked = Asked()
        async with polling(app):
            await app.bot_data.services.report_published(reports()[-1].report_date, correction=False)
            await fake.wait_for_async("sendMessage", lambda c: c.ok and c.chat_id >= SUBSCRIBERS, timeout=30)
            began = time.monotonic()
            until = began + args.seconds
            tasks = [user(fake, USERS + i, args.every, until, asked, rng) for i in range(args.users)]
            tasks += [flooder(fake, FLOODERS + i, args.flood, until, asked) for i in range(args.flooders)]
            await asyncio.gather(*tasks)
            flood_end = time.monotonic()
            await asyncio.sleep(5.0)  # the last replies
            while True:
                with reading(engine) as session:
                    if store.owed(session) == 0:
                        break
                await asyncio.sleep(1.0)
        with reading(engine) as session:
            lost = sum(1 for d in store.deliveries(session) if d.state != DeliveryState.SENT)
        stats = fake.stats()
        calls = [c for c in fake.calls_of("sendMessage") if c.ok]
    engine.dispose()
    report(args, asked, calls, stats, began, flood_end, lost)


def report(
    args: argparse.Namespace,
    asked: Asked,
    calls: list[Call],
    stats: Stats,
    began: float,
    flood_end: float,
    lost: int,
) -> None:
    replies: dict[int, list[float]] = {}
    for call in calls:
        replies.setdefault(int(call.chat_id), []).append(call.time + call.duration)
    latencies: list[float] = []
    totals: list[float] = []
    sent = answered = 0
    for chat, times in asked.times.items():
        got = replies.get(chat, [])
        sent += len(times)
        answered += min(len(times), len(got))
        for asked_at, command, replied_at in zip(times, asked.commands[chat], got, strict=False):
            latencies.append(replied_at - asked_at)
            if command == "/totals":
                totals.append(replied_at - asked_at)
    flood_msgs = sum(len(replies.get(FLOODERS + i, [])) for i in range(args.flooders))
    sends = stats.sends
    broadcast = [s.time for s in sends if s.chat_id >= SUBSCRIBERS]
    during = [t for t in broadcast if began <= t <= flood_end]
    window = flood_end - began
    everything = [s.time for s in sends if began <= s.time <= flood_end]
    whole = (broadcast[-1] - broadcast[0]) if len(broadcast) > 1 else 0.0
    print(
        f"{args.users} users (a command every ~{args.every:g} s each) and {args.flooders} flooders "
        f"({args.flood} at once every 10 s) for {window:.0f} s, during a broadcast to {args.subscribers}"
    )
    print(
        f"  users' commands answered {answered}/{sent} = {answered / max(1, sent):.1%}; "
        f"reply p50 {statistics.median(latencies) if latencies else float('nan'):.3f} s, "
        f"p99 {percentile(latencies, 0.99):.3f} s; "
        f"/totals p99 {percentile(totals, 0.99):.3f} s (n={len(totals)})"
    )
    print(
        f"  flooders: {asked.flooded} commands sent, {flood_msgs} messages back "
        "(a burst and one 'slow down' each)"
    )
    print(f"  429s {stats.too_many_requests}; broadcast not delivered {lost}")
    print(
        f"  during the flood: everything sent {len(everything) / window:.1f}/s "
        f"({len(everything) / window / LIMIT:.2f} of 30/s), the broadcast {len(during) / window:.1f}/s "
        f"({len(during) / window / LIMIT:.2f})"
    )
    if whole:
        rate = (len(broadcast) - 1) / whole
        print(
            f"  whole broadcast: {len(broadcast)} in {whole:.1f} s = {rate:.1f}/s "
            f"({rate / LIMIT:.2f} of 30/s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="how long the flood lasts (default 15)")
    parser.add_argument("--users", type=int, default=100, help="users sending commands (default 100)")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between a user's commands (10)")
    parser.add_argument("--flooders", type=int, default=5, help="users flooding (default 5)")
    parser.add_argument("--flood", type=int, default=30, help="commands a flooder sends at once (30)")
    parser.add_argument("--subscribers", type=int, default=1000, help="broadcast size (default 1000)")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
