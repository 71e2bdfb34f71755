"""A loopback fake of the Telegram Bot API, for tests and benchmarks.

:class:`FakeBotAPI` runs an aiohttp server on ``127.0.0.1`` (a free port) in a background thread with
its own event loop, so it serves a bot running in the test's own event loop as well as a bot started
as a subprocess. Point python-telegram-bot at it with::

    ApplicationBuilder().token(fake.token).base_url(f"{fake.url}/bot").base_file_url(f"{fake.url}/file/bot")

(or :attr:`FakeBotAPI.base_url` / :attr:`FakeBotAPI.base_file_url`). Requests arrive as
``POST {url}/bot{TOKEN}/{method}``, form-encoded or multipart (a JSON body and query parameters are
accepted too); answers are shaped like Telegram's, with the same HTTP statuses and error texts, so PTB
raises the same exceptions as against the real server.

The fake keeps what a test needs to assert on: every request (:attr:`FakeBotAPI.calls`), the messages
the bot sent (:meth:`FakeBotAPI.sent_messages`), the commands it registered, the callback queries it
answered. Tests feed it updates (:meth:`FakeBotAPI.inject_message` and friends), which ``getUpdates``
hands out like Telegram does (long poll, ``offset`` confirms, ``allowed_updates`` filters), and make
chats fail on purpose (:meth:`FakeBotAPI.set_chat_fault`). With ``rate_limits=True`` it enforces
Telegram's flood limits and answers 429 with ``retry_after``.

Everything public is synchronous and thread-safe. The blocking :meth:`FakeBotAPI.wait_for` must not be
called from an event loop that also runs the bot (it would stall the bot): use
:meth:`FakeBotAPI.wait_for_async` there.
"""

from __future__ import annotations

import asyncio
import copy
import html
import itertools
import json
import logging
import math
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

__all__ = [
    "MAX_CAPTION_LENGTH",
    "MAX_MESSAGE_LENGTH",
    "SENDING_METHODS",
    "Call",
    "FakeBotAPI",
    "Fault",
    "SendRecord",
    "Stats",
    "UploadedFile",
    "visible_text",
]

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]
Fault = str | tuple[Any, ...]
"""A fault for :meth:`FakeBotAPI.set_chat_fault`: a name, or a tuple ``(name, argument, ...)``."""

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageReplyMarkup",
    }
)
"""Methods that count against the flood limits and that the per-user faults apply to."""

_USER_FAULT_METHODS = SENDING_METHODS | {"sendChatAction"}

# Fields that are plain strings in the Bot API; every other form field is JSON-decoded when it parses.
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "language_code",
        "secret_token",
        "action",
        "title",
        "description",
        "short_description",
        "name",
        "emoji",
        "message_effect_id",
        "business_connection_id",
        "inline_message_id",
        "file_id",
        "photo",
        "document",
        "ip_address",
        "custom_title",
        "query",
    }
)

# Update types Telegram leaves out unless they are asked for in allowed_updates.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_WELL_FORMED_TOKEN = re.compile(r"^\d+:[\w-]+$")
_BOT_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")

_ADMIN_RIGHTS: JSONDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_post_messages": True,
    "can_edit_messages": True,
    "can_pin_messages": True,
    "can_manage_topics": False,
}

_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})

_DEFAULT_GROUP_USER_ID = 424242


class _ApiError(Exception):
    """An error answer: HTTP status = ``error_code``, Telegram's description, optional parameters."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(text: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {text}")


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded in a multipart request."""

    field: str
    filename: str | None
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        """The upload's size in bytes."""
        return len(self.data)


@dataclass(frozen=True)
class Call:
    """One request the fake answered.

    ``params`` are decoded: numbers, booleans and JSON objects (``reply_markup``, ``commands``, ``scope``,
    ``entities``...) are parsed, text fields stay strings. ``time`` is :func:`time.monotonic` at arrival,
    ``duration`` how long the answer took (long polls, ``slow`` faults).
    """

    method: str
    params: JSONDict
    files: dict[str, UploadedFile]
    time: float
    duration: float
    status: int
    response: JSONDict

    @property
    def ok(self) -> bool:
        """Whether Telegram-the-fake answered ``ok: true``."""
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (``None`` for a failed one)."""
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        """The error description of a failed call."""
        description = self.response.get("description")
        return description if isinstance(description, str) else None

    @property
    def chat_id(self) -> Any:
        """The ``chat_id`` parameter, if any."""
        return self.params.get("chat_id")


@dataclass(frozen=True)
class SendRecord:
    """A successful call of one of :data:`SENDING_METHODS`."""

    time: float
    chat_id: int
    method: str
    message_id: int | None


@dataclass(frozen=True)
class Stats:
    """A snapshot of the fake's counters, for benchmarks."""

    method_counts: dict[str, int]
    status_counts: dict[int, int]
    too_many_requests: int
    sends: list[SendRecord]

    def send_times(self, chat_id: int | None = None) -> list[float]:
        """Monotonic times of the successful sends, optionally into one chat."""
        return [s.time for s in self.sends if chat_id is None or s.chat_id == chat_id]

    def peak_rate(self, window: float = 1.0, chat_id: int | None = None) -> int:
        """The largest number of successful sends within any ``window`` seconds."""
        times = self.send_times(chat_id)
        best = 0
        start = 0
        for end, t in enumerate(times):
            while t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best


@dataclass
class _FaultState:
    kind: str
    arg: Any
    remaining: int | None

    def fire(self) -> None:
        if self.remaining is not None:
            self.remaining -= 1


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class _StoredFile:
    data: bytes
    filename: str | None
    mime_type: str
    path: str
    unique_id: str


@dataclass
class _Request:
    method: str
    params: JSONDict
    files: dict[str, UploadedFile] = field(default_factory=dict)


_Handler = Callable[[_Request], Any]


