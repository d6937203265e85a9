"""The receiver's shield: a person's choice to see hostile wording in the messages they receive
folded behind "Show original wording" (coparent.core.tone.shield_segments).

It is only a way of showing: the message, its record entry (with the SHA-256 of the text) and
every export stay exactly as sent. Everywhere a received text is shown, the same folds apply:
the thread page, search snippets (selectors.search_messages) and emails that include the text
(tasks). A new place that shows a received text (a notification centre) calls `folds_for` or
`email_text` here, or renders `messaging/_shielded.html` with `segments`; docs/tone.md says
how. This module holds the setting's read and the folds (the write is
services.message_settings_update).
"""

from __future__ import annotations

from django.utils.translation import gettext

from coparent.accounts.models import User
from coparent.core.tone import analyse, fold_spans, fold_text, shield_segments, shield_spans
from coparent.core.tone import text as textlib
from coparent.messaging.models import Message, NotificationSetting

Segment = tuple[str, bool]  # (piece of the text, folded?); the pieces joined are the text


def shield_enabled(user: User) -> bool:
    """Whether `user` turned the shield on. Reads `user.message_notifications`, so a caller that
    loaded users with select_related("message_notifications") pays no query."""
    try:
        return user.message_notifications.shield_enabled
    except NotificationSetting.DoesNotExist:
        return False


def offer_open(user: User) -> bool:
    """Whether the thread page may offer `user` the shield: it is off and they never chose
    (answered the offer or saved the setting). Reads `user.message_notifications`, as
    `shield_enabled` does."""
    try:
        setting = user.message_notifications
    except NotificationSetting.DoesNotExist:
        return True
    return not setting.shield_enabled and setting.shield_answered_at is None


def offers_shield(text: str) -> bool:
    """Whether receiving `text` is a moment to offer the shield: the coach rates it hostile and
    the shield would fold some of it (an offer to fold what would not fold would mislead)."""
    verdict = analyse(text)
    return verdict.level == "hostile" and bool(fold_spans(textlib.shown(text), verdict.flags))


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


def applies(*, reader: User | int, sender_id: int | None, enabled: bool) -> bool:
    """Whether the reader's shield folds a text: it is on, and someone else wrote the text."""
    reader_id = reader if isinstance(reader, int) else reader.pk
    return enabled and sender_id != reader_id


def folds_for(text: str) -> list[tuple[int, int]]:
    """(start, end) of each piece to fold in `text` (code-point offsets), for a caller that
    renders the text itself (search snippets)."""
    return [(span.start, span.end) for span in shield_spans(text)]


def email_text(text: str) -> str:
    """`text` for a plain-text email with the shield on: each folded piece replaced by a note,
    since an email cannot fold anything in place."""
    return fold_text(
        text, gettext("[wording folded by your shield: open the message in Coparent to read it]")
    )
