"""Subscribers: /subscribe, /unsubscribe, /settings, and the delivery of summaries and alerts."""

from __future__ import annotations

from bot.services import BotApplication

COMMANDS: tuple[tuple[str, str, dict[str, str]], ...] = ()


def register(app: BotApplication) -> None:
    """Nothing yet."""
