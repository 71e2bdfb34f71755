"""Per-chat preferences."""

from __future__ import annotations

from sqlmodel import Session

from bot.domain.dates import utc_now
from storage.schema import ChatPrefs


def chat_language(session: Session, chat_id: int) -> str | None:
    prefs = session.get(ChatPrefs, chat_id)
    return prefs.lang if prefs else None


def set_chat_language(session: Session, chat_id: int, lang: str) -> None:
    prefs = session.get(ChatPrefs, chat_id)
    if prefs is None:
        session.add(ChatPrefs(chat_id=chat_id, lang=lang))
    else:
        prefs.lang = lang
        prefs.updated_at = utc_now()
        session.add(prefs)


def forget_chat_language(session: Session, chat_id: int) -> None:
    """Back to the user's Telegram language (the /lang choice of CHAT_ID is dropped)."""
    prefs = session.get(ChatPrefs, chat_id)
    if prefs is not None:
        prefs.lang = None
        prefs.updated_at = utc_now()
        session.add(prefs)
