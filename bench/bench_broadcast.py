"""Benchmark of the broadcast: N subscribers against the loopback fake Bot API enforcing 30 msg/s.

Two runs, side by side, each with users sending /totals every 0.5 s during the broadcast:

1. ours: the bot as built by `bot.app.build_application`; a publish wakes the paced outbox sender;
2. naive: the same messages fired at once through PTB's AIORateLimiter (max_retries=3), the same /totals
   answer function replying through the same limiter.

Printed: the broadcast's throughput as a fraction of 30/s, and that of everything sent while it ran (the
replies take their slots from the same budget; the broadcast gets the rest), 429 answers, messages not
delivered, p50/p99 /totals reply time.

    .venv/bin/python -m bench.bench_broadcast [--subscribers N] [--skip-naive] [--database-url URL]

--database-url runs it on a PostgreSQL server (a scratch schema; bench/support.py), SQLite otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, CommandHandler, ContextTypes

from bench.support import add_database_option, database_kind, machine_load, scratch_database, subscribe
from bot.answers import commands as answers
from bot.app import build_application
from bot.config import Settings
from storage import delivery as store
from storage.db import make_engine, reading
from storage.schema import DeliveryState
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import Call, FakeBotAPI, SendRecord

NOW = datetime(2024, 10, 25, 9, 0, tzinfo=UTC)
ASKER = 1_000  # askers are chats 1001, 1002 …; subscribers from 100,000
LIMIT = 30.0


@dataclass
class Result:
    name: str
    sent: int
    seconds: float
    too_many: int
    lost: int
    replies: list[float]
    #: Everything sent while the broadcast ran (its messages and the /totals replies): one budget.
    everything: int = 0

    def line(self) -> str:
        rate = self.sent / self.seconds if self.seconds else 0.0
        p50 = statistics.median(self.replies) if self.replies else float("nan")
        p99 = (
            sorted(self.replies)[max(0, int(len(self.replies) * 0.99) - 1)] if self.replies else float("nan")
        )
        total = self.everything / self.seconds if self.seconds else 0.0
        return (
            f"{self.name:<24} sent {self.sent:>6} in {self.seconds:7.1f} s = {rate:5.1f}/s "
            f"({rate / LIMIT:.2f} of 30/s; with the replies {total / LIMIT:.2f})  "
            f"429s {self.too_many:>5}  not delivered {self.lost:>5}  "
            f"/totals p50 {p50:.3f} s p99 {p99:.3f} s (n={len(self.replies)})"
        )


def prepare(url: str, n: int) -> Engine:
    engine = make_engine(url)
    store_reports(engine, reports())
    subscribe(engine, n, NOW)
    return engine


def everything(fake: FakeBotAPI, broadcast: list[SendRecord]) -> int:
    """How many messages of any kind were sent from the broadcast's first to its last."""
    if not broadcast:
        return 0
    first, last = broadcast[0].time, broadcast[-1].time
    return sum(1 for s in fake.stats().sends if first <= s.time <= last) - 1


def _reply_to(chat: int) -> Callable[[Call], bool]:
    return lambda c: c.ok and c.chat_id == chat and "as of" in str(c.params.get("text", ""))


async def ask_totals(fake: FakeBotAPI, done: asyncio.Event, replies: list[float]) -> None:
    """A user sends /totals every 0.5 s until DONE; the reply time is measured at the fake."""
    asker = ASKER
    while not done.is_set():
        asker += 1  # a different user each time: one private chat takes only ~1 message/s
        asked = time.monotonic()
        fake.inject_message(asker, "/totals")
        try:
            [call] = (
                await fake.wait_for_async(
                    "sendMessage",
                    _reply_to(asker),
                    timeout=60,
                )
            )[-1:]
            replies.append(call.time + call.duration - asked)
        except AssertionError:
            replies.append(60.0)
        await asyncio.sleep(0.5)


