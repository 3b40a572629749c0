"""Inline mode: `@bot question` in any chat lists matching entries.

They are decided as in a chat (Engine.offered): nothing for a question outside the base (the
chat's reply where an entry names it as such, "is this Trump's Gaza plan?"), the reply naming the
knowledge date for a later time. Choosing one inserts the answer (and, where inline
feedback is on at @BotFather, tells the bot which entry the question was for).
"""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.ext import ChosenInlineResultHandler, InlineQueryHandler

from chat.render import render_answer, split_message
from handlers.ask import answer_keyboard
from handlers.context import Context, services, ui_language
from knowledge.answer import Outcome
from knowledge.messages import wording

MAX_RESULTS = 10
SNIPPET_CHARS = 120
AFTER_RESULT = "after-knowledge-date"  # the result id of the reply naming the knowledge date


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
    decided, found = svc.engine.offered(text, hint=ui, limit=MAX_RESULTS)
    language = decided.language
    results = []
    if decided.outcome is Outcome.after:
        # About a time after the knowledge date: the chat's reply, which names that date.
        results.append(
            _reply(
                AFTER_RESULT,
                f"{wording(language, 'knowledge_date')} {decided.known_until}",
                wording(language, "after_knowledge_date").format(date=decided.known_until),
                render_answer(replace(decided, suggestions=[])),  # no buttons inline
            )
        )
    elif decided.note and decided.note_entry_id in svc.engine.base.entries:
        # Named as outside the base ("is this Trump's Gaza plan?"): the chat's reply, saying why.
        entry = svc.engine.base.entries[decided.note_entry_id]
        results.append(
            _reply(entry.id, entry.title.get(language), decided.note, render_answer(decided))
        )
    for candidate in found:
        entry = svc.engine.base.entries[candidate.entry_id]
        # The same first message as in a chat (the yes or no where the query settles it; what
        # was known then, said so, where the question asks about now), with its More, Sources
        # and Related buttons: they edit the inserted message in place.
        answer = replace(
            svc.engine.compose(entry, text, language, candidate.confidence),
            known_then=decided.known_then,
        )
        results.append(
            InlineQueryResultArticle(
                id=entry.id,
                title=answer.title,
                description=_snippet(answer.summary),
                input_message_content=InputTextMessageContent(
                    split_message(render_answer(answer))[0],
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                ),
                reply_markup=answer_keyboard(answer, ui),
            )
        )
    await query.answer(results, cache_time=30, is_personal=True)


def _reply(result_id: str, title: str, description: str, text: str) -> InlineQueryResultArticle:
    """A result inserting the chat's reply (no entry's answer, no buttons)."""
    return InlineQueryResultArticle(
        id=result_id,
        title=title,
        description=_snippet(description),
        input_message_content=InputTextMessageContent(text, parse_mode=ParseMode.HTML),
    )


def _snippet(text: str) -> str:
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


async def chosen_result(update: Update, context: Context) -> None:
    """An inline result chosen after typing a question: the entry that question was for."""
    chosen = update.chosen_inline_result
    if chosen is None:
        return
    text = (chosen.query or "")[: InlineQueryLimit.MAX_QUERY_LENGTH].strip()
    svc = services(context)
    if not text or chosen.result_id not in svc.engine.base.entries:
        return
    decided, found = svc.engine.offered(
        text, hint=await ui_language(update, context), limit=MAX_RESULTS
    )
    top = found[0].entry_id if found else None
    await svc.feedback.chose_inline(text, decided.language, chosen.result_id, top)


HANDLERS = [InlineQueryHandler(inline_query), ChosenInlineResultHandler(chosen_result)]
