"""What the command line says when Telegram cannot be used: one line that says what to do, never a
traceback and never the token (PTB's InvalidToken message quotes it; a request error may hold its URL)."""

from __future__ import annotations

import httpx
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError

from bot.cli.terminal import printable
from bot.config import Settings
from bot.logs import redact, secret_parts

EXIT_ERROR, EXIT_USAGE = 1, 2

TOKEN_REFUSED = (
    "error: Telegram refused the token in BOT_TOKEN (401 Unauthorized); "
    "copy it again from @BotFather (/mybots → API Token)"
)
SECOND_POLLER = (
    "error: another instance is already getting updates with this BOT_TOKEN (Telegram answered 409 "
    "Conflict); stop it first, or run every instance with `lossbot run --webhook`"
)


def api_host(settings: Settings) -> str:
    """Where the bot connects, without the path (which may end with the token)."""
    url = httpx.URL(settings.telegram_api_base_url)
    return f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")


def telegram_failure(error: TelegramError, settings: Settings, *, queued: bool = False) -> tuple[str, int]:
    """The one line to print for ERROR, and the exit status. QUEUED: messages were left in the outbox."""
    if isinstance(error, InvalidToken):
        return TOKEN_REFUSED, EXIT_USAGE
    if isinstance(error, Conflict):
        return SECOND_POLLER, EXIT_USAGE  # a second instance is a set-up mistake: restarting cannot help
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    detail = printable(redact(error.message, secret_parts([token])), one_line=True)
    if isinstance(error, NetworkError):
        then = "the messages stay queued" if queued else "check the network"
        return f"error: cannot reach the Bot API at {api_host(settings)} ({detail}); {then}", EXIT_ERROR
    return f"error: Telegram answered: {detail}", EXIT_ERROR
