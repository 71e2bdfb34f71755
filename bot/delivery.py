"""Delivery of summaries and alerts: what is owed (Broadcaster) and the paced sender (Sender).

Pacing (we do not use PTB's AIORateLimiter, whose 429 pause is released early in 22.8, issue #5338):

- one sending slot every 1/26 s in total (Telegram allows ~30/s: the rest is headroom for command
  replies, which go straight through PTB and never queue behind the broadcast);
- per chat, at least 1 s between messages into a private chat and 3 s into a group or channel (20/min);
  a chat's next slot is reserved when its row is taken, so its second message waits, others do not;
- a 429 stops every send for retry_after seconds; 5xx, timeouts and an unexplained 403 are retried
  with exponential backoff; chats that are gone are unsubscribed with the reason; a migrated group is moved.

Rows are claimed from the outbox about one second of work at a time under a lease, so after a crash at
most the rows in flight can repeat, and a graceful stop gives back what it has not sent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlmodel import Session
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import schedule, summary
from storage import delivery as store
from storage import queries
from storage.db import reading, transaction
from storage.models import ChatPrefs

if TYPE_CHECKING:
    from bot.config import Settings

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


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Pace:
    #: 26 of Telegram's ~30/s: 4/s stay free for command replies.
    per_second: float = 26.0
    private_interval: float = 1.0
    group_interval: float = 3.0


def gone_reason(error: TelegramError) -> str | None:
    text = error.message.lower()
    return next((g for g in GONE if g in text), None)


def retry_seconds(error: RetryAfter) -> float:
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Sender:
    """Sends the outbox at a steady pace; one per process."""

    def __init__(
        self,
        bot: Bot,
        engine: Engine,
        *,
        pace: Pace | None = None,
        lease: timedelta = timedelta(seconds=60),
        concurrency: int = 32,
        backoff: float = 2.0,
    ) -> None:
        self.bot, self.engine = bot, engine
        self.pace = pace or Pace()
        self.lease = lease
        self.backoff = backoff
        self.owner = uuid.uuid4().hex
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._heap: list[tuple[float, int, store.Job]] = []
        self._held: set[int] = set()
        self._chat_next: dict[int, float] = {}
        self._next_slot = 0.0
        self._paused_until = 0.0
        #: Counters for logs and benchmarks.
        self.sent = 0
        self.failed = 0
        self.retried = 0
        self.rate_limited = 0

    async def _db(self, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with transaction(self.engine) as session:
                return work(session)

        return await asyncio.to_thread(run)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="lossbot-sender")

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
                # Claim the next second of work in the background, so sending never pauses for the database.
                if len(self._heap) < self.pace.per_second and (filling is None or filling.done()):
                    filling = asyncio.create_task(self._fill())
                if not self._heap and filling is not None and not filling.done():
                    await filling
                if not self._heap:
                    if until_idle and not self._inflight and await self._db(store.owed) == 0:
                        return
                    await self._idle()
                    continue
                ready, _, job = self._heap[0]
                start = max(ready, self._next_slot, self._paused_until)
                delay = start - time.monotonic()
                if delay > 0:
                    await self._sleep(min(delay, 1.0))  # re-check: a 429 or a stop may come meanwhile
                    continue
                heapq.heappop(self._heap)
                self._next_slot = max(time.monotonic(), self._next_slot) + 1 / self.pace.per_second
                await self._slots.acquire()
                task = asyncio.create_task(self._send(job))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
        finally:
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

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _idle(self) -> None:
        """Nothing claimable: wait to be woken, for the next retry time, or a few seconds at most."""
        wait = 5.0
        next_due = await self._db(store.next_due)
        if next_due is not None:
            wait = min(wait, max(0.05, (next_due - utc_now()).total_seconds() + 0.01))
        if self._inflight:
            wait = min(wait, 0.2)
        await self._sleep(wait)

    async def _fill(self) -> None:
        now = utc_now()
        limit = max(1, int(self.pace.per_second * 2))
        jobs = await self._db(
            lambda s: store.claim(s, owner=self.owner, now=now, lease=self.lease, limit=limit)
        )
        mono = time.monotonic()
        for job in jobs:
            if job.id in self._held:
                continue  # our own row whose lease ran out while it waited: already queued here
            interval = self.pace.private_interval if job.chat_id > 0 else self.pace.group_interval
            ready = max(mono, self._chat_next.get(job.chat_id, 0.0))
            self._chat_next[job.chat_id] = ready + interval
            self._held.add(job.id)
            heapq.heappush(self._heap, (ready, job.id, job))
        if len(self._chat_next) > 50_000:  # forget chats long past their interval
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > mono}

    async def _send(self, job: store.Job) -> None:
        try:
            await self._attempt(job)
        except Exception:  # a bug must not kill the sender; the lease brings the row back
            log.exception("unexpected error sending outbox row %s", job.id)
        finally:
            self._held.discard(job.id)
            self._slots.release()

    async def _attempt(self, job: store.Job) -> None:
        message_id: int | None
        try:
            if job.op == "edit" and job.message_id is not None:
                await self.bot.edit_message_text(
                    job.text,
                    chat_id=job.chat_id,
                    message_id=job.message_id,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
                message_id = job.message_id
            else:
                message = await self.bot.send_message(
                    job.chat_id,
                    job.text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
                message_id = message.message_id
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            self.rate_limited += 1
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
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
                error = f"400: {exc.message}"
                await self._db(lambda s: store.mark_failed(s, job, error=error))
                return
        except NetworkError as exc:  # 5xx, timeouts, connection errors (BadRequest is handled above)
            await self._retry(job, f"network: {exc.message}")
            return
        self.sent += 1
        now = utc_now()
        await self._db(lambda s: store.mark_sent(s, job, message_id=message_id, now=now))

    async def _retry(self, job: store.Job, error: str) -> None:
        if job.attempts >= MAX_ATTEMPTS:
            self.failed += 1
            reason = f"gave up after {job.attempts} attempts; last: {error}"
            await self._db(lambda s: store.mark_failed(s, job, error=reason))
            return
        self.retried += 1
        delay = min(MAX_BACKOFF, self.backoff * 2 ** (job.attempts - 1))
        until = utc_now() + timedelta(seconds=delay)
        await self._db(lambda s: store.mark_retry(s, job, not_before=until, error=error))

    async def _gone(self, job: store.Job, reason: str | None, error: str) -> None:
        self.failed += 1
        why = reason or error

        def work(session: Session) -> None:
            store.unsubscribe(session, job.chat_id, f"chat gone: {why}")
            store.mark_failed(session, job, error=error)

        await self._db(work)
        log.info("chat %s is gone (%s): unsubscribed", job.chat_id, why)


# ------------------------------------------------------------------------------------------ what is owed


@dataclass
class Broadcaster:
    """Decides what is owed to whom and puts it in the outbox; the Sender sends it."""

    engine: Engine
    zone: ZoneInfo
    clock: Callable[[], datetime] = utc_now
    _facts: dict[tuple[int, int], summary.AlertFacts] = field(default_factory=dict)

    def _langs(self, session: Session) -> dict[int, str]:
        return {p.chat_id: p.lang for p in session.execute(select(ChatPrefs)).scalars() if p.lang}

    def detect_new(self, session: Session) -> store.Post | None:
        """The post of the latest report when it is new: newer than every post and recent.

        Decision: a report is "new" when its date is later than every post's and it is at most 36 h old
        (schedule.RECENT); its post row is created then, once. So the first start on a full history
        broadcasts nothing old, and a report that arrives by `lossbot import` is picked up by the next
        tick."""
        report = queries.latest_report(session)
        if report is None:
            return None
        latest = store.latest_post(session)
        if latest is not None and latest.report_date >= report.report_date:
            return None
        now = self.clock()
        if not schedule.is_recent(report.report_date, now, self.zone):
            return None
        return store.ensure_post(
            session,
            report.report_date,
            available_at=min(report.stored_at, now),
            revision=report.revision,
            now=now,
        )

    def texts_for(
        self,
        session: Session,
        report: queries.StoredReport,
        subs: list[store.Subscription],
        *,
        corrected: bool = False,
    ) -> dict[tuple[int, str], str]:
        """The message texts for these chats: (chat, kind) → text, rendered once per language/thresholds."""
        langs = self._langs(session)
        key = (report.report_date.toordinal(), report.revision)
        facts = self._facts.get(key)
        if facts is None:
            facts = self._facts[key] = summary.alert_facts(session, report)
        summaries: dict[str, str] = {}
        alerts: dict[tuple[str, int, int], str | None] = {}
        texts: dict[tuple[int, str], str] = {}
        for sub in subs:
            lang = langs.get(sub.chat_id, "en")
            if sub.wants(store.SUMMARY):
                if lang not in summaries:
                    summaries[lang] = summary.summary_text(session, report, lang, corrected=corrected)
                texts[(sub.chat_id, store.SUMMARY)] = summaries[lang]
            if sub.wants(store.ALERT):
                akey = (lang, sub.top_personnel, sub.top_other)
                if akey not in alerts:
                    alerts[akey] = summary.alert_text(
                        facts,
                        lang,
                        top_personnel=sub.top_personnel,
                        top_other=sub.top_other,
                        corrected=corrected,
                    )
                alert = alerts[akey]
                if alert is not None:
                    texts[(sub.chat_id, store.ALERT)] = alert
        return texts

    def enqueue_due(self, session: Session, *, post: store.Post | None = None, force: bool = False) -> int:
        """Queue the latest post (or POST) for every chat it is due to now (every subscriber when FORCE).
        The unique outbox row makes this safe to repeat. Returns how many messages were queued."""
        post = post or store.latest_post(session)
        if post is None or post.id is None:
            return 0
        report = queries.report_on(session, post.report_date)
        if report is None:
            return 0
        now = self.clock()
        queued = store.queued_keys(session, post.id)
        due = []
        for sub in store.active_subscriptions(session):
            kinds = [
                k for k in (store.SUMMARY, store.ALERT) if sub.wants(k) and (sub.chat_id, k) not in queued
            ]
            if not kinds:
                continue
            zone = schedule.zone_or_none(sub.timezone) or self.zone
            if force or schedule.is_due(
                send_at=sub.send_at,
                zone=zone,
                subscribed_at=sub.subscribed_at,
                available_at=post.available_at,
                now=now,
            ):
                due.append(sub)
        if not due:
            return 0
        texts = self.texts_for(session, report, due)
        rows = [
            (post.id, chat_id, kind, text)
            for (chat_id, kind), text in texts.items()
            if (chat_id, kind) not in queued
        ]
        return store.add_deliveries(session, rows, now=utc_now())

    def tick(self, session: Session) -> int:
        """The periodic job's work: notice a new report, queue what is due."""
        self.detect_new(session)
        return self.enqueue_due(session)

    def published(self, session: Session, report_date: date, *, correction: bool) -> int:
        """A moderator published (or corrected) REPORT_DATE: queue it, or queue edits of what was sent."""
        post = store.post_for(session, report_date)
        if post is None:
            self.detect_new(session)
            return self.enqueue_due(session)
        report = queries.report_on(session, report_date)
        if report is None or post.id is None:
            return 0
        if not correction and report.revision == post.revision:
            return self.enqueue_due(session, post=post)
        subs = [
            s
            for s in (store.get_subscription(session, c) for c, _ in store.queued_keys(session, post.id))
            if s
        ]
        texts = self.texts_for(session, report, list({s.chat_id: s for s in subs}.values()), corrected=True)
        changed = store.correct(session, post.id, texts)
        store.set_post_revision(session, post.id, report.revision)
        return changed


