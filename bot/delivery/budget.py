"""One budget for everything the bot sends: command replies and the broadcast draw from the same ~30
messages/s of the bot token, replies first; and each chat's own limit, shared by both.

Telegram's limits (core.telegram.org/bots/faq): about 30 messages per second per bot token in total, about
one per second into one chat, 20 per minute into one group. A 429 answer says how long to wait.

- **Total: a sliding window, counted by completions.** A send may start when fewer than `per_second` sends
  started earlier are still in flight or ended within the last second. Telegram receives a request after
  we start it and before we see its answer, so no second (as Telegram counts) can hold more than
  `per_second` of ours, whatever the network's jitter; the cost is the round trip (a 20 ms loopback gives
  30/1.02 ≈ 29.4/s). Sends are also spaced at least 1/`per_second` apart, so they do not go in bursts.
- **Priority.** Waiters are served by priority, then in order: a reply waiting for a slot gets the next
  one, and the broadcast (which takes its slots one at a time, just in time) uses what replies leave.
- **Per chat: booked, then measured.** `reserve_chat` books the chat's next message (a token bucket,
  GCRA) and says when it may go: into a private chat one a second, into a group or channel one every 3.1 s
  (at most 20 in any minute, with room for jitter), with no burst by default (`Limits` has them: Telegram
  tolerates short bursts but documents none). A message also waits until the chat's previous one has ended
  plus the interval (`chat_wait`), so a message held up by the total budget does not bring the next one
  closer. The broadcast's and the replies' messages into one chat share both.
- **429.** `pause` stops every send (both kinds) for retry_after and pushes the chat's next slot past it.

The budget is per process. Telegram's limits are per bot token, so a deployment of several instances
sends broadcasts from one of them only (the leader; see the README), and one sender per bot token runs on a
database at a time (`storage.delivery.take_sender_lease`).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.metrics import PATH_REPLY, Metrics

log = logging.getLogger(__name__)

#: The Bot API methods that put a message into a chat, so count against the limits.
SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendAnimation",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendSticker",
        "sendPoll",
        "sendLocation",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
    }
)

#: `rate_limit_args` of a request whose slot its caller took already (the Sender does, per outbox row).
PACED: Mapping[str, bool] = {"paced": True}

#: Forget a chat's bucket once it is this far in the past; checked when the table grows past MAX_CHATS.
MAX_CHATS = 50_000


class Priority(IntEnum):
    REPLY = 0
    BULK = 1


@dataclass(frozen=True)
class Limits:
    #: Telegram's ~30 messages/s per bot token (the window above keeps us below it).
    per_second: int = 30
    private_interval: float = 1.0
    private_burst: int = 1
    group_interval: float = 3.1
    group_burst: int = 1


def retry_seconds(error: RetryAfter) -> float:
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class SendBudget:
    """The send budget of one bot token in this process; see the module docstring."""

    def __init__(self, limits: Limits | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        #: When the sends of the last second ended (oldest first), and how many are still in flight.
        self._ended: deque[float] = deque()
        self._inflight = 0
        self._last_start = float("-inf")
        self._paused_until = 0.0
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        #: Each chat's theoretical arrival time (GCRA): its next message goes at max(now, tat - burst room).
        self._chat_tat: dict[int, float] = {}
        #: Each chat's messages in flight, and when it may receive the next after the last one ended.
        self._chat_busy: dict[int, int] = {}
        self._chat_clear: dict[int, float] = {}
        #: Counters for logs and benchmarks.
        self.started = 0
        self.rate_limited = 0

    # ---------------------------------------------------------------------------------------- per chat

    def _interval(self, chat_id: int) -> tuple[float, int]:
        limits = self.limits
        if chat_id > 0:
            return limits.private_interval, limits.private_burst
        return limits.group_interval, limits.group_burst

    def reserve_chat(self, chat_id: int) -> float:
        """Book CHAT_ID's next message; the (clock) time it may be sent, now or later."""
        interval, burst = self._interval(chat_id)
        now = self._clock()
        tat = max(now, self._chat_tat.get(chat_id, now))
        at = max(now, tat - (burst - 1) * interval)
        self._chat_tat[chat_id] = max(tat, at) + interval
        if len(self._chat_tat) > MAX_CHATS:
            self._chat_tat = {c: t for c, t in self._chat_tat.items() if t > now}
            self._chat_clear = {c: t for c, t in self._chat_clear.items() if t > now}
        return at

    def chat_wait(self, chat_id: int) -> float | None:
        """Seconds until CHAT_ID may receive a message after its previous one (0: now); None while that
        one is in flight."""
        if self._chat_busy.get(chat_id):
            return None
        return max(0.0, self._chat_clear.get(chat_id, 0.0) - self._clock())

    async def wait_for_chat(self, chat_id: int) -> None:
        """Book CHAT_ID's next message and wait for its time, and for the chat's previous message."""
        delay = self.reserve_chat(chat_id) - self._clock()
        if delay > 0:
            await asyncio.sleep(delay)
        for _attempt in range(100):  # a message in flight ends within its timeout; then it is clear
            wait = self.chat_wait(chat_id)
            if wait == 0:
                return
            await asyncio.sleep(wait or 0.05)

    # ------------------------------------------------------------------------------------------ total

    async def acquire(self, priority: Priority, chat_id: int | None = None) -> None:
        """Wait for a sending slot (into CHAT_ID); the caller must `release()` it when the request ended."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        self._dispatch()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # granted, then cancelled: give the slot back
                self._inflight -= 1
                self._dispatch()
            raise  # a cancelled waiter is skipped by _dispatch
        if chat_id is not None:
            self._chat_busy[chat_id] = self._chat_busy.get(chat_id, 0) + 1

    def try_acquire(self, chat_id: int | None = None) -> bool:
        """A slot now if one is free and nobody waits for one (else False): acquire() without a wait."""
        if any(not w[2].done() for w in self._waiters) or self._wait(self._clock()) != 0:
            return False
        self._grant(self._clock())
        if chat_id is not None:
            self._chat_busy[chat_id] = self._chat_busy.get(chat_id, 0) + 1
        return True

    def _grant(self, now: float) -> None:
        self._inflight += 1
        self._last_start = now
        self.started += 1

    def release(self, chat_id: int | None = None) -> None:
        now = self._clock()
        self._inflight -= 1
        self._ended.append(now)
        if chat_id is not None:
            busy = self._chat_busy.pop(chat_id, 1) - 1
            if busy > 0:
                self._chat_busy[chat_id] = busy
            interval = self._interval(chat_id)[0]
            self._chat_clear[chat_id] = max(self._chat_clear.get(chat_id, 0.0), now + interval)
        self._dispatch()

    @asynccontextmanager
    async def slot(self, priority: Priority, chat_id: int | None = None) -> AsyncIterator[None]:
        await self.acquire(priority, chat_id)
        try:
            yield
        finally:
            self.release(chat_id)

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """Telegram answered 429: every send waits SECONDS, and CHAT_ID's next message comes after that."""
        self.rate_limited += 1
        until = self._clock() + seconds
        self._paused_until = max(self._paused_until, until)
        if chat_id is not None:
            self._chat_tat[chat_id] = max(self._chat_tat.get(chat_id, until), until)
        self._dispatch()

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    def _wait(self, now: float) -> float | None:
        """Seconds until the next slot opens; None when only a release can open one."""
        while self._ended and self._ended[0] <= now - 1.0:
            self._ended.popleft()
        waits = [0.0, self._paused_until - now, self._last_start + 1 / self.limits.per_second - now]
        if len(self._ended) + self._inflight >= self.limits.per_second:
            if not self._ended:
                return None
            waits.append(self._ended[0] + 1.0 - now)
        return max(waits)

    def _dispatch(self) -> None:
        """Grant the free slots to the first waiters (by priority); set a timer for the next one."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._waiters:
            future = self._waiters[0][2]
            if future.done():  # cancelled while waiting
                heapq.heappop(self._waiters)
                continue
            now = self._clock()
            wait = self._wait(now)
            if wait is None:
                return
            if wait > 0:
                self._timer = asyncio.get_running_loop().call_later(wait, self._dispatch)
                return
            heapq.heappop(self._waiters)
            self._grant(now)
            future.set_result(None)


Callback = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


class BudgetLimiter(BaseRateLimiter[Mapping[str, bool]]):
    """The running bot's rate limiter (PTB calls it for every request of app.bot): a message it sends
    outside the Sender — a command reply, a button's edit — waits for its chat's slot and a REPLY slot of
    the budget; a 429 pauses every send (and is counted in METRICS), and the request is tried once more
    after the wait. Requests
    that send nothing into a chat (getUpdates, answerCallbackQuery …) pass at once."""

    def __init__(self, budget: SendBudget, metrics: Metrics | None = None) -> None:
        self.budget = budget
        #: Where a 429 to a reply is counted (lossbot_telegram_429_total{path="reply"}).
        self.metrics = metrics or Metrics()

    async def initialize(self) -> None:
        """Nothing to set up: the budget lives as long as the application."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Mapping[str, bool] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint not in SENDING_METHODS or (rate_limit_args and rate_limit_args.get("paced")):
            # The Sender took this request's slot itself, and handles its 429 (the outbox row is retried).
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        chat = chat_id if isinstance(chat_id, int) else None
        retried = False
        while True:
            if chat is not None:
                await self.budget.wait_for_chat(chat)
            async with self.budget.slot(Priority.REPLY, chat):
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    seconds = retry_seconds(exc)
                    self.metrics.too_many_requests(PATH_REPLY)
                    self.budget.pause(seconds, chat)
                    if retried:
                        log.warning("429 again for %s to chat %s: not sent", endpoint, chat)
                        raise
                    log.warning("429 for %s to chat %s: sending again in %.0f s", endpoint, chat, seconds)
                    retried = True
