"""/start, /help, /categories and /lang."""

from __future__ import annotations

from telegram import Update

from bot.answers import menus as answer_menus
from bot.answers import render
from bot.answers.reply import Reply
from bot.i18n.catalog import _
from bot.i18n.texts import MODERATORS
from bot.services import BotApplication, BotContext
from handlers.common import command, command_args, reply
from handlers.menus import asker_of, set_moderator_menu
from handlers.moderation import is_moderator
from handlers.subscriptions import may_manage
from storage import chats


async def start(update: Update, context: BotContext) -> None:
    lang, user = context.lang, update.effective_user
    if user is not None and is_moderator(update, context.services):
        await set_moderator_menu(context.bot, context.bot_data.commands, user.id)
    await reply(
        update,
        Reply(
            _(
                lang,
                "👋 I keep the daily figures of Russia's losses in Ukraine as published by "
                "Ukraine's General Staff, and answer questions about totals, days, periods and "
                "categories.\n\nTry /totals, /day, /range week or /top personnel 10. Sent alone, "
                "/top, /category, /range and /lang offer buttons to choose from; /day has ◀ ▶ for "
                "the report before and after.\nAll commands: /help",
            )
        ),
        lang,
    )


async def help_command(update: Update, context: BotContext) -> None:
    """Everyone's commands; a moderator also reads their own section."""
    lang, commands = context.lang, context.bot_data.commands
    shown = render.help_text(lang, [c for c in commands if c.audience != MODERATORS])
    if is_moderator(update, context.services):
        moderators_only = [c for c in commands if c.audience == MODERATORS]
        shown = Reply(shown.text + "\n" + answer_menus.moderator_help(lang, moderators_only))
    await reply(update, shown, lang)


async def categories(update: Update, context: BotContext) -> None:
    await reply(update, render.categories_list(context.lang), context.lang)


async def set_language(update: Update, context: BotContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    choice = command_args(message).lower()
    choice = {"ua": "uk", "укр": "uk", "українська": "uk", "english": "en", "англ": "en"}.get(choice, choice)
    if choice not in ("en", "uk", ""):
        await reply(update, Reply(_(context.lang, "Usage: /lang en or /lang uk")), context.lang)
        return
    # A group's language is that of its broadcasts: changing it is for its administrators, as /settings is.
    if not await may_manage(update, context):
        lang = context.lang
        await reply(update, Reply(_(lang, "Only the group's administrators can change its language.")), lang)
        return
    if not choice:  # bare, from the menu: the two languages as buttons
        await reply(update, answer_menus.language_picker(context.lang, asker_of(update)), context.lang)
        return
    await context.services.write(lambda s: chats.set_chat_language(s, chat.id, choice))
    context.lang = choice  # the rest of this update speaks the new language, starting with the answer
    await reply(update, Reply(_(context.lang, "Language set to English.")), context.lang)


def register(app: BotApplication) -> None:
    app.add_handler(command("start", start))
    app.add_handler(command("help", help_command))
    app.add_handler(command("categories", categories))
    app.add_handler(command("lang", set_language))