class FakeBotAPI:
    """A loopback Telegram Bot API server; see the module docstring.

    Args:
        token: the only token the fake accepts; others get 401 Unauthorized.
        bot_username: the bot's username in ``getMe``.
        rate_limits: enforce the flood limits below (429 with ``retry_after``).
        global_per_second: sends per rolling second, all chats together.
        per_chat_per_second: sustained sends per second into one private chat
            (a burst of ``private_burst`` passes first).
        group_per_minute: sends per rolling minute into one group, supergroup or channel.
        private_burst: how many sends into one private chat pass at once.
        strict_chats: answer "chat not found" for chats the fake has never seen (by default any chat id
            is accepted and created on first use: positive ids are private chats, ``-100…`` supergroups,
            other negative ids groups; use :meth:`add_chat` for channels).
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST",
        bot_username: str = "lossbot_test_bot",
        rate_limits: bool = False,
        global_per_second: float = 30,
        per_chat_per_second: float = 1,
        group_per_minute: int = 20,
        private_burst: int = 3,
        strict_chats: bool = False,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        self.rate_limits = rate_limits
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.group_per_minute = group_per_minute
        self.private_burst = private_burst
        self.strict_chats = strict_chats

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)

        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._updates_event: asyncio.Event | None = None
        self._port: int | None = None
        self._start_error: BaseException | None = None
        self._closing = False

        self._calls: list[Call] = []
        self._method_counts: Counter[str] = Counter()
        self._status_counts: Counter[int] = Counter()
        self._too_many_requests = 0
        self._sends: list[SendRecord] = []

        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._last_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._sent: list[tuple[int, int]] = []
        self._deleted: set[tuple[int, int]] = set()

        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(1000)
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._webhook: JSONDict | None = None

        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._callback_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._callback_answers: dict[str, JSONDict] = {}
        self._inline_ids = itertools.count(1)
        self._open_inline_queries: set[str] = set()
        self._inline_answers: dict[str, JSONDict] = {}

        self._files: dict[str, _StoredFile] = {}
        self._file_ids = itertools.count(1)

        self._admins: dict[int, set[int]] = {}
        self._creators: dict[int, int] = {}
        self._member_status: dict[tuple[int, int], str] = {}

        self._chat_faults: dict[int, _FaultState] = {}
        self._method_faults: dict[str, _FaultState] = {}

        self._global_window: deque[float] = deque()
        self._group_windows: dict[int, deque[float]] = {}
        self._private_buckets: dict[int, _Bucket] = {}

        self._handlers: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": self._true,
                "close": self._true,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setMyDescription": self._true,
                "setMyShortDescription": self._true,
                "setChatMenuButton": self._true,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "copyMessage": self._copy_message,
                "forwardMessage": self._forward_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "editMessageMedia": self._edit_message_media,
                "answerInlineQuery": self._answer_inline_query,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
                "getChatAdministrators": self._get_chat_administrators,
                "getFile": self._get_file,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start the server thread; returns once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("FakeBotAPI already started")
        ready = threading.Event()
        self._closing = False
        self._start_error = None
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="FakeBotAPI", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("FakeBotAPI did not start within 10 s")
        if self._start_error is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError("FakeBotAPI failed to start") from self._start_error

    def stop(self) -> None:
        """Stop the server: pending long polls are answered (empty), the thread and its loop are closed."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None:
            with suppress(RuntimeError):  # the loop has already finished
                loop.call_soon_threadsafe(self._begin_shutdown)
        thread.join(15)
        if thread.is_alive():
            raise RuntimeError("FakeBotAPI thread did not stop within 15 s")
        self._thread = None
        self._loop = None
        self._port = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not running")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The value for PTB's ``base_url``: ``{url}/bot``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """The value for PTB's ``base_file_url``: ``{url}/file/bot``."""
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> JSONDict:
        """The bot's ``User`` object, as ``getMe`` returns it."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Lossbot Test",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _serve(self, ready: threading.Event) -> None:
        try:
            asyncio.run(self._main(ready))
        except BaseException as exc:  # reported to start(), or logged if the server was already up
            if ready.is_set():
                _LOGGER.exception("FakeBotAPI server stopped on an error")
            self._start_error = exc
            ready.set()

    async def _main(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        self._updates_event = asyncio.Event()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_not_found)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self._port = int(runner.addresses[0][1])
            ready.set()
            await self._stop_event.wait()
        finally:
            await runner.cleanup()

    def _begin_shutdown(self) -> None:
        self._closing = True
        self._wake_pollers()
        if self._stop_event is not None:
            self._stop_event.set()

    # ------------------------------------------------------------------ recorded calls and stats

    @property
    def calls(self) -> list[Call]:
        """Every request answered so far, in the order the answers were sent (a copy)."""
        with self._lock:
            return list(self._calls)

    def calls_of(self, method: str) -> list[Call]:
        """The calls of one method (case-insensitive name, e.g. ``"sendMessage"``)."""
        wanted = method.lower()
        with self._lock:
            return [c for c in self._calls if c.method.lower() == wanted]

    def clear_calls(self) -> None:
        """Forget the recorded calls and counters (not chats, messages or updates)."""
        with self._lock:
            self._calls.clear()
            self._method_counts.clear()
            self._status_counts.clear()
            self._too_many_requests = 0
            self._sends.clear()

    def _matching(self, method: str | None, predicate: Callable[[Call], bool] | None) -> list[Call]:
        wanted = method.lower() if method else None
        return [
            c
            for c in self._calls
            if (wanted is None or c.method.lower() == wanted) and (predicate is None or predicate(c))
        ]

    def wait_for(
        self,
        method: str | None,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        count: int = 1,
    ) -> list[Call]:
        """Block until at least ``count`` calls of ``method`` (any method if ``None``) match ``predicate``.

        Returns every matching call recorded so far (at least ``count``). Raises :class:`AssertionError`
        listing the calls seen on timeout. Do not call it from the event loop the bot runs in; use
        :meth:`wait_for_async` there.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self._matching(method, predicate)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._timeout_message(method, count, found))
                self._cond.wait(remaining)

    async def wait_for_async(
        self,
        method: str | None,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors wait_for(); the deadline is checked in the loop
        count: int = 1,
    ) -> list[Call]:
        """Like :meth:`wait_for`, but awaits instead of blocking the calling event loop."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = self._matching(method, predicate)
                if len(found) >= count:
                    return found
                if time.monotonic() >= deadline:
                    raise AssertionError(self._timeout_message(method, count, found))
            await asyncio.sleep(0.01)

    def _timeout_message(self, method: str | None, count: int, found: list[Call]) -> str:
        seen = "\n".join(
            f"  {c.method} {c.status} {json.dumps(c.params, ensure_ascii=False, default=str)[:300]}"
            for c in self._calls[-30:]
        )
        return (
            f"expected {count} matching {method or 'any'} call(s), got {len(found)}; "
            f"last calls seen ({len(self._calls)} in all):\n{seen or '  (none)'}"
        )

    @property
    def too_many_requests(self) -> int:
        """How many 429 answers the rate limiter gave."""
        with self._lock:
            return self._too_many_requests

    def method_counts(self) -> dict[str, int]:
        """Requests per method so far."""
        with self._lock:
            return dict(self._method_counts)

    def send_times(self, chat_id: int | None = None) -> list[float]:
        """Monotonic times of the successful sends, optionally into one chat."""
        return self.stats().send_times(chat_id)

    def stats(self) -> Stats:
        """A snapshot of the counters: per method, per HTTP status, 429s, every successful send."""
        with self._lock:
            return Stats(
                method_counts=dict(self._method_counts),
                status_counts=dict(self._status_counts),
                too_many_requests=self._too_many_requests,
                sends=list(self._sends),
            )

    # ------------------------------------------------------------------ what the bot sent

    def sent_messages(self, chat_id: int | None = None, *, include_deleted: bool = False) -> list[JSONDict]:
        """Messages the bot sent (sendMessage, sendPhoto, sendDocument, copyMessage, forwardMessage).

        In send order, as they stand now (edits applied; deleted ones left out unless asked for). Each is
        a ``Message`` dict: ``message_id``, ``chat``, ``date``, ``text`` or ``caption``, ``photo`` or
        ``document``, and ``reply_markup`` as sent (reply keyboards too, which Telegram does not echo).
        """
        with self._lock:
            return [
                copy.deepcopy(self._messages[key])
                for key in self._sent
                if (chat_id is None or key[0] == chat_id) and (include_deleted or key not in self._deleted)
            ]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """A stored message (sent by the bot or injected), as it stands now."""
        with self._lock:
            found = self._messages.get((chat_id, message_id))
            return copy.deepcopy(found) if found is not None else None

    def commands(self, *, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The commands set with ``setMyCommands`` for a scope (default scope) and language."""
        with self._lock:
            return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    @property
    def callback_answers(self) -> dict[str, JSONDict]:
        """Answers to callback queries by query id: the ``answerCallbackQuery`` parameters."""
        with self._lock:
            return copy.deepcopy(self._callback_answers)

    @property
    def inline_answers(self) -> dict[str, JSONDict]:
        """Answers to inline queries by query id: the ``answerInlineQuery`` parameters."""
        with self._lock:
            return copy.deepcopy(self._inline_answers)

    @property
    def webhook(self) -> JSONDict | None:
        """The parameters of the last ``setWebhook``, or ``None`` when no webhook is set."""
        with self._lock:
            return copy.deepcopy(self._webhook)

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by a ``getUpdates`` offset."""
        with self._lock:
            return copy.deepcopy(self._updates)

    # ------------------------------------------------------------------ chats and members

    def add_chat(
        self,
        chat_id: int,
        chat_type: str | None = None,
        *,
        title: str | None = None,
        first_name: str | None = None,
        username: str | None = None,
    ) -> JSONDict:
        """Make a chat known (or change it); returns its ``Chat`` dict. Type defaults from the id."""
        with self._lock:
            return copy.deepcopy(
                self._ensure_chat(chat_id, chat_type, title=title, first_name=first_name, username=username)
            )

    def set_chat_admins(
        self, chat_id: int, user_ids: list[int] | set[int], *, creator: int | None = None
    ) -> None:
        """Make these users (the bot's id included, if wanted) administrators of a chat."""
        with self._lock:
            self._admins[chat_id] = set(user_ids)
            if creator is not None:
                self._creators[chat_id] = creator

    def set_chat_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Force ``getChatMember``'s status: creator, administrator, member, left or kicked."""
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"unsupported status {status!r}; one of {sorted(_MEMBER_STATUSES)}")
        with self._lock:
            self._member_status[(chat_id, user_id)] = status

    # ------------------------------------------------------------------ faults

    def set_chat_fault(self, chat_id: int, fault: Fault | None, *, times: int | None = None) -> None:
        """Make requests about ``chat_id`` fail (``None`` clears).

        Faults and what the bot gets:

        - ``"blocked"``: 403 "Forbidden: bot was blocked by the user"
        - ``"deactivated"``: 403 "Forbidden: user is deactivated"
        - ``"forbidden_transient"``: 403 "Forbidden: bot can't send messages to the user"; only once unless
          ``times`` says otherwise
        - ``"kicked"``: 403 "Forbidden: bot was kicked from the {group|supergroup|channel} chat"
        - ``"not_member"``: 403 "Forbidden: bot is not a member of the {…} chat"
        - ``"chat_deleted"``: 403 "Forbidden: the group chat was deleted"
        - ``"chat_not_found"``: 400 "Bad Request: chat not found"
        - ``("migrated", new_chat_id)``: 400 "Bad Request: group chat was upgraded to a supergroup chat"
          with ``parameters.migrate_to_chat_id`` (PTB raises ``ChatMigrated``)
        - ``"server_error"`` / ``("server_error", status)``: 500 Internal Server Error (or e.g. 502)
        - ``("slow", seconds)``: the answer is delayed, then given normally
        - ``("error", status, description)``: any other error answer
        - ``("flood", seconds)``: 429 "Too Many Requests: retry after N" with ``parameters.retry_after``
          (PTB raises ``RetryAfter``), as Telegram's flood control answers

        The per-user faults (blocked, deactivated, forbidden_transient) hit the sending methods and
        sendChatAction; the others hit every method with this ``chat_id``. ``times``: fire only that
        many times, then clear.
        """
        with self._lock:
            if fault is None:
                self._chat_faults.pop(chat_id, None)
            else:
                self._chat_faults[chat_id] = self._parse_fault(fault, times)

    def set_method_fault(self, method: str, fault: Fault | None, *, times: int | None = None) -> None:
        """Make every call of one method fail (e.g. ``("server_error", 502)`` on getUpdates); ``None`` clears.

        Takes the faults of :meth:`set_chat_fault`; the per-chat texts assume a private chat.
        """
        with self._lock:
            if fault is None:
                self._method_faults.pop(method.lower(), None)
            else:
                self._method_faults[method.lower()] = self._parse_fault(fault, times)

    def clear_faults(self) -> None:
        """Remove every chat and method fault."""
        with self._lock:
            self._chat_faults.clear()
            self._method_faults.clear()

    @staticmethod
    def _parse_fault(fault: Fault, times: int | None) -> _FaultState:
        name, args = (fault, ()) if isinstance(fault, str) else (str(fault[0]), tuple(fault[1:]))
        if name in {"blocked", "deactivated", "kicked", "not_member", "chat_deleted", "chat_not_found"}:
            if args:
                raise ValueError(f"fault {name!r} takes no argument")
            return _FaultState(name, None, times)
        if name == "forbidden_transient":
            return _FaultState(name, None, 1 if times is None else times)
        if name == "migrated" and len(args) == 1 and isinstance(args[0], int):
            return _FaultState(name, args[0], times)
        if name == "server_error" and len(args) <= 1:
            return _FaultState(name, int(args[0]) if args else 500, times)
        if name == "slow" and len(args) == 1:
            return _FaultState(name, float(args[0]), times)
        if name == "error" and len(args) == 2:
            return _FaultState(name, (int(args[0]), str(args[1])), times)
        if name == "flood" and len(args) == 1 and isinstance(args[0], int):
            return _FaultState(name, args[0], times)
        raise ValueError(f"unknown fault {fault!r}")

    # ------------------------------------------------------------------ injecting updates

    def inject_update(self, raw: JSONDict) -> int:
        """Queue an update for ``getUpdates``; an ``update_id`` is assigned when missing. Returns it."""
        update = copy.deepcopy(raw)
        with self._lock:
            if "update_id" in update:
                self._update_ids = itertools.count(max(int(update["update_id"]) + 1, next(self._update_ids)))
            else:
                update["update_id"] = next(self._update_ids)
            self._updates.append(update)
            update_id = int(update["update_id"])
        self._notify_pollers()
        return update_id

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "en",
        forward_origin: JSONDict | None = None,
        first_name: str = "Test",
        username: str | None = None,
        title: str | None = None,
        entities: list[JSONDict] | None = None,
    ) -> int:
        """A user writes ``text`` into a chat; returns the update id.

        ``user_id`` defaults to ``chat_id`` in a private chat and to a fixed user in groups. A leading
        ``/command`` (``/start@bot`` too) gets its ``bot_command`` entity, as PTB's CommandHandler needs.
        """
        with self._lock:
            if user_id is None:
                user_id = chat_id if chat_type == "private" else _DEFAULT_GROUP_USER_ID
            user = self._ensure_user(
                user_id, first_name=first_name, username=username, language_code=language_code
            )
            self._ensure_chat(chat_id, chat_type, title=title, first_name=first_name, username=username)
            extra: JSONDict = {"text": text}
            if entities is None and text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
            if entities:
                extra["entities"] = entities
            if forward_origin is not None:
                extra["forward_origin"] = forward_origin
            message = self._store_message(chat_id, sender=user, extra=extra)
            update = {"message": copy.deepcopy(message)}
        return self.inject_update(update)

    def inject_channel_post(
        self,
        chat_id: int,
        text: str,
        *,
        title: str = "Test channel",
        username: str | None = None,
        forward_origin: JSONDict | None = None,
    ) -> int:
        """A post appears in a channel the bot is in; returns the update id."""
        with self._lock:
            chat = self._ensure_chat(chat_id, "channel", title=title, username=username)
            extra: JSONDict = {"text": text, "sender_chat": copy.deepcopy(chat)}
            if forward_origin is not None:
                extra["forward_origin"] = forward_origin
            message = self._store_message(chat_id, sender=None, extra=extra)
            update = {"channel_post": copy.deepcopy(message)}
        return self.inject_update(update)

    def inject_callback_query(
        self,
        chat_id: int,
        user_id: int,
        message_id: int,
        data: str,
        *,
        first_name: str = "Test",
        language_code: str = "en",
    ) -> str:
        """A user presses an inline button of message ``message_id``; returns the callback query id.

        The query carries the stored message (as it stands now), or a minimal one if it is unknown.
        """
        with self._lock:
            user = self._ensure_user(user_id, first_name=first_name, language_code=language_code)
            chat = self._ensure_chat(chat_id)
            message = self._messages.get((chat_id, message_id)) or {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat,
            }
            query_id = f"cbq{next(self._callback_ids)}"
            self._open_callbacks.add(query_id)
            update = {
                "callback_query": {
                    "id": query_id,
                    "from": copy.deepcopy(user),
                    "chat_instance": f"ci{chat_id}",
                    "message": self._public(message),
                    "data": data,
                }
            }
        self.inject_update(update)
        return query_id

    def inject_inline_query(
        self, user_id: int, query: str, *, first_name: str = "Test", language_code: str = "en"
    ) -> str:
        """A user types ``@bot QUERY`` in some chat; returns the inline query id."""
        with self._lock:
            user = self._ensure_user(user_id, first_name=first_name, language_code=language_code)
            query_id = f"iq{next(self._inline_ids)}"
            self._open_inline_queries.add(query_id)
            update = {
                "inline_query": {"id": query_id, "from": copy.deepcopy(user), "query": query, "offset": ""}
            }
        self.inject_update(update)
        return query_id

    def inject_my_chat_member(
        self,
        chat_id: int,
        *,
        new_status: str,
        old_status: str = "member",
        user_id: int = _DEFAULT_GROUP_USER_ID,
        chat_type: str | None = None,
    ) -> int:
        """The bot's own membership changes (added to a group, blocked by a user...); returns the update id.

        ``old_status``/``new_status``: member, administrator, left or kicked (a private chat's user
        blocking the bot is ``new_status="kicked"``).
        """
        with self._lock:
            chat = self._ensure_chat(chat_id, chat_type)
            user = self._ensure_user(user_id if chat["type"] != "private" else chat_id)
            update = {
                "my_chat_member": {
                    "chat": copy.deepcopy(chat),
                    "from": copy.deepcopy(user),
                    "date": int(time.time()),
                    "old_chat_member": self._member_dict(self.bot_user, old_status),
                    "new_chat_member": self._member_dict(self.bot_user, new_status),
                }
            }
        return self.inject_update(update)

    def _notify_pollers(self) -> None:
        loop = self._loop
        if loop is not None:
            with suppress(RuntimeError):  # loop closed meanwhile: nobody is polling
                loop.call_soon_threadsafe(self._wake_pollers)

    def _wake_pollers(self) -> None:
        """Wake every pending getUpdates (runs in the server loop)."""
        old = self._updates_event
        self._updates_event = asyncio.Event()
        if old is not None:
            old.set()

    # ------------------------------------------------------------------ HTTP layer

    async def _handle_not_found(self, request: web.Request) -> web.StreamResponse:
        start = time.monotonic()
        error = _ApiError(404, "Not Found")
        self._record(request.path, {}, {}, start, 404, error.body())
        return web.json_response(error.body(), status=404)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(_ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        with self._lock:
            stored = next((f for f in self._files.values() if f.path == path), None)
        if stored is None:
            return web.json_response(_ApiError(404, "Not Found").body(), status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        start = time.monotonic()
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            params, files = await self._read_params(request)
        except (ValueError, UnicodeDecodeError) as exc:
            params, files = {}, {}
            status, body = 400, _bad_request(f"can't parse request: {exc}").body()
        else:
            try:
                status, body, method = await self._process(token, method, params, files)
            except Exception as exc:  # a bug in the fake: answer like a server error, keep the trace
                _LOGGER.exception("FakeBotAPI failed on %s", method)
                status, body = 500, _ApiError(500, f"Internal Server Error (fake: {exc!r})").body()
        self._record(method, params, files, start, status, body)
        return web.json_response(body, status=status)

    def _record(
        self,
        method: str,
        params: JSONDict,
        files: dict[str, UploadedFile],
        start: float,
        status: int,
        body: JSONDict,
    ) -> None:
        call = Call(method, params, files, start, time.monotonic() - start, status, body)
        with self._cond:
            self._calls.append(call)
            self._method_counts[method] += 1
            self._status_counts[status] += 1
            if status == 429:
                self._too_many_requests += 1
            self._cond.notify_all()

    @staticmethod
    async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
        raw: JSONDict = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise ValueError("the JSON body is not an object")
                return {**{k: _decode_field(k, v) for k, v in raw.items()}, **body}, files
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    try:
                        data = value.file.read()
                    finally:
                        value.file.close()
                    files[key] = UploadedFile(key, value.filename, value.content_type, data)
                elif isinstance(value, str):
                    raw[key] = value
                else:
                    raw[key] = bytes(value).decode()
        return {k: _decode_field(k, v) for k, v in raw.items()}, files

    async def _process(
        self, token: str, method: str, params: JSONDict, files: dict[str, UploadedFile]
    ) -> tuple[int, JSONDict, str]:
        """Answer one API request: (HTTP status, body, canonical method name)."""
        if not _WELL_FORMED_TOKEN.match(token):
            return 404, _ApiError(404, "Not Found").body(), method
        if token != self.token:
            return 401, _ApiError(401, "Unauthorized").body(), method
        entry = self._handlers.get(method.lower())
        if entry is None and method.lower() != "getupdates":
            return 404, _ApiError(404, "Not Found").body(), method
        name = entry[0] if entry else "getUpdates"
        try:
            for delay, error in self._take_faults(name, params):
                if delay:
                    await asyncio.sleep(delay)
                if error is not None:
                    raise error
            if entry is None:
                result = await self._get_updates(params)
            else:
                with self._lock:
                    chat_id = self._rate_limit(name, params)
                    result = entry[1](_Request(name, params, files))
                    if chat_id is not None:
                        self._record_send(name, chat_id, result)
        except _ApiError as error:
            return error.status, error.body(), name
        return 200, {"ok": True, "result": result}, name

    # ------------------------------------------------------------------ faults and rate limits

    def _take_faults(self, method: str, params: JSONDict) -> list[tuple[float, _ApiError | None]]:
        """The faults that fire for this request, in order: (delay before, error or None)."""
        actions: list[tuple[float, _ApiError | None]] = []
        with self._lock:
            chat_id = params.get("chat_id")
            if isinstance(chat_id, int) and chat_id in self._chat_faults:
                state = self._chat_faults[chat_id]
                if state.kind not in {"blocked", "deactivated", "forbidden_transient"} or (
                    method in _USER_FAULT_METHODS
                ):
                    actions.append(self._fire(state, chat_id))
                    if state.remaining is not None and state.remaining <= 0:
                        del self._chat_faults[chat_id]
            method_state = self._method_faults.get(method.lower())
            if method_state is not None:
                actions.append(self._fire(method_state, chat_id if isinstance(chat_id, int) else self.bot_id))
                if method_state.remaining is not None and method_state.remaining <= 0:
                    del self._method_faults[method.lower()]
        return actions

    def _fire(self, state: _FaultState, chat_id: int) -> tuple[float, _ApiError | None]:
        state.fire()
        kind = state.kind
        if kind == "slow":
            return float(state.arg), None
        chat_kind = _chat_type_for(chat_id, self._chats.get(chat_id))
        if chat_kind == "private":
            chat_kind = "group"
        errors: dict[str, _ApiError] = {
            "blocked": _ApiError(403, "Forbidden: bot was blocked by the user"),
            "deactivated": _ApiError(403, "Forbidden: user is deactivated"),
            "forbidden_transient": _ApiError(403, "Forbidden: bot can't send messages to the user"),
            "kicked": _ApiError(403, f"Forbidden: bot was kicked from the {chat_kind} chat"),
            "not_member": _ApiError(403, f"Forbidden: bot is not a member of the {chat_kind} chat"),
            "chat_deleted": _ApiError(403, "Forbidden: the group chat was deleted"),
            "chat_not_found": _bad_request("chat not found"),
        }
        if kind in errors:
            return 0.0, errors[kind]
        if kind == "migrated":
            return 0.0, _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": int(state.arg)},
            )
        if kind == "flood":
            seconds = int(state.arg)
            return 0.0, _ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
        if kind == "server_error":
            status = int(state.arg)
            phrase = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
            return 0.0, _ApiError(status, phrase.get(status, "Internal Server Error"))
        status, description = state.arg
        return 0.0, _ApiError(int(status), str(description))

    def _rate_limit(self, method: str, params: JSONDict) -> int | None:
        """For a sending method: the target chat id, after checking the flood limits (raises 429)."""
        if method not in SENDING_METHODS:
            return None
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            return None  # inline messages, or an @username resolved by the handler
        if not self.rate_limits:
            return chat_id
        now = time.monotonic()
        waits: list[float] = []
        window = self._global_window
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.global_per_second:
            waits.append(window[0] + 1.0 - now)
        if chat_id > 0:
            bucket = self._refill(chat_id, now)
            if bucket.tokens < 1:
                waits.append((1 - bucket.tokens) / self.per_chat_per_second)
        else:
            group = self._group_windows.setdefault(chat_id, deque())
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= self.group_per_minute:
                waits.append(group[0] + 60.0 - now)
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            raise _ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        return chat_id

    def _refill(self, chat_id: int, now: float) -> _Bucket:
        bucket = self._private_buckets.get(chat_id)
        if bucket is None:
            bucket = self._private_buckets[chat_id] = _Bucket(float(self.private_burst), now)
        bucket.tokens = min(
            float(self.private_burst), bucket.tokens + (now - bucket.stamp) * self.per_chat_per_second
        )
        bucket.stamp = now
        return bucket

    def _record_send(self, method: str, chat_id: int, result: Any) -> None:
        now = time.monotonic()
        message_id = result.get("message_id") if isinstance(result, dict) else None
        self._sends.append(SendRecord(now, chat_id, method, message_id))
        if not self.rate_limits:
            return
        self._global_window.append(now)
        if chat_id > 0:
            self._refill(chat_id, now).tokens -= 1
        else:
            self._group_windows.setdefault(chat_id, deque()).append(now)

    # ------------------------------------------------------------------ state helpers (lock held)

    def _ensure_chat(
        self,
        chat_id: int,
        chat_type: str | None = None,
        *,
        title: str | None = None,
        first_name: str | None = None,
        username: str | None = None,
    ) -> JSONDict:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = {"id": chat_id, "type": _chat_type_for(chat_id, None)}
        if chat_type is not None:
            chat["type"] = chat_type
        if chat["type"] == "private":
            chat.setdefault("first_name", first_name or "Test")
            chat.pop("title", None)
        else:
            chat["title"] = title or chat.get("title") or f"Test {chat['type']}"
        if username is not None:
            chat["username"] = username
        return chat

    def _ensure_user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        user = self._users.setdefault(user_id, {"id": user_id, "is_bot": False, "first_name": first_name})
        user["first_name"] = first_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        return user

    def _resolve_chat(self, value: Any) -> JSONDict:
        """The chat a ``chat_id`` parameter names (an id or ``@username``)."""
        if isinstance(value, bool) or value is None or value == "":
            raise _bad_request("chat_id is empty")
        if isinstance(value, str):
            wanted = value.removeprefix("@").lower()
            for chat in self._chats.values():
                if str(chat.get("username", "")).lower() == wanted:
                    return chat
            raise _bad_request("chat not found")
        if not isinstance(value, int):
            raise _bad_request("chat not found")
        if self.strict_chats and value not in self._chats:
            raise _bad_request("chat not found")
        return self._ensure_chat(value)

    def _store_message(self, chat_id: int, *, sender: JSONDict | None, extra: JSONDict) -> JSONDict:
        chat = self._chats[chat_id]
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        message: JSONDict = {"message_id": message_id, "date": int(time.time()), "chat": copy.deepcopy(chat)}
        if sender is not None:
            message["from"] = copy.deepcopy(sender)
        message.update(copy.deepcopy(extra))
        self._messages[(chat_id, message_id)] = message
        return message

    def _send(self, params: JSONDict, extra: JSONDict) -> JSONDict:
        """Store a message the bot sends and return it as Telegram would."""
        chat = self._resolve_chat(params.get("chat_id"))
        chat_id = int(chat["id"])
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and "message_id" in reply:
            reply_chat = reply.get("chat_id", chat_id)
            replied = self._messages.get((reply_chat, int(reply["message_id"])))
            if replied is not None:
                extra["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
            elif not reply.get("allow_sending_without_reply"):
                raise _bad_request("message to be replied not found")
        if params.get("reply_markup") is not None:
            extra["reply_markup"] = params["reply_markup"]
        if chat["type"] == "channel":
            extra["sender_chat"] = copy.deepcopy(chat)
            sender = None
        else:
            sender = self.bot_user
        message = self._store_message(chat_id, sender=sender, extra=extra)
        self._sent.append((chat_id, int(message["message_id"])))
        return self._public(message)

    @staticmethod
    def _public(message: JSONDict) -> JSONDict:
        """A stored message as the API returns it: only inline keyboards are echoed."""
        public = copy.deepcopy(message)
        markup = public.get("reply_markup")
        if not (isinstance(markup, dict) and "inline_keyboard" in markup):
            public.pop("reply_markup", None)
        return public

    def _find_bot_message(self, params: JSONDict, missing: str) -> JSONDict:
        chat = self._resolve_chat(params.get("chat_id"))
        message_id = params.get("message_id")
        key = (int(chat["id"]), message_id if isinstance(message_id, int) else -1)
        message = self._messages.get(key)
        if message is None or key in self._deleted:
            raise _bad_request(missing)
        return message

    def _new_file(self, upload: UploadedFile, kind: str, default_mime: str) -> tuple[str, _StoredFile]:
        number = next(self._file_ids)
        file_id = f"fake-{kind}-{number}"
        filename = upload.filename or f"file_{number}"
        stored = _StoredFile(
            data=upload.data,
            filename=upload.filename,
            mime_type=upload.content_type or default_mime,
            path=f"{kind}s/file_{number}_{filename}",
            unique_id=f"u{number}",
        )
        self._files[file_id] = stored
        return file_id, stored

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _member_dict(self, user: JSONDict, status: str) -> JSONDict:
        if status == "creator":
            return {"status": "creator", "user": copy.deepcopy(user), "is_anonymous": False}
        if status == "administrator":
            return {"status": "administrator", "user": copy.deepcopy(user), **_ADMIN_RIGHTS}
        if status == "kicked":
            return {"status": "kicked", "user": copy.deepcopy(user), "until_date": 0}
        return {"status": status, "user": copy.deepcopy(user)}

    def _member_status_of(self, chat: JSONDict, user_id: int) -> str:
        chat_id = int(chat["id"])
        if (chat_id, user_id) in self._member_status:
            return self._member_status[(chat_id, user_id)]
        if self._creators.get(chat_id) == user_id:
            return "creator"
        if user_id in self._admins.get(chat_id, set()):
            return "administrator"
        if user_id == self.bot_id and chat["type"] == "channel":
            return "administrator"
        return "member"

    def _user_dict(self, user_id: int) -> JSONDict:
        if user_id == self.bot_id:
            return {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        return copy.deepcopy(
            self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "Test"}
        )

    # ------------------------------------------------------------------ API methods (lock held)

    @staticmethod
    def _true(_: _Request) -> bool:
        return True

    def _get_me(self, _: _Request) -> JSONDict:
        return self.bot_user

    def _set_webhook(self, request: _Request) -> bool:
        url = request.params.get("url")
        if not url:
            self._webhook = None
            return True
        if not isinstance(url, str) or not url.startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = dict(request.params)
        if request.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _delete_webhook(self, request: _Request) -> bool:
        self._webhook = None
        if request.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, _: _Request) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _set_my_commands(self, request: _Request) -> bool:
        commands = request.params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND.match(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = request.params.get("scope")
        if isinstance(scope, dict) and "chat_id" in scope:  # Telegram: "chat not found" for unknown chats
            self._resolve_chat(scope["chat_id"])
        key = self._commands_key(scope, request.params.get("language_code"))
        if commands:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, request: _Request) -> list[JSONDict]:
        key = self._commands_key(request.params.get("scope"), request.params.get("language_code"))
        return copy.deepcopy(self._commands.get(key, []))

    def _delete_my_commands(self, request: _Request) -> bool:
        key = self._commands_key(request.params.get("scope"), request.params.get("language_code"))
        self._commands.pop(key, None)
        return True

    def _send_message(self, request: _Request) -> JSONDict:
        params = request.params
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        _check_length(text, params.get("parse_mode"), MAX_MESSAGE_LENGTH, "message is too long")
        extra: JSONDict = {"text": text}
        if params.get("entities"):
            extra["entities"] = params["entities"]
        if params.get("link_preview_options"):
            extra["link_preview_options"] = params["link_preview_options"]
        return self._send(params, extra)

    def _caption_extra(self, params: JSONDict) -> JSONDict:
        caption = params.get("caption")
        if caption is None or caption == "":
            return {}
        caption = str(caption)
        _check_length(caption, params.get("parse_mode"), MAX_CAPTION_LENGTH, "message caption is too long")
        extra: JSONDict = {"caption": caption}
        if params.get("caption_entities"):
            extra["caption_entities"] = params["caption_entities"]
        return extra

    def _send_photo(self, request: _Request) -> JSONDict:
        params = request.params
        self._resolve_chat(params.get("chat_id"))  # chat errors come before content errors
        extra = self._caption_extra(params)
        upload = request.files.get("photo")
        if upload is not None:
            file_id, stored = self._new_file(upload, "photo", "image/jpeg")
            size = len(stored.data)
            unique_id = stored.unique_id
        elif isinstance(params.get("photo"), str) and params["photo"]:
            file_id = params["photo"].removeprefix("attach://")
            known = self._files.get(file_id)
            size = len(known.data) if known else 0
            unique_id = known.unique_id if known else f"u-{file_id[-12:]}"
        else:
            raise _bad_request("there is no photo in the request")
        extra["photo"] = [
            {"file_id": file_id, "file_unique_id": unique_id, "width": 1280, "height": 720, "file_size": size}
        ]
        return self._send(params, extra)

    def _send_document(self, request: _Request) -> JSONDict:
        params = request.params
        self._resolve_chat(params.get("chat_id"))
        extra = self._caption_extra(params)
        upload = request.files.get("document")
        if upload is not None:
            file_id, stored = self._new_file(upload, "document", "application/octet-stream")
        elif isinstance(params.get("document"), str) and params["document"] in self._files:
            file_id = params["document"]
            stored = self._files[file_id]
        elif isinstance(params.get("document"), str) and params["document"]:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        else:
            raise _bad_request("there is no document in the request")
        document: JSONDict = {
            "file_id": file_id,
            "file_unique_id": stored.unique_id,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }
        if stored.filename:
            document["file_name"] = stored.filename
        extra["document"] = document
        return self._send(params, extra)

    def _source_message(self, params: JSONDict) -> JSONDict:
        source_chat = self._resolve_chat(params.get("from_chat_id"))
        message_id = params.get("message_id")
        key = (int(source_chat["id"]), message_id if isinstance(message_id, int) else -1)
        if key not in self._messages or key in self._deleted:
            raise _bad_request("message to copy not found")
        return self._messages[key]

    _CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "photo", "document")

    def _copy_message(self, request: _Request) -> JSONDict:
        source = self._source_message(request.params)
        extra = {k: copy.deepcopy(source[k]) for k in self._CONTENT_KEYS if k in source}
        if "caption" in request.params:
            extra.pop("caption_entities", None)
            extra.update(self._caption_extra(request.params))
        message = self._send(request.params, extra)
        return {"message_id": message["message_id"]}

    def _forward_message(self, request: _Request) -> JSONDict:
        source = self._source_message(request.params)
        extra = {k: copy.deepcopy(source[k]) for k in self._CONTENT_KEYS if k in source}
        if "from" in source:
            extra["forward_origin"] = {"type": "user", "date": source["date"], "sender_user": source["from"]}
        else:
            extra["forward_origin"] = {
                "type": "channel",
                "date": source["date"],
                "chat": source["chat"],
                "message_id": source["message_id"],
            }
        return self._send({**request.params, "reply_markup": None}, extra)

    def _editable(self, params: JSONDict) -> JSONDict:
        message = self._find_bot_message(params, "message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id and message["chat"]["type"] != "channel":
            raise _bad_request("message can't be edited")
        return message

    def _edit_message_text(self, request: _Request) -> JSONDict | bool:
        params = request.params
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        _check_length(text, params.get("parse_mode"), MAX_MESSAGE_LENGTH, "message is too long")
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        markup = params.get("reply_markup")
        entities = params.get("entities")
        if (
            message["text"] == text
            and message.get("reply_markup") == markup
            and (message.get("entities") == entities)
        ):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        for key, value in (("reply_markup", markup), ("entities", entities)):
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        return self._public(message)

    def _edit_message_reply_markup(self, request: _Request) -> JSONDict | bool:
        params = request.params
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        markup = params.get("reply_markup")
        if message.get("reply_markup") == markup:
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return self._public(message)

    def _edit_message_media(self, request: _Request) -> JSONDict | bool:
        """A photo replaces a message's photo (and its caption and buttons), uploaded or by file id."""
        params = request.params
        media = params.get("media")
        if not isinstance(media, dict) or media.get("type") != "photo":
            raise _bad_request("can't parse InputMedia: media type is not supported here")
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        if "photo" not in message:
            raise _bad_request("there is no media in the message to edit")
        source = str(media.get("media", ""))
        upload = (
            request.files.get(source.removeprefix("attach://")) if source.startswith("attach://") else None
        )
        if upload is not None:
            file_id, stored = self._new_file(upload, "photo", "image/png")
            size, unique_id = len(stored.data), stored.unique_id
        elif source in self._files:
            file_id, size, unique_id = source, len(self._files[source].data), self._files[source].unique_id
        else:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        caption = media.get("caption")
        if isinstance(caption, str):
            _check_length(caption, media.get("parse_mode"), MAX_CAPTION_LENGTH, "message caption is too long")
        if message["photo"][-1]["file_unique_id"] == unique_id and message.get("caption") == caption:
            raise _bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message["photo"] = [
            {"file_id": file_id, "file_unique_id": unique_id, "width": 1280, "height": 720, "file_size": size}
        ]
        for key, value in (("caption", caption), ("reply_markup", params.get("reply_markup"))):
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        return self._public(message)

    def _answer_inline_query(self, request: _Request) -> bool:
        """Checked as Telegram does: a query open, at most 50 results with unique ids of 1–64 bytes."""
        query_id = request.params.get("inline_query_id")
        if not isinstance(query_id, str) or query_id not in self._open_inline_queries:
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        results = request.params.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise _bad_request("RESULTS_TOO_MUCH" if isinstance(results, list) else "can't parse results")
        ids = [str(r.get("id", "")) for r in results if isinstance(r, dict)]
        if len(ids) != len(results) or len(set(ids)) != len(ids):
            raise _bad_request("RESULT_ID_DUPLICATE")
        if any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise _bad_request("RESULT_ID_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            text = content.get("message_text")
            if text is not None:
                _check_length(str(text), content.get("parse_mode"), MAX_MESSAGE_LENGTH, "MESSAGE_TOO_LONG")
        self._open_inline_queries.discard(query_id)
        self._inline_answers[query_id] = dict(request.params)
        return True

    def _delete_message(self, request: _Request) -> bool:
        message = self._find_bot_message(request.params, "message to delete not found")
        self._deleted.add((int(message["chat"]["id"]), int(message["message_id"])))
        return True

    def _answer_callback_query(self, request: _Request) -> bool:
        query_id = request.params.get("callback_query_id")
        if not isinstance(query_id, str) or query_id not in self._open_callbacks:
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        text = request.params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        self._callback_answers[query_id] = dict(request.params)
        return True

    def _send_chat_action(self, request: _Request) -> bool:
        self._resolve_chat(request.params.get("chat_id"))
        if not request.params.get("action"):
            raise _bad_request("action is empty")
        return True

    def _get_chat(self, request: _Request) -> JSONDict:
        chat = copy.deepcopy(self._resolve_chat(request.params.get("chat_id")))
        chat.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return chat

    def _get_chat_member(self, request: _Request) -> JSONDict:
        chat = self._resolve_chat(request.params.get("chat_id"))
        user_id = request.params.get("user_id")
        if not isinstance(user_id, int):
            raise _bad_request("invalid user_id specified")
        if chat["type"] == "private" and user_id not in {chat["id"], self.bot_id}:
            raise _bad_request("user not found")
        return self._member_dict(self._user_dict(user_id), self._member_status_of(chat, user_id))

    def _get_chat_administrators(self, request: _Request) -> list[JSONDict]:
        chat = self._resolve_chat(request.params.get("chat_id"))
        if chat["type"] == "private":
            raise _bad_request("there are no administrators in the private chat")
        chat_id = int(chat["id"])
        ids = {*self._admins.get(chat_id, set()), self.bot_id}
        if chat_id in self._creators:
            ids.add(self._creators[chat_id])
        ids |= {user for (c, user), status in self._member_status.items() if c == chat_id}
        statuses = {user_id: self._member_status_of(chat, user_id) for user_id in sorted(ids)}
        return [  # the creator first, as Telegram lists them
            self._member_dict(self._user_dict(user_id), status)
            for status_wanted in ("creator", "administrator")
            for user_id, status in statuses.items()
            if status == status_wanted
        ]

    def _get_file(self, request: _Request) -> JSONDict:
        file_id = request.params.get("file_id")
        stored = self._files.get(file_id) if isinstance(file_id, str) else None
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Long poll: answer as soon as updates are queued, or after ``timeout`` seconds with []."""
        offset = params.get("offset")
        limit = params.get("limit")
        timeout = params.get("timeout")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        wait = max(float(timeout), 0.0) if isinstance(timeout, int | float) else 0.0
        allowed = params.get("allowed_updates")
        with self._lock:
            if self._webhook is not None:
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(allowed) if allowed else None
            if isinstance(offset, int):
                self._confirm(offset)
            self._poll_generation += 1
            generation = self._poll_generation
        self._wake_pollers()  # an older poll still waiting is now in conflict
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise _ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                batch = self._deliverable(limit)
                event = self._updates_event
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0 or event is None:
                return batch
            with suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _deliverable(self, limit: int) -> list[JSONDict]:
        allowed = self._allowed_updates
        kept = []
        for update in self._updates:
            kind = next((k for k in update if k != "update_id"), "")
            if (kind in allowed) if allowed is not None else (kind not in _OPT_IN_UPDATE_TYPES):
                kept.append(update)
        self._updates = kept  # Telegram never delivers a type the bot did not ask for
        return copy.deepcopy(kept[:limit])


# ---------------------------------------------------------------------- helpers


def _decode_field(name: str, value: Any) -> Any:
    """Decode a form field as the Bot API does: JSON where it parses, except for text fields."""
    if not isinstance(value, str) or name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _chat_type_for(chat_id: int, chat: JSONDict | None) -> str:
    if chat is not None:
        return str(chat["type"])
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _entity_error(text: str) -> _ApiError:
    return _bad_request(f"can't parse entities: {text}")


def _check_length(text: str, parse_mode: Any, limit: int, error: str) -> None:
    """Raise Telegram's error if ``text`` does not parse or is longer than ``limit`` once parsed."""
    if len(visible_text(text, parse_mode)) > limit:
        raise _bad_request(error)


def visible_text(text: str, parse_mode: Any) -> str:
    """The text a user sees once Telegram has parsed ``parse_mode`` markup; raises on invalid markup.

    HTML is checked like Telegram does (supported tags, nesting, a bare ``<``); Markdown and MarkdownV2
    by a close approximation (unclosed entities, unescaped reserved characters in MarkdownV2).
    """
    if parse_mode is None or parse_mode == "":
        return text
    mode = str(parse_mode).lower()
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _parse_markdown_v2(text)
    if mode == "markdown":
        return _parse_markdown(text)
    raise _bad_request(f"unsupported parse_mode {parse_mode!s}")


_HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
        "code", "pre", "blockquote", "tg-emoji", "tg-time",
    }
)  # fmt: skip
_HTML_TAG = re.compile(r"<(/?)([^\s<>/]*)([^<>]*)>")
_HTML_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")


