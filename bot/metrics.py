"""The operator's metrics, in Prometheus' text format at GET /metrics (bot/web/server.py).

Each application has a registry of its own (tests build many applications in one process; the default
global registry would refuse the second). Counters are counted where things happen (the sender, the
morning fetch, every update); the gauges that describe the database (outbox backlog, newest report) are
read from it when /metrics is scraped, so they are right whichever instance sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import Engine
from telegram import Update

from storage import delivery as store
from storage import queries
from storage.db import reading

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

#: Latency buckets (seconds) of a command's answer: a reply from the database takes milliseconds, a chart
#: tens of milliseconds, a slow database seconds.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

#: What a 429 answered: a message of the outbox, or a reply sent through the rate limiter.
PATH_BROADCAST, PATH_REPLY = "broadcast", "reply"

#: Why a message failed for good (the sender's labels).
FAILED_BAD_REQUEST, FAILED_CHAT_GONE, FAILED_GAVE_UP = "bad_request", "chat_gone", "gave_up"


class Metrics:
    """Every metric of one application."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.messages_sent = Counter(
            "lossbot_messages_sent", "Outbox messages Telegram accepted (sent or edited)", registry=registry
        )
        self.messages_failed = Counter(
            "lossbot_messages_failed",
            "Outbox messages that failed for good, by reason (bad_request, chat_gone, gave_up)",
            ["reason"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "lossbot_telegram_429",
            "429 Too Many Requests answers from Telegram, by path: broadcast (the outbox sender) or reply "
            "(a command's answer, a button's edit)",
            ["path"],
            registry=registry,
        )
        for path in (PATH_BROADCAST, PATH_REPLY):  # both series exist from the start, at 0
            self.rate_limited.labels(path=path)
        self.command_seconds = Histogram(
            "lossbot_command_seconds",
            "Time to handle one update, by command (/name, callback, or other)",
            ["command"],
            buckets=COMMAND_BUCKETS,
            registry=registry,
        )
        self.source_failures = Counter(
            "lossbot_source_fetch_failures",
            "Live-source fetches that failed, by source",
            ["source"],
            registry=registry,
        )
        self.outbox_backlog = Gauge(
            "lossbot_outbox_backlog", "Outbox messages still owed (queued or to retry)", registry=registry
        )
        self.newest_report_age = Gauge(
            "lossbot_newest_report_age_seconds",
            "Seconds since the start (in TIMEZONE) of the newest stored report's date",
            registry=registry,
        )

    def too_many_requests(self, path: str) -> None:
        """Telegram answered 429 to a message of PATH (PATH_BROADCAST or PATH_REPLY)."""
        self.rate_limited.labels(path=path).inc()

    def failed(self, reason: str) -> None:
        self.messages_failed.labels(reason=reason).inc()

    def source_failures_of(self, failed_sources: Iterable[str]) -> None:
        """Count the failed fetches of one morning poll, one for each source named in FAILED_SOURCES
        (plain names, so that the metrics need not know the moderation's types)."""
        for source in failed_sources:
            self.source_failures.labels(source=source).inc()

    def command_took(self, update: object, known: Iterable[str], seconds: float) -> None:
        """Observe how long UPDATE took; the label is a known command's name (any other text would let
        users create series without bound)."""
        self.command_seconds.labels(command=command_label(update, known)).observe(seconds)

    def read_database(self, engine: Engine, now: datetime) -> None:
        """Set the gauges that describe the database (blocking: run it in a worker thread)."""
        with reading(engine) as session:
            self.outbox_backlog.set(store.owed(session))
            newest = queries.latest_report(session)
        if newest is not None:
            start = datetime.combine(newest.report_date, time(0), tzinfo=now.tzinfo)
            self.newest_report_age.set(max(0.0, (now - start).total_seconds()))

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)


def command_label(update: object, known: Iterable[str]) -> str:
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "callback"
    message = update.effective_message
    text = message.text if message is not None else None
    if text and text.startswith("/"):
        name = text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
        return f"/{name}" if name in set(known) else "other"
    return "other"
