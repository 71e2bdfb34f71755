"""What is owed: which report is new, and the summary and alert texts each subscriber is owed of it.

The Broadcaster writes them to the outbox (`storage/delivery.py`), one row per message and chat; the
Sender (`bot/delivery/sender.py`) sends them. It renders each text from the report's facts, computed once
per report revision, in each subscriber's language and with each chat's thresholds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.answers import facts, summary
from bot.delivery import schedule
from bot.domain.dates import utc_now
from storage import delivery as store
from storage import queries, schema
from storage.schema import ChatPrefs, DeliveryKind

log = logging.getLogger(__name__)


@dataclass
class Broadcaster:
    """Decides what is owed to whom and puts it in the outbox; the Sender sends it."""

    engine: Engine
    zone: ZoneInfo
    clock: Callable[[], datetime] = utc_now
    #: Each report's facts, read once per revision and rendered per language and thresholds.
    _facts: dict[tuple[int, int], facts.ReportFacts] = field(default_factory=dict)

    def _langs(self, session: Session) -> dict[int, str]:
        return {p.chat_id: p.lang for p in session.execute(select(ChatPrefs)).scalars() if p.lang}

    def detect_new(self, session: Session) -> schema.Post | None:
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
        subs: list[schema.Subscription],
        *,
        corrected: bool = False,
    ) -> dict[tuple[int, DeliveryKind], str]:
        """The message texts for these chats: (chat, kind) → text, rendered once per language/thresholds."""
        langs = self._langs(session)
        key = (report.report_date.toordinal(), report.revision)
        report_facts = self._facts.get(key)
        if report_facts is None:
            report_facts = self._facts[key] = facts.report_facts(session, report)
        summaries: dict[str, str] = {}
        alerts: dict[tuple[str, int, int], str | None] = {}
        texts: dict[tuple[int, DeliveryKind], str] = {}
        for sub in subs:
            lang = langs.get(sub.chat_id) or sub.lang or "en"  # /lang's, else the subscriber's
            if sub.wants(DeliveryKind.SUMMARY):
                if lang not in summaries:
                    summaries[lang] = summary.summary_text(report_facts, lang, corrected=corrected)
                texts[(sub.chat_id, DeliveryKind.SUMMARY)] = summaries[lang]
            if sub.wants(DeliveryKind.ALERT):
                akey = (lang, sub.top_personnel, sub.top_other)
                if akey not in alerts:
                    alerts[akey] = summary.alert_text(
                        report_facts,
                        lang,
                        top_personnel=sub.top_personnel,
                        top_other=sub.top_other,
                        corrected=corrected,
                    )
                alert = alerts[akey]
                if alert is not None:
                    texts[(sub.chat_id, DeliveryKind.ALERT)] = alert
        return texts

    def enqueue_due(self, session: Session, *, post: schema.Post | None = None, force: bool = False) -> int:
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
                k
                for k in (DeliveryKind.SUMMARY, DeliveryKind.ALERT)
                if sub.wants(k) and (sub.chat_id, k) not in queued
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
