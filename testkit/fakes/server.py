"""The HTTP side of the fake: aiohttp server lifecycle, request parsing and method dispatch."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import time
from collections.abc import Callable
from typing import Any, Self

from aiohttp import web

from .errors import ApiError, BadRequest, NotFound, ServerError, Unauthorized
from .faults import FaultInjection
from .records import Call, Ctx, Handler, JSONDict
from .state import INT_RE, Notifier, logger, norm_chat_id

__all__ = ["HttpServer", "coerce_param"]

# Parameters that stay strings even when they look like numbers, booleans or JSON.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "message_text",
        "query",
        "data",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "description",
        "short_description",
        "name",
        "title",
        "parse_mode",
        "action",
        "language_code",
        "next_offset",
        "ip_address",
        "emoji",
        "custom_emoji_id",
        "business_connection_id",
        "message_effect_id",
        "switch_pm_text",
        "switch_pm_parameter",
        "file_id",
        "status",
    }
)


def coerce_param(key: str, value: Any) -> Any:
    """Decode form-encoded values, because PTB sends numbers, booleans and objects as strings."""
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    stripped = value.strip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(stripped)
        except ValueError as exc:
            if key == "reply_markup":
                raise BadRequest("can't parse reply keyboard markup JSON object") from exc
            raise BadRequest(f"can't parse {key} JSON object") from exc
    if stripped in ("true", "false"):
        return stripped == "true"
    if INT_RE.match(stripped):
        return int(stripped)
    return value


class HttpServer(FaultInjection):
    """Serve ``/bot{token}/{method}`` on 127.0.0.1 and dispatch to the method handlers."""

    # ---------------------------------------------------------------- lifecycle & URLs

    async def __aenter__(self) -> Self:
        """Start listening so the bot under test can connect."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop listening and release pending long polls."""
        await self.stop()

    async def start(self) -> None:
        """Bind to a free port on the loopback interface and start serving."""
        self._closing = False
        self._updates_event = Notifier()
        self._calls_event = Notifier()
        self._webhook_queue = asyncio.Queue()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._handle_file)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=self.shutdown_timeout
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        logger.info("FakeBotAPI listening on %s", self.root_url)

    async def stop(self) -> None:
        """Wake long polls, stop webhook delivery and close the server."""
        self._closing = True
        if self._updates_event is not None:
            self._updates_event.notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # shutting down anyway
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        logger.info("FakeBotAPI stopped")

    @property
    def root_url(self) -> str:
        """Server root, for settings that build ``{root}/bot{token}/{method}`` themselves."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url()``; PTB appends the token and method."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url()``."""
        return f"{self.root_url}/file/bot"

    # ---------------------------------------------------------------- HTTP plumbing

    async def _handle(self, request: web.Request) -> web.Response:
        """Dispatch one Bot API request, recording it whatever the outcome."""
        started = time.monotonic()
        raw_method = request.match_info["method"]
        entry = self._handlers.get(raw_method.lower()) or self._custom_entry(raw_method)
        method = entry[0] if entry else raw_method
        params: JSONDict = {}
        ctx = Ctx(method=method, params=params, chat_id=None)
        try:
            if request.match_info["token"] != self.token:
                raise Unauthorized()
            params.update(await self._read_params(request))
            ctx.chat_id = norm_chat_id(params.get("chat_id"))
            if entry is None:
                raise NotFound()
            injected = self._take_injection(method, ctx.chat_id) or self._random_fault(method)
            if injected is not None:
                raise injected
            result = await entry[1](ctx)
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, payload = exc.status, exc.payload()
        except Exception as exc:  # a fake must answer, not drop the connection
            logger.exception("FakeBotAPI internal error in %s", method)
            status, payload = 500, ServerError(500, f"Internal Server Error: {exc!r}").payload()
        call = Call(
            method=method,
            params=params,
            chat_id=ctx.chat_id,
            time=started,
            status=status,
            response=payload,
            duration=time.monotonic() - started,
            sent=ctx.sent,
        )
        if call.sent is not None:
            call.sent.call = call
        self.calls.append(call)
        if status != 200 or method != "getUpdates":
            logger.debug(
                "%s chat=%s -> %s %s", method, ctx.chat_id, status, payload.get("description", "")
            )
        if self._calls_event is not None:
            self._calls_event.notify()
        return web.json_response(
            payload, status=status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False)
        )

    async def _handle_file(self, request: web.Request) -> web.Response:
        """Answer file downloads with 404 because the fake stores no files."""
        if request.match_info["token"] != self.token:
            return web.json_response(Unauthorized().payload(), status=401)
        return web.json_response(NotFound().payload(), status=404)

    async def _read_params(self, request: web.Request) -> JSONDict:
        """Merge query string, JSON and form/multipart bodies the way the Bot API accepts them."""
        params: JSONDict = dict(request.query)
        if request.method == "POST" and request.body_exists:
            if request.content_type == "application/json":
                params.update(await _read_json_body(request))
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                params.update(await _read_form(request))
        return {key: coerce_param(key, value) for key, value in params.items()}

    def _custom_entry(self, raw_method: str) -> tuple[str, Handler] | None:
        """Wrap a test-registered method so it goes through the normal dispatch path."""
        custom = self._custom.get(raw_method.lower())
        if custom is None:
            return None
        name, func = custom

        async def run(ctx: Ctx) -> Any:
            """Call the user function, awaiting it if needed."""
            result = func(ctx.params)
            return await result if inspect.isawaitable(result) else result

        return name, run

    def add_method(self, name: str, func: Callable[[JSONDict], Any]) -> None:
        """Serve an extra Bot API method the fake does not implement (result = func(params))."""
        self._custom[name.lower()] = (name, func)


async def _read_json_body(request: web.Request) -> JSONDict:
    """Read an ``application/json`` body, which must be an object (an empty body is none)."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise BadRequest("can't parse JSON object") from exc
    if not isinstance(body, dict):
        raise BadRequest("JSON object expected")
    return body


async def _read_form(request: web.Request) -> JSONDict:
    """Read a form or multipart body; uploaded files become their name, type and size."""
    params: JSONDict = {}
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            content = value.file.read()
            params[key] = {
                "filename": value.filename,
                "content_type": value.content_type,
                "size": len(content),
            }
        else:
            params[key] = value
    return params
