"""Load benchmark of the webhook: simulated users POST Telegram updates to real `lossbot run --webhook`
processes over loopback HTTP while a 10,000-chat broadcast runs through the outbox, the bot talking to
the loopback fake Bot API, which enforces Telegram's limits (30 msg/s per token, ~1/s into a chat; 429
with retry_after beyond).

Set-up: a scratch database (SQLite, or a schema on --database-url's PostgreSQL; bench/support.py) with
the embedded history (1,640 reports) and a report of today, and --subscribers chats subscribed to the
summary. The first instance leads: its first delivery tick broadcasts today's report. Once the broadcast
has begun (and the other instances are up: --instances 2 starts a second process, a follower, on the same
PostgreSQL), the load runs: for each rate of --rates, --seconds of updates arriving at random (Poisson)
moments at that rate, from --users users in turn (each user's chat is its own, so a user sends one update
every users/rate seconds: far below flood control's burst 5 then 1/s, and below Telegram's 1 message/s
into a chat). The updates go round-robin to the instances, as a load balancer would spread them; with
--route leader all go to the leader, as a load balancer checking GET /leader sends them.

The mix: /totals, /day (bare, with its buttons), /range week, /top tanks, /category tanks, and a press of
a ◀/▶ button under the user's last /day answer (an edit of that message).

Printed per rate: updates POSTed per second (and the webhook's 200 answer time), replies per second,
reply latency p50/p99 from the POST to the fake Bot API receiving the reply (sendMessage, or
editMessageText for a press; goal p99 ≤ 100 ms), updates left unanswered, 429s (to replies and to the
broadcast), the broadcast's rate during the phase as a fraction of 30/s, and everything sent. With
--profile each instance runs under bench/profiled.py (a sampler of every thread) during the load: where
the bot's time goes, by package. The profiler slows the bot: take latencies from a run without it.

    .venv/bin/python -m bench.bench_webhook_load [--seconds 60] [--rates 10,20,25,28] [--users 1000]
        [--subscribers 10000] [--instances 1|2] [--database-url postgresql+psycopg://…] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bench.support import (
    LIMIT,
    SUBSCRIBERS,
    add_database_option,
    database_kind,
    machine_load,
    percentile,
    scratch_database,
    subscribe,
)
from bot.domain.dates import utc_now
from bot.domain.report import ReportFigures
from bot.sources import snapshot
from storage import queries
from storage.db import make_engine, reading, transaction
from storage.writes import store_reports
from tests.support.fakebotapi import Call, FakeBotAPI
from tests.support.running import WEBHOOK_SECRET, instance_env, start_instance

#: The simulated users' private chats are 1,000,001 …
USERS = 1_000_001
ZONE = "Europe/Kyiv"
#: What users send, by weight; "press" is a ◀/▶ button under their last /day answer.
MIX: tuple[tuple[str, int], ...] = (
    ("/totals", 3),
    ("/day", 2),
    ("/range week", 2),
    ("/top tanks", 1),
    ("/category tanks", 1),
    ("press", 1),
)
#: The Bot API methods that carry a reply: a message, or the edit a press makes.
REPLY_METHODS = frozenset({"sendMessage", "editMessageText", "sendPhoto"})
#: How long after the last update its reply may still come (then it counts as unanswered).
GRACE = 10.0
WAIT = 120.0


@dataclass
class Posted:
    chat: int
    kind: str
    at: float
    #: When the webhook answered, and its HTTP status (0: the request failed).
    answered: float = 0.0
    status: int = 0
    error: str = ""


@dataclass
class Phase:
    rate: float
    began: float
    ended: float = 0.0
    posted: list[Posted] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ------------------------------------------------------------------------------------------ set-up


def prepare(url: str, subscribers: int) -> None:
    """The embedded history, a report of today (the last one's figures grown by its increases, so the
    broadcast has something new to send), and the subscribers."""
    engine = make_engine(url)
    try:
        snapshot.load_if_empty(engine)
        with reading(engine) as session:
            last = queries.latest_report(session)
        assert last is not None
        now = utc_now()
        today = now.astimezone(ZoneInfo(ZONE)).date()
        increases = last.increases
        totals = {k: v + increases.get(k, 0) for k, v in last.totals.items()}
        with transaction(engine) as session:
            store_reports(session, [ReportFigures(today, last.source, totals, increases, last.source_url)])
        subscribe(engine, subscribers, now - timedelta(hours=1))
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------------ updates


class Users:
    """The simulated users: whose turn it is, and each one's updates."""

    def __init__(self, fake: FakeBotAPI, count: int, rng: random.Random) -> None:
        self.fake = fake
        self.count = count
        self.rng = rng
        self.turn = 0
        self.update_id = 1
        kinds, weights = zip(*MIX, strict=True)
        self.kinds, self.weights = list(kinds), list(weights)

    def next(self) -> tuple[int, str, dict[str, Any]]:
        chat = USERS + self.turn % self.count
        self.turn += 1
        self.update_id += 1
        kind = self.rng.choices(self.kinds, self.weights)[0]
        if kind == "press":
            update = self.press(chat)
            if update is not None:
                return chat, kind, update
            kind = "/day"  # nothing to press yet: ask for the day first
        return chat, kind, self.message(chat, kind)

    def _user(self, chat: int) -> dict[str, Any]:
        return {"id": chat, "is_bot": False, "first_name": "User", "language_code": "en"}

    def message(self, chat: int, text: str) -> dict[str, Any]:
        command = text.split(maxsplit=1)[0]
        message = {
            "message_id": self.update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "User"},
            "from": self._user(chat),
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        }
        return {"update_id": self.update_id, "message": message}

    def press(self, chat: int) -> dict[str, Any] | None:
        """A press of a ◀/▶ button under the newest /day answer in CHAT (as it stands now)."""
        for message in reversed(self.fake.sent_messages(chat)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            buttons = [b for row in rows for b in row if str(b.get("callback_data", "")).startswith("m:day:")]
            if buttons:
                shown: dict[str, Any] = {
                    k: message[k] for k in ("message_id", "date", "chat", "text") if k in message
                }
                shown["from"] = self.fake.bot_user
                shown["reply_markup"] = message["reply_markup"]
                query = {
                    "id": f"q{self.update_id}",
                    "from": self._user(chat),
                    "chat_instance": f"ci{chat}",
                    "message": shown,
                    "data": self.rng.choice(buttons)["callback_data"],
                }
                return {"update_id": self.update_id, "callback_query": query}
        return None


async def post(session: aiohttp.ClientSession, url: str, update: dict[str, Any], posted: Posted) -> None:
    try:
        async with session.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        ) as r:
            await r.read()
            posted.status = r.status
    except aiohttp.ClientError as exc:
        posted.status = 0
        posted.error = f"{type(exc).__name__}: {exc}"
    posted.answered = time.monotonic()


