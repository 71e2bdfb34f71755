"""Telegram handlers, one module per feature; each is thin over functions in `bot/` and `storage/`."""
