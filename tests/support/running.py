"""Run the built application inside a test's event loop: in-process, or the way `Application.run_polling`
and the webhook server run it; or start real `lossbot run --webhook` processes against the fake Bot API
(tests/test_leader.py, bench/)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

from bot.config import Settings
from bot.services import BotApplication
from tests.support.fakebotapi import FakeBotAPI


def settings_for(fake: FakeBotAPI, **fields: Any) -> Settings:
    """The bot's settings against the fake Bot API FAKE: FIELDS, and the defaults for the rest (no .env
    file is read)."""
    return Settings(_env_file=None, telegram_api_base_url=fake.base_url, **fields)


@asynccontextmanager
async def in_process(app: BotApplication) -> AsyncIterator[BotApplication]:
    """initialize … shutdown without polling: the test hands updates to `app.process_update` itself, and
    when that returns every answer is in. The delivery is stopped if the test started it (post_init), and
    the store's worker thread is idle and its engine closed after."""
    assert app.post_stop is not None
    async with app:
        yield app
        await app.post_stop(app)
    await app.bot_data.services.read(lambda _s: None)
    app.bot_data.services.engine.dispose()


ROOT = Path(__file__).resolve().parents[2]
#: The secret of the instances' webhooks (any valid one: the fake never checks it).
WEBHOOK_SECRET = "two-instances-secret"


@asynccontextmanager
async def polling(app: BotApplication) -> AsyncIterator[BotApplication]:
    """initialize, post_init, start polling, start … stop polling, stop, post_stop, shutdown, post_shutdown:
    the order of run_polling, so the delivery starts and stops as in `lossbot run`."""
    assert app.post_init is not None and app.post_stop is not None and app.post_shutdown is not None
    assert app.updater is not None
    async with app:  # initialize … shutdown
        await app.post_init(app)
        await app.updater.start_polling(timeout=1)
        await app.start()
        try:
            yield app
        finally:
            if app.updater.running:  # a test may have stopped it itself
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.post_stop(app)
    await app.post_shutdown(app)


@asynccontextmanager
async def serving(app: BotApplication) -> AsyncIterator[BotApplication]:
    """The same order without long polling: an application built with webhook=True, its updates coming to
    the HTTP server (what `lossbot run --webhook` does, less setWebhook and the signals)."""
    assert app.post_init is not None and app.post_stop is not None and app.post_shutdown is not None
    async with app:
        await app.post_init(app)
        await app.start()
        try:
            yield app
        finally:
            await app.stop()
            await app.post_stop(app)
    await app.post_shutdown(app)


def instance_env(url: str, fake: FakeBotAPI, **overrides: str) -> dict[str, str]:
    """The environment of a `lossbot run --webhook` on the database at URL, talking to FAKE; OVERRIDES
    (e.g. LISTEN_PORT="8081") win."""
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "LOG_LEVEL"}}
    env.update(
        DATABASE_URL=url,
        BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=f"{fake.url}/bot",
        WEBHOOK_URL="https://bot.example.org/webhook",
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        LISTEN_PORT="0",
        SOURCES="",
        # A killed leader's claimed rows come back after this long (60 s by default).
        OUTBOX_LEASE_SECONDS="3",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def start_instance(
    env: dict[str, str], log: IO[bytes], module: Sequence[str] = ("-m", "bot")
) -> subprocess.Popen[bytes]:
    """`python -m bot run --webhook` (or MODULE, e.g. a profiler wrapping it) as a process of its own."""
    return subprocess.Popen(
        [sys.executable, *module, "run", "--webhook"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
