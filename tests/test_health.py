"""/healthz and /metrics of the running bot, over real HTTP, in polling and webhook mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App, build_application
from chat.settings import Settings
from knowledge.answer import Engine
from knowledge.versions import content_version
from testkit.fakes import FakeBotAPI, TooManyRequests
from testkit.harness import free_port, running, running_bot, settings_for


@pytest.fixture
def settings(api: FakeBotAPI, tmp_path: Path) -> Settings:
    return settings_for(
        api,
        tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.sqlite3'}",
        health_port=free_port(),
    )


async def get(settings: Settings, path: str) -> tuple[int, str]:
    url = f"http://127.0.0.1:{settings.health_port}/{path}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page by (name, sorted labels)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_polling_bot_is_healthy_counts_and_reports_a_stopped_intake(
    api: FakeBotAPI, settings: Settings, engine: Engine
) -> None:
    async with running_bot(settings, engine) as app:
        assert await get(settings, "healthz") == (200, "ok\n")
        api.fail_next("sendMessage", TooManyRequests(1))  # PTB's rate limiter retries it
        replies = await api.private_chat().send("what does putin want", timeout=8)
        assert "Sources:" in replies.last.plain
        await api.private_chat(user_id=77).send("best borscht recipe with beets")
        status, text = await get(settings, "metrics")
        assert status == 200
        found = samples(text)
        assert found[("briefing_answers_total", (("outcome", "answer"),))] == 1
        assert found[("briefing_answers_total", (("outcome", "none"),))] == 1
        assert found[("briefing_updates_total", ())] == 2
        assert found[("briefing_bot_api_429_total", ())] == 1
        sends = ("briefing_bot_api_request_seconds_count", (("method", "sendMessage"),))
        assert found[sends] == 3  # the 429 and its retry, and the second answer
        version = content_version(engine.base)
        assert found[("briefing_knowledge_info", (("version", version),))] == 1
        assert found[("briefing_outbox_pending", ())] == 0
        assert found[("briefing_outbox_oldest_pending_seconds", ())] == 0
        assert app.updater is not None
        await app.updater.stop()
        assert await get(settings, "healthz") == (503, "intake: updater not running\n")


async def test_webhook_bot_is_unhealthy_when_its_database_is_gone(
    api: FakeBotAPI, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    port = free_port()
    settings = settings.model_copy(
        update={"webhook_url": f"http://127.0.0.1:{port}", "webhook_port": port}
    )
    app: App = build_application(settings, engine=engine, webhook=True)
    async with running(app, polling=False):
        assert await get(settings, "healthz") == (200, "ok\n")
        status, text = await get(settings, "metrics")
        assert samples(text)[("briefing_inbox_pending", ())] == 0
        shutil.rmtree(tmp_path / "data")
        await app.bot_data.services.db.engine.dispose()  # pooled connections kept the file open
        assert await get(settings, "healthz") == (503, "database: OperationalError\n")
        status, text = await get(settings, "metrics")  # a scrape still answers
        assert status == 200 and "briefing_answers_total" in text


async def test_health_port_0_serves_nothing(settings: Settings, engine: Engine) -> None:
    off = settings.model_copy(update={"health_port": 0})
    async with running_bot(off, engine):
        with pytest.raises(aiohttp.ClientConnectionError):
            await get(settings, "healthz")
