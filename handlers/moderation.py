"""Moderators publish: forwarded or pasted reports → preview → publish; /correct, /history, /status.

Moderators are the Telegram user IDs in MODERATOR_IDS. Everyone else is refused politely, and the attempt
is logged. Callback data: ``mod:<action>:<preview id>``, the actions in ACTIONS; a preview's buttons are for
the moderator it was shown to, in that chat.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.answers.render import fit_items
from bot.answers.reply import Button, Keyboard, Reply
from bot.domain.bounds import ImpossibleReport
from bot.domain.categories import resolve_category
from bot.domain.dates import DateError, parse_calendar_date
from bot.domain.parser import NotAReport, parse_report
from bot.i18n import fmt
from bot.i18n.catalog import N_, _
from bot.i18n.texts import MODERATORS, Command, source_name
from bot.moderation import workflow as mod
from bot.services import BotApplication, BotContext, Services
from handlers.common import command, command_args, reply
from handlers.questions import answer_question
from storage import moderation as store
from storage import queries, schema
from storage.schema import RevisionAction

log = logging.getLogger(__name__)

COMMANDS: tuple[Command, ...] = (
    Command(
        "post",
        "/post [TEXT]",
        N_("publish a General Staff report: preview, then confirm (moderators)"),
        MODERATORS,
    ),
    Command(
        "correct",
        "/correct DATE CATEGORY TOTAL [INCREASE]",
        N_("correct one figure of a report (moderators)"),
        MODERATORS,
    ),
    Command(
        "history", "/history DATE", N_("every revision of a report: who and when (moderators)"), MODERATORS
    ),
    Command(
        "status",
        "/status",
        N_("the latest report, its source and age; open previews (moderators)"),
        MODERATORS,
    ),
)

#: How /history and /status name a revision's action.
ACTION_NAMES = {"publish": N_("published"), "correct": N_("corrected")}


def is_moderator(update: Update, services: Services) -> bool:
    user = update.effective_user
    return user is not None and user.id in services.settings.moderator_ids


async def _allowed(update: Update, context: BotContext, what: str) -> str | None:
    """The language when the user is a moderator in a private chat; else refuse, log, return None."""
    lang = context.lang
    user = update.effective_user
    if not is_moderator(update, context.services):
        log.warning("moderator action %s refused for user %s", what, user.id if user else None)
        if update.callback_query is not None:
            await update.callback_query.answer(
                _(
                    lang,
                    "Sorry, this is for the bot's moderators only. You can ask about the figures: see /help.",
                ),
                show_alert=True,
            )
        else:
            await reply(
                update,
                Reply(
                    _(
                        lang,
                        "Sorry, this is for the bot's moderators only. You can ask about the figures: "
                        "see /help.",
                    )
                ),
                lang,
            )
        return None
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        if update.callback_query is not None:  # every button is answered, or its spinner stays
            await update.callback_query.answer()
        await reply(update, Reply(_(lang, "Please do this in a private chat with me.")), lang)
        return None
    return lang


def preview_keyboard(preview_id: int, lang: str, *, force: bool) -> Keyboard:
    action, label = ("force", N_("⚠️ Publish anyway")) if force else ("pub", N_("✅ Publish"))
    return (
        (
            Button(_(lang, label), f"mod:{action}:{preview_id}"),
            Button(_(lang, "✖️ Cancel"), f"mod:cancel:{preview_id}"),
        ),
    )


def _reference_date(message: Message, services: Services) -> date:
    """When the report was posted: the forwarded message's original date, else this message's."""
    origin = message.forward_origin
    when = origin.date if origin is not None else message.date
    return when.astimezone(services.settings.zone).date()


async def _preview_text(update: Update, context: BotContext, text: str, lang: str) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services = context.services
    try:
        parsed = parse_report(text, as_of=_reference_date(message, services))
    except NotAReport as exc:
        await reply(
            update,
            Reply(
                _(
                    lang,
                    "I could not read a report in that text ({why}). Forward or paste the General "
                    "Staff's report.",
                    why=html.escape(str(exc)),
                )
            ),
            lang,
        )
        return
    today, now = services.today(), services.clock()

    def work(session: Session) -> tuple[mod.Preview, int]:
        preview = mod.preview_of_parsed(session, parsed, today=today)
        pid = mod.save_preview(
            session, preview, chat_id=message.chat_id, moderator_id=user.id, raw_text=text, now=now
        )
        return preview, pid

    try:
        preview, pid = await services.write(work)
    except ImpossibleReport as exc:
        await reply(update, Reply(mod.impossible_text(exc, lang)), lang)
        return
    await reply(
        update,
        Reply(mod.render_preview(preview, lang), keyboard=preview_keyboard(pid, lang, force=False)),
        lang,
    )


async def report_text(update: Update, context: BotContext) -> None:
    """A moderator forwards or pastes a report; text that is no report may be a question, answered as
    anyone's would be ("how many tanks yesterday")."""
    message = update.effective_message
    lang = await _allowed(update, context, "report text")
    if lang is None or message is None:
        return
    text = message.text or message.caption or ""
    if not _is_report(text, message, context.services) and await answer_question(update, context, text):
        return
    await _preview_text(update, context, text, lang)


