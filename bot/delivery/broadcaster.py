"""What is owed: which report is new, and the summary and alert texts each subscriber is owed of it.

The Broadcaster writes them to the outbox (`storage/delivery.py`), one row per message and chat; the
Sender (`bot/delivery/sender.py`) sends them. It renders each text from the report's facts, computed once
per report revision, in each subscriber's language and with each chat's thresholds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.answers import digest, facts, render, summary
from bot.answers.chart import caption, chart_data
from bot.answers.facts import Unanswerable
from bot.answers.reply import Keyboard
from bot.charts import draw
from bot.charts.request import ChartRequest, chart_button, period_code
from bot.delivery import schedule
from bot.domain.dates import WAR_START, utc_now
from storage import delivery as store
from storage import queries, schema
from storage.schema import ChatPrefs, DeliveryKind

log = logging.getLogger(__name__)

#: A digest goes out at the chat's daily time (/settings time) if it set one, else at this local time.
DIGEST_TIME = time(9, 0)
#: The outbox kinds of a digest: its chart (sent first), then its text.
DIGEST_KINDS = {
    digest.WEEK: (DeliveryKind.WEEKLY_CHART, DeliveryKind.WEEKLY),
    digest.MONTH: (DeliveryKind.MONTHLY_CHART, DeliveryKind.MONTHLY),
}
#: Telegram's limit of a photo's caption. The chart's caption (4 lines and the sources) fits in both
#: languages; the text goes as a message of its own after the photo, as it is longer.
MAX_CAPTION = 1024
#: The daily summary's "📈 chart" shows these days up to the report.
SUMMARY_CHART_DAYS = 90


def summary_keyboard(report_date: date, lang: str) -> Keyboard:
    """The "📈 chart" button under a daily summary: the headline categories over the 90 days up to its
    report (a fixed range, so an old summary's button still shows what it summed up)."""
    first = max(report_date - timedelta(days=SUMMARY_CHART_DAYS - 1), WAR_START)
    return chart_button(digest.CHART_CATEGORIES, f"{first:%Y%m%d}-{report_date:%Y%m%d}", lang)


def stored_markup(keyboard: Keyboard) -> store.Markup:
    return [[[b.text, b.callback_data] for b in row] for row in keyboard]


def chat_lang(sub: schema.Subscription, langs: dict[int, str]) -> str:
    """The language of a chat's delivered messages: /lang's, else the subscriber's."""
    return langs.get(sub.chat_id) or sub.lang or "en"


def _chart_code(period: digest.DigestPeriod) -> str:
    return period_code(period.as_period())


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
            lang = chat_lang(sub, langs)
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
        langs = self._langs(session)
        lang_of = {sub.chat_id: chat_lang(sub, langs) for sub in due}
        markups = {
            lang: stored_markup(summary_keyboard(report.report_date, lang)) for lang in set(lang_of.values())
        }
        rows = [
            (
                post.id,
                chat_id,
                kind,
                store.Content(text, markups[lang_of[chat_id]] if kind == DeliveryKind.SUMMARY else None),
            )
            for (chat_id, kind), text in texts.items()
            if (chat_id, kind) not in queued
        ]
        return store.add_deliveries(session, rows, now=utc_now())

    def tick(self, session: Session) -> int:
        """The periodic job's work: notice a new report, queue what is due. (The digests are queued in a
        transaction of their own, `enqueue_digests`: a digest that fails must not hold back the summary.)"""
        self.detect_new(session)
        return self.enqueue_due(session)

    # -------------------------------------------------------------------------------------- digests

    def digests_due(
        self, subs: list[schema.Subscription]
    ) -> dict[digest.DigestPeriod, list[schema.Subscription]]:
        """The digests due now, and to whom. A chat that chose a digest is due it on its send day (Monday,
        the 1st) in its own zone, from its daily time (else DIGEST_TIME) until that local day ends: a bot
        that was down at the time catches up the same day, never later (like the daily summary)."""
        now = self.clock()
        due: dict[digest.DigestPeriod, list[schema.Subscription]] = {}
        for sub in subs:
            zone = schedule.zone_or_none(sub.timezone) or self.zone
            today = now.astimezone(zone).date()
            at = schedule.parse_time(sub.send_at) if sub.send_at else None
            moment = schedule.due_at(today, at or DIGEST_TIME, zone)
            # As for the daily summary, a chat subscribed after the moment starts with the next digest.
            if now < moment or sub.subscribed_at > moment:
                continue
            for kind in digest.PERIODS:
                if sub.digests.includes(kind) and digest.is_send_day(kind, today):
                    due.setdefault(digest.period_before(kind, today), []).append(sub)
        return due

    def enqueue_digests(self, session: Session) -> int:
        """Queue each due digest for the chats that chose it: once per chat and period (the outbox's unique
        (digest, chat, kind) row), its facts read and its chart drawn once per period and language."""
        subs = store.digest_subscriptions(session)
        queued = 0
        for period, chats in self.digests_due(subs).items():
            post = store.ensure_digest_post(session, period.kind, period.first, period.last, now=self.clock())
            assert post.id is not None
            done = store.digest_queued_keys(session, post.id)
            chart_kind, text_kind = DIGEST_KINDS[period.kind]
            owed = [s for s in chats if (s.chat_id, text_kind) not in done]
            if not owed:
                continue
            view = digest.digest_facts(session, period)
            if view is None:
                log.info("no report in %s–%s: no %s digest", period.first, period.last, period.kind)
                continue
            langs = self._langs(session)
            rendered = {
                lang: self._digest_messages(session, view, lang)
                for lang in {chat_lang(s, langs) for s in owed}
            }
            rows = []
            for sub in owed:
                chart, text = rendered[chat_lang(sub, langs)]
                if chart is not None:
                    rows.append((sub.chat_id, chart_kind, chart))
                rows.append((sub.chat_id, text_kind, text))
            queued += store.add_digest_deliveries(session, post.id, rows, now=utc_now())
        return queued

    def _digest_messages(
        self, session: Session, view: digest.DigestFacts, lang: str
    ) -> tuple[store.Content | None, store.Content]:
        """A digest's two messages in LANG: the chart (its PNG drawn and stored once per period, language
        and figures) with its caption, and the text. No chart when the period has none to draw."""
        text = store.Content(digest.digest_text(view, lang))
        period = view.period
        request = ChartRequest(digest.CHART_CATEGORIES, _chart_code(period))
        try:
            chart = chart_data(session, request, today=period.last)
        except Unanswerable:
            return None, text
        key = f"digest:{period.kind}:{period.first}:{lang}:{chart.digest()[:16]}"
        if not store.has_photo(session, key):
            store.save_photo(session, key, draw.png(chart, lang))
        return store.Content(render.fit(caption(chart, lang), lang, MAX_CAPTION), photo=key), text

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
