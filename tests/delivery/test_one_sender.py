"""One sender per bot token on a database: `lossbot summary --send` while the bot runs hands its messages
to the running bot (whose sender holds the token's lease) instead of sending beside it; a sender that
stops gives the lease back; a supervisor starts a sender whose run ended on an error again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel
from telegram.ext import ExtBot

from bot.app import build_application
from bot.cli.delivery import send_summary
from bot.delivery import sender as sending
from bot.delivery.sender import Sender
from storage import delivery as store
from storage.db import make_engine, reading
from tests.delivery.test_delivery import NOW, queue_latest, rows, sends_to, subscribe_all
from tests.support import databases
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import FakeBotAPI
from tests.support.running import polling, settings_for

#: Telegram's flood limits apply: the delivery must keep to them.
pytestmark = pytest.mark.rate_limits

CHATS = list(range(8000, 8040))


async def holds_lease(engine: Engine, bot_id: str, within: float = 30.0) -> bool:
    """Whether a sender holds BOT_ID's lease, once the bot's start-up has run (on PostgreSQL, the leader
    is elected first): looked at until WITHIN seconds have passed, so a slow start is not a failure."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        with reading(engine) as session:
            if store.sender_lease(session, bot_id) is not None:
                return True
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)


async def test_summary_send_while_the_bot_runs_hands_its_messages_to_the_bot(
    fake: FakeBotAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = databases.new_database_url(tmp_path, "running")
    engine = make_engine(url)
    store_reports(engine, reports())
    subscribe_all(engine, CHATS, receive="summary")
    settings = settings_for(fake, database_url=url, bot_token=fake.token)
    app = build_application(settings, engine=engine, clock=lambda: NOW, token=fake.token)
    async with polling(app):
        assert await holds_lease(engine, "123456")  # the bot's sender holds it
        assert await send_summary(settings, None) == (0, 0)  # queued, and left to the running bot
        assert "the running bot is sending for this token" in capsys.readouterr().out
        await fake.wait_for_async(
            "sendMessage", lambda c: c.ok and c.chat_id in CHATS, count=len(CHATS), timeout=60
        )
    with reading(engine) as session:
        assert store.sender_lease(session, "123456") is None  # given back at the stop
    assert {chat: len(sends_to(fake, chat)) for chat in CHATS} == dict.fromkeys(CHATS, 1)
    assert {r.state for r in rows(engine)} == {"sent"}
    assert fake.too_many_requests == 0
    engine.dispose()


async def test_a_second_sender_waits_for_the_first(fake: FakeBotAPI, tg: ExtBot[Any], engine: Engine) -> None:
    first = Sender(tg, engine)
    first.start()
    second = Sender(tg, engine, hold=timedelta(seconds=3))
    await until(lambda: first_holds(engine, first))
    assert await second.other_sender_alive()  # the first renews its lease: it is alive
    store_reports(engine, reports())
    subscribe_all(engine, CHATS[:5], receive="summary")
    queue_latest(engine)
    first.wake()
    await fake.wait_for_async("sendMessage", lambda c: c.ok, count=5, timeout=30)
    await first.stop()
    assert not await second.other_sender_alive()  # stopped: the lease was given back
    await second.run(until_idle=True)  # nothing owed: the second takes the lease and ends
    assert {chat: len(sends_to(fake, chat)) for chat in CHATS[:5]} == dict.fromkeys(CHATS[:5], 1)


async def until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait for CONDITION, looking every 50 ms; fail after SECONDS."""
    for _look in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition did not come true")


def first_holds(engine: Engine, sender: Sender) -> bool:
    with reading(engine) as session:
        lease = store.sender_lease(session, sender.bot_id)
    return lease is not None and lease.owner == sender.owner


async def test_a_sender_whose_run_ends_on_an_error_is_started_again(
    fake: FakeBotAPI,
    tg: ExtBot[Any],
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.delivery.sender")
    monkeypatch.setattr(sending, "RESTART_FIRST", 0.05)  # the backoff's first wait, shortened for the test
    store_reports(engine, reports())
    outbox = SQLModel.metadata.tables["delivery"]
    outbox.drop(engine)  # the sender's first look at the outbox fails: the run ends on an error
    sender = Sender(tg, engine)
    sender.start()
    await until(lambda: "starting the sender again" in caplog.text)
    outbox.create(engine)  # the store is back
    subscribe_all(engine, CHATS[:3], receive="summary")
    queue_latest(engine)
    await fake.wait_for_async("sendMessage", lambda c: c.ok, count=3, timeout=30)  # started again, it sends
    await sender.stop()
    crashes = [r for r in caplog.records if r.getMessage() == "the sender stopped on an error"]
    restarts = [r for r in caplog.records if r.getMessage().startswith("starting the sender again")]
    assert crashes and len(crashes) == len(restarts)  # each crash logged once, with its traceback
    assert all(r.exc_info for r in crashes)
