"""The moderators' workflow end to end: the real bot, polling the loopback fake Bot API, on real SQLite."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.app import build_application
from bot.domain.report import ReportFigures
from bot.moderation import workflow as mod
from bot.services import BotApplication
from storage import moderation as store
from storage import queries
from storage.db import reading, transaction
from storage.writes import store_reports
from tests.moderation.test_moderation import DAY, NOW, expected_totals, report_text, seed, seeded_totals
from tests.support.fakebotapi import Call, FakeBotAPI
from tests.support.running import settings_for

MOD_A, MOD_B, STRANGER = 111, 222, 999

# Every test talks to the running bot through the fake Bot API; none needs the application object itself.
pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def published() -> list[tuple[date, bool]]:
    return []


@pytest.fixture
async def bot(
    fake: FakeBotAPI, engine: Engine, published: list[tuple[date, bool]]
) -> AsyncIterator[BotApplication]:
    seed(engine)
    settings = settings_for(fake, moderator_ids=frozenset({MOD_A, MOD_B}))
    app = build_application(settings, engine=engine, clock=lambda: NOW, token=fake.token)

    async def hook(day: date, correction: bool) -> None:
        published.append((day, correction))

    app.bot_data.services.publish_hooks.append(hook)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


def text_has(chat_id: int, *parts: str) -> Any:
    def match(call: Call) -> bool:
        text = str(call.params.get("text", ""))
        return call.ok and call.params.get("chat_id") == chat_id and all(p in text for p in parts)

    return match


async def said(fake: FakeBotAPI, chat_id: int, *parts: str, count: int = 1) -> list[Call]:
    return await fake.wait_for_async("sendMessage", text_has(chat_id, *parts), count=count)


def buttons(call: Call) -> dict[str, str]:
    markup = call.params["reply_markup"]
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


async def preview_of(fake: FakeBotAPI, chat_id: int, text: str, **kwargs: Any) -> Call:
    fake.inject_message(chat_id, text, **kwargs)
    [call] = await said(fake, chat_id, "Preview: report of")
    return call


def press(fake: FakeBotAPI, chat_id: int, user_id: int, call: Call, label: str) -> str:
    return fake.inject_callback_query(chat_id, user_id, call.result["message_id"], buttons(call)[label])


def revisions(engine: Engine, day: date = DAY) -> list[tuple[int, int]]:
    with reading(engine) as session:
        return [(r.revision, r.moderator_id) for r in store.revisions_of(session, day)]


async def test_forward_preview_publish(
    fake: FakeBotAPI, engine: Engine, published: list[tuple[date, bool]]
) -> None:
    # A year-less heading in a forwarded post: dated by when the General Staff posted it, not by now.
    origin = {"type": "channel", "chat": {"id": -1001, "type": "channel", "title": "GS"}, "message_id": 5,
              "date": int(NOW.timestamp())}  # fmt: skip
    preview = await preview_of(fake, MOD_A, report_text(year=False), forward_origin=origin)
    text = preview.params["text"]
    assert "<b>Preview: report of 25 Oct 2024</b> — new" in text
    assert f"Personnel: {expected_totals()['personnel']:,} (+1,630 · +1,630)" in text
    assert "difference from 24 Oct 2024" in text
    assert set(buttons(preview)) == {"✅ Publish", "✖️ Cancel"}

    press(fake, MOD_A, MOD_A, preview, "✅ Publish")
    await said(fake, MOD_A, "✅ Published the report of 25 Oct 2024 (revision 1).")
    with reading(engine) as session:
        stored = queries.report_on(session, DAY)
        assert stored is not None and (stored.source, stored.revision) == ("moderator", 1)
        assert stored.totals == expected_totals() and stored.figures["tanks"].change == 7
        [audit] = store.revisions_of(session, DAY)
        assert (audit.moderator_id, audit.revision, audit.raw_text) == (MOD_A, 1, report_text(year=False))
    assert published == [(DAY, False)]


async def test_stranger_is_refused_and_nothing_is_stored(
    fake: FakeBotAPI, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="handlers.moderation")
    fake.inject_message(STRANGER, "/post " + report_text())
    await said(fake, STRANGER, "Sorry, this is for the bot's moderators only.")
    preview = await preview_of(fake, MOD_A, report_text())
    query_id = press(fake, MOD_A, STRANGER, preview, "✅ Publish")  # someone else's button
    await fake.wait_for_async("answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query_id)
    assert "moderators only" in fake.callback_answers[query_id]["text"]
    fake.inject_message(STRANGER, "/status")
    await said(fake, STRANGER, "moderators only", count=2)
    assert "refused for user 999" in caplog.text
    with reading(engine) as session:
        assert queries.report_on(session, DAY) is None
        assert [p.moderator_id for p in store.pending_previews(session)] == [MOD_A]


async def test_correction_and_history(
    fake: FakeBotAPI, engine: Engine, published: list[tuple[date, bool]]
) -> None:
    first = await preview_of(fake, MOD_A, report_text())
    press(fake, MOD_A, MOD_A, first, "✅ Publish")
    await said(fake, MOD_A, "Published the report")
    total = expected_totals()["tanks"] + 3
    fake.inject_message(MOD_B, f"/correct 2024-10-25 tanks {total} +10")
    [preview] = await said(fake, MOD_B, "Preview: report of 25 Oct 2024", "a correction (revision 2)")
    assert "this date is already published (revision 1" in preview.params["text"]
    press(fake, MOD_B, MOD_B, preview, "✅ Publish")
    await said(fake, MOD_B, "✅ Corrected the report of 25 Oct 2024: now revision 2.")
    assert revisions(engine) == [(1, MOD_A), (2, MOD_B)]
    with reading(engine) as session:
        stored = queries.report_on(session, DAY)
        assert stored is not None and stored.figures["tanks"].total == total
        assert stored.figures["tanks"].increase == 10 and stored.figures["tanks"].change == 10
    assert published == [(DAY, False), (DAY, True)]

    fake.inject_message(MOD_A, "/history 2024-10-25")
    [history] = await said(fake, MOD_A, "Revisions of the report of 25 Oct 2024")
    assert "rev 1: published by moderator 111" in history.params["text"]
    assert "rev 2: corrected by moderator 222" in history.params["text"]
    fake.inject_message(MOD_A, "/status")
    [status] = await said(fake, MOD_A, "Latest report")
    assert (
        "25 Oct 2024 (revision 2)" in status.params["text"]
        and "Open previews</b>: 0" in status.params["text"]
    )


async def test_two_moderators_and_a_double_tap_make_one_revision(
    fake: FakeBotAPI, engine: Engine, published: list[tuple[date, bool]]
) -> None:
    preview_a = await preview_of(fake, MOD_A, report_text())
    preview_b = await preview_of(fake, MOD_B, report_text())
    fake.clear_calls()
    press(fake, MOD_A, MOD_A, preview_a, "✅ Publish")
    press(fake, MOD_A, MOD_A, preview_a, "✅ Publish")  # double tap
    press(fake, MOD_B, MOD_B, preview_b, "✅ Publish")  # the other moderator, at the same time
    replies = await fake.wait_for_async("sendMessage", lambda c: c.ok, count=3)
    texts: dict[int, list[str]] = {}
    for call in replies:
        texts.setdefault(call.params["chat_id"], []).append(call.params["text"])
    [(revision, winner)] = revisions(engine)
    loser = MOD_B if winner == MOD_A else MOD_A
    assert revision == 1 and published == [(DAY, False)]
    assert sum("Published the report" in t for c in replies for t in [c.params["text"]]) == 1
    assert any("Published the report of 25 Oct 2024 (revision 1)" in t for t in texts[winner])
    # The other moderator is told who was first; A's second tap is told the preview is closed.
    assert any("⛔ Not published" in t and f"by moderator {winner}" in t for t in texts[loser])
    assert len(texts[MOD_A]) == 2 and len(texts.get(MOD_B, [])) == 1


async def test_stale_preview_is_refused(fake: FakeBotAPI, engine: Engine) -> None:
    preview = await preview_of(fake, MOD_A, report_text())
    changed = seeded_totals(DAY - timedelta(days=1))
    changed["uav"] += 5
    with transaction(engine) as session:  # yesterday's figures are re-imported meanwhile
        store_reports(session, [ReportFigures(DAY - timedelta(days=1), "petroivaniuk", changed)])
    press(fake, MOD_A, MOD_A, preview, "✅ Publish")
    await said(fake, MOD_A, "changed since this preview was shown")
    with reading(engine) as session:
        assert queries.report_on(session, DAY) is None
    assert revisions(engine) == []


async def test_findings_need_publish_anyway(fake: FakeBotAPI, engine: Engine) -> None:
    totals = expected_totals()
    totals["tanks"] -= 20  # down from the day before
    totals["personnel"] += 20_000  # far above the last 90 days
    future = DAY + timedelta(days=1)  # within the day of grace: later is refused outright
    preview = await preview_of(fake, MOD_A, report_text(future, totals=totals))
    text = preview.params["text"]
    assert "Tanks: the total went down" in text
    assert "Personnel: +21,630 is far above what the last 90 days make plausible" in text
    assert "the report date 26 Oct 2024 is in the future" in text
    press(fake, MOD_A, MOD_A, preview, "✅ Publish")
    [confirm] = await said(fake, MOD_A, "This preview has errors. Are you sure?")
    assert set(buttons(confirm)) == {"⚠️ Publish anyway", "✖️ Cancel"}
    with reading(engine) as session:
        assert queries.report_on(session, future) is None
    press(fake, MOD_A, MOD_A, confirm, "⚠️ Publish anyway")
    await said(fake, MOD_A, "Published the report of 26 Oct 2024 (revision 1).")
    assert revisions(engine, future) == [(1, MOD_A)]


async def test_cancel_and_not_a_report(fake: FakeBotAPI, engine: Engine) -> None:
    fake.inject_message(MOD_A, "/post")
    await said(fake, MOD_A, "Send or forward the General Staff's report text now.")
    fake.inject_message(MOD_A, "good morning")
    await said(fake, MOD_A, "I could not read a report in that text (no line with a category and a number)")
    preview = await preview_of(fake, MOD_A, report_text())
    press(fake, MOD_A, MOD_A, preview, "✖️ Cancel")
    await said(fake, MOD_A, "Cancelled: nothing was published.")
    assert revisions(engine) == []


async def test_help_shows_moderators_their_own_section(fake: FakeBotAPI) -> None:
    for lang, heading, usage, correct in (
        (
            "en",
            "<b>For moderators</b>",
            "/correct DATE CATEGORY TOTAL [INCREASE]",
            "correct one figure of a report (moderators)",
        ),
        (
            "uk",
            "<b>Для модераторів</b>",
            "/correct ДАТА КАТЕГОРІЯ ЗАГАЛОМ [ПРИРІСТ]",
            "виправити одне число звіту (модератори)",
        ),
    ):
        fake.inject_message(MOD_A, "/help", language_code=lang)
        [help_call] = await said(fake, MOD_A, heading)
        assert f"{usage} — {correct}" in help_call.params["text"]
        fake.inject_message(STRANGER, "/help", language_code=lang)
    # Everyone else reads only what they can use.
    stranger = await said(fake, STRANGER, "/totals", count=2)
    for call in stranger:
        assert "/correct" not in call.params["text"] and "/post" not in call.params["text"]
        assert "moderat" not in call.params["text"] and "модерат" not in call.params["text"]


async def test_a_moderators_question_is_answered_and_a_pasted_report_still_previews(
    fake: FakeBotAPI, engine: Engine
) -> None:
    # Plain text from a moderator is a report to preview when it is one; a question otherwise.
    fake.inject_message(MOD_A, "how many tanks on 24 October 2024?")
    [answer] = await said(fake, MOD_A, "💬 Asked as: /category tanks on 24 october 2024")
    tanks = seeded_totals(DAY - timedelta(days=1))["tanks"]
    assert f"🛡 Tanks on 24 Oct 2024: <b>+10</b>, <b>{tanks:,}</b> in all" in answer.params["text"]
    fake.inject_message(MOD_B, "скільки танків 24 жовтня 2024", language_code="uk")
    await said(fake, MOD_B, "💬 Як команда: /category tanks 24 жовтня 2024")
    await preview_of(fake, MOD_A, report_text())
    with reading(engine) as session:
        assert [p.moderator_id for p in store.pending_previews(session)] == [MOD_A]


async def test_impossible_reports_are_refused_without_a_preview(fake: FakeBotAPI, engine: Engine) -> None:
    # A pasted report dated after today (and its day of grace), and a figure no report can have.
    fake.inject_message(MOD_A, "/post " + report_text(date(2099, 1, 1)))
    await said(
        fake, MOD_A, "⛔ Refused: the report date 1 Jan 2099 is after today (26 Oct 2024 at the latest)."
    )
    fake.inject_message(MOD_A, f"/correct 2024-10-24 tanks {2**63}")
    await said(fake, MOD_A, "⛔ Refused: Tanks: the total 9,223,372,036,854,775,808 is beyond any possible")
    with reading(engine) as session:
        assert store.pending_previews(session) == []
        assert queries.report_on(session, date(2099, 1, 1)) is None
    assert not [c for c in fake.calls_of("sendMessage") if "went wrong" in str(c.params.get("text"))]


async def test_a_preview_and_status_fit_one_message(fake: FakeBotAPI, engine: Engine) -> None:
    # A pasted text naming 400 other dates: the parser's warning lists them all, the preview cuts it.
    dates = "\n".join(f"seen on {DAY - timedelta(days=i):%d.%m.%Y}" for i in range(1, 401))
    preview = await preview_of(fake, MOD_A, report_text() + dates)
    text = preview.params["text"]
    assert len(text) <= 4096 and "parser: the text also mentions" in text and "…" in text
    assert set(buttons(preview)) == {"✅ Publish", "✖️ Cancel"}
    # 300 open previews: /status lists what fits and says how many more.
    with transaction(engine) as session:
        for _i in range(300):
            p = mod.make_preview(session, report_date=DAY, totals=expected_totals(), increases={}, today=DAY)
            mod.save_preview(session, p, chat_id=MOD_A, moderator_id=MOD_A, raw_text="x", now=NOW)
    fake.inject_message(MOD_A, "/status")
    [status] = await said(fake, MOD_A, "Open previews</b>: 301")
    text = status.params["text"]
    assert len(text) <= 4096 and text.splitlines()[-1].startswith("… and ") and text.endswith(" more")


async def answer_to(fake: FakeBotAPI, query_id: str) -> dict[str, Any]:
    await fake.wait_for_async("answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query_id)
    return fake.callback_answers[query_id]


async def test_buttons_are_known_actions_on_ones_own_preview(fake: FakeBotAPI, engine: Engine) -> None:
    preview = await preview_of(fake, MOD_A, report_text())
    message_id = preview.result["message_id"]
    pid = buttons(preview)["✅ Publish"].rsplit(":", 1)[1]
    # An action no button has, on a real preview: refused on the button, nothing done.
    unknown = fake.inject_callback_query(MOD_A, MOD_A, message_id, f"mod:zzz:{pid}")
    assert "not one of mine" in (await answer_to(fake, unknown))["text"]
    # Another moderator: in the owner's chat, or with the owner's preview id in their own chat.
    for chat in (MOD_A, MOD_B):
        other = fake.inject_callback_query(chat, MOD_B, message_id, f"mod:pub:{pid}")
        assert "another moderator's" in (await answer_to(fake, other))["text"]
    # Data nobody handles at all is answered too (the spinner stops).
    stray = fake.inject_callback_query(MOD_A, MOD_A, message_id, "zzz")
    assert "This button is no longer valid." in (await answer_to(fake, stray))["text"]
    with reading(engine) as session:
        assert queries.report_on(session, DAY) is None
        assert [p.id for p in store.pending_previews(session)] == [int(pid)]
    # The owner's tap still works.
    press(fake, MOD_A, MOD_A, preview, "✅ Publish")
    await said(fake, MOD_A, "✅ Published the report of 25 Oct 2024 (revision 1).")
