"""The Telegram-facing library under the handlers: texts, rendering, callback data, settings and
notifications. It imports `knowledge/` and `storage/`, never `handlers/` or `bot/`."""
