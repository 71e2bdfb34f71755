"""What the bot says in one message: a text, optionally a photo or a file, and buttons.

Plain values without Telegram types, so answers are built and tested without the Bot API;
handlers/common.py turns a Reply into the Telegram call.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Upload:
    """A photo or file sent with the message."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Button:
    """An inline button; pressing it sends CALLBACK_DATA back to the bot."""

    text: str
    callback_data: str


#: Rows of inline buttons, top to bottom.
Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    #: HTML; with a photo or file, its caption.
    text: str
    photo: Upload | None = None
    document: Upload | None = None
    keyboard: Keyboard = ()

    def __post_init__(self) -> None:
        if self.photo is not None and self.document is not None:
            raise ValueError("one message carries a photo or a file, not both")
