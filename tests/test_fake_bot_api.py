"""Tests for the fake Bot API, driven by a real python-telegram-bot Application over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import logging
import time
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram import error as tg_error
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from testkit.fakes import (
    BadRequest,
    FakeBotAPI,
    Forbidden,
    HTMLParseError,
    Migrated,
    ServerError,
    TooManyRequests,
    parse_telegram_html,
    utf16_len,
)

logger = logging.getLogger(__name__)

TOKEN = "123456:TEST-token"
USER_ID = 42
GROUP_ID = -1001234567890


# ------------------------------------------------------------------------------------------------
# A tiny echo bot defined here so the fake is tested against real PTB behaviour.
# ------------------------------------------------------------------------------------------------


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with HTML and a keyboard so the test covers entities and buttons."""
    assert update.effective_message is not None and update.effective_user is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ping", callback_data="ping"),
                InlineKeyboardButton("Docs", url="https://example.com"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        f"Hello <b>{html.escape(update.effective_user.first_name)}</b>!",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text back HTML-escaped, replying to the user's message."""
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_chat.send_action("typing")  # type: ignore[union-attr]  # a message update has a chat
    await update.effective_message.reply_text(
        f"<i>echo:</i> {html.escape(update.effective_message.text)}", parse_mode=ParseMode.HTML
    )


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and edit the message, the usual callback flow."""
    query = update.callback_query
    assert query is not None
    await query.answer("pong")
    await query.edit_message_text(f"Pressed <code>{query.data}</code>", parse_mode=ParseMode.HTML)


async def _inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer one article per word so inline answers can be asserted."""
    assert update.inline_query is not None
    words = update.inline_query.query.split() or ["empty"]
    await update.inline_query.answer(
        [
            InlineQueryResultArticle(
                id=f"r{i}",
                title=word,
                input_message_content=InputTextMessageContent(
                    f"<b>{html.escape(word)}</b>", parse_mode=ParseMode.HTML
                ),
            )
            for i, word in enumerate(words)
        ]
    )


def _build_app(api: FakeBotAPI) -> Application:
    """Point a real PTB Application at the fake server."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_button))
    app.add_handler(InlineQueryHandler(_inline))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return app


def _seconds(value: int | dtm.timedelta) -> float:
    """Normalize PTB's retry_after, which may be int or timedelta depending on settings."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """Run a fresh fake server per test so state never leaks."""
    async with FakeBotAPI(token=TOKEN) as server:
        yield server


@pytest_asyncio.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    """Provide an initialized PTB bot (no polling) for direct API error checks."""
    app = _build_app(api)
    await app.initialize()
    try:
        yield app.bot
    finally:
        await app.shutdown()


@pytest_asyncio.fixture
async def running_app(api: FakeBotAPI) -> AsyncIterator[Application]:
    """Provide a polling PTB Application and shut it down cleanly afterwards."""
    app = _build_app(api)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


# ------------------------------------------------------------------------------------------------
# End-to-end conversations over long polling.
# ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_echo_round_trip(api: FakeBotAPI, running_app: Application) -> None:
    """A private conversation works end to end: command, echo and a button press."""
    chat = api.private_chat(user_id=USER_ID, first_name="Olena", language_code="de")

    replies = await chat.send("/start")
    assert len(replies) == 1
    greeting = replies[0]
    assert greeting.text == "Hello <b>Olena</b>!"
    assert greeting.plain == "Hello Olena!"
    assert greeting.entities == [{"offset": 6, "length": 5, "type": "bold"}]
    assert greeting.buttons == [[("Ping", "ping"), ("Docs", "https://example.com")]]
    assert greeting.reply_to is None  # PTB only quotes automatically outside private chats

    replies = await chat.send("a < b & c")
    assert replies.texts == ["echo: a < b & c"]
    assert replies[0].text == "<i>echo:</i> a &lt; b &amp; c"
    assert [c.method for c in replies.calls] == ["sendChatAction", "sendMessage"]

    replies = await chat.press(greeting, "Ping")
    assert replies.callback_answer is not None and replies.callback_answer["text"] == "pong"
    assert replies.last.is_edit and replies.last.plain == "Pressed ping"
    assert replies.last.buttons == []  # editing without reply_markup removes the keyboard
    stored = api.get_message(USER_ID, greeting.message_id or 0)
    assert stored is not None and stored["text"] == "Pressed ping"

    update_message = api.calls_to("getMe")[0].result
    assert (
        update_message["username"] == "briefing_test_bot"
        and update_message["supports_inline_queries"]
    )
    assert [m.plain for m in api.sent_messages(USER_ID)] == [
        "Hello Olena!",
        "echo: a < b & c",
        "Pressed ping",
    ]


@pytest.mark.asyncio
async def test_group_chat_commands_mentions_and_inline(
    api: FakeBotAPI, running_app: Application
) -> None:
    """Group commands addressed to the bot, replies and inline queries reach PTB."""
    group = api.group_chat(GROUP_ID, title="Briefing", user_id=7, first_name="Ivan")

    replies = await group.send("/start@briefing_test_bot")
    assert replies.texts == ["Hello Ivan!"]
    assert replies[0].reply_to is not None  # in groups reply_text quotes the command
    command = api.calls_to("sendMessage")[-1].params
    assert command["chat_id"] == GROUP_ID

    update = api.make_update(
        "group_message", "hi @briefing_test_bot /help", chat_id=GROUP_ID, user_id=8
    )
    assert [e["type"] for e in update["message"]["entities"]] == ["mention", "bot_command"]
    assert api.pending_updates == []  # make_update only builds

    replies = await group.send("thanks", user_id=9, reply_to=replies[0])
    assert replies.texts == ["echo: thanks"]

    results = await api.inline("kyiv lviv", user_id=7)
    assert [r["title"] for r in results] == ["kyiv", "lviv"]
    assert results[0]["input_message_content"]["message_text"] == "<b>kyiv</b>"


@pytest.mark.asyncio
async def test_chat_send_times_out_without_bot(api: FakeBotAPI) -> None:
    """A silent bot fails fast with a readable TimeoutError instead of hanging."""
    chat = api.private_chat(user_id=USER_ID)
    with pytest.raises(TimeoutError, match="did not answer"):
        await chat.send("anyone?", timeout=0.2)


# ------------------------------------------------------------------------------------------------
# Telegram-style validation seen through PTB exceptions.
# ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_invalid_html_rejected_like_telegram(api: FakeBotAPI, bot: Bot) -> None:
    """Broken HTML fails with Telegram's exact error, surfaced as BadRequest."""
    with pytest.raises(tg_error.BadRequest) as info:
        await bot.send_message(USER_ID, "hello <div>x</div>", parse_mode=ParseMode.HTML)
    assert (
        info.value.message == 'Can\'t parse entities: unsupported start tag "div" at byte offset 6'
    )
    assert api.calls_to("sendMessage")[-1].error == (
        'Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 6'
    )

    with pytest.raises(tg_error.BadRequest, match="can't find end tag corresponding to start tag"):
        await bot.send_message(USER_ID, "<b>bold", parse_mode=ParseMode.HTML)
    with pytest.raises(tg_error.BadRequest, match="unsupported html entity"):
        await bot.send_message(USER_ID, "fish &chips; peas", parse_mode=ParseMode.HTML)
    assert api.sent_messages() == []

    message = await bot.send_message(USER_ID, "Q&A: 1 > 0", parse_mode=ParseMode.HTML)
    assert message.text == "Q&A: 1 > 0"


@pytest.mark.asyncio
async def test_over_long_and_empty_text_rejected(api: FakeBotAPI, bot: Bot) -> None:
    """Length limits apply to parsed text in UTF-16 units, like Telegram."""
    with pytest.raises(tg_error.BadRequest, match="Message is too long"):
        await bot.send_message(USER_ID, "x" * 4097)
    # The limit applies after entity parsing and counts UTF-16 code units.
    await bot.send_message(USER_ID, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(USER_ID, "😀" * 2048)
    with pytest.raises(tg_error.BadRequest, match="Message is too long"):
        await bot.send_message(USER_ID, "😀" * 2049)
    with pytest.raises(tg_error.BadRequest, match="Message text is empty"):
        await bot.send_message(USER_ID, "  <b> </b> \n", parse_mode=ParseMode.HTML)


@pytest.mark.asyncio
async def test_callback_data_over_64_bytes_rejected(api: FakeBotAPI, bot: Bot) -> None:
    """callback_data is limited in bytes, not characters."""
    too_long = InlineKeyboardMarkup(
        [[InlineKeyboardButton("x", callback_data="ä" * 33)]]
    )  # 66 bytes, 33 chars
    with pytest.raises(tg_error.BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER_ID, "pick", reply_markup=too_long)
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="ä" * 32)]])
    message = await bot.send_message(USER_ID, "pick", reply_markup=fits)
    assert message.reply_markup is not None
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "ä" * 32