async def load(
    urls: list[str], users: Users, rates: list[float], seconds: float, rng: random.Random
) -> list[Phase]:
    """Each rate for SECONDS: updates at Poisson moments, round-robin to the instances at URLS."""
    phases: list[Phase] = []
    pending: set[asyncio.Task[None]] = set()
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(connector=connector) as session:
        sent = 0
        for rate in rates:
            phase = Phase(rate, time.monotonic())
            phases.append(phase)
            due = phase.began
            until = phase.began + seconds
            while True:
                due += rng.expovariate(rate)
                if due >= until:
                    break
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                chat, kind, update = users.next()
                posted = Posted(chat, kind, time.monotonic())
                phase.posted.append(posted)
                task = asyncio.create_task(post(session, urls[sent % len(urls)], update, posted))
                sent += 1
                pending.add(task)
                task.add_done_callback(pending.discard)
            phase.ended = until
            print(f"  rate {rate:g}/s: {len(phase.posted)} updates posted", flush=True)
        await asyncio.gather(*pending)
    return phases


# ------------------------------------------------------------------------------------------ analysis


def match_replies(phases: list[Phase], calls: list[Call]) -> dict[int, float]:
    """For each posted update (by id()), the time the fake received its reply: the first reply into its
    chat at or after it was posted, not taken by an earlier update of that chat."""
    replies: dict[int, list[float]] = {}
    for call in calls:
        if (
            call.method in REPLY_METHODS
            and call.ok
            and isinstance(call.chat_id, int)
            and call.chat_id >= USERS
        ):
            replies.setdefault(call.chat_id, []).append(call.time)
    found: dict[int, float] = {}
    by_chat: dict[int, list[Posted]] = {}
    for phase in phases:
        for posted in phase.posted:
            by_chat.setdefault(posted.chat, []).append(posted)
    for chat, asked in by_chat.items():
        times = sorted(replies.get(chat, []))
        i = 0
        for posted in sorted(asked, key=lambda p: p.at):
            while i < len(times) and times[i] < posted.at:
                i += 1
            if i < len(times):
                found[id(posted)] = times[i]
                i += 1
    return found


