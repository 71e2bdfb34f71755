"""Which instance runs the scheduled jobs and sends the outbox, when several run on one PostgreSQL.

The leader is the instance holding a session-level advisory lock on a connection of its own. When it
dies, PostgreSQL ends its session and releases the lock, and another instance takes it at its next try
(every RETRY_SECONDS). Every instance schedules the same jobs (morning fetch, delivery tick, preview
expiry), but `LeaderJobQueue` runs a job only on the leader, and only the leader's sender claims rows.

Why one sender: Telegram's limits (~30 messages/s, 1/s into a chat, 20/min into a group) are per token,
not per process. With one sender at a time the pacing stays in one process, exact and cheap; a budget
shared through the database would cost a write per message. Replies to commands are sent by whichever
instance got the update, as before (they are a small share of the 30/s, paced by Telegram per chat).

On SQLite there is one instance by design (one writer): it always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError
from telegram.ext import Job, JobQueue

if TYPE_CHECKING:
    from bot.services import BotContext

log = logging.getLogger(__name__)

#: How often a follower tries to take the lead, and the leader checks that its session is alive.
RETRY_SECONDS = 2.0

#: One lock per database schema: two deployments sharing a server (or the tests' schemas) lead apart.
_TRY_LOCK = text("SELECT pg_try_advisory_lock(hashtextextended('lossbot-leader:' || current_schema(), 0))")


class Leadership:
    """Holds (or waits for) the leader's lock from start() to stop()."""

    def __init__(self, engine: Engine, *, retry_seconds: float = RETRY_SECONDS) -> None:
        self.engine = engine
        self.retry_seconds = retry_seconds
        self.shared = engine.dialect.name == "postgresql"
        self._leading = not self.shared
        self._connection: Connection | None = None
        self._task: asyncio.Task[None] | None = None
        #: Called when this instance becomes the leader (the delivery's catch-up).
        self.on_lead: Callable[[], Awaitable[Any]] | None = None

    def leads(self) -> bool:
        return self._leading

    async def start(self) -> None:
        """Try to lead at once (the first instance leads before its first job), then keep trying."""
        if not self.shared or self._task is not None:
            return
        await self._try(taking_over=False)  # the jobs' first runs are the catch-up
        self._task = asyncio.create_task(self._keep(), name="lossbot-leadership")

    async def stop(self) -> None:
        """Give the lead up: closing the session releases the lock for the next instance at once."""
        if self._task is not None:
            task, self._task = self._task, None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.shared:
            self._leading = False
            await asyncio.to_thread(self._close)

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self.retry_seconds)
            try:
                await self._try(taking_over=True)
            except Exception:  # the catch-up failed (the leader's jobs retry it); keep holding the lock
                log.exception("catching up after taking the lead failed")

    async def _try(self, *, taking_over: bool) -> None:
        was_leading = self._leading
        try:
            self._leading = await asyncio.to_thread(self._hold)
        except SQLAlchemyError as exc:
            # The session (and so the lock) may be gone: stop leading; another instance may take over.
            self._leading = False
            await asyncio.to_thread(self._close)
            log.warning("the leader's lock cannot be checked (%s); not leading", type(exc).__name__)
        if self._leading and not was_leading:
            log.info("this instance leads: it runs the scheduled jobs and sends the outbox")
            if taking_over and self.on_lead is not None:
                await self.on_lead()
        elif was_leading and not self._leading:
            log.warning("this instance no longer leads")

    def _hold(self) -> bool:
        """Whether this instance holds the lock now, taking it if it is free (blocking)."""
        if self._connection is not None:
            self._connection.execute(text("SELECT 1"))  # still our session, so still our lock
            return True
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = bool(connection.execute(_TRY_LOCK).scalar())
        except BaseException:
            connection.close()
            raise
        if taken:
            self._connection = connection
        else:
            connection.close()
        return taken

    def _close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(SQLAlchemyError):
                # Invalidated, not returned to the pool: the lock belongs to the session, which must end.
                connection.invalidate()
                connection.close()


class LeaderJobQueue(JobQueue["BotContext"]):
    """A job queue that runs each job only on the leading instance (see the module docstring)."""

    @staticmethod
    async def job_callback(job_queue: JobQueue[BotContext], job: Job[BotContext]) -> None:
        application: Any = job_queue.application
        if application.bot_data.leader.leads():
            await job.run(application)
