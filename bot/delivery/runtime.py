"""The delivery while the bot runs: one object that owns the Broadcaster and the Sender, the periodic job
and the publish hook. The composition point (bot/app.py) builds it with the bot's send budget (the one its
replies draw from), starts it in post_init and stops it in post_stop; nothing here runs before `start()`,
so `lossbot ask` (which never calls post_init) sends nothing but its answer.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Coroutine
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from bot.delivery.broadcaster import Broadcaster
from bot.delivery.budget import SendBudget
from bot.delivery.sender import Sender

if TYPE_CHECKING:
    from bot.services import BotApplication, BotContext

log = logging.getLogger(__name__)

#: How often the periodic job looks for due summaries and new reports (seconds).
TICK_SECONDS = 30.0
TICK_JOB = "delivery-tick"


class Delivery:
    """Queues what is owed (on publication and every TICK_SECONDS) and keeps the sender running: an
    error that ends its run is reported to the error handler, and its supervisor starts it again."""

    def __init__(self, app: BotApplication, budget: SendBudget) -> None:
        self._app = app
        self._budget = budget
        self._services = services = app.bot_data.services
        self._broadcaster = Broadcaster(services.engine, services.settings.zone, services.clock)
        self._sender: Sender | None = None

    def start(self) -> None:
        """Start the sender, queue broadcasts on publication, and look for due messages periodically."""
        if self._sender is not None:
            return
        # The sender's loop is its own task, stopped by stop(): Application.stop() waits for every
        # Application.create_task task before post_stop runs, so the loop cannot be one of them.
        self._sender = Sender(
            self._app.bot,
            self._services.engine,
            budget=self._budget,
            lease=self._lease(),
            on_crash=self._sender_crashed,
        )
        self._sender.metrics = self._app.bot_data.metrics
        self._sender.may_claim = self._app.bot_data.leader.leads  # one sender: the leader's
        self._sender.start()
        self._services.publish_hooks.append(self.published)
        if self._app.job_queue is not None:
            # first=1: the start-up catch-up; then every TICK_SECONDS (the database decides what was sent).
            # Errors in the job reach the application's error handler.
            self._app.job_queue.run_repeating(self._tick_job, interval=TICK_SECONDS, first=1, name=TICK_JOB)

    def _lease(self) -> timedelta:
        return timedelta(seconds=self._services.settings.outbox_lease_seconds)

    async def stop(self) -> None:
        """Stop queueing and sending; what the sender claimed but did not send goes back to the outbox.

        Called after Application.stop(), so the periodic job and the publish tasks have finished."""
        if self.published in self._services.publish_hooks:
            self._services.publish_hooks.remove(self.published)
        if self._sender is not None:
            sender, self._sender = self._sender, None
            with contextlib.suppress(Exception):  # an error that ended a run was reported then
                await sender.stop()

    async def tick(self) -> int:
        """The periodic job's work: notice a new report, queue what is due (summaries, then digests), wake
        the sender."""
        queued = await self._services.write(self._broadcaster.tick)
        # The digests (Mondays, the 1st) in their own transaction, after: they never hold back a summary.
        queued += await self._services.write(self._broadcaster.enqueue_digests)
        if queued:
            log.info("%d messages queued for delivery", queued)
        self._wake()
        return queued

    async def published(self, report_date: date, correction: bool) -> None:
        """The publish hook. Returns at once: the moderator's Publish does not wait for thousands of rows
        to be queued. The queueing runs as an application task, so a failure reaches the error handler."""
        self._app.create_task(self._queue(report_date, correction), name=f"lossbot-queue-{report_date}")

    async def _queue(self, report_date: date, correction: bool) -> None:
        try:
            queued = await self._services.write(
                lambda s: self._broadcaster.published(s, report_date, correction=correction)
            )
        except Exception:
            # The report is stored, so the periodic job queues what is due of it; it sends no edits, though,
            # so subscribers keep the text before a correction whose queueing failed.
            log.warning("queueing report %s (correction=%s) failed", report_date, correction)
            raise  # to the error handler, which logs the traceback and tells the operator
        log.info("report %s published (correction=%s): %d messages queued", report_date, correction, queued)
        self._wake()

    async def _tick_job(self, _context: BotContext) -> None:
        await self.tick()

    def _wake(self) -> None:
        if self._sender is not None:
            self._sender.wake()

    def _sender_crashed(self, error: Exception, run: Coroutine[Any, Any, None]) -> None:
        """A run of the sender ended on ERROR (its supervisor logged it and starts it again): tell the
        operator through the error handler, like every other background failure (it names Sender.run)."""
        if self._app.running:
            self._app.create_task(self._app.process_error(None, error, coroutine=run))
        else:
            log.error("the sender stopped on an error", exc_info=error)
