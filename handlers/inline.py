"""Inline mode: `@bot question` in any chat lists matching entries.

Choosing one inserts the answer (and, where inline feedback is on at @BotFather, tells the bot
which entry the question was for).
"""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.ext import ChosenInlineResultHandler, InlineQueryHandler

from chat.render import render_answer, split_message
from handlers.ask import answer_keyboard
from handlers.context import Context, services, ui_language
from knowledge.schema import Kind

MAX_RESULTS = 10
SNIPPET_CHARS = 120


async def inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    text = (query.query or "")[: InlineQueryLimit.MAX_QUERY_LENGTH].strip()
    svc = services(context)
    if not text:
        await query.answer([], cache_time=5, is_personal=True)
        return
    ui = await ui_language(update, context)
    language = svc.engine.index.language_of(text, hint=ui)
    found = svc.engine.choices(text, limit=MAX_RESULTS)
    results = []
    for candidate in found:
        entry = svc.engine.base.entries[candidate.entry_id]
        if entry.kind is Kind.disambiguation:
            continue
        # The same first message as in a chat (the yes or no where the query settles it), with
        # its More, Sources and Related buttons: they edit the inserted message in place.
        answer = svc.engine.compose(entry, text, language, candidate.confidence)
        snippet = (
            answer.summary
            if len(answer.summary) <= SNIPPET_CHARS
            else answer.summary[: SNIPPET_CHARS - 1] + "…"
        )
        results.append(
            InlineQueryResultArticle(
                id=entry.id,
                title=answer.title,
                description=snippet,
                input_message_content=InputTextMessageContent(
                    split_message(render_answer(answer))[0],
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                ),
                reply_markup=answer_keyboard(answer, ui),
            )
        )
    await query.answer(results, cache_time=30, is_personal=True)


async def chosen_result(update: Update, context: Context) -> None:
    """An inline result chosen after typing a question: the entry that question was for."""
    chosen = update.chosen_inline_result
    if chosen is None:
        return
    text = (chosen.query or "")[: InlineQueryLimit.MAX_QUERY_LENGTH].strip()
    svc = services(context)
    if not text or chosen.result_id not in svc.engine.base.entries:
        return
    language = svc.engine.index.language_of(text, hint=await ui_language(update, context))
    top = next(
        (
            c.entry_id
            for c in svc.engine.choices(text, limit=MAX_RESULTS)
            if svc.engine.base.entries[c.entry_id].kind is not Kind.disambiguation
        ),
        None,
    )
    await svc.feedback.chose_inline(text, language, chosen.result_id, top)


HANDLERS = [InlineQueryHandler(inline_query), ChosenInlineResultHandler(chosen_result)]
