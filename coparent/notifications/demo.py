"""The notification centre's demo chapter: each demo family's members find their latest news
waiting (a few unread), as if they had been told of it — without one email, one push or one
queued job, since the people are invented (infra.notifications.notifications_off keeps the
story itself quiet)."""

from __future__ import annotations

from datetime import datetime

from coparent.families.models import Family
from coparent.notifications import services
from coparent.notifications.models import Notification
from coparent.notifications.sources import SOURCES, drafts_for
from coparent.records.models import RecordEntry

LATEST = 8  # the family's latest facts worth telling
UNREAD = 3  # of which each person has not read the newest few


def recent_news(family: Family, *, now: datetime) -> list[Notification]:
    """Notifications of `family`'s latest facts for whom they concern, read but for the newest
    UNREAD of each person. Returns them."""
    entries = list(
        RecordEntry.objects.filter(family=family, kind__in=list(SOURCES))
        .select_related("actor")
        .order_by("-seq")[:LATEST]
    )
    made: list[Notification] = []
    for entry in reversed(entries):
        told = services.store(drafts_for(entry))
        Notification.objects.filter(pk__in=[n.pk for n in told]).update(
            created_at=datetime.fromisoformat(entry.at.replace("Z", "+00:00"))
        )
        made += told
    newest_first = sorted(made, key=lambda n: n.pk, reverse=True)
    seen: dict[int, int] = {}
    read = []
    for notification in newest_first:
        seen[notification.recipient_id] = seen.get(notification.recipient_id, 0) + 1
        if seen[notification.recipient_id] > UNREAD:
            read.append(notification.pk)
    Notification.objects.filter(pk__in=read).update(read_at=now)
    return made
