"""Browsing without a question: /topics, /plan, /compare, /timeline and /sources."""

from __future__ import annotations

from collections import Counter

from rapidfuzz import fuzz, process
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot.render import escape, render_answer, split_message
from bot.texts import t
from handlers.ask import answer_keyboard, expired, send_answer
from handlers.callbacks import decode, encode
from handlers.context import services, ui_language
from knowledge.normalize import normalize
from knowledge.schema import Entry, Kind

TOPICS_PER_PAGE = 8
ENTRIES_PER_PAGE = 8
PLAN_POINTS_PER_PAGE = 3


def _pager(
    action: str, key: str | None, page: int, pages: int, language: str
) -> list[InlineKeyboardButton]:
    args = (key,) if key is not None else ()
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(
                t(language, "btn_prev"), callback_data=encode(action, *args, page - 1)
            )
        )
    if page < pages - 1:
        row.append(
            InlineKeyboardButton(
                t(language, "btn_next"), callback_data=encode(action, *args, page + 1)
            )
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
        await update.effective_message.reply_text(text, reply_markup=keyboard)


# --- topics --------------------------------------------------------------------------------------


async def send_topics(
    update: Update, context: ContextTypes.DEFAULT_TYPE, page: int, edit: bool
) -> None:
    base = services(context).engine.base
    language = await ui_language(update, context)
    topics = list(base.topics.values())
    pages = max(1, -(-len(topics) // TOPICS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = topics[page * TOPICS_PER_PAGE : (page + 1) * TOPICS_PER_PAGE]
    rows = [
        [
            InlineKeyboardButton(
                f"{topic.title.get(language, topic.title['en'])} ({len(base.entries_in(topic.id))})",  # type: ignore[call-overload]
                callback_data=encode("t", topic.id, 0),
            )
        ]
        for topic in shown
    ]
    pager = _pager("tl", None, page, pages, language)
    if pager:
        rows.append(pager)
    await _show(update, t(language, "topics_title"), InlineKeyboardMarkup(rows), edit)


async def send_topic(
    update: Update, context: ContextTypes.DEFAULT_TYPE, topic_id: str, page: int, edit: bool
) -> None:
    base = services(context).engine.base
    language = await ui_language(update, context)
    topic = base.topics[topic_id]
    entries = base.entries_in(topic_id)
    pages = max(1, -(-len(entries) // ENTRIES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    rows = [
        [InlineKeyboardButton(e.title.get(language), callback_data=encode("e", e.id))]
        for e in entries[page * ENTRIES_PER_PAGE : (page + 1) * ENTRIES_PER_PAGE]
    ]
    pager = _pager("t", topic_id, page, pages, language)
    if pager:
        rows.append(pager)
    rows.append([InlineKeyboardButton(t(language, "btn_back"), callback_data=encode("tl", 0))])
    title = topic.title.get(language, topic.title["en"])  # type: ignore[call-overload]
    text = t(language, "topic_entries", topic=escape(title), count=len(entries))
    await _show(update, text, InlineKeyboardMarkup(rows), edit)


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_topics(update, context, 0, edit=False)


# --- the plans, page by page ---------------------------------------------------------------------


def plan_entries(entries: list[Entry], plan: str) -> list[Entry]:
    """The points of a plan in file order: plan points first, then the plan's other entries."""
    in_plan = [
        e
        for e in entries
        if f"plan-{plan}" in e.topics and e.kind not in (Kind.comparison, Kind.event)
    ]
    return sorted(in_plan, key=lambda e: (e.kind is not Kind.plan, e.kind is not Kind.plan_point))


async def send_plan(
    update: Update, context: ContextTypes.DEFAULT_TYPE, plan: str, page: int, edit: bool
) -> None:
    base = services(context).engine.base
    language = await ui_language(update, context)
    entries = plan_entries(list(base.entries.values()), plan)
    pages = max(1, -(-len(entries) // PLAN_POINTS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    name = t(language, f"btn_plan_{plan}")
    blocks = [t(language, "plan_title", plan=escape(name), page=page + 1, pages=pages)]
    for entry in entries[page * PLAN_POINTS_PER_PAGE : (page + 1) * PLAN_POINTS_PER_PAGE]:
        summary, _ = entry.answer.in_language(language)
        blocks.append(f"<b>{escape(entry.title.get(language))}</b>\n{escape(summary)}")
    rows = [
        [InlineKeyboardButton(e.title.get(language), callback_data=encode("e", e.id))]
        for e in entries[page * PLAN_POINTS_PER_PAGE : (page + 1) * PLAN_POINTS_PER_PAGE]
    ]
    pager = _pager("p", plan, page, pages, language)
    if pager:
        rows.append(pager)
    other = "28" if plan == "20" else "20"
    rows.append(
        [
            InlineKeyboardButton(
                t(language, f"btn_plan_{other}"), callback_data=encode("p", other, 0)
            )
        ]
    )
    await _show(update, split_message("\n\n".join(blocks))[0], InlineKeyboardMarkup(rows), edit)


async def plan_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    plan = "28" if any("28" in a or "nov" in a.lower() for a in context.args or []) else "20"
    await send_plan(update, context, plan, 0, edit=False)


# --- comparisons ---------------------------------------------------------------------------------


def comparisons(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.kind is Kind.comparison]


async def compare_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/compare nato — the comparison that best fits the words; the list when none does."""
    svc = services(context)
    language = await ui_language(update, context)
    options = comparisons(list(svc.engine.base.entries.values()))
    wanted = " ".join(context.args or []).strip()
    if wanted and options:
        ranked = [
            c
            for c in svc.engine.candidates(wanted + " compare", limit=10)
            if svc.engine.base.entries[c.entry_id].kind is Kind.comparison
        ]
        if ranked and ranked[0].relevance >= svc.engine.thresholds.suggest:
            entry = svc.engine.base.entries[ranked[0].entry_id]
        else:
            titles = {
                e.id: normalize(
                    " ".join(filter(None, e.title.model_dump().values()))
                    + " "
                    + e.id.replace("-", " ")
                )
                for e in options
            }
            best = process.extractOne(
                normalize(wanted), titles, scorer=fuzz.token_set_ratio, processor=None
            )
            entry = svc.engine.base.entries[best[2]] if best and best[1] >= 70 else None
        if entry is not None:
            await send_answer(
                update.effective_message, svc.engine.compose(entry, wanted, language), language
            )
            return
    rows = [
        [InlineKeyboardButton(e.title.get(language), callback_data=encode("c", e.id))]
        for e in options
    ]
    key = "compare_unknown" if wanted else "compare_choose"
    await update.effective_message.reply_text(
        t(language, key), reply_markup=InlineKeyboardMarkup(rows)
    )


# --- timeline and sources ------------------------------------------------------------------------


async def timeline_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    base = services(context).engine.base
    language = await ui_language(update, context)
    events = sorted(
        (e for e in base.entries.values() if e.kind is Kind.event and e.event_date),
        key=lambda e: e.event_date,
    )  # type: ignore[arg-type, return-value]
    lines = [t(language, "timeline_title"), ""]
    lines += [
        f"<b>{e.event_date.isoformat()}</b> — {escape(e.title.get(language))}" for e in events
    ]  # type: ignore[union-attr]
    rows = [
        [
            InlineKeyboardButton(
                f"{e.event_date} · {e.title.get(language)}"[:64], callback_data=encode("e", e.id)
            )
        ]
        for e in events
    ]
    parts = split_message("\n".join(lines))
    for index, part in enumerate(parts):
        await update.effective_message.reply_text(
            part, reply_markup=InlineKeyboardMarkup(rows) if index == len(parts) - 1 else None
        )


async def sources_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    base = services(context).engine.base
    language = await ui_language(update, context)
    cited = Counter(s for e in base.entries.values() for s in e.sources)
    by_publisher: Counter[str] = Counter()
    for source_id, count in cited.items():
        by_publisher[base.sources[source_id].publisher] += count
    lines = [t(language, "sources_title", count=len(cited)), ""]
    lines += [
        f"• {escape(publisher)} ({count})" for publisher, count in by_publisher.most_common()
    ]
    for part in split_message("\n".join(lines)):
        await update.effective_message.reply_text(part)


# --- buttons -------------------------------------------------------------------------------------


async def browse_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    callback = decode(update.callback_query.data)
    base = services(context).engine.base
    if callback is None:
        await expired(update, context)
        return
    if callback.action == "tl":
        await send_topics(update, context, int(callback.args[0]), edit=True)
    elif callback.action == "t" and callback.args[0] in base.topics:
        await send_topic(update, context, callback.args[0], int(callback.args[1]), edit=True)
    elif callback.action == "p":
        await send_plan(update, context, callback.args[0], int(callback.args[1]), edit=True)
    elif callback.action == "c" and callback.args[0] in base.entries:
        language = await ui_language(update, context)
        answer = services(context).engine.compose(base.entries[callback.args[0]], "", language)
        await _show(
            update,
            split_message(render_answer(answer))[0],
            answer_keyboard(answer, language),
            edit=True,
        )
    else:
        await expired(update, context)


HANDLERS = [
    CommandHandler("topics", topics_command),
    CommandHandler("plan", plan_command),
    CommandHandler("compare", compare_command),
    CommandHandler("timeline", timeline_command),
    CommandHandler("sources", sources_command),
    CallbackQueryHandler(browse_button, pattern=r"^1\|(tl|t|p|c)\|"),
]
