"""`lossbot ask`: the bot's real handlers, answering one message without Telegram.

An in-process stand-in for the Bot API's HTTP layer answers the few calls the bot makes and keeps what it
sends; nothing else differs from the running bot.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData
from typing_extensions import override

from bot.app import build_application
from bot.config import Settings
from storage import chats

CHAT_ID = 1
USER_ID = 1
BOT = {"id": 1, "is_bot": True, "first_name": "lossbot", "username": "lossbot"}


@dataclass
class Sent:
    method: str
    text: str
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    #: The labels of the inline keyboard under the message, row by row.
    buttons: list[list[str]] = field(default_factory=list)


class OfflineRequest(BaseRequest):
    """Answers Bot API calls in-process and records the messages the bot sends."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._message_id = 1

    @override
    async def initialize(self) -> None:
        return None

    @override
    async def shutdown(self) -> None:
        return None

    @property
    @override
    def read_timeout(self) -> float | None:
        return None

    @override  # the signature is BaseRequest's: the timeouts mean nothing without a network
    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        result: Any = True
        if api_method == "getMe":
            result = BOT
        elif api_method.startswith(("send", "edit")):
            files: dict[str, tuple[str, bytes]] = {}
            if request_data is not None:
                for name, part in request_data.multipart_data.items():
                    content = part[1] if isinstance(part[1], bytes) else part[1].read()
                    files[name] = (part[0] or name, content)
            text = str(params.get("text") or params.get("caption") or "")
            self.sent.append(Sent(api_method, text, files, _button_labels(params.get("reply_markup"))))
            self._message_id += 1
            result = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": {"id": CHAT_ID, "type": "private"},
                "from": BOT,
                "text": text,
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()


def _button_labels(markup: Any) -> list[list[str]]:
    """The labels of an inline keyboard as PTB sends it (a JSON string, or a dict)."""
    if isinstance(markup, str):
        markup = json.loads(markup)
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [[str(button.get("text", "")) for button in row] for row in rows]


def message_update(text: str, lang: str) -> dict[str, Any]:
    """A private-chat message as Telegram would deliver it (with the command entity it would mark)."""
    message: dict[str, Any] = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": CHAT_ID, "type": "private", "first_name": "You"},
        "from": {"id": USER_ID, "is_bot": False, "first_name": "You", "language_code": lang},
        "text": text,
    }
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0] if text.split() else text
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": 1, "message": message}


async def ask(settings: Settings, text: str, *, lang: str, engine: Engine | None = None) -> list[Sent]:
    """The messages the bot sends in reply to TEXT from a private chat (ENGINE: the store to answer from;
    by default the configured one)."""
    request = OfflineRequest()
    app = build_application(settings, engine=engine, request=request, token="1:offline")
    # `lossbot ask --lang uk` answers in Ukrainian even after an earlier `ask "/lang en"`: each question
    # comes from the same pseudo chat, but --lang is what the person asking chose this time.
    await app.bot_data.services.write(lambda s: chats.forget_chat_language(s, CHAT_ID))
    async with app:
        await app.process_update(Update.de_json(message_update(text, lang), app.bot))
    await app.bot_data.services.read(lambda _s: None)  # let the worker thread finish before disposing
    app.bot_data.services.engine.dispose()
    return request.sent


def save_files(sent: list[Sent], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for message in sent:
        for filename, content in message.files.values():
            path = out_dir / Path(filename).name
            path.write_bytes(content)
            paths.append(path)
    return paths
