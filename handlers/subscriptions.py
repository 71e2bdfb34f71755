"""Subscribers: /subscribe, /unsubscribe, /settings (what is delivered when; the delivery is bot/delivery).

Private chats subscribe themselves; in groups only administrators may (checked with getChatMember); in
channels the command is posted in the channel (only admins can post there) and arrives as a channel_post,
which CommandHandler does not see, hence the MessageHandler below.
"""

from __future__ import annotations

import html
import logging
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.answers.reply import Reply
from bot.delivery import schedule
from bot.i18n.catalog import N_, _
from bot.i18n.texts import MANAGERS, Command
from bot.services import BotApplication, BotContext
from handlers.common import NO_LONGER_VALID, command, command_args, reply
from storage import chats, schema
from storage import delivery as store

log = logging.getLogger(__name__)

CALLBACK_PREFIX = "sub:"
PRESET_TIMES = ("07:00", "09:00", "12:00", "20:00")

COMMANDS: tuple[Command, ...] = (
    Command("subscribe", "/subscribe", N_("get the daily summary and rank alerts here"), MANAGERS),
    Command("unsubscribe", "/unsubscribe", N_("stop the daily messages"), MANAGERS),
    Command(
        "settings",
        "/settings [time HH:MM [ZONE] | top N M]",
        N_("language, what and when to receive"),
        MANAGERS,
    ),
)

SUBSCRIBED = N_(
    "✅ Subscribed. This chat will get the daily summary of the General Staff's report and alerts "
    "about notable days, as soon as a report is published. Change that with /settings."
)
ALREADY_SUBSCRIBED = N_("This chat is already subscribed. /settings to change what and when.")
UNSUBSCRIBED = N_("Unsubscribed: no more daily messages here. /subscribe to come back.")
NOT_SUBSCRIBED = N_("This chat is not subscribed. /subscribe first.")
SETTINGS_USAGE = N_("Usage: /settings, /settings time HH:MM [ZONE], /settings time now, /settings top N M")
BAD_ZONE = N_("Unknown time zone {zone}; use an IANA name such as Europe/Kyiv.")
BAD_TOP = N_(
    "After top, give two numbers from 1 to 50: alert when a day ranks in the top N for personnel and "
    "in the top M for the other categories, e.g. /settings top 10 5."
)
BAD_TIME = N_("{time} is not a time of day: give the hour (0–23) and minutes (00–59) as HH:MM, e.g. 08:30.")
ADMINS_ONLY = N_("Only the group's administrators can change its subscription.")
#: What a chat receives (Subscription.receive), as /settings names it and as its buttons say.
RECEIVE_NAMES = {
    "both": N_("summary and alerts"),
    "summary": N_("daily summary only"),
    "alerts": N_("rank alerts only"),
}
RECEIVE_BUTTONS = {"summary": N_("Summary"), "alerts": N_("Alerts"), "both": N_("Both")}
#: The digests a chat chose (Subscription.digests), as /settings names them and as its buttons say.
DIGEST_NAMES = {
    "none": N_("none"),
    "weekly": N_("weekly (Mondays)"),
    "monthly": N_("monthly (the 1st)"),
    "both": N_("weekly and monthly"),
}
DIGEST_BUTTONS = {
    "none": N_("No digest"),
    "weekly": N_("Weekly"),
    "monthly": N_("Monthly"),
    "both": N_("Week + month"),
}

_LANG_NAMES = {"en": "English", "uk": "Українська"}


# ------------------------------------------------------------------------------------------ permissions


async def may_manage(update: Update, context: BotContext) -> bool:
    """Private chats and channel posts: yes. Groups: only administrators (anonymous admins too)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return False
    if chat.type in (Chat.PRIVATE, Chat.CHANNEL):
        return True
    message = update.effective_message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator writes as the group itself
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        log.warning("could not check the membership of %s in %s", user.id, chat.id)
        return False
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def _answer(update: Update, text: str, lang: str) -> None:
    """Reply to a command; a channel post gets a new channel message (reply_text works there too)."""
    await reply(update, Reply(text), lang)


async def _managed_chat(update: Update, context: BotContext) -> Chat | None:
    """The chat a subscription command is about, if the sender may manage it; else None, once the
    sender has been told why (in a group, only its administrators may)."""
    chat = update.effective_chat
    if chat is None:
        return None
    if not await may_manage(update, context):
        await _answer(update, _(context.lang, ADMINS_ONLY), context.lang)
        return None
    return chat


# --------------------------------------------------------------------------------------------- commands


async def subscribe(update: Update, context: BotContext) -> None:
    services, lang = context.services, context.lang
    chat = await _managed_chat(update, context)
    if chat is None:
        return
    now = services.clock()
    title = chat.title or chat.username

    def work(session: Any) -> bool:
        # The subscriber's language is that of the daily messages, not the chat's: a group's answers
        # keep following each member's language until an administrator sets one with /lang.
        return store.subscribe(session, chat.id, chat_type=chat.type, title=title, now=now, lang=lang)

    new = await services.write(work)
    await _answer(update, _(lang, SUBSCRIBED if new else ALREADY_SUBSCRIBED), lang)


async def unsubscribe(update: Update, context: BotContext) -> None:
    services, lang = context.services, context.lang
    chat = await _managed_chat(update, context)
    if chat is None:
        return
    done = await services.write(lambda s: store.unsubscribe(s, chat.id, "unsubscribed in the chat"))
    await _answer(update, _(lang, UNSUBSCRIBED if done else NOT_SUBSCRIBED), lang)


def daily_language(sub: schema.Subscription, chosen: str | None) -> str:
    """The language of a chat's daily messages: the chat's (/lang), else the subscriber's."""
    return chosen or sub.lang or "en"


