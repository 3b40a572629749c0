"""The updates queue: long polling (getUpdates), webhook mode and in-order webhook delivery."""

from __future__ import annotations

import asyncio
import copy
import re
import time

from aiohttp import ClientSession, ClientTimeout

from .errors import BadRequest, Conflict
from .records import ALL_UPDATE_TYPES, Ctx, Handler, JSONDict, WebhookDelivery
from .state import ApiState, logger

__all__ = ["UpdateQueue", "update_type"]

# Telegram only delivers these when a bot opts in explicitly through allowed_updates.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def update_type(update: JSONDict) -> str:
    """Return the payload key of an Update, used for allowed_updates filtering."""
    return next((key for key in update if key != "update_id"), "unknown")


class UpdateQueue(ApiState):
    """Hold updates until the bot polls for them, or POST them to its webhook."""

    def _update_methods(self) -> dict[str, Handler]:
        """The Bot API methods served here."""
        return {
            "getUpdates": self._api_get_updates,
            "setWebhook": self._api_set_webhook,
            "deleteWebhook": self._api_delete_webhook,
            "getWebhookInfo": self._api_get_webhook_info,
        }

    # ---------------------------------------------------------------- queueing

    def _enqueue(self, update: JSONDict) -> None:
        """Make an update available to getUpdates, or POST it when a webhook is set."""
        if self._webhook is not None and self._webhook_queue is not None:
            self._ensure_webhook_worker()
            self._webhook_queue.put_nowait(update)
        else:
            self._updates.append(update)
            if self._updates_event is not None:
                self._updates_event.notify()

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue a hand-made Update dict, assigning an update_id if missing."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_seq))
        self._enqueue(update)
        return update

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued but not yet confirmed by the bot."""
        return copy.deepcopy(self._updates)

    def _ensure_webhook_worker(self) -> None:
        """Start the background task that delivers updates in order to the webhook."""
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._webhook_worker())

    async def _webhook_worker(self) -> None:
        """POST queued updates one at a time, like Telegram with max_connections=1."""
        assert self._webhook_queue is not None
        if self._session is None:
            self._session = ClientSession(timeout=ClientTimeout(total=30))
        while True:
            update = await self._webhook_queue.get()
            webhook = self._webhook
            if webhook is None:
                self._updates.append(update)
                if self._updates_event is not None:
                    self._updates_event.notify()
                continue
            await self._post_update(self._session, webhook, update)

    async def _post_update(
        self, session: ClientSession, webhook: JSONDict, update: JSONDict
    ) -> None:
        """POST one update to the webhook and record the delivery, failed or not."""
        headers = {}
        if webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(webhook["secret_token"])
        status, error = 0, None
        try:
            async with session.post(webhook["url"], json=update, headers=headers) as response:
                status = response.status
                await response.read()
        except Exception as exc:  # noqa: BLE001 - delivery failures are data, not crashes
            error = repr(exc)
        if not 200 <= status < 300:
            error = error or f"Wrong response from the webhook: {status}"
            self._webhook_error = (int(time.time()), error)
            logger.warning(
                "webhook delivery of update %s failed: %s", update.get("update_id"), error
            )
        self.webhook_deliveries.append(WebhookDelivery(update, status, error))
        if self._calls_event is not None:
            self._calls_event.notify()

    # ---------------------------------------------------------- long polling and webhook mode

    async def _api_get_updates(self, ctx: Ctx) -> list[JSONDict]:
        """Long-poll for updates honouring offset, limit, timeout and allowed_updates."""
        if self._webhook is not None:
            raise Conflict(
                "can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        params = ctx.params
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._confirm_updates(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        assert self._updates_event is not None
        self._updates_event.notify()  # wake (and terminate) an older competing poll
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise Conflict(
                    "terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )
            self._drop_disallowed_updates()
            remaining = deadline - time.monotonic()
            if self._updates or self._closing or remaining <= 0:
                break
            await self._updates_event.wait(remaining)
        return copy.deepcopy(self._updates[:limit])

    def _confirm_updates(self, offset: int) -> None:
        """Forget confirmed updates: below a positive offset, or all but the last -offset ones."""
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _drop_disallowed_updates(self) -> None:
        """Discard update kinds the bot did not subscribe to, as Telegram never sends them."""
        allowed = set(self._allowed_updates or (set(ALL_UPDATE_TYPES) - _OPT_IN_UPDATE_TYPES))
        kept = []
        for update in self._updates:
            if update_type(update) in allowed:
                kept.append(update)
            else:
                logger.debug(
                    "dropping update %s of unsubscribed type %s",
                    update["update_id"],
                    update_type(update),
                )
        self._updates = kept

    async def _api_set_webhook(self, ctx: Ctx) -> bool:
        """Switch to webhook mode; queued and future updates are POSTed to the url."""
        params = ctx.params
        url = params.get("url") or ""
        if not url:
            self._webhook = None
            return True
        if not re.match(r"^https?://", str(url)):
            raise BadRequest("bad webhook: Webhook must be set to a valid HTTP(S) URL")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(str(secret)):
            raise BadRequest("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._webhook = {
            "url": str(url),
            "secret_token": secret,
            "max_connections": int(params.get("max_connections") or 40),
        }
        self._webhook_error = None
        self._ensure_webhook_worker()
        pending, self._updates = self._updates, []
        for update in pending:
            self._enqueue(update)
        return True

    async def _api_delete_webhook(self, ctx: Ctx) -> bool:
        """Return to getUpdates mode, optionally dropping pending updates."""
        self._webhook = None
        if ctx.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_get_webhook_info(self, ctx: Ctx) -> JSONDict:
        """Report webhook state like Telegram, including pending_update_count."""
        pending = len(self._updates) + (self._webhook_queue.qsize() if self._webhook_queue else 0)
        info: JSONDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        if self._webhook is not None:
            info["url"] = self._webhook["url"]
            info["max_connections"] = self._webhook["max_connections"]
            if self._webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info