# ------------------------------------------------------------------------------------------ command line


def _resolve_chat_ids(settings: Settings, names: list[str]) -> list[tuple[int, str, str | None]]:
    """CHAT_ID or @name → (id, type, title). A numeric id needs no network; @name is resolved with getChat."""
    found: list[tuple[int, str, str | None]] = []
    to_resolve = []
    for name in names:
        try:
            chat_id = int(name)
        except ValueError:
            to_resolve.append(name if name.startswith("@") else f"@{name}")
            continue
        found.append((chat_id, "private" if chat_id > 0 else "group", None))
    if to_resolve:
        if settings.bot_token is None:
            raise SystemExit(f"error: resolving {to_resolve[0]} needs BOT_TOKEN; give the numeric chat id")

        async def resolve() -> list[tuple[int, str, str | None]]:
            token = settings.bot_token.get_secret_value() if settings.bot_token else ""
            async with Bot(token, base_url=settings.telegram_api_base_url) as bot:
                chats = [await bot.get_chat(n) for n in to_resolve]
            return [(c.id, c.type, c.title or c.username) for c in chats]

        found += asyncio.run(resolve())
    return found


def cmd_subscribe(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        for chat_id, chat_type, title in _resolve_chat_ids(settings, args.chats):
            with transaction(engine) as session:
                if args.command == "subscribe":
                    done = store.subscribe(session, chat_id, chat_type=chat_type, title=title)
                    print(f"{chat_id}: {'subscribed' if done else 'already subscribed'}")
                else:
                    done = store.unsubscribe(session, chat_id, "unsubscribed by an operator")
                    print(f"{chat_id}: {'unsubscribed' if done else 'was not subscribed'}")
    except TelegramError as exc:
        print(f"error: {exc.message}")
        return 1
    finally:
        engine.dispose()
    return 0


def cmd_subscribers(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    with reading(engine) as session:
        rows = store.subscribers(session)
    engine.dispose()
    if not rows:
        print("No subscribers.")
        return 0
    print(
        f"{'chat':>15}  {'type':<10} {'state':<8} {'receives':<8} {'when':<16} {'last delivery':<17} "
        "sent failed owed  note"
    )
    for row in rows:
        sub = row.sub
        when = f"{sub.send_at} {sub.timezone.split('/')[-1]}" if sub.send_at else "on publication"
        last = row.last_sent_at.strftime("%Y-%m-%d %H:%M") if row.last_sent_at else "never"
        state = "active" if sub.active else "ended"
        note = sub.ended_reason or (sub.title or "")
        print(
            f"{sub.chat_id:>15}  {sub.chat_type:<10} {state:<8} {sub.receive:<8} {when:<16} {last:<17} "
            f"{row.sent:>4} {row.failed:>6} {row.owed:>4}  {note}"
        )
    return 0


async def send_summary(
    settings: Settings, report_date: date | None, *, lease: float = 60.0
) -> tuple[int, int]:
    """`lossbot summary --send`: queue REPORT_DATE's (default: the latest) summary and alert for every
    subscriber, as the scheduled job would, send them, and return (sent, failed) once nothing is owed."""
    from storage.db import make_engine

    if settings.bot_token is None:
        raise SystemExit("error: BOT_TOKEN is not set")
    engine = make_engine(settings.database_url)
    broadcaster = Broadcaster(engine, settings.zone)
    try:
        with transaction(engine) as session:
            report = (
                queries.report_on(session, report_date) if report_date else queries.latest_report(session)
            )
            if report is None:
                raise SystemExit(f"error: no report {'of ' + str(report_date) if report_date else 'stored'}")
            post = store.ensure_post(
                session, report.report_date, available_at=report.stored_at, revision=report.revision
            )
            queued = broadcaster.enqueue_due(session, post=post, force=True)
        print(f"report of {report.report_date}: {queued} messages queued")
        token = settings.bot_token.get_secret_value()
        async with Bot(token, base_url=settings.telegram_api_base_url) as bot:
            sender = Sender(bot, engine, lease=timedelta(seconds=lease))
            await sender.run(until_idle=True)
        print(f"sent {sender.sent}, failed {sender.failed}, retried {sender.retried}")
        return sender.sent, sender.failed
    finally:
        engine.dispose()


def cmd_summary(settings: Settings, args: argparse.Namespace) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not args.send:
        from storage.db import make_engine

        engine = make_engine(settings.database_url)
        with reading(engine) as session:
            report = queries.report_on(session, args.date) if args.date else queries.latest_report(session)
            if report is None:
                print("No such report.")
                return 1
            print(summary.summary_text(session, report, args.lang))
        engine.dispose()
        return 0
    asyncio.run(send_summary(settings, args.date, lease=args.lease))
    return 0


def add_cli_commands(sub: Any, date_type: Callable[[str], date]) -> None:
    """The delivery sub-commands of `lossbot`."""
    for name, what in (("subscribe", "subscribe chats"), ("unsubscribe", "unsubscribe chats")):
        p = sub.add_parser(name, help=f"{what} (numeric ids, or @names resolved with BOT_TOKEN)")
        p.add_argument("chats", nargs="+", metavar="CHAT_ID_OR_@NAME")
        p.set_defaults(func=cmd_subscribe)
    p = sub.add_parser("subscribers", help="list subscribed chats, their state and last delivery")
    p.set_defaults(func=cmd_subscribers)
    p = sub.add_parser("summary", help="print a report's daily summary, or --send it to every subscriber now")
    p.add_argument("--send", action="store_true", help="send it now; exits when every message has ended")
    p.add_argument("--date", type=date_type, metavar="DATE", help="the report date (default: the latest)")
    p.add_argument("--lang", choices=["en", "uk"], default="en", help="language when printing")
    p.add_argument("--lease", type=float, default=60.0, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_summary)