def _parse_html(text: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while True:
        start = text.find("<", pos)
        out.append(text[pos : start if start >= 0 else len(text)])
        if start < 0:
            break
        match = _HTML_TAG.match(text, start)
        if match is None:
            word = re.match(r"[^\s>]*", text[start + 1 :])
            found = word.group() if word else ""
            raise _entity_error(f'Unsupported start tag "{found}" at byte offset {_byte_offset(text, start)}')
        closing, name = match.group(1) == "/", match.group(2).lower()
        if closing:
            if not stack:
                raise _entity_error(f"Unexpected end tag at byte offset {_byte_offset(text, start)}")
            if stack[-1] != name:
                offset = _byte_offset(text, start)
                raise _entity_error(
                    f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
        else:
            if name not in _HTML_TAGS:
                offset = _byte_offset(text, start)
                raise _entity_error(f'Unsupported start tag "{name}" at byte offset {offset}')
            stack.append(name)
        pos = match.end()
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return _HTML_ENTITY.sub(lambda m: html.unescape(m.group()), "".join(out))


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "`": "Code",
    "```": "Pre",
    "[": "TextUrl",
}


def _scan_link_target(text: str, start: int) -> int:
    """Index just past the ``)`` closing a link target that opens at ``text[start] == "("``."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ")":
            return i + 1
        i += 1
    raise _entity_error(f"Can't find end of a url at byte offset {_byte_offset(text, start)}")


def _parse_markdown_v2(text: str) -> str:
    return _MarkdownV2(text).parse()


class _MarkdownV2:
    """MarkdownV2 → the visible text, refusing what the Bot API refuses (unescaped reserved characters,
    entities left open). The text is read one piece at a time: each rule below consumes the piece at an
    index when it applies, and returns the index after it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        #: The open entities: (marker, byte offset where it opened), innermost last.
        self.stack: list[tuple[str, int]] = []

    @property
    def top(self) -> str | None:
        return self.stack[-1][0] if self.stack else None

    def parse(self) -> str:
        i = 0
        while i < len(self.text):
            i = self._step(i)
        if self.stack:
            marker, offset = self.stack[-1]
            raise _entity_error(f"Can't find end of {_MDV2_NAMES[marker]} entity at byte offset {offset}")
        return "".join(self.out)

    def _step(self, i: int) -> int:
        for rule in (self._escaped, self._in_code, self._quote, self._marker, self._link):
            after = rule(i)
            if after is not None:
                return after
        c = self.text[i]
        if c in _MDV2_RESERVED:
            raise _entity_error(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        self.out.append(c)
        return i + 1

    def _escaped(self, i: int) -> int | None:
        """A backslash escapes any ASCII character, in code too."""
        text = self.text
        if text[i] == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) < 127:
            self.out.append(text[i + 1])
            return i + 2
        return None

    def _in_code(self, i: int) -> int | None:
        """Inside code everything is text, up to the closing marker."""
        top = self.top
        if top is None or top not in ("`", "```"):
            return None
        if self.text.startswith(top, i):
            self.stack.pop()
            return i + len(top)
        self.out.append(self.text[i])
        return i + 1

    def _quote(self, i: int) -> int | None:
        """A block quote's ">" (or an expandable one's "**>") at the start of a line."""
        if i > 0 and self.text[i - 1] != "\n":
            return None
        if self.text.startswith("**>", i):
            return i + 3
        return i + 1 if self.text[i] == ">" else None

    def _marker_at(self, i: int) -> str | None:
        c, text = self.text[i], self.text
        if c == "`":
            return "```" if text.startswith("```", i) else "`"
        if c == "_":
            return "__" if text.startswith("__", i) and self.top != "_" else "_"
        if c == "|" and text.startswith("||", i):
            return "||"
        return c if c in "*~" else None

    def _marker(self, i: int) -> int | None:
        """A formatting marker: it closes the innermost open entity of its kind, or opens one."""
        marker = self._marker_at(i)
        if marker is None:
            return None
        open_markers = [m for m, _ in self.stack]
        if marker in open_markers:
            del self.stack[len(open_markers) - 1 - open_markers[::-1].index(marker)]
        else:
            self.stack.append((marker, _byte_offset(self.text, i)))
            if marker == "```":  # skip the language name on the opening line
                lang = re.match(r"```[\w+-]*\n", self.text[i:])
                if lang:
                    i += len(lang.group()) - len(marker)
        return i + len(marker)

    def _link(self, i: int) -> int | None:
        """``[text](url)`` and ``![emoji](tg://emoji?id=…)``: the text is shown, the target is skipped."""
        c = self.text[i]
        if c == "[" or (c == "!" and self.text.startswith("![", i)):
            self.stack.append(("[", _byte_offset(self.text, i)))
            return i + (2 if c == "!" else 1)
        if c == "]" and self.top == "[":
            self.stack.pop()
            if i + 1 < len(self.text) and self.text[i + 1] == "(":
                return _scan_link_target(self.text, i + 1)
            return i + 1
        return None


def _parse_markdown(text: str) -> str:
    """Legacy Markdown: ``*bold*``, ``_italic_``, `` `code` ``, ```` ```pre``` ````, ``[text](url)``."""
    out: list[str] = []
    open_marker: tuple[str, int] | None = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[" and open_marker is None:
            out.append(text[i + 1])
            i += 2
            continue
        if open_marker is not None:
            marker = open_marker[0]
            if marker == "[" and c == "]":
                open_marker = None
                i += 1
                if i < n and text[i] == "(":
                    i = _scan_link_target(text, i)
                continue
            if text.startswith(marker, i) and marker != "[":
                open_marker = None
                i += len(marker)
                continue
            out.append(c)
            i += 1
            continue
        if c in "*_`[":
            marker = "```" if text.startswith("```", i) else c
            open_marker = (marker, _byte_offset(text, i))
            i += len(marker)
            continue
        out.append(c)
        i += 1
    if open_marker is not None:
        raise _entity_error(f"Can't find end of the entity starting at byte offset {open_marker[1]}")
    return "".join(out)
