"""Configuration from the environment (and an optional .env file), typed and validated once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")


class Settings(BaseSettings):
    """Every setting of the bot; the README's table documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None, description="From @BotFather.")
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        description="Root of the Bot API server; the bot calls {url}/bot{token}/{method}.",
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///data/briefing-bot.sqlite3",
        description="SQLAlchemy async URL: SQLite file (default) or postgresql+asyncpg://...",
    )
    knowledge_dir: Path | None = Field(
        default=None,
        description="Another knowledge base; a running bot records it only as the first baseline "
        "and then serves the published version.",
    )
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="User ids allowed admin commands."
    )
    webhook_url: str | None = Field(default=None, description="Public HTTPS URL for --webhook.")
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    webhook_secret: SecretStr | None = Field(
        default=None, description="X-Telegram-Bot-Api-Secret-Token."
    )
    intake_claim_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Webhook mode: an update claimed by a replica that has not renewed its claims "
        "for this long (it died) is processed by another.",
    )
    intake_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="Webhook mode: how often a replica looks for updates no live replica holds.",
    )
    health_listen: str = Field(
        default="127.0.0.1", description="Address of the /healthz and /metrics server."
    )
    health_port: int = Field(
        default=9090, ge=0, description="Port of the /healthz and /metrics server; 0 = off."
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:6379/0: replicas share the send budget and flood limits there "
        "(else in PostgreSQL when DATABASE_URL is PostgreSQL, else in memory).",
    )
    log_level: str = "INFO"
    concurrent_updates: int = Field(
        default=24, gt=0, description="Updates one replica handles at once."
    )
    database_pool_size: int = Field(
        default=10,
        gt=0,
        description="Database connections one replica keeps for its queries (each holds one for "
        "a few ms; SQLite keeps them open). PostgreSQL: its rate store has 4 more, and replicas "
        "x (this + 4) must stay under the server's max_connections (100 by default).",
    )
    flood_limit: int = Field(
        default=20,
        description="Questions a user may ask per flood window (a person reading answers asks "
        "a few a minute; commands and buttons do not count).",
    )
    flood_window_seconds: float = 60.0
    send_rate_per_second: float = Field(
        default=30.0,
        description="Messages per second across all chats (Telegram's limit); 0 = unthrottled.",
    )
    group_messages_per_minute: float = Field(
        default=20.0, description="Messages per minute into one group."
    )
    send_chat_interval_seconds: float = Field(
        default=1.0,
        ge=0,
        description="Least time between two messages to one chat, replies and notifications "
        "alike (Telegram: 1/s).",
    )
    answer_threshold: float | None = None  # None: the fitted value in knowledge/scoring.json
    suggest_threshold: float | None = None
    follow_up_seconds: float = Field(
        default=600.0,
        ge=0,
        description="How long a user's last answer in a chat is what a follow-up ('and russia?') "
        "refers to; 0 = every message alone.",
    )
    notify_check_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How often the running bot looks for a new published version "
        "and due notifications.",
    )
    notify_global_rate: float = Field(
        default=25.0,
        gt=0,
        description="Notifications per second, all replicas together, within "
        "send_rate_per_second (Telegram: ~30/s free, 1000/s paid).",
    )
    notify_chat_interval_seconds: float = Field(
        default=1.05,
        ge=0,
        description="Least time between two notifications to the same chat (Telegram: 1/s).",
    )
    notify_group_per_minute: int = Field(
        default=20, gt=0, description="Notifications per minute to one group (Telegram: 20/min)."
    )
    notify_allow_paid_broadcast: bool = Field(
        default=False,
        description="Send with allow_paid_broadcast (Stars) "
        "so notify_global_rate may go up to 1000/s.",
    )
    notify_concurrency: int = Field(
        default=16, gt=0, description="Notifications in flight at once per replica."
    )
    notify_batch_size: int = Field(
        default=100, gt=0, description="Outbox rows one worker claims at a time."
    )
    notify_claim_timeout_seconds: float = Field(
        default=120.0,
        gt=0,
        description="A claim older than this is taken to be from a dead worker and is re-claimed.",
    )
    notify_bad_request_attempts: int = Field(
        default=3, gt=0, description="400 answers before a notification is failed."
    )
    notify_max_attempts: int = Field(
        default=12, gt=0, description="Network/5xx failures before a notification is failed."
    )
    notify_backoff_seconds: float = Field(
        default=2.0, gt=0, description="First back-off after a network error or 5xx."
    )
    notify_backoff_cap_seconds: float = Field(default=600.0, gt=0, description="Longest back-off.")
    feedback_retention_days: float = Field(
        default=90.0,
        gt=0,
        description="Questions, choices and unanswered questions older than this are deleted.",
    )
    rephrase_window_seconds: float = Field(
        default=180.0,
        ge=0,
        description="A question this soon after the same person's non-answer in the same chat "
        "is taken as asking it again in other words (linked in the records; 0 = never).",
    )
    index_cache_dir: Path | None = Field(
        default=None,
        description="Where search indexes are saved, one per content version (default: the "
        "user's cache directory, $XDG_CACHE_HOME/briefing-bot or ~/.cache/briefing-bot).",
    )

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(" ", "").split(",") if part]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator(
        "knowledge_dir",
        "redis_url",
        "webhook_url",
        "webhook_secret",
        "index_cache_dir",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """`KNOWLEDGE_DIR=` as .env.example has it means unset, not the current directory."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def token(self) -> str:
        """The token, checked for shape; never logged or echoed."""
        if self.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        token = self.telegram_bot_token.get_secret_value().strip()
        if not TOKEN_PATTERN.match(token):
            raise ValueError("TELEGRAM_BOT_TOKEN does not look like a bot token (digits:secret)")
        return token