def is_broadcast(call: Call) -> bool:
    return call.method == "sendMessage" and call.ok and SUBSCRIBERS <= int(call.chat_id or 0) < USERS


def report_phase(phase: Phase, replied: dict[int, float], calls: list[Call]) -> dict[str, Any]:
    window = phase.ended - phase.began
    latencies = [replied[id(p)] - p.at for p in phase.posted if id(p) in replied]
    http = [p.answered - p.at for p in phase.posted if p.status == 200]
    in_window = [c for c in calls if phase.began <= c.time < phase.ended]
    broadcast = sum(
        1
        for c in in_window
        if c.method == "sendMessage"
        and c.ok
        and int(c.chat_id or 0) >= SUBSCRIBERS
        and int(c.chat_id) < USERS
    )
    everything = sum(1 for c in in_window if c.method in REPLY_METHODS and c.ok)
    too_many = [c for c in in_window if c.status == 429]
    reply_429 = sum(1 for c in too_many if isinstance(c.chat_id, int) and c.chat_id >= USERS)
    return {
        "rate": phase.rate,
        "posted": len(phase.posted) / window,
        "refused": sum(1 for p in phase.posted if p.status != 200),
        "http_p99": percentile(http, 0.99),
        "answered": len(latencies),
        "count": len(phase.posted),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": percentile(latencies, 0.99),
        "replies": len(latencies) / window,
        "429_reply": reply_429,
        "429_broadcast": len(too_many) - reply_429,
        "broadcast": broadcast / window,
        "everything": everything / window,
    }


