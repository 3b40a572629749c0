"""The bot's Prometheus metrics, one registry per Application (tests build several per process).

Handlers count answers here; bot/health.py times Bot API requests, fills the gauges at scrape
time and serves /metrics. A bot that serves no /metrics (HEALTH_PORT=0) keeps no metrics: each
is a no-op, and prometheus_client is not imported (~12 ms of every start, measured).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info


class Unserved:
    """A metric nobody can read: every update of it does nothing."""

    def labels(self, *values: str, **labels: str) -> Unserved:
        return self

    def inc(self, amount: float = 1) -> None:
        pass

    def set(self, value: float) -> None:
        pass

    def observe(self, amount: float) -> None:
        pass

    def info(self, value: dict[str, str]) -> None:
        pass


class Metrics:
    """Every metric the bot exports, registered in its own CollectorRegistry; with `served`
    false (nothing will ever read them), no-ops and no registry."""

    registry: CollectorRegistry | None
    updates: Counter | Unserved
    webhook_updates: Counter | Unserved
    answers: Counter | Unserved
    api_seconds: Histogram | Unserved
    api_429: Counter | Unserved
    outbox_pending: Gauge | Unserved
    outbox_oldest_seconds: Gauge | Unserved
    inbox_pending: Gauge | Unserved
    inbox_oldest_seconds: Gauge | Unserved
    knowledge: Info | Unserved

    def __init__(self, served: bool = True) -> None:
        if not served:
            self.registry = None
            unserved = Unserved()
            for name in self.__annotations__:
                if name != "registry":
                    setattr(self, name, unserved)
            return
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

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
