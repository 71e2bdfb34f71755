"""Run the built application inside a test's event loop: in-process, or the way `Application.run_polling`
and the webhook server run it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

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
