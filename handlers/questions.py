"""Questions typed in a private chat ("how many tanks yesterday"): answered with the query commands'
answers by bot/answers/questions.py. The private-chat fallback asks it first, and so does a moderator's
pasted text that is not a report."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update

from bot.answers import questions
from bot.answers.reply import Reply
from bot.services import BotContext
from handlers.common import reply


async def answer_question(update: Update, context: BotContext, text: str) -> bool:
    """Answer TEXT as a question about the figures; False (and nothing sent) when it asks none."""
    services, lang = context.services, context.lang
    today = services.today()

    def work(session: Session) -> Reply | None:
        return questions.answer(session, text, today=today, lang=lang)

    answer = await services.read(work)
    if answer is None:
        return False
    await reply(update, answer, lang)
    return True