def _is_report(text: str, message: Message, services: Services) -> bool:
    try:
        parse_report(text, as_of=_reference_date(message, services))
    except NotAReport:
        return False
    return True


async def post(update: Update, context: BotContext) -> None:
    message = update.effective_message
    lang = await _allowed(update, context, "/post")
    if lang is None or message is None:
        return
    text = command_args(message)
    if not text:
        await reply(update, Reply(_(lang, "Send or forward the General Staff's report text now.")), lang)
        return
    await _preview_text(update, context, text, lang)


async def correct(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    lang = await _allowed(update, context, "/correct")
    if lang is None or message is None or user is None:
        return
    services = context.services
    args = command_args(message).split()
    try:
        if len(args) not in (3, 4):
            raise ValueError("arguments")
        day = parse_calendar_date(args[0])
        cat = resolve_category(args[1])
        if cat is None:
            raise ValueError("category")
        total = int(args[2].replace(",", ""))
        increase = int(args[3]) if len(args) == 4 else None
        if total < 0:
            raise ValueError("total")
    except ValueError:  # a DateError too: the usage shows the date form
        await reply(
            update,
            Reply(
                _(
                    lang,
                    "Usage: /correct DATE CATEGORY TOTAL [INCREASE], e.g. /correct 2024-10-25 tanks 9097 +7",
                )
            ),
            lang,
        )
        return
    today, now, raw = services.today(), services.clock(), message.text or ""

    def work(session: Session) -> tuple[mod.Preview, int] | str:
        try:
            totals, increases = mod.corrected_figures(session, day, cat.key, total, increase)
        except mod.CorrectionError as exc:
            return _(lang, exc.message, day=fmt.day(day, lang))
        preview = mod.make_preview(
            session,
            report_date=day,
            totals=totals,
            increases=increases,
            today=today,
            action=RevisionAction.CORRECT,
        )
        pid = mod.save_preview(
            session, preview, chat_id=message.chat_id, moderator_id=user.id, raw_text=raw, now=now
        )
        return preview, pid

    try:
        result = await services.write(work)
    except ImpossibleReport as exc:
        await reply(update, Reply(mod.impossible_text(exc, lang)), lang)
        return
    if isinstance(result, str):
        await reply(update, Reply(result), lang)
        return
    preview, pid = result
    await reply(
        update,
        Reply(mod.render_preview(preview, lang), keyboard=preview_keyboard(pid, lang, force=False)),
        lang,
    )


def _when(moment: datetime, services: Services, lang: str) -> str:
    local = moment.astimezone(services.settings.zone)
    return f"{fmt.day(local.date(), lang)} {local:%H:%M}"


async def history(update: Update, context: BotContext) -> None:
    message = update.effective_message
    lang = await _allowed(update, context, "/history")
    if lang is None or message is None:
        return
    services = context.services
    try:
        day = parse_calendar_date(command_args(message))
    except DateError:
        await reply(update, Reply(_(lang, "Usage: /history DATE, e.g. /history 2024-10-25")), lang)
        return

    def work(session: Session) -> tuple[list[schema.ReportRevision], queries.StoredReport | None]:
        return store.revisions_of(session, day), queries.report_on(session, day)

    revisions, report = await services.read(work)
    if report is None and not revisions:
        await reply(update, Reply(_(lang, "No report of {day} is stored.", day=fmt.day(day, lang))), lang)
        return
    lines = [_(lang, "<b>Revisions of the report of {day}</b>", day=fmt.day(day, lang))]
    if revisions and revisions[0].revision > 1:
        lines.append(
            _(
                lang,
                "Revisions before {rev} came from imports (no moderator record).",
                rev=revisions[0].revision,
            )
        )
    items = [
        _(
            lang,
            "rev {rev}: {action} by moderator {who}, {when}",
            rev=r.revision,
            action=_(lang, ACTION_NAMES[r.action]),
            who=r.moderator_id,
            when=_when(r.created_at, services, lang),
        )
        for r in revisions
    ]
    tail = []
    if report is not None:
        tail.append(
            _(
                lang,
                "Stored now: revision {rev}, {source}, {when}.",
                rev=report.revision,
                source=html.escape(source_name(report.source, lang)),
                when=_when(report.stored_at, services, lang),
            )
        )
    await reply(update, Reply(fit_items(lines, items, tail, lang)), lang)


async def status(update: Update, context: BotContext) -> None:
    lang = await _allowed(update, context, "/status")
    if lang is None:
        return
    services = context.services
    now = services.clock()

    def work(session: Session) -> tuple[queries.StoredReport | None, list[schema.PendingPreview]]:
        return queries.latest_report(session), store.pending_previews(
            session, newer_than=now - mod.PREVIEW_TTL
        )

    latest, pending = await services.read(work)
    lines: list[str] = []
    if latest is None:
        lines.append(_(lang, "No reports are stored yet."))
    else:
        minutes = max(0, int((now - latest.stored_at).total_seconds() // 60))
        lines.append(
            _(
                lang,
                "<b>Latest report</b>: {day} (revision {rev}), {source}; stored {age} ago.",
                day=fmt.day(latest.report_date, lang),
                rev=latest.revision,
                source=html.escape(source_name(latest.source, lang)),
                age=_(lang, "{h} h {m} min", h=minutes // 60, m=minutes % 60),
            )
        )
    lines.append(_(lang, "<b>Open previews</b>: {n}", n=len(pending)))
    items = [
        _(
            lang,
            "#{id}: report of {day}, {action}, moderator {who}, shown {when}",
            id=p.id,
            day=fmt.day(p.report_date, lang),
            action=_(lang, ACTION_NAMES[p.action]),
            who=p.moderator_id,
            when=_when(p.created_at, services, lang),
        )
        for p in pending
    ]
    await reply(update, Reply(fit_items(lines, items, [], lang)), lang)


#: What a preview's buttons do, by the action in their callback data ``mod:<action>:<preview id>``. The one
#: table of actions: the keyboard uses its keys, and data naming anything else is refused.
ACTIONS: dict[str, Callable[[Session, int, int, datetime], mod.Outcome]] = {
    "pub": lambda s, pid, who, now: mod.publish(s, pid, moderator_id=who, now=now),
    "force": lambda s, pid, who, now: mod.publish(s, pid, moderator_id=who, now=now, force=True),
    "cancel": lambda s, pid, who, now: mod.cancel(s, pid, moderator_id=who, now=now),
}
_BUTTON = re.compile(r"mod:([a-z]{1,16}):([0-9]{1,18})")


def parse_button(data: str | None) -> tuple[str, int] | None:
    """(action, preview id) of a preview's button, or None when the data is not one of ours."""
    match = _BUTTON.fullmatch(data or "")
    if match is None or match[1] not in ACTIONS:
        return None
    return match[1], int(match[2])


async def _owned(query: CallbackQuery, pid: int, services: Services, lang: str) -> bool:
    """Whether preview PID is this moderator's, shown in this chat; if not, say so on the button."""
    preview = await services.read(lambda s: store.get_preview(s, pid))
    chat_id = query.message.chat.id if query.message is not None else None
    if preview is None:
        await query.answer(_(lang, "This preview no longer exists."), show_alert=True)
        return False
    if (preview.moderator_id, preview.chat_id) != (query.from_user.id, chat_id):
        log.warning(
            "user %s pressed preview %s of moderator %s", query.from_user.id, pid, preview.moderator_id
        )
        await query.answer(
            _(
                lang,
                "This preview is another moderator's. Send the report yourself for a preview of your own.",
            ),
            show_alert=True,
        )
        return False
    return True


async def _run(action: str, pid: int, user_id: int, services: Services) -> mod.Outcome:
    """Do ACTION on preview PID in one transaction (raises `ImpossibleReport` as `mod.publish` does)."""
    now = services.clock()
    try:
        return await services.write(lambda s: ACTIONS[action](s, pid, user_id, now))
    except IntegrityError:
        # Another moderator's revision of the same day was committed first: the database refused ours.
        log.info("preview %s lost a publish race", pid)
        return await services.write(lambda s: mod.lost_race(s, pid, now=now))


async def button(update: Update, context: BotContext) -> None:
    """Publish, Publish anyway, or Cancel on a preview."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang = await _allowed(update, context, f"button {query.data}")
    if lang is None:
        return
    services = context.services
    parsed = parse_button(query.data)
    if parsed is None:
        log.warning("unknown button %r from user %s", query.data, user.id)
        await query.answer(_(lang, "This button is not one of mine; nothing was done."), show_alert=True)
        return
    action, pid = parsed
    if not await _owned(query, pid, services, lang):
        return
    try:
        outcome = await _run(action, pid, user.id, services)
    except ImpossibleReport as exc:  # a preview saved before the limits existed
        await query.answer()
        await reply(update, Reply(mod.impossible_text(exc, lang)), lang)
        return
    if outcome.status == mod.OutcomeStatus.PUBLISHED and outcome.report_date is not None:
        log.info("moderator %s published %s revision %s", user.id, outcome.report_date, outcome.revision)
        # Before the moderator hears "Published": once told, the report is already on its way to
        # subscribers (the hook queues their messages), so nothing observes a published-but-not-queued day.
        await services.report_published(outcome.report_date, correction=outcome.correction)
    await query.answer()
    message = query.message
    if isinstance(message, Message):
        if outcome.status != mod.OutcomeStatus.NEEDS_CONFIRMATION:
            try:
                await message.edit_reply_markup(reply_markup=None)
            except BadRequest:
                log.debug("preview %s: keyboard already removed", pid)
        keyboard = (
            preview_keyboard(pid, lang, force=True)
            if outcome.status == mod.OutcomeStatus.NEEDS_CONFIRMATION
            else ()
        )
        # The answer goes under the preview: the button's message is the update's effective message.
        await reply(update, Reply(mod.render_outcome(outcome, lang), keyboard=keyboard), lang)


async def expire_previews(context: BotContext) -> None:
    """The periodic job: pending previews older than PREVIEW_TTL are closed, so /status lists open ones."""
    services = context.services
    older_than = services.clock() - mod.PREVIEW_TTL
    expired = await services.write(lambda s: store.expire_previews(s, older_than=older_than))
    if expired:
        log.info("%d pending previews expired", expired)


def register(app: BotApplication) -> None:
    app.add_handler(command("post", post))
    app.add_handler(command("correct", correct))
    app.add_handler(command("history", history))
    app.add_handler(command("status", status))
    app.add_handler(CallbackQueryHandler(button, pattern=r"^mod:"))
    moderators = filters.User(user_id=app.bot_data.services.settings.moderator_ids, allow_empty=False)
    # Plain text from a moderator in a private chat is a report to preview; others reach the fallback.
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGE
            & filters.TEXT
            & ~filters.COMMAND
            & moderators,
            report_text,
        )
    )
