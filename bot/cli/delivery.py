"""`lossbot subscribe`, `unsubscribe`, `subscribers` and `summary [--send]`: the operator's side of
delivery, over the same outbox, Broadcaster and Sender as the running bot."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.answers import facts, summary
from bot.cli.failures import telegram_failure
from bot.cli.terminal import as_plain_text, counted, printable
from bot.delivery.broadcaster import Broadcaster
from bot.delivery.sender import HOLD, Sender
from bot.services import DEFAULTS
from storage import delivery as store
from storage import queries
from storage.db import reading, transaction

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.config import Settings

log = logging.getLogger(__name__)


def _resolve_chat_ids(settings: Settings, names: list[str]) -> list[tuple[int, str, str | None]]:
    """CHAT_ID or @name → (id, type, title). A numeric id needs no network; @name is resolved with getChat."""
    found: list[tuple[int, str, str | None]] = []
    to_resolve = []
    for name in names:
        try:
            chat_id = int(name)
        except ValueError:
            to_resolve.append(name if name.startswith("@") else f"@{name}")
            continue
        found.append((chat_id, "private" if chat_id > 0 else "group", None))
    if to_resolve:
        if settings.bot_token is None:
            raise SystemExit(f"error: resolving {to_resolve[0]} needs BOT_TOKEN; give the numeric chat id")

        async def resolve() -> list[tuple[int, str, str | None]]:
            token = settings.bot_token.get_secret_value() if settings.bot_token else ""
            async with Bot(token, base_url=settings.telegram_api_base_url) as bot:
                chats = [await bot.get_chat(n) for n in to_resolve]
            return [(c.id, c.type, c.title or c.username) for c in chats]

        found += asyncio.run(resolve())
    return found


def cmd_subscribe(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        for chat_id, chat_type, title in _resolve_chat_ids(settings, args.chats):
            with transaction(engine) as session:
                if args.command == "subscribe":
                    done = store.subscribe(session, chat_id, chat_type=chat_type, title=title)
                    print(f"{chat_id}: {'subscribed' if done else 'already subscribed'}")
                else:
                    done = store.unsubscribe(session, chat_id, "unsubscribed by an operator")
                    print(f"{chat_id}: {'unsubscribed' if done else 'was not subscribed'}")
    except TelegramError as exc:  # a refused token, no network, or no such chat: one line, never the token
        line, status = telegram_failure(exc, settings)
        print(line, file=sys.stderr)
        return status
    finally:
        engine.dispose()
    return 0


def cmd_subscribers(settings: Settings, _args: argparse.Namespace) -> int:
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    with reading(engine) as session:
        rows = store.subscribers(session)
    engine.dispose()
    if not rows:
        print("No subscribers.")
        return 0
    print(
        f"{'chat':>15}  {'type':<10} {'state':<8} {'receives':<8} {'when':<16} {'last delivery':<17} "
        "sent failed owed  note"
    )
    for row in rows:
        sub = row.sub
        when = f"{sub.send_at} {sub.timezone.split('/')[-1]}" if sub.send_at else "on publication"
        last = row.last_sent_at.strftime("%Y-%m-%d %H:%M") if row.last_sent_at else "never"
        state = "active" if sub.active else "ended"
        note = printable(sub.ended_reason or sub.title or "", one_line=True)  # a title is anyone's text
        print(
            f"{sub.chat_id:>15}  {sub.chat_type:<10} {state:<8} {sub.receive:<8} {when:<16} {last:<17} "
            f"{row.sent:>4} {row.failed:>6} {row.owed:>4}  {note}"
        )
    return 0


async def send_summary(
    settings: Settings, report_date: date | None, *, lease: float = 60.0
) -> tuple[int, int]:
    """`lossbot summary --send`: queue REPORT_DATE's (default: the latest) summary and alert for every
    subscriber, as the scheduled job would, send them, and return (sent, failed) once nothing is owed.
    While the bot runs (its sender holds the bot token's lease), it only queues them: the bot sends them,
    and it returns (0, 0)."""
    from storage.db import make_engine

    if settings.bot_token is None:
        raise SystemExit("error: BOT_TOKEN is not set")
    engine = make_engine(settings.database_url)
    broadcaster = Broadcaster(engine, settings.zone)
    try:
        with transaction(engine) as session:
            report = (
                queries.report_on(session, report_date) if report_date else queries.latest_report(session)
            )
            if report is None:
                raise SystemExit(f"error: no report {'of ' + str(report_date) if report_date else 'stored'}")
            # An older report is the operator's deliberate resend; one from the future is never sent.
            if report.report_date > settings.today():
                raise SystemExit(
                    f"error: the report of {report.report_date} is dated after today ({settings.today()} in "
                    f"{settings.timezone}); nothing was sent"
                )
            post = store.ensure_post(
                session, report.report_date, available_at=report.stored_at, revision=report.revision
            )
            queued = broadcaster.enqueue_due(session, post=post, force=True)
        print(f"report of {report.report_date}: {counted(queued, 'message')} queued")
        token = settings.bot_token.get_secret_value()
        # An ExtBot with the running bot's Defaults: a plain Bot would send the HTML as plain text.
        async with ExtBot(token, base_url=settings.telegram_api_base_url, defaults=DEFAULTS) as bot:
            # A lease as long as the outbox's, at most the bot's: a killed run blocks no one for longer.
            hold = min(HOLD, timedelta(seconds=lease))
            sender = Sender(bot, engine, lease=timedelta(seconds=lease), hold=hold)
            # One sender per bot token (Telegram's 30/s are the token's): if the running bot sends (it
            # renews its lease), it sends these too; if a sender died, its lease expires and we send.
            if await sender.other_sender_alive():
                print("the running bot is sending for this token: it sends them (see `lossbot subscribers`)")
                return 0, 0
            await sender.run(until_idle=True)
        print(f"sent {sender.sent}, failed {sender.failed}, retried {sender.retried}")
        return sender.sent, sender.failed
    finally:
        engine.dispose()


def _no_report(session: Session, day: date | None) -> str:
    """Why `lossbot summary` has nothing to print, and what would print something."""
    latest = queries.latest_report(session)
    if latest is None:
        return "error: no reports are stored yet; load the history with: lossbot import PATH"
    return (
        f"error: no report is stored for {day}; the latest is of {latest.report_date}"
        f" (lossbot summary --date {latest.report_date})"
    )


def cmd_summary(settings: Settings, args: argparse.Namespace) -> int:
    if not args.send:
        from storage.db import make_engine

        engine = make_engine(settings.database_url)
        with reading(engine) as session:
            report = queries.report_on(session, args.date) if args.date else queries.latest_report(session)
            if report is None:
                print(_no_report(session, args.date), file=sys.stderr)
                return 1
            text = summary.summary_text(facts.report_facts(session, report), args.lang)
            print(text if args.html else as_plain_text(text))
        engine.dispose()
        return 0
    try:
        asyncio.run(send_summary(settings, args.date, lease=args.lease))
    except TelegramError as exc:
        # What was queued stays in the outbox: the next run (or the bot) sends it.
        line, status = telegram_failure(exc, settings, queued=True)
        print(line, file=sys.stderr)
        return status
    return 0


def add_cli_commands(sub: Any, date_type: Callable[[str], date]) -> None:
    """The delivery sub-commands of `lossbot`."""
    for name, what in (("subscribe", "subscribe chats"), ("unsubscribe", "unsubscribe chats")):
        p = sub.add_parser(name, help=f"{what} (numeric ids, or @names resolved with BOT_TOKEN)")
        p.add_argument("chats", nargs="+", metavar="CHAT_ID_OR_@NAME")
        p.set_defaults(func=cmd_subscribe)
    p = sub.add_parser("subscribers", help="list subscribed chats, their state and last delivery")
    p.set_defaults(func=cmd_subscribers)
    p = sub.add_parser("summary", help="print a report's daily summary, or --send it to every subscriber now")
    p.add_argument("--send", action="store_true", help="send it now; exits when every message has ended")
    p.add_argument("--date", type=date_type, metavar="DATE", help="the report date (default: the latest)")
    p.add_argument("--lang", choices=["en", "uk"], default="en", help="language when printing")
    p.add_argument("--html", action="store_true", help="print the summary's HTML markup as sent")
    p.add_argument("--lease", type=float, default=60.0, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_summary, logs_at_settings_level=True)
