"""Small display helpers for the message pages."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

from coparent.core.tone import shield_segments

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A reply time in words a person reads at a glance: "4 min", "2 h 5 min", "3 d 4 h"."""
    if value is None:
        return ""
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    return _("%(m)d min") % {"m": mins}


@register.simple_tag
def shielded(text: str) -> list[tuple[str, bool]]:
    """`{% shielded text as segments %}` then `{% include "messaging/_shielded.html" %}`: a
    received text cut into (piece, folded) for the reader's shield, for a page that has the
    text but no FoldCache (a notification centre). Call it only when the reader's shield is on
    and someone else wrote the text (coparent.messaging.shield.applies)."""
    return shield_segments(text)
