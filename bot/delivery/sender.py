"""The paced sender: it takes what the outbox owes and sends it below Telegram's limits.

Pacing (we do not use PTB's AIORateLimiter, whose 429 pause is released early in 22.8, issue #5338): the
shared send budget (bot/delivery/budget.py) —

- one budget of ~30 sends/s for everything the bot token sends: command replies take their slots first
  and the broadcast uses the rest (the Sender takes one slot at a time, just before each send);
- per chat, the budget's buckets (about 1/s into a private chat, 20/min into a group or channel), shared
  with the replies; a chat's next slot is reserved when its row is taken, so its second message waits,
  others do not;
- a 429 stops every send for retry_after seconds; 5xx, timeouts and an unexplained 403 are retried
  with exponential backoff; chats that are gone are unsubscribed with the reason; a migrated group is moved.
- a write lock held past SQLite's busy timeout never stops the sender: a failed claim is tried again
  with backoff while what was claimed keeps going out; and marking a row sent is retried after any
  database error until it sticks, so a message Telegram accepted is never sent again.

One sender per bot token on a database at a time: a Sender sends only while it holds the token's lease
(`storage.delivery.take_sender_lease`), renewed every third of its time to live; another waits for it.
`start()` runs the sender under a supervisor: a run that ends on an error is logged once and started again
after a backoff.

Rows are claimed from the outbox about one second of work at a time under a lease, so after a crash at
most the rows in flight can repeat, and a graceful stop gives back what it has not sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
import uuid
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.delivery.budget import PACED, Priority, SendBudget, retry_seconds
from bot.domain.dates import utc_now
from bot.metrics import FAILED_BAD_REQUEST, FAILED_CHAT_GONE, FAILED_GAVE_UP, PATH_BROADCAST, Metrics
from storage import delivery as store
from storage.db import transaction
from storage.schema import DeliveryOp

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Error texts that mean a chat is gone for good (matched case-insensitively; see the Telegram guide).
GONE = (
    "bot was blocked by the user",
    "user is deactivated",
    "bot was kicked",
    "bot is not a member",
    "group chat was deleted",
    "chat not found",
)
MAX_ATTEMPTS = 8
MAX_FORBIDDEN = 3
MAX_BACKOFF = 300.0
#: After a database error (SQLite's "database is locked" past its busy timeout, an outage), the first wait
#: before trying again; it doubles up to DB_BACKOFF_MAX while the error lasts.
DB_BACKOFF_FIRST = 0.25
DB_BACKOFF_MAX = 30.0
#: A run that ended on an error is started again after RESTART_FIRST s, doubling up to RESTART_MAX while
#: it keeps failing; a run that lasted RESTART_RESET s starts the count again.
RESTART_FIRST = 1.0
RESTART_MAX = 60.0
RESTART_RESET = 60.0
#: How long a sender's lease lasts unless renewed (it is renewed every third of it).
HOLD = timedelta(seconds=15)

#: Told about a run that ended on an error (the error, and the run's coroutine that raised it).
CrashReport = Callable[[Exception, Coroutine[Any, Any, None]], None]


def keyboard(markup: store.Markup | None) -> InlineKeyboardMarkup | None:
    """The buttons an outbox row stores ([[label, data], …] per row) as Telegram's markup."""
    if not markup:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in markup]
    )


def gone_reason(error: TelegramError) -> str | None:
    text = error.message.lower()
    return next((g for g in GONE if g in text), None)


def database_locked(error: SQLAlchemyError) -> bool:
    """A write lock held past the busy timeout (a long `lossbot import`): it passes, so the sender waits.
    Any other database error ends the run, and the delivery runtime reports it and starts it again."""
    return isinstance(error, OperationalError) and "locked" in str(error.orig).lower()


def bot_id(bot: ExtBot[Any]) -> str:
    """The token's public part (the bot's id), which names its sending lease; never the secret."""
    return bot.token.partition(":")[0][:32]


