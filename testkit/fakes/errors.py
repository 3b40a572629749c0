"""Errors the fake Bot API answers with (also usable by tests for ``fail_next()``).

Each class builds the exact status, description and ResponseParameters Telegram sends, so
python-telegram-bot maps them to the same exceptions it raises against the real server.
"""

from __future__ import annotations

from http import HTTPStatus

from .records import JSONDict

__all__ = [
    "ApiError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "Migrated",
    "NotFound",
    "ServerError",
    "TooManyRequests",
    "Unauthorized",
]


def _prefixed(prefix: str, description: str) -> str:
    """Add Telegram's error-class prefix once, so callers may pass either form."""
    return description if description.startswith(prefix) else f"{prefix}{description}"


class ApiError(Exception):
    """A Bot API error answer; raising it in a handler becomes the matching HTTP response."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        """Keep status, description and ResponseParameters exactly as they go on the wire."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        """Build the JSON body Telegram sends for failed requests."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body

    def __repr__(self) -> str:
        """Show status and description so injected failures are readable in logs."""
        return f"{type(self).__name__}({self.status}, {self.description!r})"


class TooManyRequests(ApiError):
    """Flood-control answer (429) that clients must honour via retry_after."""

    def __init__(self, retry_after: int = 1) -> None:
        """Build the 429 answer with ResponseParameters.retry_after like Telegram."""
        retry_after = max(1, int(retry_after))
        super().__init__(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )
        self.retry_after = retry_after


class Forbidden(ApiError):
    """403 answer, e.g. when the user blocked the bot."""

    def __init__(self, description: str = "bot was blocked by the user") -> None:
        """Prefix the description with "Forbidden: " as Telegram does."""
        super().__init__(403, _prefixed("Forbidden: ", description))


class BadRequest(ApiError):
    """400 answer for invalid parameters."""

    def __init__(self, description: str, parameters: JSONDict | None = None) -> None:
        """Prefix the description with "Bad Request: " as Telegram does."""
        super().__init__(400, _prefixed("Bad Request: ", description), parameters)


class ServerError(ApiError):
    """5xx answer, simulating Telegram outages and proxies failing."""

    def __init__(self, status: int = 502, description: str | None = None) -> None:
        """Use the standard HTTP reason phrase unless a custom description is given."""
        if description is None:
            try:
                description = HTTPStatus(status).phrase
            except ValueError:
                description = "Internal Server Error"
        super().__init__(status, description)


class Migrated(ApiError):
    """400 answer telling the client that a group became a supergroup with a new id."""

    def __init__(self, new_chat_id: int) -> None:
        """Carry migrate_to_chat_id in ResponseParameters like Telegram."""
        super().__init__(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": int(new_chat_id)},
        )
        self.new_chat_id = int(new_chat_id)


class Unauthorized(ApiError):
    """401 answer for a wrong bot token."""

    def __init__(self) -> None:
        """Use Telegram's exact wording."""
        super().__init__(401, "Unauthorized")


class NotFound(ApiError):
    """404 answer for unknown methods."""

    def __init__(self) -> None:
        """Use Telegram's exact wording."""
        super().__init__(404, "Not Found")


class Conflict(ApiError):
    """409 answer for competing getUpdates requests or polling while a webhook is set."""

    def __init__(self, description: str) -> None:
        """Prefix the description with "Conflict: " as Telegram does."""
        super().__init__(409, _prefixed("Conflict: ", description))
