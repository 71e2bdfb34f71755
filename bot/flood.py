"""Flood control: how many commands and button presses of one user (and into one group) are answered.

A token bucket per user, and one per group chat:

- a user: a burst of 5, then 1 a second — about what a person taps, and what Telegram lets the bot send
  into a private chat (~1 message/s), so a user never asks faster than their answers can come;
- a group: a burst of 10, then 1 every 3.1 s — Telegram lets the bot send 20 messages a minute into a
  group, so answering more would only queue them for minutes. Twice a user's burst: one member's flood
  ends at their own limit, and the others are still answered.

When a bucket is empty the sender is told to slow down once (`WARN`), then nothing it sends is answered
for QUIET_SECONDS (`DROP`): a flood costs one message, not one per update. Its bucket refills meanwhile.

The clock is monotonic; a test gives a frozen one (bot.app.build_application's FLOOD_CLOCK) to get counts
that do not depend on how fast the machine is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

#: Forget buckets once there are this many (the full ones: a full bucket is the same as none).
MAX_BUCKETS = 100_000


class Verdict(Enum):
    ANSWER = "answer"
    #: The first update over the user's limit: tell them to slow down, answer nothing else.
    WARN = "warn"
    #: The first over the group's limit (the user's is not reached): tell the group.
    WARN_GROUP = "warn group"
    DROP = "drop"


@dataclass(frozen=True)
class Rate:
    burst: float
    per_second: float


USER = Rate(burst=5, per_second=1.0)
GROUP = Rate(burst=10, per_second=1 / 3.1)
QUIET_SECONDS = 10.0


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    quiet_until: float = float("-inf")


class FloodControl:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        user: Rate = USER,
        group: Rate = GROUP,
        quiet: float = QUIET_SECONDS,
    ) -> None:
        self._clock = clock
        self.user, self.group, self.quiet = user, group, quiet
        self._buckets: dict[tuple[str, int], _Bucket] = {}
        #: Counters for logs and benchmarks.
        self.warned = 0
        self.dropped = 0

    def check(self, user_id: int, group_id: int | None = None) -> Verdict:
        """One update of USER_ID (in the group GROUP_ID, if it is one): answer it, warn, or drop it."""
        now = self._clock()
        buckets = [self._refill(("user", user_id), self.user, now)]
        if group_id is not None:
            buckets.append(self._refill(("chat", group_id), self.group, now))
        if any(now < b.quiet_until for b in buckets):
            self.dropped += 1
            return Verdict.DROP
        empty = [b for b in buckets if b.tokens < 1]
        if empty:
            for bucket in empty:
                bucket.quiet_until = now + self.quiet
            self.warned += 1
            return Verdict.WARN if empty[0] is buckets[0] else Verdict.WARN_GROUP
        for bucket in buckets:
            bucket.tokens -= 1
        return Verdict.ANSWER

    def _refill(self, key: tuple[str, int], rate: Rate, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(rate.burst, now)
        bucket.tokens = min(rate.burst, bucket.tokens + (now - bucket.stamp) * rate.per_second)
        bucket.stamp = now
        return bucket

    def _forget_full(self, now: float) -> None:
        def full(key: tuple[str, int], bucket: _Bucket) -> bool:
            rate = self.user if key[0] == "user" else self.group
            return bucket.tokens + (now - bucket.stamp) * rate.per_second >= rate.burst

        self._buckets = {k: b for k, b in self._buckets.items() if not full(k, b)}