@pytest.mark.asyncio
async def test_edit_rules(api: FakeBotAPI, bot: Bot) -> None:
    """Edits follow Telegram's not-modified, length and existence rules."""
    message = await bot.send_message(USER_ID, "<b>v1</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(tg_error.BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>v1</b>", chat_id=USER_ID, message_id=message.message_id, parse_mode="HTML"
        )
    edited = await bot.edit_message_text("v1", chat_id=USER_ID, message_id=message.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "v1" and not edited.entities and edited.edit_date is not None
    with pytest.raises(tg_error.BadRequest, match=r"(?i)message_too_long"):
        await bot.edit_message_text("y" * 5000, chat_id=USER_ID, message_id=message.message_id)
    with pytest.raises(tg_error.BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("z", chat_id=USER_ID, message_id=999)
    assert await bot.delete_message(USER_ID, message.message_id)
    with pytest.raises(tg_error.BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER_ID, message.message_id)


@pytest.mark.asyncio
async def test_callback_and_inline_answer_validation(api: FakeBotAPI, bot: Bot) -> None:
    """Callback and inline answers are validated like Telegram does."""
    sent = await bot.send_message(
        USER_ID,
        "menu",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]]),
    )
    query_id = api.callback_query("a", sent.to_dict(), user_id=USER_ID, queue=False)[
        "callback_query"
    ]["id"]
    with pytest.raises(tg_error.BadRequest, match=r"(?i)message_too_long"):
        await bot.answer_callback_query(query_id, text="t" * 201)
    assert await bot.answer_callback_query(query_id, text="t" * 200)
    with pytest.raises(tg_error.BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)

    def article(result_id: str, text: str = "ok") -> InlineQueryResultArticle:
        """Build a minimal valid article."""
        return InlineQueryResultArticle(
            result_id, "title", InputTextMessageContent(text, parse_mode="HTML")
        )

    inline_id = api.inline_query("q", user_id=USER_ID, queue=False)["inline_query"]["id"]
    with pytest.raises(tg_error.BadRequest, match=r"(?i)results_too_much"):
        await bot.answer_inline_query(inline_id, [article(str(i)) for i in range(51)])
    with pytest.raises(tg_error.BadRequest, match=r"(?i)result_id_invalid"):
        await bot.answer_inline_query(inline_id, [article("é" * 33)])
    with pytest.raises(tg_error.BadRequest, match="unsupported start tag"):
        await bot.answer_inline_query(inline_id, [article("1", "<p>x</p>")])
    assert await bot.answer_inline_query(inline_id, [article(str(i)) for i in range(50)])
    assert len(api.inline_answers[inline_id]["results"]) == 50


