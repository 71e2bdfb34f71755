"""Reports the bot fetched by itself, as the moderators meet them: a preview to publish, or a warning.

The morning job (bot/moderation/morning.py) calls these when a fetched report failed a check (or, in
review mode, for every fetched report), and when its window closed without the day's report. Each
moderator gets the message in their private chat, in the language set there (English otherwise).
"""

from __future__ import annotations

import html
import logging
from datetime import date

from sqlmodel import Session
from telegram.error import TelegramError

from bot.domain.report import ReportFigures
from bot.i18n import fmt
from bot.i18n.catalog import _
from bot.i18n.texts import source_name
from bot.moderation import workflow as mod
from bot.moderation.intake import SourceRun
from bot.services import BotApplication
from handlers.common import markup
from handlers.moderation import preview_keyboard
from storage import chats

log = logging.getLogger(__name__)


async def _language(app: BotApplication, chat_id: int) -> str:
    return await app.bot_data.services.read(lambda s: chats.chat_language(s, chat_id)) or "en"


async def offer_fetched(app: BotApplication, report: ReportFigures) -> None:
    """Show every moderator REPORT as a preview with Publish / Cancel (published as its source's)."""
    services = app.bot_data.services
    today, now = services.today(), services.clock()
    for moderator in sorted(services.settings.moderator_ids):
        lang = await _language(app, moderator)

        def work(session: Session, moderator: int = moderator) -> tuple[mod.Preview, int]:
            preview = mod.make_preview(
                session,
                report_date=report.report_date,
                totals=report.totals,
                increases=report.increases,
                today=today,
            )
            pid = mod.save_preview(
                session,
                preview,
                chat_id=moderator,
                moderator_id=moderator,
                raw_text=f"fetched from {report.source}: {report.source_url or ''}",
                now=now,
                source=report.source,
                source_url=report.source_url,
            )
            return preview, pid

        preview, pid = await services.write(work)
        heading = _(
            lang,
            "📥 Fetched from {source}; not published automatically:",
            source=html.escape(source_name(report.source, lang)),
        )
        text = heading + "\n\n" + mod.render_preview(preview, lang)
        try:
            await app.bot.send_message(
                moderator,
                text,
                reply_markup=markup(preview_keyboard(pid, lang, force=False)),
            )
        except TelegramError as exc:
            log.warning(
                "could not offer the fetched report of %s to moderator %s: %s",
                report.report_date,
                moderator,
                exc,
            )


async def report_missing(app: BotApplication, day: date, runs: list[SourceRun]) -> None:
    """Tell every moderator that DAY's report did not come in the window, and what each source said."""
    services = app.bot_data.services
    for moderator in sorted(services.settings.moderator_ids):
        lang = await _language(app, moderator)
        lines = [
            _(
                lang,
                "⏰ No report of {day} was fetched by the end of the morning window.",
                day=fmt.day(day, lang),
            )
        ]
        for run in runs:
            name = html.escape(source_name(run.source, lang))
            if run.error:
                lines.append(_(lang, "{source}: failed: {error}", source=name, error=html.escape(run.error)))
            else:
                newest = fmt.day(run.after, lang) if run.after else "—"
                lines.append(_(lang, "{source}: nothing after {day}", source=name, day=newest))
        lines.append(_(lang, "Forward the General Staff's report to me to publish it."))
        try:
            await app.bot.send_message(moderator, "\n".join(lines))
        except TelegramError as exc:
            log.warning("could not tell moderator %s about the missing report: %s", moderator, exc)


async def sources_failing(app: BotApplication, runs: list[SourceRun]) -> None:
    """Tell every moderator that no source could be read for several polls in a row, and why."""
    services = app.bot_data.services
    for moderator in sorted(services.settings.moderator_ids):
        lang = await _language(app, moderator)
        lines = [_(lang, "⚠️ No source could be read in the last polls; I keep trying.")]
        lines += [
            _(
                lang,
                "{source}: failed: {error}",
                source=html.escape(source_name(run.source, lang)),
                error=html.escape(run.error or ""),
            )
            for run in runs
        ]
        try:
            await app.bot.send_message(moderator, "\n".join(lines))
        except TelegramError as exc:
            log.warning("could not tell moderator %s that the sources fail: %s", moderator, exc)
