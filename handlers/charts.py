"""/chart and the chart buttons: the period switches under a chart, and "📈 chart" under /day and /category.

What to draw comes from bot/answers/chart.py, the picture from the cache (bot/charts/cache.py), which
draws it in a worker thread the first time and sends Telegram's file id after the first upload.

A period switch edits the chart in place, for whoever asked for it; anyone else pressing it is told
how to get their own. When the message can no longer be edited (too old, deleted), a new chart is sent.
"""

from __future__ import annotations

import html
import logging
import re

from sqlmodel import Session
from telegram import CallbackQuery, InputMediaPhoto, MaybeInaccessibleMessage, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.answers import render
from bot.answers.chart import DESCRIPTION, USAGE, caption, chart_data, parse_request
from bot.answers.commands import UsageError
from bot.answers.facts import Unanswerable
from bot.answers.reply import Reply
from bot.charts.data import ChartData
from bot.charts.request import CALLBACK_PREFIX, ChartRequest, parse_callback, switches
from bot.i18n.catalog import _
from bot.i18n.texts import Command
from bot.services import BotApplication, BotContext, Services
from handlers.common import command, command_args, markup, reply

log = logging.getLogger(__name__)

COMMANDS: tuple[Command, ...] = (Command("chart", USAGE, DESCRIPTION),)

#: Telegram shows at most 200 characters in a button's answer.
MAX_TOAST = 200


async def _read(
    services: Services, lang: str, request: ChartRequest | str
) -> tuple[ChartRequest, ChartData] | str:
    """The chart REQUEST (or /chart's arguments) asks for; or, when there is none, what to say instead."""
    today = services.today()

    def work(session: Session) -> tuple[ChartRequest, ChartData] | str:
        try:
            asked = parse_request(request, today=today, lang=lang) if isinstance(request, str) else request
            return asked, chart_data(session, asked, today=today)
        except UsageError as exc:
            return str(exc)
        except Unanswerable as exc:
            return render.gap(exc.gap, lang)

    return await services.read(work)


async def _send(
    context: BotContext,
    near: MaybeInaccessibleMessage,
    found: tuple[ChartRequest, ChartData],
    owner: int | None,
    lang: str,
) -> None:
    """Send the chart FOUND into the chat (and forum topic) of the message NEAR, with OWNER's buttons."""
    asked, chart = found
    charts = context.bot_data.charts
    thread = near.message_thread_id if isinstance(near, Message) and near.is_topic_message else None
    sent = await context.bot.send_photo(
        near.chat.id,
        await charts.photo(chart, lang),
        caption=caption(chart, lang),
        filename=_filename(chart),
        reply_markup=markup(switches(asked, owner, lang)),
        message_thread_id=thread,
    )
    charts.uploaded(chart, lang, _file_id(sent))


def _filename(chart: ChartData) -> str:
    """What `lossbot ask --out` saves it as: chart-tanks-afv-2024-07-28-2024-10-25.png."""
    period = chart.period
    return f"chart-{'-'.join(chart.categories)}-{period.first_day}-{period.end}.png"


def _file_id(message: Message | bool) -> str | None:
    """The largest size's file id of the photo Telegram stored (the one to send again)."""
    if isinstance(message, Message) and message.photo:
        return message.photo[-1].file_id
    return None


async def chart_command(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    lang = context.lang
    found = await _read(context.services, lang, command_args(message))
    if isinstance(found, str):
        await reply(update, Reply(found), lang)
        return
    await _send(context, message, found, user.id if user else None, lang)


async def chart_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    lang = context.lang
    press = parse_callback(query.data)
    if press is None:
        await query.answer(_(lang, "This button does nothing (any more)."), show_alert=True)
        return
    if press.owner is not None and press.owner != query.from_user.id:
        await query.answer(
            _(lang, "These buttons switch the chart of whoever asked for it. Send /chart for your own."),
            show_alert=True,
        )
        return
    found = await _read(context.services, lang, press.request)
    if isinstance(found, str):
        await query.answer(_toast(found, lang), show_alert=True)
        return
    if press.owner is None:  # "📈 chart" under an answer: a new message
        await query.answer()
        await _send(context, query.message, found, query.from_user.id, lang)
        return
    if not isinstance(query.message, Message) or not query.message.is_accessible:  # too old to see: new
        await query.answer(_(lang, "That chart is too old to change; here is a new one."))
        await _send(context, query.message, found, press.owner, lang)
        return
    await _switch(context, query, query.message, found, press.owner, lang)


def _toast(text: str, lang: str) -> str:
    """An answer's HTML as the plain text a button's alert shows, cut to fit."""
    return render.fit(html.unescape(re.sub(r"<[^>]+>", "", text)), lang, MAX_TOAST)


async def _switch(
    context: BotContext,
    query: CallbackQuery,
    message: Message,
    found: tuple[ChartRequest, ChartData],
    owner: int,
    lang: str,
) -> None:
    """Edit MESSAGE to show the chart FOUND (the same message: the chat does not fill with charts)."""
    asked, chart = found
    charts = context.bot_data.charts
    media = InputMediaPhoto(
        await charts.photo(chart, lang), caption=caption(chart, lang), filename=_filename(chart)
    )
    try:
        edited = await message.edit_media(media, reply_markup=markup(switches(asked, owner, lang)))
    except BadRequest as exc:
        if "not modified" in exc.message:
            await query.answer(_(lang, "That is the chart shown."))
            return
        log.info(
            "chart %s in chat %s not edited (%s): a new one", message.message_id, message.chat_id, exc.message
        )
        await query.answer(_(lang, "That chart is too old to change; here is a new one."))
        await _send(context, message, found, owner, lang)
        return
    await query.answer()
    charts.uploaded(chart, lang, _file_id(edited))


def register(app: BotApplication) -> None:
    app.add_handler(command("chart", chart_command))
    app.add_handler(CallbackQueryHandler(chart_button, pattern=f"^{CALLBACK_PREFIX}"))