def print_phases(rows: list[dict[str, Any]]) -> None:
    print(
        "| offered /s | posted /s | webhook 200 p99 | answered | reply p50 / p99 | replies /s | 429 reply / "
        "broadcast | broadcast /s (of 30/s) | everything sent /s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ok = "≤ 100 ms" if r["p99"] <= 0.1 else "> 100 ms"
        print(
            f"| {r['rate']:g} | {r['posted']:.1f} | {r['http_p99'] * 1000:.1f} ms "
            f"| {r['answered']}/{r['count']} | {r['p50'] * 1000:.0f} / {r['p99'] * 1000:.0f} ms ({ok}) "
            f"| {r['replies']:.1f} | {r['429_reply']} / {r['429_broadcast']} "
            f"| {r['broadcast']:.1f} ({r['broadcast'] / LIMIT:.2f}) "
            f"| {r['everything']:.1f} ({r['everything'] / LIMIT:.2f}) |"
        )


def print_profile(path: Path, name: str) -> None:
    data = json.loads(path.read_text())
    samples = max(1, data["samples"])
    print(f"where the time goes in {name} ({data['seconds']:.0f} s, {samples} samples of every thread):")
    for kind, counts in sorted(data["threads"].items()):
        busy = {k: v for k, v in counts.items() if not k.startswith("idle")}
        total = sum(busy.values())
        per_thread = sum(counts.values()) / samples
        print(
            f"  {kind} ({per_thread:.1f} threads on average): busy {total / samples:.0%} of the time, of it:"
        )
        for category, count in sorted(busy.items(), key=lambda kv: -kv[1]):
            print(f"    {count / max(1, total):5.1%}  {category}")
    waits = data["updates"]
    total = sum(waits.values())
    print(f"  updates being handled ({total / samples:.2f} at a time on average), where they are:")
    for where, count in sorted(waits.items(), key=lambda kv: -kv[1]):
        print(f"    {count / max(1, total):5.1%}  {where}")


# ------------------------------------------------------------------------------------------ the run


async def wait_until(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


def scrape_429s(port: int) -> str:
    """The instance's 429 counters, from its /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        lines = answer.read().decode().splitlines()
    return ", ".join(line for line in lines if line.startswith("lossbot_telegram_429_total"))


def webhooks_set(fake: FakeBotAPI, count: int) -> bool:
    return len(fake.calls_of("setWebhook")) >= count


@dataclass
class Instances:
    processes: list[subprocess.Popen[bytes]]
    ports: list[int]
    profiles: list[Path]

    def signal(self, signum: int) -> None:
        for process in self.processes:
            process.send_signal(signum)


@asynccontextmanager
async def instances(
    url: str, fake: FakeBotAPI, count: int, tmp: Path, *, profile: bool, broadcast: bool
) -> AsyncIterator[Instances]:
    """COUNT `lossbot run --webhook` processes on URL; the first leads and has begun the broadcast."""
    running = Instances(
        [], [free_port() for _i in range(count)], [tmp / f"profile-{i}.json" for i in range(count)]
    )
    module = ("-m", "bench.profiled") if profile else ("-m", "bot")
    with ExitStack() as stack:
        try:
            for i, port in enumerate(running.ports):
                log = stack.enter_context((tmp / f"instance-{i}.log").open("wb"))
                env = instance_env(url, fake, LISTEN_PORT=str(port), LOSSBOT_PROFILE=str(running.profiles[i]))
                running.processes.append(start_instance(env, log, module))
                await wait_until("the webhook", partial(webhooks_set, fake, i + 1))
                if i == 0 and broadcast:  # the leader: its first tick starts the broadcast
                    await wait_until("the broadcast", lambda: bool(fake.calls_of("sendMessage")))
            yield running
        finally:
            running.signal(signal.SIGTERM)
            for process in running.processes:
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    process.kill()


async def measure(args: argparse.Namespace, url: str, tmp: Path) -> tuple[list[Phase], list[Call], list[str]]:
    """The load against running instances; the phases, every call the fake answered, the 429 metrics."""
    rates = [float(r) for r in args.rates.split(",")]
    with FakeBotAPI(rate_limits=True) as fake:
        async with instances(
            url, fake, args.instances, tmp, profile=args.profile, broadcast=args.subscribers > 0
        ) as running:
            if args.profile:
                running.signal(signal.SIGUSR1)
            rng = random.Random(11)
            hooks = [f"http://127.0.0.1:{port}/webhook" for port in running.ports]
            if args.route == "leader":  # a load balancer checking GET /leader: the others stand by
                hooks = hooks[:1]
            phases = await load(hooks, Users(fake, args.users, rng), rates, args.seconds, rng)
            await asyncio.sleep(GRACE)
            if args.profile:
                running.signal(signal.SIGUSR2)
                await wait_until("the profiles", lambda: all(p.exists() for p in running.profiles))
            metrics = [scrape_429s(port) for port in running.ports]
        return phases, fake.calls, metrics


async def run(args: argparse.Namespace, tmp: Path) -> None:
    with scratch_database(args.database_url, tmp, "load") as url:
        began = time.monotonic()
        prepare(url, args.subscribers)
        print(
            f"{database_kind(url)}, {args.instances} instance(s), {args.users} users, {args.subscribers} "
            f"subscribers (set up in {time.monotonic() - began:.0f} s); {machine_load()}",
            flush=True,
        )
        phases, calls, metrics = await measure(args, url, tmp)
    replied = match_replies(phases, calls)
    print_phases([report_phase(phase, replied, calls) for phase in phases])
    broadcast = sum(1 for c in calls if is_broadcast(c))
    print(f"broadcast messages sent by the end: {broadcast} of {args.subscribers}")
    for i, line in enumerate(metrics):
        print(f"instance {i} /metrics: {line}")
    if args.profile:
        for i in range(args.instances):
            print_profile(tmp / f"profile-{i}.json", f"instance {i}" + (" (the leader)" if i == 0 else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each rate lasts (default 60)")
    parser.add_argument("--rates", default="10", help="updates/s offered, one phase each: e.g. 10,20,25,28")
    parser.add_argument("--users", type=int, default=1000, help="simulated users (default 1000)")
    parser.add_argument(
        "--subscribers",
        type=int,
        default=10_000,
        help="broadcast size (default 10000; 0: no broadcast, the bot alone)",
    )
    parser.add_argument(
        "--instances", type=int, default=1, choices=(1, 2), help="bot processes (2: PostgreSQL)"
    )
    parser.add_argument(
        "--route",
        choices=("split", "leader"),
        default="split",
        help="split: updates round-robin over the instances (default); leader: all to the leader",
    )
    parser.add_argument("--profile", action="store_true", help="sample where each instance's time goes")
    add_database_option(parser)
    args = parser.parse_args()
    if args.instances > 1 and not args.database_url:
        raise SystemExit("several instances need PostgreSQL: pass --database-url")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