async def run_ours(n: int, url: str) -> Result:
    engine = prepare(url, n)
    with FakeBotAPI(rate_limits=True) as fake:
        settings = Settings(_env_file=None, telegram_api_base_url=fake.base_url)
        app = build_application(settings, engine=engine, clock=lambda: NOW, token=fake.token)
        replies: list[float] = []
        done = asyncio.Event()
        async with app:
            if app.post_init is not None:  # starts the delivery, as `lossbot run` does
                await app.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=1)
            asker = asyncio.create_task(ask_totals(fake, done, replies))
            await app.bot_data.services.report_published(reports()[-1].report_date, correction=False)
            while True:
                await asyncio.sleep(1.0)
                with reading(engine) as session:
                    if store.latest_post(session) is not None and store.owed(session) == 0:
                        break
            done.set()
            await asker
            await app.updater.stop()
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
        sends = [s for s in fake.stats().sends if s.chat_id >= 100_000]
        with reading(engine) as session:
            failed = sum(1 for d in store.deliveries(session) if d.state != DeliveryState.SENT)
        result = Result(
            "ours (one budget)",
            len(sends),
            sends[-1].time - sends[0].time if sends else 0.0,
            fake.too_many_requests,
            failed,
            replies,
            everything(fake, sends),
        )
    engine.dispose()
    return result


async def run_naive(n: int, url: str) -> Result:
    engine = prepare(url, n)
    with FakeBotAPI(rate_limits=True) as fake:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.base_url)
            .rate_limiter(AIORateLimiter(max_retries=3))
            .concurrent_updates(True)
            .connection_pool_size(512)
            .build()
        )

        async def totals(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            with reading(engine) as session:
                text = answers.totals(session, "", today=NOW.date(), lang="en").text
            if update.effective_message is not None:
                await update.effective_message.reply_text(text, parse_mode="HTML")

        app.add_handler(CommandHandler("totals", totals))
        with reading(engine) as session:
            from bot.answers.facts import report_facts
            from bot.answers.summary import summary_text
            from storage import queries

            report = queries.latest_report(session)
            assert report is not None
            text = summary_text(report_facts(session, report), "en")
        replies: list[float] = []
        done = asyncio.Event()
        lost = 0
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=1)
            asker = asyncio.create_task(ask_totals(fake, done, replies))

            async def send(chat_id: int) -> bool:
                try:
                    await app.bot.send_message(chat_id, text, parse_mode="HTML")
                except TelegramError:
                    return False
                return True

            results = await asyncio.gather(*(send(c) for c in range(100_000, 100_000 + n)))
            lost = results.count(False)
            done.set()
            await asker
            await app.updater.stop()
            await app.stop()
        sends = [s for s in fake.stats().sends if s.chat_id >= 100_000]
        result = Result(
            "naive (AIORateLimiter)",
            len(sends),
            sends[-1].time - sends[0].time if sends else 0.0,
            fake.too_many_requests,
            lost,
            replies,
            everything(fake, sends),
        )
    engine.dispose()
    return result


async def main_async(n: int, skip_naive: bool, server: str | None) -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    with tempfile.TemporaryDirectory() as tmp:
        with scratch_database(server, Path(tmp), "ours") as url:
            print(
                f"broadcast of one summary to {n} subscribers on {database_kind(url)}; the fake allows "
                f"30 msg/s (429 beyond); {machine_load()}"
            )
            ours = await run_ours(n, url)
        print(ours.line(), flush=True)
        if not skip_naive:
            with scratch_database(server, Path(tmp), "naive") as url:
                naive = await run_naive(n, url)
            print(naive.line(), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--subscribers", type=int, default=1000, help="how many (default 1000; 10000 ≈ 13 min)"
    )
    parser.add_argument("--skip-naive", action="store_true", help="only our sender")
    add_database_option(parser)
    args = parser.parse_args()
    asyncio.run(main_async(args.subscribers, args.skip_naive, args.database_url))


if __name__ == "__main__":
    main()
