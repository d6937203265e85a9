"""The receiver's shield: a person's choice to see hostile wording in the messages they receive
folded behind "Show original wording" (coparent.core.tone.shield_segments).

It is only a way of showing: the message, its record entry (with the SHA-256 of the text) and
every export stay exactly as sent. The thread page's selector folds messages written by someone
else, never the viewer's own; this module holds the setting's read and the per-request fold
(the write is services.message_settings_update).
"""

from __future__ import annotations

from coparent.accounts.models import User
from coparent.core.tone import shield_segments
from coparent.messaging.models import Message, NotificationSetting

Segment = tuple[str, bool]  # (piece of the text, folded?); the pieces joined are the text


def shield_enabled(user: User) -> bool:
    """Whether `user` turned the shield on. Reads `user.message_notifications`, so a caller that
    loaded users with select_related("message_notifications") pays no query."""
    try:
        return user.message_notifications.shield_enabled
    except NotificationSetting.DoesNotExist:
        return False


class FoldCache:
    """The folds of one request's messages, by message id: the coach reads each text once,
    however often a page shows it."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[Segment, ...] | None] = {}

    def segments(self, message: Message) -> tuple[Segment, ...] | None:
        """`message.body` cut into pieces with the hostile ones marked folded, or None when
        nothing in it is folded (the page then shows the text as usual)."""
        if message.pk not in self._by_id:
            pieces = tuple(shield_segments(message.body))
            self._by_id[message.pk] = pieces if any(folded for _p, folded in pieces) else None
        return self._by_id[message.pk]
