"""Inline mode: `@botname tanks` in any chat offers the bot's answers to send there (bot/answers/inline.py).

A category's answer comes with its chart as a photo when that chart was uploaded before (an inline
answer can only point at a photo Telegram already has). Telegram keeps the answer CACHE_SECONDS for the
same user and query (`is_personal`: the language is the user's), so typing the same again costs nothing.
"""

from __future__ import annotations

from sqlmodel import Session
from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InputTextMessageContent,
    Update,
)
from telegram.ext import InlineQueryHandler

from bot.answers import inline
from bot.answers.chart import caption, chart_data
from bot.answers.commands import UsageError
from bot.answers.facts import Unanswerable
from bot.services import BotApplication, BotContext

#: How long Telegram may reuse an answer (figures change once a day; a correction within minutes).
CACHE_SECONDS = 120

Result = InlineQueryResultArticle | InlineQueryResultCachedPhoto


async def answer_inline(update: Update, context: BotContext) -> None:
    query = update.inline_query
    if query is None:
        return
    services, lang = context.services, context.lang
    today = services.today()
    charts = context.bot_data.charts

    def work(session: Session) -> list[Result]:
        found: list[Result] = []
        for item in inline.results(session, query.query, today=today, lang=lang):
            if item.chart is not None:
                try:
                    chart = chart_data(session, item.chart, today=today)
                except (UsageError, Unanswerable):
                    chart = None
                file_id = charts.file_id(chart, lang) if chart is not None else None
                if chart is not None and file_id is not None:
                    found.append(
                        InlineQueryResultCachedPhoto(
                            f"chart-{item.id}"[:64], file_id, title=item.title, caption=caption(chart, lang)
                        )
                    )
            found.append(
                InlineQueryResultArticle(
                    item.id, item.title, InputTextMessageContent(item.text), description=item.description
                )
            )
        return found[: inline.MAX_RESULTS]

    results = await services.read(work)
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)


def register(app: BotApplication) -> None:
    app.add_handler(InlineQueryHandler(answer_inline))
