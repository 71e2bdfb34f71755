"""Run the built application the way `Application.run_polling` does, inside a test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.services import BotApplication


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
            await app.updater.stop()
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
