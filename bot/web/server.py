"""One small aiohttp server for what the bot serves over HTTP:

- POST /webhook — updates from Telegram (`lossbot run --webhook`): refused with 403 unless the request
  carries the X-Telegram-Bot-Api-Secret-Token set with setWebhook; a valid update goes into the
  application's update queue, as long polling would put it, and is answered 200 at once.
- GET /healthz — 200 while the bot runs and its database answers; 503 (with what failed) otherwise.
- GET /metrics — Prometheus' text format (bot/metrics.py).
- GET /leader — 200 on the instance that leads (runs the jobs and sends the outbox), 503 on the others: a
  load balancer's health check for sending every update to the leader, so that one process's send budget
  paces everything the bot token sends (the README's "Several instances" says why).

aiohttp rather than PTB's own webhook server (tornado): one server serves the three, in the bot's event
loop, with a library the project already uses. The composition point starts it in post_init and stops it
in post_stop.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from telegram import Update

from bot.metrics import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from bot.services import BotApplication

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: The most an update may weigh (Telegram's are a few kB; a message is at most 4,096 characters).
MAX_UPDATE_BYTES = 1 << 20
#: How long the health check waits for the database before it calls it down.
HEALTH_TIMEOUT = 5.0
DEFAULT_PORT = 8080


class WebServer:
    """The HTTP server of one application; ACCEPT_UPDATES: serve POST /webhook (with SECRET)."""

    def __init__(self, app: BotApplication, *, accept_updates: bool, secret: str | None) -> None:
        if accept_updates and not secret:
            raise ValueError("a webhook needs WEBHOOK_SECRET")
        self._app = app
        self._secret = secret
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        server = web.Application(client_max_size=MAX_UPDATE_BYTES)
        if accept_updates:
            server.router.add_post(WEBHOOK_PATH, self._webhook)
        server.router.add_get("/healthz", self._health)
        server.router.add_get("/metrics", self._metrics)
        server.router.add_get("/leader", self._leader)
        self._server = server

    async def start(self) -> None:
        """Listen on LISTEN_HOST:LISTEN_PORT (port 0: any free port, then in `self.port`)."""
        if self._runner is not None:
            return
        settings = self._app.bot_data.services.settings
        port = settings.listen_port if settings.listen_port is not None else DEFAULT_PORT
        runner = web.AppRunner(self._server, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.listen_host, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.info("HTTP server on %s:%d (webhook, /healthz, /metrics)", settings.listen_host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if self._secret is None or not hmac.compare_digest(given.encode(), self._secret.encode()):
            return web.json_response({"ok": False, "error": "wrong or missing secret token"}, status=403)
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("no update_id")
            update = Update.de_json(data, self._app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return web.json_response({"ok": False, "error": "not a Telegram update"}, status=400)
        await self._app.update_queue.put(update)
        return web.json_response({"ok": True})

    async def _health(self, _request: web.Request) -> web.Response:
        problems = []
        if not self._app.running:
            problems.append("the bot is not running")
        engine = self._app.bot_data.services.engine

        def ping() -> None:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        try:
            await asyncio.wait_for(asyncio.to_thread(ping), HEALTH_TIMEOUT)
        except (SQLAlchemyError, TimeoutError) as exc:
            problems.append(f"the database does not answer ({type(exc).__name__})")
        leader = self._app.bot_data.leader.leads()
        body = {"ok": not problems, "problems": problems, "leader": leader}
        return web.json_response(body, status=503 if problems else 200)

    async def _leader(self, _request: web.Request) -> web.Response:
        leads = self._app.bot_data.leader.leads()
        return web.json_response({"leader": leads}, status=200 if leads else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        services, metrics = self._app.bot_data.services, self._app.bot_data.metrics
        try:
            await asyncio.to_thread(metrics.read_database, services.engine, services.now())
        except SQLAlchemyError as exc:  # the counters still answer; the gauges keep their last values
            log.warning("metrics: the database does not answer (%s)", type(exc).__name__)
        return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})
