"""A write lock held on the SQLite file during a broadcast (a long `lossbot import` does the same): the
sender rides it out, and every subscriber gets exactly one message."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from telegram.ext import ExtBot

from bot.delivery.sender import Sender
from tests.delivery.test_delivery import queue_latest, rows, sends_to, subscribe_all
from tests.support import databases
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import FakeBotAPI

# The lock is SQLite's file lock (held by a second sqlite3 connection); PostgreSQL locks rows, not files.
pytestmark = [
    databases.sqlite_only("it holds SQLite's write lock on the database file"),
    pytest.mark.rate_limits,  # the delivery keeps to Telegram's flood limits
]

CHATS = list(range(5000, 5120))
LOCK_SECONDS = 3.0


def hold_write_lock(path: str, seconds: float, taken: threading.Event) -> None:
    """A second connection takes the database's write lock and keeps it for SECONDS."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        taken.set()
        threading.Event().wait(seconds)
        conn.execute("COMMIT")
    finally:
        conn.close()


async def test_a_locked_database_neither_loses_nor_doubles(
    fake: FakeBotAPI, tg: ExtBot[Any], engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.delivery.sender")
    store_reports(engine, reports())
    subscribe_all(engine, CHATS, receive="summary")
    assert queue_latest(engine) == len(CHATS)
    # The sender's own engine gives up on a lock after 0.1 s, not SQLite's 10 s here: the lock bites at
    # once (every claim and every "sent" mark fails while it lasts) and the test stays short. A 2 s lease:
    # a row whose "sent" mark was lost would be sent again within the test.
    path = engine.url.database
    assert path is not None
    impatient = create_engine(str(engine.url), connect_args={"timeout": 0.1, "check_same_thread": False})
    sender = Sender(tg, impatient, lease=timedelta(seconds=2))
    run = asyncio.create_task(sender.run(until_idle=True))
    await fake.wait_for_async("sendMessage", lambda c: c.ok, count=20, timeout=30)
    taken = threading.Event()
    locker = threading.Thread(target=hold_write_lock, args=(path, LOCK_SECONDS, taken))
    locker.start()
    assert await asyncio.to_thread(taken.wait, 5)
    sent_when_locked = len([c for c in fake.calls_of("sendMessage") if c.ok])
    await asyncio.to_thread(locker.join)
    await asyncio.wait_for(run, 60)  # the outbox drains by itself once the lock is gone
    impatient.dispose()

    assert sent_when_locked < len(CHATS)  # the lock came in the middle of the broadcast
    assert {chat: len(sends_to(fake, chat)) for chat in CHATS} == dict.fromkeys(CHATS, 1)
    assert {r.state for r in rows(engine)} == {"sent"}
    assert fake.too_many_requests == 0
    # Both were hit by the lock: a claim (tried again later) and a "sent" mark (retried until it stuck).
    assert "claiming from the outbox failed" in caplog.text
    assert "sent failed, retrying until the database takes it" in caplog.text
