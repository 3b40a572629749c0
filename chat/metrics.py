"""The bot's Prometheus metrics, one registry per Application (tests build several per process).

Handlers count answers here; bot/health.py times Bot API requests, fills the gauges at scrape
time and serves /metrics.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info


class Metrics:
    """Every metric the bot exports, registered in its own CollectorRegistry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.updates = Counter(
            "briefing_updates", "Updates handed to the handlers.", registry=registry
        )
        self.webhook_updates = Counter(
            "briefing_webhook_updates",
            "Webhook POSTs by result: accepted (stored), duplicate (update_id seen), rejected.",
            ["result"],
            registry=registry,
        )
        self.answers = Counter(
            "briefing_answers",
            "Questions answered, by outcome (answer, suggest, none, after, empty).",
            ["outcome"],
            registry=registry,
        )
        self.api_seconds = Histogram(
            "briefing_bot_api_request_seconds",
            "Bot API request latency by method (getUpdates excluded: it waits on purpose).",
            ["method"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )
        self.api_429 = Counter(
            "briefing_bot_api_429", "Bot API answers 429 Too Many Requests.", registry=registry
        )
        self.outbox_pending = Gauge(
            "briefing_outbox_pending", "Notifications waiting to be sent.", registry=registry
        )
        self.outbox_oldest_seconds = Gauge(
            "briefing_outbox_oldest_pending_seconds",
            "Age of the oldest pending notification (0 when none).",
            registry=registry,
        )
        self.inbox_pending = Gauge(
            "briefing_inbox_pending",
            "Webhook updates stored but not yet processed.",
            registry=registry,
        )
        self.inbox_oldest_seconds = Gauge(
            "briefing_inbox_oldest_pending_seconds",
            "Age of the oldest unprocessed webhook update (0 when none).",
            registry=registry,
        )
        self.knowledge = Info(
            "briefing_knowledge", "The knowledge base version being served.", registry=registry
        )
