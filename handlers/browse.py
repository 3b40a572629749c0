"""Browsing without a question: /topics, /plan, /compare, /timeline and /sources."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from chat.browsing import (
    PLAN_LINES_PER_PAGE,
    TIMELINE_EVENTS_PER_PAGE,
    pager,
    plan_page,
    timeline_page,
)
from chat.callbacks import (
    CallbackData,
    Comparison,
    OpenEntry,
    PlanPage,
    PlanPoint,
    TimelineEntry,
    TimelinePage,
    TopicList,
    TopicPage,
    decode,
    pattern_for,
)
from chat.render import escape, relay_label, render_answer, split_message
from chat.texts import t
from handlers.ask import answer_keyboard, expired, send_answer
from handlers.context import Context, message_of, not_modified, services, ui_language
from knowledge.browse import (
    citations,
    comparisons,
    find_comparison,
    plan_lines,
    plan_named,
    plan_overview,
    plan_pages,
    timeline_events,
    timeline_periods,
)
from knowledge.schema import Entry

TOPICS_PER_PAGE = 8
ENTRIES_PER_PAGE = 8


async def _show(
    update: Update,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    edit: bool,
    notice: str | None = None,
) -> None:
    """Edits the message a button belongs to, or sends a new one for a command.

    A second tap on the same button changes nothing, which Telegram reports as an error; the
    message already shows what was asked for."""
    if edit and update.callback_query is not None:
        await update.callback_query.answer(notice)
        try:
            await update.callback_query.edit_message_text(text, reply_markup=keyboard)
        except BadRequest as exc:
            if not not_modified(exc):
                raise
    else:
        await message_of(update).reply_text(text, reply_markup=keyboard)


def _page_within(page: int, pages: int, language: str) -> tuple[int, str | None]:
    """The page to show, and a notice when a stale or forged button asked for one not there."""
    if 0 <= page < pages:
        return page, None
    return min(max(page, 0), pages - 1), t(language, "page_gone")


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
    pager_row = pager(TopicList, page, pages, language)
    if pager_row:
        rows.append(pager_row)
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
    pager_row = pager(lambda p: TopicPage(topic_id, p), page, pages, language)
    if pager_row:
        rows.append(pager_row)
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
    """A plan's points, one line each: the 20 points of the December plan on one page, the clauses
    outside its numbering on the next."""
    base = services(context).engine.base
    language = await ui_language(update, context)
    pages = plan_pages(plan_lines(base, str(plan)), PLAN_LINES_PER_PAGE)
    page, notice = _page_within(page, len(pages), language)
    shown = plan_page(plan, pages, page, plan_overview(base, str(plan)), language)
    await _show(update, shown.text, shown.keyboard, edit, notice)


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


async def send_timeline(update: Update, context: Context, page: int, edit: bool) -> None:
    """One period of the timeline, each event once; Prev and Next edit the page in place."""
    language = await ui_language(update, context)
    events = timeline_events(services(context).engine.base)
    periods = timeline_periods(events, TIMELINE_EVENTS_PER_PAGE)
    if not periods:
        await _show(update, t(language, "timeline_title"), None, edit)
        return
    page, notice = _page_within(page, len(periods), language)
    shown = timeline_page(periods, page, language)
    await _show(update, shown.text, shown.keyboard, edit, notice)


async def timeline_command(update: Update, context: Context) -> None:
    await send_timeline(update, context, 0, edit=False)


async def open_from_page(
    update: Update, context: Context, entry: Entry, back: CallbackData
) -> None:
    """An entry opened in place of the page it was listed on, with « Back to that page."""
    language = await ui_language(update, context)
    answer = services(context).engine.compose(entry, "", language)
    keyboard = answer_keyboard(answer, language)
    rows = [list(row) for row in keyboard.inline_keyboard] if keyboard else []
    rows.append([InlineKeyboardButton(t(language, "btn_back"), callback_data=back.encode())])
    text = split_message(render_answer(answer))[0]
    await _show(update, text, InlineKeyboardMarkup(rows), edit=True)


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
    elif isinstance(callback, TimelinePage):
        await send_timeline(update, context, callback.page, edit=True)
    elif isinstance(callback, PlanPoint) and callback.entry_id in base.entries:
        to_plan = PlanPage(callback.plan, callback.page)
        await open_from_page(update, context, base.entries[callback.entry_id], to_plan)
    elif isinstance(callback, TimelineEntry) and callback.entry_id in base.entries:
        to_timeline = TimelinePage(callback.page)
        await open_from_page(update, context, base.entries[callback.entry_id], to_timeline)
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
        browse_button,
        pattern=pattern_for(
            TopicList, TopicPage, PlanPage, Comparison, TimelinePage, TimelineEntry, PlanPoint
        ),
    ),
]