class Sender:
    """Sends the outbox at a steady pace; one per bot token and database (see HOLD).

    BOT is an ExtBot with the bot's Defaults (bot.services.DEFAULTS): they make the texts HTML without
    link previews, as the running bot's own app.bot is. BUDGET is the one the bot's replies draw from
    too (the running bot's BudgetLimiter); without it, the Sender has a budget of its own."""

    def __init__(
        self,
        bot: ExtBot[Any],
        engine: Engine,
        *,
        budget: SendBudget | None = None,
        lease: timedelta = timedelta(seconds=60),
        hold: timedelta = HOLD,
        concurrency: int = 32,
        backoff: float = 2.0,
        on_crash: CrashReport | None = None,
    ) -> None:
        self.bot, self.engine = bot, engine
        self.budget = budget or SendBudget()
        self.lease = lease
        self.hold = hold
        self.backoff = backoff
        self.on_crash = on_crash
        self.owner = uuid.uuid4().hex
        self.bot_id = bot_id(bot)
        #: With the running bot's BudgetLimiter, each send says it took its slot already.
        self._paced = PACED if bot.rate_limiter is not None else None
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        #: One upload per outbox photo: the first send of it uploads, the others wait and send its file id.
        self._uploads: dict[str, asyncio.Lock] = {}
        self._file_ids: dict[str, str] = {}
        self._heap: list[tuple[float, int, store.Job]] = []
        self._held: set[int] = set()
        #: The sending lease: held until (monotonic), and when to renew it.
        self._hold_until = 0.0
        self._renew_at = 0.0
        self._waiting_for: str | None = None
        #: No claim before this (monotonic) time: the database failed the last one.
        self._fill_after = 0.0
        self._fill_backoff = DB_BACKOFF_FIRST
        #: Counters for logs and benchmarks.
        self.sent = 0
        self.failed = 0
        self.retried = 0
        self.rate_limited = 0
        #: The same counts for /metrics; the running bot gives its application's (bot/delivery/runtime.py).
        self.metrics = Metrics()
        #: Whether this instance may take rows from the outbox now (only the leader sends; bot/leader.py).
        self.may_claim: Callable[[], bool] = lambda: True

    async def _db(self, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with transaction(self.engine) as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def _db_until_done(self, work: Callable[[Session], None], what: str) -> None:
        """WORK, retried with backoff until the database takes it. For what must not be lost: a row that
        Telegram accepted but the outbox does not know was sent would be sent again when its lease ends."""
        delay = DB_BACKOFF_FIRST
        for attempt in itertools.count(1):
            try:
                await self._db(work)
                if attempt > 1:
                    log.info("%s stored after %d attempts", what, attempt)
                return
            except SQLAlchemyError as exc:
                if attempt == 1:  # once per row, with its cause; the retries are quiet
                    log.warning("%s failed, retrying until the database takes it: %s", what, exc)
                await asyncio.sleep(delay)
                delay = min(DB_BACKOFF_MAX, delay * 2)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> asyncio.Task[None]:
        """Send in the background until stop(); a run that ends on an error is started again."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._supervise(), name="lossbot-sender")
        return self._task

    async def _supervise(self) -> None:
        """Run until stopped; a run that ends on an error is logged once and started again with backoff."""
        delay = RESTART_FIRST
        while not self._stopping:
            began = time.monotonic()
            run = self.run()
            try:
                await run
                return
            except Exception as exc:
                if time.monotonic() - began >= RESTART_RESET:
                    delay = RESTART_FIRST
                if self.on_crash is not None:  # it logs the error (the running bot's error handler)
                    self.on_crash(exc, run)
                else:
                    log.error("the sender stopped on an error", exc_info=exc)
                log.info("starting the sender again in %.0f s", delay)
            await self._sleep(delay)
            delay = min(RESTART_MAX, delay * 2)

    async def stop(self) -> None:
        """Graceful stop: no new sends; wait for those in flight; give back what was claimed."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def run(self, *, until_idle: bool = False) -> None:
        """Send until stopped (or, with UNTIL_IDLE, until nothing is owed any more)."""
        filling: asyncio.Task[None] | None = None
        try:
            while not self._stopping:
                if not await self._holding():
                    await self._sleep(min(1.0, self.hold.total_seconds() / 3))
                    continue
                # Claim the next second of work in the background, so sending never pauses for the database.
                if (
                    len(self._heap) < self.budget.limits.per_second
                    and (filling is None or filling.done())
                    and time.monotonic() >= self._fill_after
                ):
                    filling = asyncio.create_task(self._fill())
                if not self._heap and filling is not None and not filling.done():
                    await filling
                if not self._heap:
                    if until_idle and not self._inflight and await self._owed() == 0:
                        return
                    await self._idle()
                    continue
                ready = self._heap[0][0]
                delay = ready - time.monotonic()
                if delay > 0:
                    await self._sleep(min(delay, 1.0))  # re-check: a stop may come meanwhile
                    continue
                if not await self._send_first():  # stopping
                    break
        finally:
            await self._wind_down(filling)

    async def _send_first(self) -> bool:
        """Send the first row of the heap, once the budget gives it a slot; False when stopping first."""
        job_id, job = self._heap[0][1:]
        wait = self.budget.chat_wait(job.chat_id)
        if wait != 0:  # the chat's previous message is in flight, or ended less than its interval ago
            heapq.heapreplace(self._heap, (time.monotonic() + (wait or 0.05), job_id, job))
            return True
        await self._slots.acquire()
        if not await self._take_slot(job.chat_id):
            self._slots.release()
            return False
        # The first of the heap is still due: rows added meanwhile were due when claimed.
        job = heapq.heappop(self._heap)[2]
        task = asyncio.create_task(self._send(job))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return True

    async def _wind_down(self, filling: asyncio.Task[None] | None) -> None:
        """Wait for what is in flight, give back what was claimed and not sent, and the lease."""
        if filling is not None:
            await filling
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        left = [job.id for _, _, job in self._heap]
        self._heap.clear()
        self._held.clear()
        if left:
            await self._db(lambda s: store.release(s, left, owner=self.owner))
            log.info("sender stopped; %d claimed messages given back", len(left))
        if self._hold_until:
            self._hold_until = self._renew_at = 0.0
            with contextlib.suppress(SQLAlchemyError):  # it expires by itself
                await self._db(lambda s: store.drop_sender_lease(s, self.bot_id, owner=self.owner))

    async def _take_slot(self, chat_id: int) -> bool:
        """A slot of the send budget (after the replies waiting for one); False when stopping first."""
        if self.budget.try_acquire(chat_id):
            return True
        slot = asyncio.ensure_future(self.budget.acquire(Priority.BULK, chat_id))
        while not slot.done():
            await asyncio.wait({slot}, timeout=1.0)  # re-check: a stop may come during a 429's pause
            if self._stopping and not slot.done():
                slot.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await slot  # granted meanwhile: acquire() gives it back on the cancel
                return False
        return True

    async def _holding(self) -> bool:
        """Whether this sender holds its bot token's lease, renewed when a third of it has passed."""
        mono = time.monotonic()
        if mono < self._renew_at:
            return True
        now = utc_now()
        try:
            held = await self._db(
                lambda s: store.take_sender_lease(s, self.bot_id, owner=self.owner, now=now, ttl=self.hold)
            )
        except SQLAlchemyError as exc:
            if not database_locked(exc):
                raise
            return mono < self._hold_until  # nobody else can take it while the database is locked
        if not held:
            self._hold_until = self._renew_at = 0.0
            if self._waiting_for is None:
                self._waiting_for = await self._holder()
                log.info("another sender (%s) sends for this bot; waiting for its lease", self._waiting_for)
            return False
        if self._waiting_for is not None:
            log.info("the other sender's lease ended; sending")
            self._waiting_for = None
        self._hold_until = mono + self.hold.total_seconds()
        self._renew_at = mono + self.hold.total_seconds() / 3
        return True

    async def _holder(self) -> str:
        lease = await self._db(lambda s: store.sender_lease(s, self.bot_id))
        return lease.owner[:8] if lease is not None else "gone"

    async def other_sender_alive(self, *, poll: float = 0.25) -> bool:
        """Whether another sender holds this bot token's lease and renews it: watched until it renews it
        (alive) or lets it expire (dead), at most one lease's time."""
        first = await self._db(lambda s: store.sender_lease(s, self.bot_id))
        while first is not None and first.owner != self.owner and first.expires_at > utc_now():
            await asyncio.sleep(poll)
            lease = await self._db(lambda s: store.sender_lease(s, self.bot_id))
            if lease is None or lease.owner != first.owner:
                return lease is not None and lease.owner != self.owner and lease.expires_at > utc_now()
            if lease.heartbeat_at > first.heartbeat_at:
                return True
        return False

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _owed(self) -> int | None:
        """How many rows are still owed; None when the database cannot say now (so not idle yet)."""
        try:
            return await self._db(store.owed)
        except SQLAlchemyError as exc:
            if not database_locked(exc):
                raise
            return None

    async def _idle(self) -> None:
        """Nothing claimable: wait to be woken, for the next retry time, or a few seconds at most."""
        if not self.may_claim():  # another instance sends; taking the lead wakes this one
            await self._sleep(5.0)
            return
        wait = 5.0
        if time.monotonic() < self._fill_after:  # the database failed: wait out its backoff
            wait = self._fill_after - time.monotonic()
        # A send that ends while the database answers may leave work (or an idle outbox) nobody wakes us
        # for: then look again soon. (Seen on PostgreSQL, whose queries take long enough for it.)
        busy = bool(self._inflight)
        try:
            next_due = await self._db(store.next_due)
        except SQLAlchemyError as exc:
            if not database_locked(exc):
                raise
            next_due = None
        if next_due is not None:
            wait = min(wait, max(0.05, (next_due - utc_now()).total_seconds() + 0.01))
        if busy or self._inflight:
            wait = min(wait, 0.2)
        await self._sleep(wait)

    async def _fill(self) -> None:
        if not self.may_claim():
            return
        now = utc_now()
        limit = max(1, self.budget.limits.per_second * 2)
        try:
            jobs = await self._db(
                lambda s: store.claim(s, owner=self.owner, now=now, lease=self.lease, limit=limit)
            )
        except SQLAlchemyError as exc:
            if not database_locked(exc):
                raise
            # Not fatal: what is claimed keeps going out, and the claim is tried again after a backoff.
            log.warning("claiming from the outbox failed, again in %.2f s: %s", self._fill_backoff, exc)
            self._fill_after = time.monotonic() + self._fill_backoff
            self._fill_backoff = min(DB_BACKOFF_MAX, self._fill_backoff * 2)
            return
        self._fill_backoff = DB_BACKOFF_FIRST
        for job in jobs:
            if job.id in self._held:
                continue  # our own row whose lease ran out while it waited: already queued here
            ready = self.budget.reserve_chat(job.chat_id)
            self._held.add(job.id)
            heapq.heappush(self._heap, (ready, job.id, job))

    async def _send(self, job: store.Job) -> None:
        try:
            await self._attempt(job)
        except Exception:  # a bug must not kill the sender; the lease brings the row back
            log.exception("unexpected error sending outbox row %s", job.id)
        finally:
            self._held.discard(job.id)
            self._slots.release()

    async def _request(self, job: store.Job) -> int | None:
        """Send or edit JOB's message; its budget slot is given back as soon as Telegram has answered (the
        outbox is written after), so the window counts only the request itself."""
        markup = keyboard(job.markup)
        try:
            if job.photo is not None:
                return await self._send_photo(job, job.photo, markup)
            if job.op == DeliveryOp.EDIT and job.message_id is not None:
                await self.bot.edit_message_text(
                    job.text,
                    chat_id=job.chat_id,
                    message_id=job.message_id,
                    reply_markup=markup,  # a correction keeps the buttons
                    rate_limit_args=self._paced,
                )
                return job.message_id
            message = await self.bot.send_message(
                job.chat_id, job.text, reply_markup=markup, rate_limit_args=self._paced
            )
            return message.message_id
        finally:
            self.budget.release(job.chat_id)

    async def _send_photo(self, job: store.Job, key: str, markup: InlineKeyboardMarkup | None) -> int | None:
        """Send the outbox photo KEY with JOB's text as its caption, uploaded once: the first send uploads
        the PNG and stores Telegram's file id, sends waiting for it meanwhile (the lock) and every later
        one send the file id, side by side. A photo is never edited (digests are not corrected)."""
        if job.op == DeliveryOp.EDIT:
            return job.message_id
        file_id = self._file_ids.get(key)
        if file_id is not None:
            return (await self._photo_request(job, file_id, None, markup))[0]
        async with self._uploads.setdefault(key, asyncio.Lock()):
            if key in self._file_ids:
                return (await self._photo_request(job, self._file_ids[key], None, markup))[0]
            found = await self._db(lambda s: store.photo(s, key))
            if found is None:
                raise BadRequest(f"the outbox photo {key} is not stored")
            png, stored_id = found
            message_id, uploaded = await self._photo_request(job, stored_id or png, key, markup)
            if uploaded is not None:
                self._file_ids[key] = uploaded
                if stored_id is None:
                    await self._db_until_done(
                        lambda s: store.photo_uploaded(s, key, uploaded), f"photo {key}"
                    )
            return message_id

    async def _photo_request(
        self, job: store.Job, photo: str | bytes, key: str | None, markup: InlineKeyboardMarkup | None
    ) -> tuple[int, str | None]:
        """sendPhoto: the message id, and Telegram's file id of the photo (KEY names an upload's file)."""
        message = await self.bot.send_photo(
            job.chat_id,
            photo,
            caption=job.text,
            filename=f"{key.replace(':', '-')}.png" if key else None,
            reply_markup=markup,
            rate_limit_args=self._paced,
        )
        return message.message_id, (message.photo[-1].file_id if message.photo else None)

    async def _attempt(self, job: store.Job) -> None:
        message_id: int | None
        try:
            message_id = await self._request(job)
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            self.rate_limited += 1
            self.metrics.too_many_requests(PATH_BROADCAST)
            self.budget.pause(seconds, job.chat_id)
            log.warning("429 from Telegram: every send waits %.0f s", seconds)
            until = utc_now() + timedelta(seconds=seconds)
            await self._db(lambda s: store.mark_retry(s, job, not_before=until, error="429: flood control"))
            return
        except ChatMigrated as exc:
            new_id = exc.new_chat_id
            log.info("chat %s migrated to %s: moving the subscription", job.chat_id, new_id)
            await self._db(lambda s: store.migrate_chat(s, job.chat_id, new_id))
            self.wake()
            return
        except Forbidden as exc:
            reason = gone_reason(exc)
            if reason is None and job.attempts < MAX_FORBIDDEN:
                await self._retry(job, f"403: {exc.message}")
                return
            await self._gone(job, reason, f"403: {exc.message}")
            return
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():
                message_id = job.message_id
            elif gone_reason(exc) is not None:
                await self._gone(job, gone_reason(exc), f"400: {exc.message}")
                return
            else:
                self.failed += 1
                self.metrics.failed(FAILED_BAD_REQUEST)
                error = f"400: {exc.message}"
                await self._db(lambda s: store.mark_failed(s, job, error=error))
                return
        except NetworkError as exc:  # 5xx, timeouts, connection errors (BadRequest is handled above)
            await self._retry(job, f"network: {exc.message}")
            return
        self.sent += 1
        self.metrics.messages_sent.inc()
        now = utc_now()
        # The row stays held here (see _fill) until this sticks, so it is never queued twice meanwhile.
        await self._db_until_done(
            lambda s: store.mark_sent(s, job, message_id=message_id, now=now), f"marking row {job.id} sent"
        )

    async def _retry(self, job: store.Job, error: str) -> None:
        if job.attempts >= MAX_ATTEMPTS:
            self.failed += 1
            self.metrics.failed(FAILED_GAVE_UP)
            reason = f"gave up after {job.attempts} attempts; last: {error}"
            await self._db(lambda s: store.mark_failed(s, job, error=reason))
            return
        self.retried += 1
        delay = min(MAX_BACKOFF, self.backoff * 2 ** (job.attempts - 1))
        until = utc_now() + timedelta(seconds=delay)
        await self._db(lambda s: store.mark_retry(s, job, not_before=until, error=error))

    async def _gone(self, job: store.Job, reason: str | None, error: str) -> None:
        self.failed += 1
        self.metrics.failed(FAILED_CHAT_GONE)
        why = reason or error

        def work(session: Session) -> None:
            store.unsubscribe(session, job.chat_id, f"chat gone: {why}")
            store.mark_failed(session, job, error=error)

        await self._db(work)
        log.info("chat %s is gone (%s): unsubscribed", job.chat_id, why)
