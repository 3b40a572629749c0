"""The Telegram bot, end to end: the real Application over real HTTP against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import aiohttp
import pytest
from telegram.ext import Application

from chat.callbacks import OpenEntry, PlanPage, TopicPage, decode
from chat.settings import Settings
from chat.texts import t
from knowledge.answer import Engine
from storage.db import Database
from testkit.fakes import BadRequest, FakeBotAPI, TooManyRequests
from testkit.harness import TOKEN, free_port, running_bot, settings_for


@pytest.fixture
def settings(api: FakeBotAPI, tmp_path: Path) -> Settings:
    return settings_for(api, tmp_path)


# --- private chat --------------------------------------------------------------------------------


async def test_start_and_help(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat()
    welcome = await chat.send("/start")
    assert "20-point plan" in welcome.last.plain
    assert "Knowledge up to 2026-01-17" in welcome.last.plain
    help_ = await chat.send("/help")
    assert "Knowledge up to 2026-01-17" in help_.last.plain
    for command in ("/ask", "/topics", "/plan", "/compare", "/timeline", "/sources", "/lang"):
        assert command in help_.last.plain


async def test_command_menus_are_set_per_scope_and_language(
    api: FakeBotAPI, bot: Application
) -> None:
    private = api.commands({"type": "all_private_chats"})
    groups = api.commands({"type": "all_group_chats"})
    assert "start" in {c["command"] for c in private} and "start" not in {
        c["command"] for c in groups
    }
    german = api.commands({"type": "all_private_chats"}, "de")
    assert any("Frage" in c["description"] for c in german)
    ukrainian = await bot.bot.get_my_short_description(language_code="uk")
    assert ukrainian.short_description == t("uk", "bot_short_description")
    english = await bot.bot.get_my_description()
    assert "20-point plan" in english.description


async def test_question_gets_a_sourced_answer_with_buttons(
    api: FakeBotAPI, bot: Application
) -> None:
    chat = api.private_chat()
    replies = await chat.send("what does putin want")
    answer = replies.last
    assert answer.text.startswith("<b>") and "Sources:" in answer.plain
    assert "As of 20" in answer.plain and '<a href="http' in answer.text
    preview = api.calls_to("sendMessage")[-1].params.get("link_preview_options")
    preview = json.loads(preview) if isinstance(preview, str) else preview
    assert preview == {"is_disabled": True}
    labels = [text for row in answer.buttons for text, _ in row]
    assert labels == ["More", "Sources", "Related"]

    sources = await chat.press(answer, "Sources")
    assert sources.last.is_edit and "Sources for:" in sources.last.plain
    back = await chat.press(sources.last, "« Back")
    assert back.last.plain == answer.plain

    related = await chat.press(back.last, "Related")
    titles = [text for row in related.last.buttons for text, _ in row]
    assert len(titles) >= 2 and titles[-1] == "« Back"
    opened = await chat.press(related.last, titles[0])
    assert opened.last.plain.startswith(titles[0])


async def test_a_state_asked_about_now_is_answered_as_of_the_knowledge_date(
    api: FakeBotAPI, bot: Application
) -> None:
    chat = api.private_chat()
    answer = (await chat.send("what's russia's key rate now?")).last
    said = "I know nothing after 2026-01-17, so I cannot tell you the current state."
    assert answer.text.startswith(f"<i>{said}") and "Sources:" in answer.plain
    assert [text for row in answer.buttons for text, _ in row] == ["More", "Sources", "Related"]
    news = (await chat.send("any news on a ceasefire this week?")).last
    assert news.plain.startswith("My knowledge base covers") and "Sources:" not in news.plain


async def test_did_you_mean_buttons_open_the_entry(
    api: FakeBotAPI, bot: Application, engine: Engine
) -> None:
    chat = api.private_chat()
    vague = next(
        q
        for q in ("peace plan", "plan", "army", "frozen assets", "nato")
        if engine.ask(q).suggestions
    )
    replies = await chat.send(vague)
    choices = [text for row in replies.last.buttons for text, _ in row]
    assert 1 <= len(choices) <= 3 and "Did you mean" in replies.last.plain
    opened = await chat.press(replies.last, choices[0])
    assert opened.last.plain.startswith(choices[0]) and "Sources:" in opened.last.plain


async def test_unknown_question_is_answered_honestly_and_logged_for_curators(
    api: FakeBotAPI,
    bot: Application,
    settings: Settings,
) -> None:
    chat = api.private_chat(user_id=4242)
    replies = await chat.send("best borscht recipe with beets")
    assert replies.last.plain.startswith("I don't know")
    assert replies.last.buttons == []
    db = Database(settings.database_url)
    rows = await db.unanswered()
    await db.close()
    assert [(r[0], r[1], r[2]) for r in rows] == [("best borscht recipe with beets", "en", 1)]


async def test_gaza_plan_is_not_mixed_up(api: FakeBotAPI, bot: Application) -> None:
    replies = await api.private_chat().send("trump 20 point plan for gaza, board of peace?")
    assert "outside what I cover" in replies.last.plain and "Gaza" in replies.last.plain


async def test_answer_in_ukrainian_and_lang_choice_persists(
    api: FakeBotAPI,
    bot: Application,
    settings: Settings,
) -> None:
    chat = api.private_chat(user_id=77, language_code="en")
    uk = await chat.send("що хоче путін")
    assert "Джерела" in uk.last.plain
    menu = await chat.send("/lang")
    chosen = await chat.press(menu.last, "Deutsch")
    assert "Deutsch" in chosen.last.plain
    de = await chat.send("what does putin want")
    assert "Quellen" in de.last.plain and "Stand" in de.last.plain
    db = Database(settings.database_url)
    assert await db.language_of(77) == "de"
    await db.close()


# --- groups --------------------------------------------------------------------------------------


async def test_group_answers_only_when_addressed(api: FakeBotAPI, bot: Application) -> None:
    group = api.group_chat()
    group.post("what does putin want")
    await asyncio.sleep(0.8)
    assert api.sent_messages(group.chat_id) == []
    mentioned = await group.send(f"@{api.bot_user['username']} what does putin want")
    assert mentioned.last.plain.startswith("What Russia") or "Sources:" in mentioned.last.plain
    assert mentioned.last.reply_to is not None
    asked = await group.send("/ask how is the new plan different from the november one")
    assert "Sources:" in asked.last.plain
    follow_up = await group.send("and what does kyiv want?", reply_to=asked.last)
    assert follow_up.last.reply_to is not None  # a reply to the bot counts as addressing it
    before = len(api.sent_messages(group.chat_id))
    group.post("@some_other_bot what does putin want")
    await asyncio.sleep(0.8)
    assert len(api.sent_messages(group.chat_id)) == before


# --- inline mode ---------------------------------------------------------------------------------


async def test_inline_query_returns_up_to_ten_full_answers(
    api: FakeBotAPI, bot: Application
) -> None:
    results = await api.inline("zaporizhzhia nuclear plant")
    assert 1 <= len(results) <= 10
    first = results[0]
    assert first["type"] == "article" and first["title"] and first["description"]
    assert "<b>" in first["input_message_content"]["message_text"]
    assert await api.inline("recipe for borscht") == []


async def test_inline_mode_decides_as_the_chat_does(api: FakeBotAPI, bot: Application) -> None:
    # A near miss shares a name with an entry, not what it asks: nothing to offer.
    assert await api.inline("how old is vladimir putin") == []
    # Named as outside the base: the reply saying so, no Ukraine entry.
    [gaza] = await api.inline("is this trump's gaza plan?")
    assert gaza["id"] == "gaza-plan" and "reply_markup" not in gaza
    assert gaza["input_message_content"]["message_text"].startswith(
        "This is outside what I cover."
    )
    # About a time after the knowledge date: one result, the reply naming that date.
    [after] = await api.inline("any news on a ceasefire this week?")
    assert after["title"] == "Knowledge up to 2026-01-17"
    assert after["input_message_content"]["message_text"].startswith("My knowledge base covers")
    # A state asked about now: the entries as of the knowledge date, said so first.
    now = await api.inline("what's russia's key rate now?")
    said = "I know nothing after 2026-01-17, so I cannot tell you the current state."
    assert now and now[0]["input_message_content"]["message_text"].startswith(f"<i>{said}")
    # Typed on the other keyboard layout, as a chat question is read.
    [typed, *_] = await api.inline("що в gkfys про нато")
    [plain, *_] = await api.inline("що в плані про нато")
    assert typed["id"] == plain["id"]


# --- browsing ------------------------------------------------------------------------------------


async def test_topics_browse_and_page(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat()
    topics = await chat.send("/topics")
    rows = topics.last.buttons
    assert any(text.startswith("20-point plan") for row in rows for text, _ in row)
    plan = await chat.press(
        topics.last, next(t for row in rows for t, _ in row if t.startswith("20-point plan"))
    )
    assert "entries" in plan.last.plain
    labels = [t for row in plan.last.buttons for t, _ in row]
    assert "Next ›" in labels
    page2 = await chat.press(plan.last, "Next ›")
    assert "‹ Prev" in [t for row in page2.last.buttons for t, _ in row]


async def test_plan_walks_both_plans(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat()
    first = await chat.send("/plan")
    assert "20-point plan — page 1 of" in first.last.plain
    second = await chat.press(first.last, "Next ›")
    assert "page 2 of" in second.last.plain
    draft = await chat.press(second.last, "28-point draft")
    assert "28-point draft — page 1 of" in draft.last.plain


async def test_compare_side_by_side(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat()
    nato = await chat.send("/compare nato")
    assert "Ukraine:" not in nato.last.plain  # the summary first, on one screen
    side_by_side = await chat.press(nato.last, "More")
    for party in ("Ukraine:", "Russia:", "United States:", "Europe:"):
        assert party in side_by_side.last.plain
    menu = await chat.send("/compare")
    options = [t for row in menu.last.buttons for t, _ in row]
    assert len(options) >= 8
    picked = await chat.press(menu.last, options[0])
    assert "Sources:" in picked.last.plain


async def test_timeline_and_sources(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat()
    timeline = await chat.send("/timeline")
    assert "5 Dec 1994" in timeline.last.plain and "page 1 of 2" in timeline.last.plain
    sources = await chat.send("/sources")
    assert "Kaizen Blog" in "".join(sources.texts)


# --- robustness ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "1|e|no-such-entry",
        "garbage",
        "0|e|russia-demands",
        "1|p|99|x",
        "1|t|'; drop table|0",
        "x" * 64,
    ],
)
async def test_expired_or_forged_buttons_get_a_polite_answer(
    api: FakeBotAPI,
    bot: Application,
    data: str,
) -> None:
    chat = api.private_chat()
    replies = await chat.send("/topics")
    api.callback_query(data, replies.last.message)
    calls = await api.wait_for("answerCallbackQuery")
    assert "expired" in calls[0].params.get("text", "")
    assert (await chat.send("/help")).last.plain  # still running


def test_callback_data_is_compact_and_validated() -> None:
    longest = TopicPage("x" * 48, 999).encode()
    assert len(longest.encode()) <= 64 and decode(longest) == TopicPage("x" * 48, 999)
    assert decode(OpenEntry("russia-demands").encode()) == OpenEntry("russia-demands")
    assert decode("1|p|28|2") == PlanPage(28, 2)
    for forged in (
        None,
        "",
        "1|e",
        "1|e|UPPER",
        "1|zz|a",
        "2|e|russia-demands",
        "1|l|fr",
        "1|e|a|b",
        "1|p|21|0",
        "1|tl|-1",
    ):
        assert decode(forged) is None
    with pytest.raises(ValueError):
        OpenEntry("y" * 70).encode()


async def test_flood_control_warns_once_then_stays_quiet(
    api: FakeBotAPI, tmp_path: Path, engine: Engine
) -> None:
    async with running_bot(
        settings_for(api, tmp_path, flood_limit=3, flood_window_seconds=60), engine
    ):
        chat = api.private_chat(user_id=9)
        for _ in range(6):
            chat.post("what does putin want")
        await api.wait_for("sendMessage", count=4)
        await asyncio.sleep(0.8)
        texts = [m.plain for m in api.sent_messages(9)]
        assert sum("Sources:" in t for t in texts) == 3
        assert sum("asking faster" in t for t in texts) == 1


async def test_commands_do_not_spend_the_question_limit(
    api: FakeBotAPI, tmp_path: Path, engine: Engine
) -> None:
    async with running_bot(
        settings_for(api, tmp_path, flood_limit=2, flood_window_seconds=60), engine
    ):
        chat = api.private_chat(user_id=11)
        for _ in range(4):  # a first session's menu taps
            await chat.send("/help")
        first = await chat.send("what does putin want")
        second = await chat.send("what does zelensky want")
        third = await chat.send("what does trump want")
    assert "Sources:" in first.last.plain and "Sources:" in second.last.plain
    assert "asking faster" in third.last.plain


FIRST_SESSION = [
    "/start",
    "/help",
    "what does putin want",
    "/topics",
    "/plan",
    "what does the 20-point plan say about the army",
    "/timeline",
    "/compare nato",
    "and russia?",
    "/sources",
    "/lang",
    "is zaporizhzhia npp under ukrainian control",
    "/subscribe nato territory",
    "/subscriptions",
    "who is witkoff",
    "/digest",
    "/settings",
    "what does europe propose",
]


async def test_a_first_session_of_12_commands_and_6_questions_in_a_minute_is_not_throttled(
    api: FakeBotAPI, tmp_path: Path, engine: Engine
) -> None:
    """The shipped flood limit (not the tests' raised one) lets a newcomer explore: 12 menu
    commands and 6 questions in well under a minute, each answered, no flood notice."""
    shipped = Settings.model_fields
    settings = settings_for(
        api,
        tmp_path,
        flood_limit=shipped["flood_limit"].default,
        flood_window_seconds=shipped["flood_window_seconds"].default,
    )
    assert sum(not m.startswith("/") for m in FIRST_SESSION) == 6
    async with running_bot(settings, engine):
        chat = api.private_chat(user_id=4242)
        for message in FIRST_SESSION:
            replies = await chat.send(message)
            assert replies.last.plain, message
            assert "asking faster" not in replies.last.plain, message
        # Only the 6 questions spent the budget: 14 more fit in the minute, the 21st is told.
        limit = settings.flood_limit
        for number in range(limit - 6):
            replies = await chat.send(f"what does putin want {number}")
            assert "asking faster" not in replies.last.plain, number
        assert "asking faster" in (await chat.send("what does zelensky want")).last.plain


async def test_429_while_replying_is_retried(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat()
    api.fail_next("sendMessage", TooManyRequests(retry_after=1))
    replies = await chat.send("what does putin want", timeout=8.0)
    assert "Sources:" in replies.last.plain
    statuses = [c.status for c in api.calls_to("sendMessage")]
    assert statuses[:2] == [429, 200]


async def test_errors_are_logged_without_token_and_the_user_is_told(
    api: FakeBotAPI,
    bot: Application,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chat = api.private_chat()
    api.fail_next("sendMessage", BadRequest("something broke"))
    with caplog.at_level(logging.DEBUG):
        replies = await chat.send("what does putin want secret question text", timeout=5.0)
    assert any("went wrong" in r.plain for r in replies)
    assert TOKEN not in caplog.text
    assert "secret question text" not in "\n".join(
        r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG
    )
    assert (await chat.send("/help")).last.plain


def test_missing_or_bad_token_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir("/")
    assert main(["run"]) == 2
    assert capsys.readouterr().err.strip() == "error: TELEGRAM_BOT_TOKEN is not set"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "nonsense")
    assert main(["run"]) == 2
    assert "does not look like a bot token" in capsys.readouterr().err


# --- webhook mode --------------------------------------------------------------------------------


async def test_webhook_accepts_only_the_right_secret(
    api: FakeBotAPI, settings: Settings, engine: Engine
) -> None:
    port = free_port()
    async with running_bot(settings, engine, polling=False) as app:
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="telegram",
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            secret_token="s3cret-token",
        )
        update = api.private_message("what does putin want", queue=False)
        url = f"http://127.0.0.1:{port}/telegram"
        async with aiohttp.ClientSession() as session:
            async with session.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            ) as r:
                assert r.status == 403
            async with session.post(url, json=update) as r:
                assert r.status == 403
            await asyncio.sleep(0.3)
            assert api.calls_to("sendMessage") == []
            async with session.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            ) as r:
                assert r.status == 200
        calls = await api.wait_for("sendMessage")
        assert "Sources:" in calls[0].sent.plain  # type: ignore[union-attr]  # a sendMessage call records what was sent


# --- rendering and the curator's report ----------------------------------------------------------


def test_long_answers_split_on_block_boundaries_into_valid_html() -> None:
    from chat.render import escape, split_message, visible_length
    from testkit.fakes import parse_telegram_html

    blocks = [
        f"<b>{escape('Block <' + str(i) + '> & more')}</b>\n" + escape("word " * 150)
        for i in range(12)
    ]
    parts = split_message("\n\n".join(blocks))
    assert len(parts) > 1
    for part in parts:
        assert visible_length(part) <= 4096
        parse_telegram_html(part)  # raises on a cut tag or entity
    one_line = split_message(escape("x & y " * 2000))
    assert all(visible_length(p) <= 4096 for p in one_line) and len(one_line) > 1


async def test_report_unanswered_lists_questions_without_user_ids(
    api: FakeBotAPI,
    bot: Application,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.cli import main

    chat = api.private_chat(user_id=5151)
    await chat.send("who won the football match in the park")
    await chat.send("who won the football match in the park")
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    await asyncio.to_thread(main, ["report", "unanswered", "--json"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["text"] == "who won the football match in the park" and rows[0]["count"] == 2
    assert "5151" not in str(rows)


def test_unreachable_api_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.cli import main

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    assert main(["run"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: cannot reach the Bot API") and TOKEN not in "\n".join(err)


async def test_an_edited_question_is_not_answered_again(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat(user_id=6161)
    first = await chat.send("what does putin want")
    edited = api.make_update("private_message", "what does zelensky want", user_id=6161)
    edited["edited_message"] = {**edited.pop("message"), "edit_date": 1_700_000_000}
    api.push_update(edited)
    second = await chat.send("what does trump want")  # answered: the edit was seen and skipped
    assert "Sources:" in first.last.plain and "Sources:" in second.last.plain
    assert len(api.sent_messages(6161)) == 2


def test_env_example_as_copied_leaves_optional_settings_unset(tmp_path: Path) -> None:
    """`cp .env.example .env` leaves KNOWLEDGE_DIR= (and other optional values) empty: unset."""
    example = Path(__file__).resolve().parents[1] / ".env.example"
    settings = Settings(_env_file=example)  # type: ignore[call-arg]  # pydantic-settings' init option
    assert settings.knowledge_dir is None and settings.redis_url is None
    assert settings.webhook_url is None and settings.webhook_secret is None


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.startswith("briefing-bot ")


def test_a_broken_base_at_start_is_one_line_naming_its_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.cli import main

    broken = tmp_path / "kb"
    broken.mkdir()
    (broken / "topics.yaml").write_text("topics: [\n", encoding="utf-8")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(broken))
    assert main(["run"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"knowledge base in {broken} is broken" in err[0]
