"""Pending previews expire by the bot's periodic job, and a tap on an expired one says "expired"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from bot.app import EXPIRE_JOB, build_application
from bot.services import BotApplication
from storage import moderation as store
from storage import queries
from storage.db import reading, transaction
from tests.handlers.test_moderation_bot import MOD_A, buttons, press, preview_of, said
from tests.moderation.test_moderation import DAY, NOW, report_text, seed
from tests.support.fakebotapi import FakeBotAPI
from tests.support.running import polling, settings_for


@pytest.fixture
async def bot(fake: FakeBotAPI, engine: Engine) -> AsyncIterator[BotApplication]:
    seed(engine)
    settings = settings_for(fake, moderator_ids=frozenset({MOD_A}))
    async with polling(
        build_application(settings, engine=engine, clock=lambda: NOW, token=fake.token)
    ) as app:
        yield app


async def test_an_expired_preview_says_expired(fake: FakeBotAPI, engine: Engine, bot: BotApplication) -> None:
    preview = await preview_of(fake, MOD_A, report_text())
    pid = int(buttons(preview)["✅ Publish"].rsplit(":", 1)[1])
    with transaction(engine) as session:  # shown more than a day ago
        row = store.get_preview(session, pid)
        assert row is not None
        row.created_at = NOW - timedelta(hours=25)
    # The job the bot registered at its start (it runs hourly): run it now.
    assert bot.job_queue is not None
    [job] = bot.job_queue.get_jobs_by_name(EXPIRE_JOB)
    await job.run(bot)
    with reading(engine) as session:
        assert store.pending_previews(session) == []
    press(fake, MOD_A, MOD_A, preview, "✅ Publish")
    await said(fake, MOD_A, "⌛ Not published: this preview of 25 Oct 2024 expired")
    with reading(engine) as session:
        assert queries.report_on(session, DAY) is None
