"""A round-robin reverse proxy on 127.0.0.1 in front of webhook replicas (a test fixture).

It behaves like nginx's default `proxy_pass` to an upstream group: each request goes to the next
upstream in turn; an upstream that refuses the connection (a dead replica) is skipped and the
request tried on the next one, because nothing was sent yet; an upstream that fails after the
request was sent answers 502, and re-sending is the client's business (Telegram retries).
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from typing import Self

from aiohttp import ClientConnectorError, ClientError, ClientSession, ClientTimeout, web

logger = logging.getLogger(__name__)

# Request headers that belong to one hop and are not forwarded.
HOP_HEADERS = frozenset(
    {"host", "connection", "keep-alive", "transfer-encoding", "content-length"}
)


class RoundRobinProxy:
    """Forwards every request to `upstreams` (base URLs such as http://127.0.0.1:8001) in turn."""

    def __init__(self, upstreams: list[str], timeout: float = 30.0) -> None:
        self.upstreams = list(upstreams)
        self.timeout = timeout
        self.port = 0
        self.forwarded: Counter[str] = Counter()  # upstream -> requests it answered
        self.failed = 0  # requests answered 502
        self._turn = itertools.count()
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Self:
        self._session = ClientSession(timeout=ClientTimeout(total=self.timeout))
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        first = next(self._turn)
        for step in range(len(self.upstreams)):
            upstream = self.upstreams[(first + step) % len(self.upstreams)]
            try:
                async with self._session.request(
                    request.method, upstream + request.path_qs, data=body, headers=headers
                ) as response:
                    payload = await response.read()
                    self.forwarded[upstream] += 1
                    return web.Response(
                        status=response.status,
                        body=payload,
                        content_type=response.content_type,
                    )
            except ClientConnectorError:  # refused: nothing was sent, the next one may take it
                continue
            except (ClientError, TimeoutError) as exc:  # sent, then lost: only the client knows
                logger.info("upstream %s failed after the request was sent: %r", upstream, exc)
                break
        self.failed += 1
        return web.Response(status=502, text="Bad Gateway")
