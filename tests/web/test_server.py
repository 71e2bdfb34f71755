"""The HTTP server over loopback HTTP: the webhook refuses a request without the secret and answers one
with it (the reply reaches the fake Bot API), /healthz says whether the bot and its database are up, and
/metrics counts what happened."""

from __future__ import annotations

import json
import signal
import socket
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import create_engine

from bot.app import build_application
from bot.services import BotApplication
from bot.web.server import SECRET_HEADER
from tests.support import databases
from tests.support.fakebotapi import FakeBotAPI
from tests.support.running import WEBHOOK_SECRET, instance_env, serving, settings_for, start_instance

SECRET = "webhook-secret_0123456789"
WAIT = 30.0  # the most any step may take before the test fails (not a measured expectation)


@pytest.fixture
async def bot(fake: FakeBotAPI, history_copy: str) -> AsyncIterator[BotApplication]:
    settings = settings_for(
        fake,
        database_url=history_copy,
        webhook_url="https://bot.example.org/webhook",
        webhook_secret=SECRET,
        listen_host="127.0.0.1",
        listen_port=0,  # any free port; the server says which
        sources=(),
    )
    app = build_application(settings, token=fake.token, webhook=True)
    async with serving(app):
        yield app


def base(app: BotApplication) -> str:
    assert app.bot_data.web is not None and app.bot_data.web.port is not None
    return f"http://127.0.0.1:{app.bot_data.web.port}"


def update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_760_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Olena"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Olena", "language_code": "en"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_the_webhook_refuses_a_request_without_the_secret(
    bot: BotApplication, fake: FakeBotAPI
) -> None:
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "not-the-secret"}):
            async with http.post(
                f"{base(bot)}/webhook", json=update(1, 501, "/totals"), headers=headers
            ) as r:
                assert r.status == 403
    assert bot.update_queue.empty()
    assert fake.calls_of("sendMessage") == []


async def test_an_update_with_the_secret_is_answered(bot: BotApplication, fake: FakeBotAPI) -> None:
    async with aiohttp.ClientSession() as http:
        headers = {SECRET_HEADER: SECRET}
        async with http.post(f"{base(bot)}/webhook", json=update(2, 502, "/totals"), headers=headers) as r:
            assert r.status == 200
        async with http.post(f"{base(bot)}/webhook", data=b"not json", headers=headers) as r:
            assert r.status == 400
    call = (await fake.wait_for_async("sendMessage", lambda c: c.chat_id == 502, timeout=WAIT))[0]
    assert "Russia's losses as of 22 Aug 2026</b>" in call.params["text"]


async def test_metrics_count_commands_and_describe_the_database(
    bot: BotApplication, fake: FakeBotAPI
) -> None:
    async with aiohttp.ClientSession() as http:
        headers = {SECRET_HEADER: SECRET}
        async with http.post(f"{base(bot)}/webhook", json=update(3, 503, "/totals"), headers=headers) as r:
            assert r.status == 200
        await fake.wait_for_async("sendMessage", lambda c: c.chat_id == 503, timeout=WAIT)
        async with http.get(f"{base(bot)}/metrics") as r:
            assert r.status == 200
            text = await r.text()
    assert 'lossbot_command_seconds_count{command="/totals"} 1.0' in text
    assert "lossbot_outbox_backlog 0.0" in text
    assert "lossbot_messages_sent_total 0.0" in text
    age = next(line for line in text.splitlines() if line.startswith("lossbot_newest_report_age_seconds "))
    assert float(age.split()[1]) > 0


async def test_health_is_ok_while_the_bot_and_its_database_answer(bot: BotApplication) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base(bot)}/healthz") as r:
            assert r.status == 200
            assert await r.json() == {"ok": True, "problems": [], "leader": True}
        services = bot.bot_data.services
        working, services.engine = services.engine, create_engine("sqlite:////nonexistent/dir/lossbot.db")
        try:
            async with http.get(f"{base(bot)}/healthz") as r:
                assert r.status == 503
                body = await r.json()
        finally:
            services.engine.dispose()
            services.engine = working
    assert body["problems"] == ["the database does not answer (OperationalError)"]


def test_lossbot_run_webhook_answers_an_update_posted_to_it(fake: FakeBotAPI, tmp_path: Path) -> None:
    """The real command, as a process: its server takes POST /webhook (it once served only /healthz and
    /metrics there, so every update got 404)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = instance_env(databases.new_database_url(tmp_path, "run"), fake, LISTEN_PORT=str(port))
    with (tmp_path / "bot.log").open("wb") as log:
        process = start_instance(env, log)
        try:
            fake.wait_for("setWebhook", timeout=WAIT)
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/webhook",
                data=json.dumps(update(7, 4242, "/totals")).encode(),
                headers={SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=WAIT) as answer:
                assert answer.status == 200
            [reply] = fake.wait_for("sendMessage", lambda c: c.chat_id == 4242, timeout=WAIT)
            assert "Russia's losses as of 22 Aug 2026</b>" in str(reply.params["text"])
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(WAIT)
    assert process.returncode == 0, (tmp_path / "bot.log").read_text()


async def test_leader_answers_200_on_the_leader_and_503_on_a_follower(
    bot: BotApplication, fake: FakeBotAPI
) -> None:
    """What a load balancer checks to send every update to the leader (one send budget for the token)."""
    async with aiohttp.ClientSession() as http, http.get(f"{base(bot)}/leader") as r:
        assert (r.status, await r.json()) == (200, {"leader": True})
    if not databases.on_postgres():
        return  # on SQLite the single instance always leads
    settings = bot.bot_data.services.settings.model_copy(update={"listen_port": 0})
    follower = build_application(settings, token=fake.token, webhook=True)
    async with (
        serving(follower),
        aiohttp.ClientSession() as http,
        http.get(f"{base(follower)}/leader") as r,
    ):
        assert (r.status, await r.json()) == (503, {"leader": False})
