"""Replies under load: the running bot against the loopback fake Bot API enforcing Telegram's limits (429
with retry_after beyond 30/s, ~1/s into a private chat, 20/min into a group), with flood control's clock
frozen, so what is answered is a count, not a race against the machine's speed."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine

from bot.app import build_application
from bot.flood import USER
from bot.services import BotApplication
from tests.delivery.test_delivery import NOW
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import FakeBotAPI
from tests.support.replies import plain
from tests.support.running import polling, settings_for

#: Telegram's flood limits apply, as to the running bot.
pytestmark = pytest.mark.rate_limits

FLOODER, OTHER = 7001, 7002
SLOW_DOWN = "You are sending commands faster than I can answer. Please wait a few seconds."
BURST = int(USER.burst)


@pytest.fixture
async def app(fake: FakeBotAPI, engine: Engine) -> AsyncIterator[BotApplication]:
    """The bot polling the fake as `lossbot run` runs it (tests/support/running.py), stopped by the test
    itself (all_handled) or at the end."""
    store_reports(engine, reports())
    settings = settings_for(fake)
    frozen = 1000.0  # flood control's clock never moves: no bucket refills during a test
    application = build_application(
        settings, engine=engine, clock=lambda: NOW, token=fake.token, flood_clock=lambda: frozen
    )
    async with polling(application):
        yield application


def texts(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [plain(m["text"]) for m in fake.sent_messages(chat_id)]


async def all_handled(app: BotApplication, fake: FakeBotAPI) -> None:
    """Every injected update fetched (the fake saw the offset confirm them) and handled: stopping the
    application handles what is left in its update queue first (the delivery stops at the teardown)."""
    await fake.wait_for_async("getUpdates", lambda _c: not fake.pending_updates, timeout=30)
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()


async def test_a_flood_of_range_all_costs_one_slow_down_and_loses_no_one_else(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    for _i in range(150):
        fake.inject_message(FLOODER, "/range all")
    fake.inject_message(OTHER, "/totals")
    for _i in range(150):
        fake.inject_message(FLOODER, "/range all")
    await fake.wait_for_async(
        "sendMessage", lambda c: c.ok and c.chat_id == FLOODER, count=BURST + 1, timeout=60
    )
    await fake.wait_for_async("sendMessage", lambda c: c.ok and c.chat_id == OTHER, timeout=30)
    await all_handled(app, fake)

    flooder = texts(fake, FLOODER)
    assert len(flooder) == BURST + 1  # the burst answered, one "slow down", then silence
    assert flooder.count(SLOW_DOWN) == 1
    assert all("Personnel" in t for t in flooder if t != SLOW_DOWN)
    [totals] = texts(fake, OTHER)  # the other user's /totals is not lost in the flood
    assert "as of 25 Oct 2024" in totals
    assert fake.too_many_requests == 0  # every reply waited for its chat's slot: none refused
    assert not any("went wrong" in t for t in flooder)


async def test_thirty_quick_day_commands_get_every_allowed_answer(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    """Telegram takes ~1 message/s into a private chat: the answers that flood control allows all arrive
    (paced), none refused with a 429."""
    for _i in range(30):
        fake.inject_message(FLOODER, "/day 2024-10-25")
    await fake.wait_for_async(
        "sendMessage", lambda c: c.ok and c.chat_id == FLOODER, count=BURST + 1, timeout=60
    )
    await all_handled(app, fake)
    answers = texts(fake, FLOODER)
    assert len(answers) == BURST + 1 and answers.count(SLOW_DOWN) == 1
    assert sum("Personnel: +1,630" in t for t in answers) == BURST
    assert fake.too_many_requests == 0
    times = fake.send_times(FLOODER)
    assert all(b - a >= 0.9 for a, b in itertools.pairwise(times))  # one a second, at most


async def test_every_button_press_is_answered_even_in_a_flood(app: BotApplication, fake: FakeBotAPI) -> None:
    fake.inject_message(FLOODER, "/subscribe")
    await fake.wait_for_async("sendMessage", lambda c: c.ok and c.chat_id == FLOODER, timeout=30)
    fake.inject_message(FLOODER, "/settings")
    [menu] = await fake.wait_for_async(
        "sendMessage", lambda c: c.ok and "Settings of this chat" in str(c.params.get("text")), timeout=30
    )
    presses = [
        fake.inject_callback_query(FLOODER, FLOODER, menu.result["message_id"], data)
        for data in ["sub:recv:summary", "sub:recv:both"] * 15
    ]
    await fake.wait_for_async("answerCallbackQuery", count=len(presses), timeout=60)
    await all_handled(app, fake)

    answers = fake.callback_answers
    assert set(presses) <= set(answers)  # every spinner stopped
    toasts = [answers[p].get("text") for p in presses]
    allowed = BURST - 2  # /subscribe and /settings came first
    assert toasts.count("Saved.") == allowed
    assert toasts.count(SLOW_DOWN) == len(presses) - allowed
    assert len(fake.calls_of("editMessageText")) == allowed  # the dropped presses changed nothing
    assert fake.too_many_requests == 0


async def test_another_users_commands_in_a_group_are_answered(app: BotApplication, fake: FakeBotAPI) -> None:
    """In a group, one member's flood ends at their own limit: the group's bucket is larger, so the others
    are still answered (paced at Telegram's 20 a minute into a group)."""
    group = -5001
    for _i in range(20):
        fake.inject_message(group, "/totals", chat_type="group", user_id=FLOODER)
    fake.inject_message(group, "/totals", chat_type="group", user_id=OTHER)
    await fake.wait_for_async(
        "sendMessage", lambda c: c.ok and c.chat_id == group, count=BURST + 2, timeout=60
    )
    await all_handled(app, fake)
    answers = texts(fake, group)
    assert answers.count(SLOW_DOWN) == 1
    assert sum("as of 25 Oct 2024" in t for t in answers) == BURST + 1  # the flooder's burst, and OTHER
    assert fake.too_many_requests == 0


@pytest.mark.usefixtures("app")
async def test_a_reply_refused_with_429_is_sent_again_after_retry_after(fake: FakeBotAPI) -> None:
    fake.set_chat_fault(OTHER, ("flood", 1), times=1)  # Telegram: "retry after 1"
    fake.inject_message(OTHER, "/totals")
    refused, sent = await fake.wait_for_async(
        "sendMessage", lambda c: c.chat_id == OTHER, count=2, timeout=30
    )
    assert refused.status == 429 and sent.ok
    assert sent.time - refused.time >= 1.0  # it waited as told
    [totals] = texts(fake, OTHER)
    assert "as of 25 Oct 2024" in totals