def _settings_text(sub: schema.Subscription, lang: str, daily: str) -> str:
    when = (
        _(lang, "at {time} ({zone})", time=sub.send_at, zone=html.escape(sub.timezone))
        if sub.send_at
        else _(lang, "as soon as the report is published")
    )
    return _(
        lang,
        "<b>Settings of this chat</b>\nLanguage: {language}\nReceives: {receive}\nWhen: "
        "{when}\nAlerts when a day ranks in the top {top_p} (personnel) or top {top_o} "
        "(other categories)\nDigests: {digests}\n\nAlso: <code>/settings time 08:30 Europe/Kyiv</code>, "
        "<code>/settings top 10 5</code>",
        language=_LANG_NAMES.get(daily, daily),
        receive=_(lang, RECEIVE_NAMES[sub.receive]),
        digests=_(lang, DIGEST_NAMES[sub.digests]),
        when=when,
        top_p=sub.top_personnel,
        top_o=sub.top_other,
    )


def _keyboard(sub: schema.Subscription, lang: str, daily: str) -> InlineKeyboardMarkup:
    def button(label: str, data: str, chosen: bool) -> InlineKeyboardButton:
        return InlineKeyboardButton(("• " if chosen else "") + label, callback_data=CALLBACK_PREFIX + data)

    return InlineKeyboardMarkup(
        [
            [button(name, f"lang:{code}", code == daily) for code, name in _LANG_NAMES.items()],
            [
                button(_(lang, RECEIVE_BUTTONS[r]), f"recv:{r}", sub.receive == r)
                for r in schema.RECEIVE_CHOICES
            ],
            [
                button(_(lang, "On publication"), "when:pub", sub.send_at is None),
                *(button(t_, f"when:{t_}", sub.send_at == t_) for t_ in PRESET_TIMES),
            ],
            [button(_(lang, DIGEST_BUTTONS[d]), f"dig:{d}", sub.digests == d) for d in schema.DIGEST_CHOICES],
        ]
    )


async def settings(update: Update, context: BotContext) -> None:
    services, lang = context.services, context.lang
    message = update.effective_message
    if message is None:
        return
    chat = await _managed_chat(update, context)
    if chat is None:
        return
    args = command_args(message).split()
    sub, chosen = await services.read(
        lambda s: (store.get_subscription(s, chat.id), chats.chat_language(s, chat.id))
    )
    if sub is None or not sub.active:
        await _answer(update, _(lang, "This chat is not subscribed. /subscribe first."), lang)
        return
    if args:
        change = _parse_settings(args)
        if isinstance(change, str):
            said = {"zone": " ".join(args[2:]), "time": args[1] if len(args) > 1 else ""}
            await _answer(update, _(lang, change, **{k: html.escape(v) for k, v in said.items()}), lang)
            return
        sub = await services.write(lambda s: store.update_settings(s, chat.id, **change)) or sub
    daily = daily_language(sub, chosen)
    await message.reply_text(_settings_text(sub, lang, daily), reply_markup=_keyboard(sub, lang, daily))


def _parse_settings(args: list[str]) -> dict[str, Any] | str:
    """`time HH:MM [ZONE]` | `time now` | `top N M` → the fields to change, or the catalog message
    saying what is wrong."""
    what = args[0].lower()
    if what == "time" and len(args) >= 2:
        if args[1].lower() in ("now", "pub", "publication"):
            return {"send_at": None}
        if len(args) > 3:
            return SETTINGS_USAGE
        at = schedule.parse_time(args[1])
        if at is None:  # "25:00", "8h": say what a time of day is
            return BAD_TIME
        change: dict[str, Any] = {"send_at": at.strftime("%H:%M")}
        if len(args) == 3:
            zone = zone_name(args[2])
            if zone is None:
                return BAD_ZONE
            change["timezone"] = zone
        return change
    if what == "top":
        if len(args) == 3 and all(a.isdigit() and 1 <= int(a) <= 50 for a in args[1:]):
            return {"top_personnel": int(args[1]), "top_other": int(args[2])}
        return BAD_TOP
    return SETTINGS_USAGE


