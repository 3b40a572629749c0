"""Browsing without a question: /topics, /plan, /compare, /timeline and /sources."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from chat.callbacks import (
    CallbackData,
    Comparison,
    OpenEntry,
    PlanPage,
    TopicList,
    TopicPage,
    decode,
    pattern_for,
)
from chat.render import escape, relay_label, render_answer, split_message
from chat.texts import t
from handlers.ask import answer_keyboard, expired, send_answer
from handlers.context import Context, message_of, services, ui_language
from knowledge.browse import (
    citations,
    comparisons,
    find_comparison,
    plan_entries,
    plan_named,
    timeline,
)

TOPICS_PER_PAGE = 8
ENTRIES_PER_PAGE = 8
PLAN_POINTS_PER_PAGE = 3


def _pager(
    to_page: Callable[[int], CallbackData], page: int, pages: int, language: str
) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(t(language, "btn_prev"), callback_data=to_page(page - 1).encode())
        )
    if page < pages - 1:
        row.append(
            InlineKeyboardButton(t(language, "btn_next"), callback_data=to_page(page + 1).encode())
        )
    return row


async def _show(
    update: Update, text: str, keyboard: InlineKeyboardMarkup | None, edit: bool
) -> None:
    """Edits the message a button belongs to, or sends a new one for a command."""
    if edit and update.callback_query is not None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(text, reply_markup=keyboard)
    else:
        await message_of(update).reply_text(text, reply_markup=keyboard)


# --- topics --------------------------------------------------------------------------------------


async def send_topics(update: Update, context: Context, page: int, edit: bool) -> None:
    base = services(context).engine.base
    language = await ui_language(update, context)
    topics = list(base.topics.values())
    pages = max(1, -(-len(topics) // TOPICS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = topics[page * TOPICS_PER_PAGE : (page + 1) * TOPICS_PER_PAGE]
    rows = [
        [
            InlineKeyboardButton(
                f"{topic.title_in(language)} ({len(base.entries_in(topic.id))})",
                callback_data=TopicPage(topic.id, 0).encode(),
            )
        ]
        for topic in shown
    ]
    pager = _pager(TopicList, page, pages, language)
    if pager:
        rows.append(pager)
    await _show(update, t(language, "topics_title"), InlineKeyboardMarkup(rows), edit)


async def send_topic(
    update: Update, context: Context, topic_id: str, page: int, edit: bool
) -> None:
    base = services(context).engine.base
    language = await ui_language(update, context)
    topic = base.topics[topic_id]
    entries = base.entries_in(topic_id)
    pages = max(1, -(-len(entries) // ENTRIES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    rows = [
        [InlineKeyboardButton(e.title.get(language), callback_data=OpenEntry(e.id).encode())]
        for e in entries[page * ENTRIES_PER_PAGE : (page + 1) * ENTRIES_PER_PAGE]
    ]
    pager = _pager(lambda p: TopicPage(topic_id, p), page, pages, language)
    if pager:
        rows.append(pager)
    rows.append(
        [InlineKeyboardButton(t(language, "btn_back"), callback_data=TopicList(0).encode())]
    )
    title = escape(topic.title_in(language))
    text = t(language, "topic_entries", topic=title, count=len(entries))
    await _show(update, text, InlineKeyboardMarkup(rows), edit)


async def topics_command(update: Update, context: Context) -> None:
    await send_topics(update, context, 0, edit=False)


# --- the plans, page by page ---------------------------------------------------------------------


async def send_plan(update: Update, context: Context, plan: int, page: int, edit: bool) -> None:
    base = services(context).engine.base
    language = await ui_language(update, context)
    entries = plan_entries(base, str(plan))
    pages = max(1, -(-len(entries) // PLAN_POINTS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    name = t(language, f"btn_plan_{plan}")
    blocks = [t(language, "plan_title", plan=escape(name), page=page + 1, pages=pages)]
    for entry in entries[page * PLAN_POINTS_PER_PAGE : (page + 1) * PLAN_POINTS_PER_PAGE]:
        summary, _ = entry.answer.in_language(language)
        blocks.append(f"<b>{escape(entry.title.get(language))}</b>\n{escape(summary)}")
    rows = [
        [InlineKeyboardButton(e.title.get(language), callback_data=OpenEntry(e.id).encode())]
        for e in entries[page * PLAN_POINTS_PER_PAGE : (page + 1) * PLAN_POINTS_PER_PAGE]
    ]
    pager = _pager(lambda p: PlanPage(plan, p), page, pages, language)
    if pager:
        rows.append(pager)
    other = 28 if plan == 20 else 20
    rows.append(
        [
            InlineKeyboardButton(
                t(language, f"btn_plan_{other}"), callback_data=PlanPage(other, 0).encode()
            )
        ]
    )
    await _show(update, split_message("\n\n".join(blocks))[0], InlineKeyboardMarkup(rows), edit)


async def plan_command(update: Update, context: Context) -> None:
    await send_plan(update, context, int(plan_named(context.args or [])), 0, edit=False)


# --- comparisons ---------------------------------------------------------------------------------


async def compare_command(update: Update, context: Context) -> None:
    """/compare nato — the comparison that best fits the words; the list when none does."""
    svc = services(context)
    language = await ui_language(update, context)
    message = message_of(update)
    wanted = " ".join(context.args or []).strip()
    entry = find_comparison(svc.engine, wanted) if wanted else None
    if entry is not None:
        await send_answer(message, svc.engine.compose(entry, wanted, language), language)
        return
    rows = [
        [InlineKeyboardButton(e.title.get(language), callback_data=Comparison(e.id).encode())]
        for e in comparisons(svc.engine.base)
    ]
    key = "compare_unknown" if wanted else "compare_choose"
    await message.reply_text(t(language, key), reply_markup=InlineKeyboardMarkup(rows))


# --- timeline and sources ------------------------------------------------------------------------


async def timeline_command(update: Update, context: Context) -> None:
    language = await ui_language(update, context)
    events = timeline(services(context).engine.base)
    lines = [t(language, "timeline_title"), ""]
    lines += [f"<b>{e.event_date}</b> — {escape(e.title.get(language))}" for e in events]
    rows = [
        [
            InlineKeyboardButton(
                f"{e.event_date} · {e.title.get(language)}"[:64],
                callback_data=OpenEntry(e.id).encode(),
            )
        ]
        for e in events
    ]
    parts = split_message("\n".join(lines))
    for index, part in enumerate(parts):
        await message_of(update).reply_text(
            part, reply_markup=InlineKeyboardMarkup(rows) if index == len(parts) - 1 else None
        )


async def sources_command(update: Update, context: Context) -> None:
    language = await ui_language(update, context)
    cited = citations(services(context).engine.base)
    lines = [t(language, "sources_title", count=cited.sources), ""]
    relay = f" {relay_label(language)}"
    lines += [
        f"• {escape(publisher)} ({count}){relay if publisher in cited.relays else ''}"
        for publisher, count in cited.by_publisher
    ]
    for part in split_message("\n".join(lines)):
        await message_of(update).reply_text(part)


# --- buttons -------------------------------------------------------------------------------------


async def browse_button(update: Update, context: Context) -> None:
    callback = decode(update.callback_query.data if update.callback_query else None)
    base = services(context).engine.base
    if isinstance(callback, TopicList):
        await send_topics(update, context, callback.page, edit=True)
    elif isinstance(callback, TopicPage) and callback.topic_id in base.topics:
        await send_topic(update, context, callback.topic_id, callback.page, edit=True)
    elif isinstance(callback, PlanPage):
        await send_plan(update, context, callback.plan, callback.page, edit=True)
    elif isinstance(callback, Comparison) and callback.entry_id in base.entries:
        language = await ui_language(update, context)
        answer = services(context).engine.compose(base.entries[callback.entry_id], "", language)
        await _show(
            update,
            split_message(render_answer(answer))[0],
            answer_keyboard(answer, language),
            edit=True,
        )
    else:
        await expired(update, context)


HANDLERS = [
    CallbackQueryHandler(
        browse_button, pattern=pattern_for(TopicList, TopicPage, PlanPage, Comparison)
    ),
]
