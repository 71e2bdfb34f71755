"""`lossbot` under a sampling profiler of every thread, for bench/bench_webhook_load.py's "where the time
goes": `python -m bench.profiled run --webhook` instead of `python -m bot run --webhook`.

cProfile sees only the thread it runs in, and the bot answers in two kinds: the event loop (PTB, aiohttp,
httpx) and the worker threads of `asyncio.to_thread` (every database read and the rendering). So a thread
samples every thread's stack every INTERVAL seconds (`sys._current_frames`), and files each sample under
the innermost frame that belongs to a known package (stdlib frames count for their caller): the database,
our answers, PTB, the HTTP client or server … A thread waiting (the event loop in select, a worker on its
queue) is idle. Wall-clock samples: a thread waiting for the GIL or for the CPU (the machine is shared)
counts where it waits.

And where the updates being handled are: for each of the event loop's update tasks, the coroutine it
awaits (a send slot of the budget, the Bot API's answer, a worker thread) or that it runs: the wall
clock of a reply, split.

SIGUSR1 starts counting (after start-up and warm-up); SIGUSR2 stops and writes the counts as JSON to the
file in LOSSBOT_PROFILE, which the benchmark reads.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import sysconfig
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

from bot.cli.main import main

INTERVAL = 0.002
ROOT = Path(__file__).resolve().parents[1]
STDLIB = sysconfig.get_paths()["stdlib"]

#: (category, fragments of a file's path), tried in order for each frame from the innermost outwards.
CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "database: SQLAlchemy, SQLModel and the driver",
        ("/sqlalchemy/", "/sqlmodel/", "/psycopg", "/sqlite3/"),
    ),
    ("database: our queries (storage/)", (f"{ROOT}/storage/",)),
    (
        "answers: facts and rendering (bot/answers, i18n, domain, Babel)",
        (
            f"{ROOT}/bot/answers/",
            f"{ROOT}/bot/i18n/",
            f"{ROOT}/bot/domain/",
            "/babel/",
        ),
    ),
    ("delivery: sender, budget, outbox (bot/delivery)", (f"{ROOT}/bot/delivery/",)),
    ("handlers, flood control, services", (f"{ROOT}/handlers/", f"{ROOT}/bot/")),
    ("PTB (telegram/)", ("/telegram/",)),
    (
        "HTTP client to the Bot API (httpx, httpcore, h11, anyio)",
        ("/httpx/", "/httpcore/", "/h11/", "/anyio/"),
    ),
    ("HTTP server: the webhook (aiohttp, yarl, multidict)", ("/aiohttp/", "/yarl/", "/multidict/")),
    ("metrics (prometheus_client)", ("/prometheus_client/",)),
)
OTHER = "the event loop and other stdlib (asyncio, json, ssl …)"
IDLE = "idle (waiting for work)"
#: Innermost frames that mean a thread waits for work: the event loop's select, a worker on its queue.
WAITING = {("selectors.py", "select"), ("threading.py", "wait"), ("thread.py", "_worker")}


#: Where an update being handled waits (its task's innermost awaiting coroutine), by the first match.
WAITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("for a send slot: the budget (30/s in all, 1/s into a chat)", (f"{ROOT}/bot/delivery/budget.py",)),
    ("for the Bot API's answer (HTTP)", ("/httpx/", "/httpcore/", "/anyio/")),
    (
        "for a worker thread: the database and the rendering",
        ("/asyncio/threads.py", f"{ROOT}/bot/services.py"),
    ),
)
RUNNING = "running on the event loop (PTB's dispatch, handlers)"
QUEUED = "other (in PTB's update queue, between steps)"


def waiting(task: asyncio.Task[Any]) -> str:
    """Where TASK, an update's, is: running, or awaiting what."""
    coro: Any = task.get_coro()
    if getattr(coro, "cr_running", False):
        return RUNNING
    files = []
    while coro is not None and getattr(coro, "cr_frame", None) is not None:
        files.append(coro.cr_frame.f_code.co_filename)
        coro = getattr(coro, "cr_await", None)
        if getattr(coro, "cr_running", False):
            return RUNNING
    for filename in reversed(files):
        for name, fragments in WAITS:
            if any(fragment in filename for fragment in fragments):
                return name
    return QUEUED


def update_tasks() -> list[asyncio.Task[Any]]:
    """The event loop's tasks handling an update (PTB names them), read from this other thread: a set
    that changes meanwhile costs the sample."""
    try:
        tasks = list(asyncio.tasks._all_tasks)  # type: ignore[attr-defined]
    except RuntimeError:
        return []
    return [t for t in tasks if not t.done() and "process_concurrent_update" in t.get_name()]


def category(frame: FrameType | None) -> str:
    leaf = frame
    if leaf is not None and (Path(leaf.f_code.co_filename).name, leaf.f_code.co_name) in WAITING:
        return IDLE
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(STDLIB) or "site-packages" in filename:
            for name, fragments in CATEGORIES:
                if any(fragment in filename for fragment in fragments):
                    return name
        frame = frame.f_back
    return OTHER


class Sampler:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.counting = False
        self.began = 0.0
        self.counts: dict[str, Counter[str]] = {}
        self.waits: Counter[str] = Counter()
        self.samples = 0

    def run(self) -> None:
        me = threading.get_ident()
        main_thread = threading.main_thread().ident
        while True:
            time.sleep(INTERVAL)
            if not self.counting:
                continue
            self.samples += 1
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                kind = "event loop" if ident == main_thread else "worker threads"
                self.counts.setdefault(kind, Counter())[category(frame)] += 1
            for task in update_tasks():
                self.waits[waiting(task)] += 1

    def start(self, *_args: Any) -> None:
        self.counts, self.waits, self.samples, self.began = {}, Counter(), 0, time.monotonic()
        self.counting = True

    def stop(self, *_args: Any) -> None:
        self.counting = False
        report = {
            "seconds": time.monotonic() - self.began,
            "samples": self.samples,
            "threads": {kind: dict(counter) for kind, counter in self.counts.items()},
            "updates": dict(self.waits),
        }
        self.out.write_text(json.dumps(report))


def run() -> int:
    sampler = Sampler(Path(os.environ["LOSSBOT_PROFILE"]))
    # The sampler needs the GIL to look: a busy event loop gives it up only every switch interval (5 ms
    # by default), so without this the samples would fall where the loop waits, not where it works.
    sys.setswitchinterval(INTERVAL / 4)
    signal.signal(signal.SIGUSR1, sampler.start)
    signal.signal(signal.SIGUSR2, sampler.stop)
    threading.Thread(target=sampler.run, name="sampler", daemon=True).start()
    return main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(run())
