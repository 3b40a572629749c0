"""Update notifications, in the order a change travels.

- `publishing`: a new knowledge version is recorded and one outbox row per interested chat
  enqueued.
- `message`: what a chat is told (one line per changed entry, in its language).
- `claims`: a worker claims due rows atomically, marks them sent, or gives them back.
- `pacing`: Telegram's limits for one sender.
- `delivery`: each claimed chat is sent its message; every answer Telegram may give is handled.
- `notifier`: the running bot checks for new versions, reloads, and delivers.
"""

from chat.notifications.claims import outbox_counts
from chat.notifications.delivery import DeliveryReport, deliver_pending
from chat.notifications.message import merge_entries, render_notification
from chat.notifications.notifier import Notifier
from chat.notifications.pacing import Pacer
from chat.notifications.publishing import PublishResult, publish, published_version
from chat.timezones import next_digest_at

__all__ = [
    "DeliveryReport",
    "Notifier",
    "Pacer",
    "PublishResult",
    "deliver_pending",
    "merge_entries",
    "next_digest_at",
    "outbox_counts",
    "publish",
    "published_version",
    "render_notification",
]
