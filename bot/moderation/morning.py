"""The bot fetches the day's report by itself: a catch-up at start, then the morning polls.

At start, every report after the newest stored one is fetched (`intake.fetch_new`). Then, in the
configured window (default 07:00–14:00 Kyiv time), the sources are polled every FETCH_INTERVAL minutes
until today's report is stored; the rest of the day the job only rests. Conditional requests make a poll
that finds nothing new cost one small request.

Modes (FETCH_MODE): `auto` stores a report that passes every check at once, and the delivery sends its
summary; `review` stores nothing itself and offers every fetched report to the moderators as a preview
with Publish / Cancel. In both, a report that fails a check goes to the moderators with its findings, and
when the window closes without today's report the moderators are told once, with what each source said.

The composition point builds this, starts it in post_init and stops it in post_stop; it talks to the
moderators through the two callbacks it is given (the moderation handlers know how to send a preview).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING

import httpx

from bot.domain.report import ReportFigures
from bot.moderation.intake import SourceRun, fetch_new, newest_stored
from bot.sources.live import Http, configured_sources, http_client

if TYPE_CHECKING:
    from bot.services import BotApplication, BotContext

log = logging.getLogger(__name__)

POLL_JOB = "morning-fetch"

#: Offer REPORT (fetched from SOURCE) to every moderator as a preview with Publish / Cancel.
OfferReport = Callable[[ReportFigures], Awaitable[None]]
#: Tell every moderator that DAY's report did not come, with what each source said (RUNS).
ReportMissing = Callable[[date, list[SourceRun]], Awaitable[None]]
#: Tell every moderator that every source has failed for a while (RUNS: the last poll's errors).
SourcesFailing = Callable[[list[SourceRun]], Awaitable[None]]

#: Polls in a row in which every source failed before the moderators are told (once a day).
FAILED_POLLS_BEFORE_TELLING = 5


@dataclass
class _Day:
    """What the job has done today, so that it tells moderators each thing once."""

    day: date
    offered: set[tuple[date, str]] = field(default_factory=set)
    told_missing: bool = False
    told_failing: bool = False
    failed_polls: int = 0
    last_runs: list[SourceRun] = field(default_factory=list)


class MorningFetch:
    def __init__(
        self, app: BotApplication, *, offer: OfferReport, missing: ReportMissing, failing: SourcesFailing
    ) -> None:
        self._app = app
        self._services = app.bot_data.services
        self._offer = offer
        self._missing = missing
        self._failing = failing
        self._client: httpx.AsyncClient | None = None
        self._http: Http | None = None
        self._caught_up = False
        self._today: _Day | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._services.settings.sources)

    def start(self) -> None:
        """Open the shared HTTP client and schedule the polls (the first, at once, is the catch-up)."""
        settings = self._services.settings
        if not self.enabled or self._client is not None:
            return
        self._client = http_client(settings)
        self._http = Http(self._client)
        if self._app.job_queue is not None:
            self._app.job_queue.run_repeating(
                self._poll_job, interval=settings.fetch_interval_minutes * 60, first=2, name=POLL_JOB
            )

    async def stop(self) -> None:
        if self._client is not None:
            client, self._client, self._http = self._client, None, None
            await client.aclose()

    async def _poll_job(self, _context: BotContext) -> None:
        await self.poll()

    async def poll(self) -> list[SourceRun]:
        """One poll: the catch-up if not done yet, else today's report while the window is open."""
        settings, now = self._services.settings, self._services.now()
        day = self._day(now.date())
        if self._caught_up and not self.in_window(now.time()):
            await self._tell_missing_after_window(day, now.time())
            return []
        if self._caught_up and newest_stored(self._services.engine) == now.date():
            return []  # today's report is in: rest until tomorrow
        if self._http is None:
            return []
        runs = await fetch_new(
            self._services.engine,
            configured_sources(settings),
            self._http,
            today=now.date(),
            review=settings.fetch_mode == "review",
        )
        self._caught_up = True
        self._app.bot_data.metrics.source_failures_of(run.source for run in runs if run.error)
        day.last_runs = runs
        await self._count_failures(day, runs)
        if any(run.stored for run in runs):
            await self._app.bot_data.delivery.tick()  # a new report: its summary goes out now
        for run in runs:
            for held in run.held:
                key = (held.report.report_date, run.source)
                if key not in day.offered:
                    day.offered.add(key)
                    await self._offer(held.report)
        return runs

    async def _count_failures(self, day: _Day, runs: list[SourceRun]) -> None:
        """A poll in which every source failed is retried at the next one; after a few in a row, the
        moderators are told, once a day (each failure is in the log with its URL)."""
        day.failed_polls = day.failed_polls + 1 if runs and all(run.error for run in runs) else 0
        if day.failed_polls >= FAILED_POLLS_BEFORE_TELLING and not day.told_failing:
            day.told_failing = True
            await self._failing(runs)

    def in_window(self, moment: time) -> bool:
        start, end = self._services.settings.fetch_window
        return start <= moment < end

    async def _tell_missing_after_window(self, day: _Day, moment: time) -> None:
        _start, end = self._services.settings.fetch_window
        if moment < end or day.told_missing or newest_stored(self._services.engine) == day.day:
            return
        day.told_missing = True
        await self._missing(day.day, day.last_runs)

    def _day(self, today: date) -> _Day:
        if self._today is None or self._today.day != today:
            self._today = _Day(today)
        return self._today