# ------------------------------------------------------------------------------------------------
# Failure injection mapped onto PTB exceptions.
# ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_429_surfaces_as_retry_after(api: FakeBotAPI, bot: Bot) -> None:
    """An injected 429 reaches PTB as RetryAfter with the given delay."""
    api.fail_next("sendMessage", TooManyRequests(retry_after=3))
    with pytest.raises(tg_error.RetryAfter) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        await bot.send_message(USER_ID, "hi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _seconds(info.value.retry_after) == 3
    assert api.calls_to("sendMessage")[-1].response["parameters"] == {"retry_after": 3}
    assert (await bot.send_message(USER_ID, "hi")).text == "hi"  # only the next call failed


@pytest.mark.asyncio
async def test_403_surfaces_as_forbidden(api: FakeBotAPI, bot: Bot) -> None:
    """Injected, permanent and membership-driven 403s reach PTB as Forbidden."""
    api.fail_next("sendMessage", Forbidden("bot was blocked by the user"), chat_id=USER_ID)
    await bot.send_message(USER_ID + 1, "other chat is unaffected")
    with pytest.raises(tg_error.Forbidden, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(USER_ID, "hi")
    await bot.send_message(USER_ID, "works again")

    api.block_chat(USER_ID)
    for _ in range(2):
        with pytest.raises(tg_error.Forbidden):
            await bot.send_message(USER_ID, "hi")
    api.unblock_chat(USER_ID)
    await bot.send_message(USER_ID, "unblocked")

    api.my_chat_member(USER_ID, new_status="kicked")  # the user blocks the bot in the client
    with pytest.raises(tg_error.Forbidden):
        await bot.send_chat_action(USER_ID, "typing")


@pytest.mark.asyncio
async def test_migration_surfaces_as_chat_migrated(api: FakeBotAPI, bot: Bot) -> None:
    """Group migration reaches PTB as ChatMigrated carrying the new id."""
    old_group, new_group = -4001, -1009876543210
    api.migrate_chat(old_group, new_group)
    with pytest.raises(tg_error.ChatMigrated) as info:
        await bot.send_message(old_group, "hello group")
    assert info.value.new_chat_id == new_group
    message = await bot.send_message(new_group, "hello supergroup")
    assert message.chat.type == "supergroup"

    api.fail_next("sendMessage", Migrated(-1001111))
    with pytest.raises(tg_error.ChatMigrated) as info:
        await bot.send_message(-4002, "x")
    assert info.value.new_chat_id == -1001111


@pytest.mark.asyncio
async def test_5xx_surfaces_as_network_error(api: FakeBotAPI, bot: Bot) -> None:
    """Server errors reach PTB as plain NetworkError, not BadRequest."""
    api.fail_next("sendMessage", ServerError(502), times=2)
    for _ in range(2):
        with pytest.raises(tg_error.NetworkError) as info:
            await bot.send_message(USER_ID, "hi")
        assert not isinstance(info.value, tg_error.BadRequest)
        assert "Bad Gateway" in info.value.message
    assert api.calls_to("sendMessage")[-1].response == {
        "ok": False,
        "error_code": 502,
        "description": "Bad Gateway",
    }
    api.fail_next("getChat", BadRequest("chat not found"))
    with pytest.raises(tg_error.BadRequest, match="Chat not found"):
        await bot.get_chat(USER_ID)


@pytest.mark.asyncio
async def test_random_faults_are_reproducible(api: FakeBotAPI, bot: Bot) -> None:
    """Seeded random faults repeat exactly, so soak tests are reproducible."""

    async def run() -> list[str]:
        """Send a burst and classify each outcome."""
        outcomes = []
        for i in range(20):
            try:
                await bot.send_message(USER_ID, f"m{i}")
                outcomes.append("ok")
            except tg_error.RetryAfter:
                outcomes.append("429")
            except tg_error.NetworkError:
                outcomes.append("5xx")
        return outcomes

    api.random_faults(seed=7, rate_429=0.2, rate_5xx=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = await run()
        api.random_faults(seed=7, rate_429=0.2, rate_5xx=0.2)
        second = await run()
    assert first == second
    assert {"ok", "429", "5xx"} <= set(first)
    api.random_faults(seed=None)
    assert (await bot.send_message(USER_ID, "calm")).text == "calm"


@pytest.mark.asyncio
async def test_enforced_flood_limits(api: FakeBotAPI, bot: Bot) -> None:
    """Optional flood control rejects bursts per chat and per group."""
    api.enforce_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=2)
    await bot.send_message(USER_ID, "one")
    with pytest.raises(tg_error.RetryAfter), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        await bot.send_message(USER_ID, "two, too fast")
    await bot.send_message(USER_ID + 1, "another chat is fine")
    assert api.limit_violations == 1

    api.enforce_limits(global_per_second=None, per_chat_per_second=None, per_group_per_minute=2)
    await bot.send_message(GROUP_ID, "g1")
    await bot.send_message(GROUP_ID, "g2")
    with pytest.raises(tg_error.RetryAfter) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        await bot.send_message(GROUP_ID, "g3")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert 55 <= _seconds(info.value.retry_after) <= 60
    assert api.limit_violations == 2


# ------------------------------------------------------------------------------------------------
# Other served methods and raw HTTP behaviour.
# ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_chat_member_commands_and_misc_methods(api: FakeBotAPI, bot: Bot) -> None:
    """Membership, command menu and misc methods return valid PTB objects."""
    api.set_member_status(GROUP_ID, 7, "administrator")
    admin = await bot.get_chat_member(GROUP_ID, 7)
    assert admin.status == "administrator"
    assert (await bot.get_chat_member(GROUP_ID, 8)).status == "member"
    assert (await bot.get_chat_member(USER_ID, USER_ID)).status == "member"
    assert [m.user.id for m in await bot.get_chat_administrators(GROUP_ID)] == [7]
    assert (await bot.get_chat(GROUP_ID)).type == "supergroup"

    await bot.set_my_commands([("ask", "Ask a question"), ("start", "Start")], language_code="de")
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["ask", "start"]
    assert await bot.get_my_commands() == ()
    with pytest.raises(tg_error.BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Bad-Command", "x")])
    assert await bot.delete_my_commands(language_code="de")
    assert await bot.get_my_commands(language_code="de") == ()
    assert await bot.set_chat_menu_button()
    with pytest.raises(tg_error.BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(USER_ID, "dancing")
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0


@pytest.mark.asyncio
async def test_raw_http_contract(api: FakeBotAPI) -> None:
    """Token, unknown-method and JSON-body handling match the real HTTP contract."""
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{api.root_url}/botWRONG:token/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with session.post(f"{api.base_url}{TOKEN}/sendTelepathy") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with session.get(f"{api.root_url}/bot{TOKEN}/getme") as response:
            assert (await response.json())["result"]["id"] == 123456
        payload: dict[str, Any] = {
            "chat_id": str(USER_ID),
            "text": "<b>json</b>",
            "parse_mode": "HTML",
            "reply_markup": '{"inline_keyboard": [[{"text": "go", "callback_data": "go"}]]}',
        }
        async with session.post(
            f"{api.root_url}/bot{TOKEN}/sendMessage", json=payload
        ) as response:
            body = await response.json()
            assert body["ok"], body
            assert body["result"]["entities"] == [{"offset": 0, "length": 4, "type": "bold"}]
            assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "go"
        bad_button = {
            "chat_id": USER_ID,
            "text": "t",
            "reply_markup": {"inline_keyboard": [[{"text": "plain"}]]},
        }
        async with session.post(
            f"{api.root_url}/bot{TOKEN}/sendMessage", json=bad_button
        ) as response:
            assert response.status == 400
            assert "Text buttons are unallowed" in (await response.json())["description"]
    sent = api.sent_messages(USER_ID)[0]
    assert sent.text == "<b>json</b>" and sent.buttons == [[("go", "go")]]


@pytest.mark.asyncio
async def test_get_updates_long_polling_semantics(api: FakeBotAPI) -> None:
    """Long polling really waits and honours offset, limit and update filters."""
    url = f"{api.root_url}/bot{TOKEN}/getUpdates"
    async with aiohttp.ClientSession() as session:
        started = time.monotonic()
        async with session.post(url, json={"timeout": 0.3}) as response:
            assert (await response.json())["result"] == []
        assert time.monotonic() - started >= 0.25  # it really waited

        async def push_later() -> None:
            """Queue an update while the poll is pending."""
            await asyncio.sleep(0.1)
            api.private_message("wake up", user_id=USER_ID)

        started = time.monotonic()
        pusher = asyncio.create_task(push_later())
        async with session.post(url, data={"timeout": "5"}) as response:
            updates = (await response.json())["result"]
        await pusher
        assert time.monotonic() - started < 2
        assert [u["message"]["text"] for u in updates] == ["wake up"]

        api.private_message("second", user_id=USER_ID)
        api.inline_query("ignored", user_id=USER_ID)
        first_id = updates[0]["update_id"]
        async with session.post(
            url, json={"offset": first_id + 1, "allowed_updates": ["message"]}
        ) as response:
            updates = (await response.json())["result"]
        assert [u["message"]["text"] for u in updates] == ["second"]  # confirmed + filtered
        async with session.post(
            url, json={"offset": updates[0]["update_id"] + 1, "limit": 5}
        ) as response:
            assert (await response.json())["result"] == []
        assert api.pending_updates == []


@pytest.mark.asyncio
async def test_webhook_mode(api: FakeBotAPI, bot: Bot) -> None:
    """With a webhook set, updates are POSTed to it and polling conflicts."""
    received: list[tuple[dict[str, Any], str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        """Collect delivered updates like a bot's webhook endpoint would."""
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(tg_error.Conflict):
            await bot.get_updates(timeout=0)
        api.private_message("via webhook", user_id=USER_ID)
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.02)
        assert received[0][0]["message"]["text"] == "via webhook" and received[0][1] == "s3cret"
        assert api.webhook_deliveries[0].status == 200
        assert (await bot.get_webhook_info()).url.endswith("/hook")
        built = api.make_update("private_message", "manual", user_id=USER_ID)
        assert built["message"]["text"] == "manual" and len(received) == 1
        await bot.delete_webhook()
    finally:
        await runner.cleanup()


# ------------------------------------------------------------------------------------------------
# parse_telegram_html unit tests.
# ------------------------------------------------------------------------------------------------


def test_html_nesting_and_entity_types() -> None:
    """Nested tags become correctly placed entities of the right types."""
    plain, entities = parse_telegram_html(
        '<b>bold <i>both</i></b> <a href="https://t.me/x">link</a> <tg-spoiler>s</tg-spoiler> '
        '<span class="tg-spoiler">t</span> <u>u</u><s>s</s><code>c</code>'
    )
    assert plain == "bold both link s t usc"
    assert entities == [
        {"offset": 0, "length": 9, "type": "bold"},
        {"offset": 5, "length": 4, "type": "italic"},
        {"offset": 10, "length": 4, "type": "text_link", "url": "https://t.me/x"},
        {"offset": 15, "length": 1, "type": "spoiler"},
        {"offset": 17, "length": 1, "type": "spoiler"},
        {"offset": 19, "length": 1, "type": "underline"},
        {"offset": 20, "length": 1, "type": "strikethrough"},
        {"offset": 21, "length": 1, "type": "code"},
    ]


def test_html_pre_code_blockquote_and_emoji() -> None:
    """pre/code merging, blockquotes and custom emoji map like Telegram."""
    plain, entities = parse_telegram_html('<pre><code class="language-python">x = 1</code></pre>')
    assert plain == "x = 1"
    assert entities == [{"offset": 0, "length": 5, "type": "pre", "language": "python"}]
    _, entities = parse_telegram_html(
        "<blockquote expandable>long</blockquote><blockquote>q</blockquote>"
    )
    assert [e["type"] for e in entities] == ["expandable_blockquote", "blockquote"]
    _, entities = parse_telegram_html('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>')
    assert entities == [
        {
            "offset": 0,
            "length": 2,
            "type": "custom_emoji",
            "custom_emoji_id": "5368324170671202286",
        }
    ]
    _, entities = parse_telegram_html("<code><b>no bold inside code</b></code>")
    assert [e["type"] for e in entities] == ["code"]


def test_html_character_entities() -> None:
    """Named and numeric references decode; stray & and > stay literal."""
    plain, _ = parse_telegram_html("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x1F600; AT&T 5 > 3")
    assert plain == '<tag> & "q" A😀 AT&T 5 > 3'


def test_html_utf16_offsets_with_emoji() -> None:
    """Offsets and lengths are counted in UTF-16 code units."""
    plain, entities = parse_telegram_html("😀 <b>Запоріжжя 🇺🇦</b> ok")
    assert plain == "😀 Запоріжжя 🇺🇦 ok"
    assert entities == [
        {"offset": 3, "length": 14, "type": "bold"}
    ]  # 😀 = 2 units, flag = 4 units
    assert utf16_len(plain) == 20
    assert utf16_len("😀" * 2048) == 4096


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello <div>x</div>", 'Unsupported start tag "div" at byte offset 6'),
        ("Привіт <p>", 'Unsupported start tag "p" at byte offset 13'),  # byte, not char, offset
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href=https://x.y>z</a>", "Unexpected end of name token at byte offset 8"),
        ("&foo; x", 'Unsupported HTML entity "&foo;" at byte offset 0'),
    ],
)
def test_html_errors_match_telegram(text: str, reason: str) -> None:
    """Malformed markup yields Telegram's exact error texts and byte offsets."""
    with pytest.raises(HTMLParseError) as info:
        parse_telegram_html(text)
    assert info.value.reason == reason
    assert info.value.description == f"Bad Request: can't parse entities: {reason}"
    assert str(info.value) == f"can't parse entities: {reason}".capitalize()


def test_html_lenient_entities_keep_unknown_reference() -> None:
    """Lenient mode keeps unknown references literally, as Telegram does."""
    assert parse_telegram_html("&foo; x", strict_entities=False) == ("&foo; x", [])
