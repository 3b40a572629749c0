"""Bot API methods answering user queries: answerCallbackQuery and answerInlineQuery."""

from __future__ import annotations

import time

from .errors import BadRequest
from .records import Ctx, Handler, JSONDict
from .state import ApiState
from .telegram_text import utf16_len
from .validation import MAX_CALLBACK_ANSWER_LENGTH, MAX_INLINE_RESULTS, validate_inline_result

__all__ = ["QueryMethods"]

_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class QueryMethods(ApiState):
    """Answer button presses and inline queries, remembering the answers for assertions."""

    def _query_methods(self) -> dict[str, Handler]:
        """The Bot API methods served here."""
        return {
            "answerCallbackQuery": self._api_answer_callback_query,
            "answerInlineQuery": self._api_answer_inline_query,
        }

    def _check_query(
        self, query_id: str, queries: dict[str, JSONDict], answers: dict[str, JSONDict]
    ) -> JSONDict:
        """Reject unknown, already answered or expired queries like Telegram."""
        query = queries.get(query_id)
        expired = time.monotonic() - self._query_created.get(query_id, 0.0) > self.query_ttl
        if query is None or query_id in answers or expired:
            raise BadRequest(_QUERY_TOO_OLD)
        return query

    async def _api_answer_callback_query(self, ctx: Ctx) -> bool:
        """Answer a button press; remembered so tests can assert on toasts and alerts."""
        params = ctx.params
        query_id = str(params.get("callback_query_id") or "")
        query = self._check_query(query_id, self.callback_queries, self.callback_answers)
        if "message" in query:
            ctx.chat_id = query["message"]["chat"]["id"]
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise BadRequest("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": bool(params.get("show_alert")),
            "url": params.get("url"),
            "cache_time": int(params.get("cache_time") or 0),
        }
        return True

    async def _api_answer_inline_query(self, ctx: Ctx) -> bool:
        """Validate and store inline results (count, ids, message texts, keyboards)."""
        params = ctx.params
        query_id = str(params.get("inline_query_id") or "")
        self._check_query(query_id, self.inline_queries, self.inline_answers)
        results = params.get("results")
        if not isinstance(results, list):
            raise BadRequest("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise BadRequest("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            validate_inline_result(result, seen, strict_entities=self.strict_html_entities)
        self.inline_answers[query_id] = {
            "results": results,
            "cache_time": int(params.get("cache_time") or 300),
            "is_personal": bool(params.get("is_personal")),
            "next_offset": params.get("next_offset") or "",
            "button": params.get("button"),
        }
        return True
