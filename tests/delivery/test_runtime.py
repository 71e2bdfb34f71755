"""The delivery's lifecycle in the running bot: started in post_init (sender, periodic job, publish hook),
stopped in post_stop; the publish hook returns at once and queues in the background. Against the loopback
fake Bot API and a real SQLite outbox; the bot runs as `lossbot run` runs it (tests/support/running.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import SQLModel

from bot.app import build_application
from bot.delivery.runtime import TICK_JOB, TICK_SECONDS
from bot.services import BotApplication
from tests.delivery.test_delivery import DAY, NOW, sends_to, subscribe_all
from tests.support import databases
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import Call, FakeBotAPI
from tests.support.running import polling, settings_for

SUMMARY = "Russia's losses: report of 25 Oct 2024"


def bot(fake: FakeBotAPI, engine: Engine, **settings: Any) -> BotApplication:
    config = settings_for(fake, **settings)
    return build_application(config, engine=engine, clock=lambda: NOW, token=fake.token)


def summary_to(chat_id: int) -> Callable[[Call], bool]:
    def match(call: Call) -> bool:
        return call.ok and call.chat_id == chat_id and SUMMARY in str(call.params.get("text", ""))

    return match


def note_about(chat_id: int, what: str) -> Callable[[Call], bool]:
    return lambda call: call.ok and call.chat_id == chat_id and what in str(call.params.get("text", ""))


async def test_the_running_bot_catches_up_at_start_and_every_30_s(fake: FakeBotAPI, engine: Engine) -> None:
    """A report stored while the bot was down (`lossbot import`) reaches subscribers without a publish."""
    store_reports(engine, reports())
    subscribe_all(engine, [1, 2], receive="summary")
    app = bot(fake, engine)
    async with polling(app):
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name(TICK_JOB)
        assert job.job.trigger.interval == timedelta(seconds=TICK_SECONDS) == timedelta(seconds=30)
        for chat in (1, 2):
            await fake.wait_for_async("sendMessage", summary_to(chat), timeout=15)
        assert len(app.bot_data.services.publish_hooks) == 1
    assert app.bot_data.services.publish_hooks == []  # stopped with the application
    assert [len(sends_to(fake, c)) for c in (1, 2)] == [1, 1]


async def test_publish_returns_at_once_and_queues_in_the_background(fake: FakeBotAPI, engine: Engine) -> None:
    store_reports(engine, reports())
    subscribe_all(engine, [3], receive="summary")
    app = bot(fake, engine)
    async with polling(app):
        await app.bot_data.services.report_published(DAY, correction=False)
        # The hook has returned; the queueing is an application task that has not even begun.
        queueing = [t for t in asyncio.all_tasks() if t.get_name() == f"lossbot-queue-{DAY}"]
        assert [t.done() for t in queueing] == [False]
        await fake.wait_for_async("sendMessage", summary_to(3), timeout=15)
        await queueing[0]
    assert len(sends_to(fake, 3)) == 1  # queued by the hook or the start-up tick: once


async def test_without_post_init_nothing_is_started(fake: FakeBotAPI, engine: Engine) -> None:
    """Building and starting the application (as tests and `lossbot ask` do) adds no job and no hook;
    tests/cli/test_ask_offline.py shows that `lossbot ask` sends no broadcast."""
    app = bot(fake, engine)
    async with app:
        await app.start()
        assert app.job_queue is not None and app.job_queue.jobs() == ()
        assert app.bot_data.services.publish_hooks == []
        await app.stop()


async def test_a_failed_queueing_reaches_the_error_chat_and_the_tick_catches_up(
    fake: FakeBotAPI, engine: Engine
) -> None:
    error_chat = -1009001
    fake.add_chat(error_chat, "supergroup", title="lossbot operators")
    subscribe_all(engine, [5], receive="summary")
    # A broken store: the broadcaster finds no report table (the sender's outbox still works).
    broken = [SQLModel.metadata.tables[t] for t in ("figure_stat", "figure", "report")]
    SQLModel.metadata.drop_all(engine, tables=broken)
    app = bot(fake, engine, error_chat_id=error_chat)
    async with polling(app):
        await app.bot_data.services.report_published(DAY, correction=False)  # returns: the task fails
        for what in ("background task Delivery._queue", f"job {TICK_JOB}"):  # the publish, the first tick
            [note] = await fake.wait_for_async("sendMessage", note_about(error_chat, what), timeout=15)
            error, words = databases.MISSING_TABLE
            assert error in note.params["text"] and words in note.params["text"]
        SQLModel.metadata.create_all(engine)  # the store is repaired and the report is back
        store_reports(engine, reports())
        assert await app.bot_data.delivery.tick() == 1  # what the job does every 30 s
        await fake.wait_for_async("sendMessage", summary_to(5), timeout=15)


async def test_a_sender_stopped_by_an_error_is_reported_and_started_again(
    fake: FakeBotAPI, engine: Engine
) -> None:
    error_chat = -1009001
    fake.add_chat(error_chat, "supergroup", title="lossbot operators")
    store_reports(engine, reports())
    app = bot(fake, engine, error_chat_id=error_chat)
    async with polling(app):
        outbox = SQLModel.metadata.tables["delivery"]
        outbox.drop(engine)  # the sender's next look at the outbox fails (within its 5 s idle wait)
        await fake.wait_for_async(
            "sendMessage", note_about(error_chat, "background task Sender.run"), timeout=15
        )
        outbox.create(engine)  # the store is back
        subscribe_all(engine, [6], receive="summary")
        assert await app.bot_data.delivery.tick() == 1  # the periodic job: queues, and starts the sender
        await fake.wait_for_async("sendMessage", summary_to(6), timeout=15)
