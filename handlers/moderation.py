"""Moderators publish: forwarded or pasted reports → preview → publish; /correct, /history, /status."""

from __future__ import annotations

from bot.services import BotApplication

COMMANDS: tuple[tuple[str, str, dict[str, str]], ...] = ()


def register(app: BotApplication) -> None:
    """Nothing yet."""