@cache
def _zones_by_word() -> dict[str, str | None]:
    """Each zone by its name in any case ("europe/kyiv"), else by its last part alone ("kyiv",
    "new_york"); None where two zones share that last part."""
    zones = sorted(available_timezones())
    found: dict[str, str | None] = {}
    for zone in zones:
        city = zone.rsplit("/", 1)[-1].lower()
        found[city] = None if city in found else zone
    found.update({zone.lower(): zone for zone in zones})
    return found


def zone_name(text: str) -> str | None:
    """The IANA zone TEXT names: the name itself ("Europe/Kyiv", "utc"), or a city alone, as people
    type it ("Kyiv", "new_york"); None when it names none."""
    if schedule.zone_or_none(text) is not None:
        return text
    return _zones_by_word().get(text.lower())


async def settings_button(update: Update, context: BotContext) -> None:
    services = context.services
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or query.data is None:
        return
    lang = context.lang
    if chat.type != Chat.PRIVATE and not await _member_is_admin(context, chat.id, query.from_user.id):
        await query.answer(_(lang, ADMINS_ONLY), show_alert=True)
        return
    pressed = parse_settings_button(query.data)
    if pressed is None:
        log.info("unknown settings button %r", query.data)
        await query.answer(_(lang, NO_LONGER_VALID), show_alert=True)
        return
    field_name, value = pressed
    changes: dict[str, Any] = {}
    if field_name == "lang":
        await services.write(lambda s: chats.set_chat_language(s, chat.id, value))
        lang = context.lang = value
    elif field_name == "recv":
        changes["receive"] = schema.Receive(value)
    elif field_name == "when":
        changes["send_at"] = None if value == "pub" else value
    elif field_name == "dig":
        changes["digests"] = schema.Digests(value)
    sub, chosen = await services.write(
        lambda s: (store.update_settings(s, chat.id, **changes), chats.chat_language(s, chat.id))
    )
    if sub is None or not sub.active:
        await query.answer(_(lang, "This chat is not subscribed. /subscribe first."), show_alert=True)
        return
    await query.answer(_(lang, "Saved."))
    daily = daily_language(sub, chosen)
    if query.message is not None:
        try:
            await query.edit_message_text(
                _settings_text(sub, lang, daily), reply_markup=_keyboard(sub, lang, daily)
            )
        except TelegramError as exc:  # "message is not modified" when the same button is pressed again
            log.debug("settings message not edited: %s", exc)


#: What each settings button may set: ``sub:<field>:<value>``, the values its keyboard offers. The one
#: table the keyboard and the presses share; data naming anything else is no longer valid.
SETTINGS_CHOICES: dict[str, tuple[str, ...]] = {
    "lang": tuple(_LANG_NAMES),
    "recv": tuple(schema.RECEIVE_CHOICES),
    "when": ("pub", *PRESET_TIMES),
    "dig": tuple(schema.DIGEST_CHOICES),
}


def parse_settings_button(data: str | None) -> tuple[str, str] | None:
    """(field, value) of a settings button, or None when the data is not one the keyboard makes."""
    if data is None or not data.startswith(CALLBACK_PREFIX):
        return None
    field_name, _sep, value = data.removeprefix(CALLBACK_PREFIX).partition(":")
    return (field_name, value) if value in SETTINGS_CHOICES.get(field_name, ()) else None


async def _member_is_admin(context: BotContext, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return False
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


_CHANNEL_COMMANDS = {"subscribe": subscribe, "unsubscribe": unsubscribe, "settings": settings}


async def channel_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    name, _at, addressee = message.text[1:].split(maxsplit=1)[0].lower().partition("@")
    if addressee and addressee != (context.bot.username or "").lower():
        return  # another bot's
    handler = _CHANNEL_COMMANDS.get(name)
    if handler is not None:
        await handler(update, context)


# ------------------------------------------------------------------------------------------- register


def register(app: BotApplication) -> None:
    """The commands and the settings buttons. The delivery itself (publish hook, periodic job, sender)
    is started and stopped by the composition point, bot/app.py."""
    app.add_handler(command("subscribe", subscribe))
    app.add_handler(command("unsubscribe", unsubscribe))
    app.add_handler(command("settings", settings))
    app.add_handler(
        MessageHandler(
            filters.UpdateType.CHANNEL_POSTS
            & filters.Regex(r"^/(subscribe|unsubscribe|settings)(@\w+)?(\s|$)"),
            channel_command,
        )
    )
    app.add_handler(CallbackQueryHandler(settings_button, pattern=f"^{CALLBACK_PREFIX}"))
