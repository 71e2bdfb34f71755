"""The HTTP side of the bot: the webhook, /healthz and /metrics (one aiohttp server)."""
