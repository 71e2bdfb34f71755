"""Fixtures the delivery tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram.ext import ExtBot

from bot.services import DEFAULTS
from tests.support.fakebotapi import FakeBotAPI


@pytest.fixture
async def tg(fake: FakeBotAPI) -> AsyncIterator[ExtBot[Any]]:
    """A bot as the running one is: with its Defaults (HTML, no link previews), against the test
    module's `fake` Bot API."""
    async with ExtBot(fake.token, base_url=fake.base_url, defaults=DEFAULTS) as bot:
        yield bot
