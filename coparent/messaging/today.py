"""Unread messages in the family's today (coparent.families.today)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import ngettext

from coparent.families.selectors import FamilyAccess
from coparent.families.today import TodayPart, Waiting
from coparent.messaging.selectors import unread_count


def today_in_messages(*, access: FamilyAccess, now: datetime, zone: ZoneInfo) -> TodayPart:
    """One query for a parent or a professional; none for a viewer, who has no messages."""
    unread = unread_count(access)
    if not unread:
        return TodayPart()
    text = ngettext(
        "%(n)d message you have not read yet.", "%(n)d messages you have not read yet.", unread
    ) % {"n": unread}
    url = reverse("messaging:inbox", kwargs={"family_id": access.family.pk})
    return TodayPart(waiting=[Waiting(text=text, url=url, kind="messages")])
