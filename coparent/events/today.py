"""The children's events in the family's today (coparent.families.today): those of today and
of the coming week, and, for a parent, the events that wait for their answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from coparent.core.schedule import local_midnight
from coparent.events.models import ChildEvent, EventStatus, Rsvp
from coparent.events.selectors import events_between
from coparent.families.selectors import FamilyAccess, child_name_for
from coparent.families.today import WEEK_DAYS, TodayPart, Upcoming, Waiting

MOST_WAITING = 5  # events listed as waiting for an answer; the events page has the rest


def _url(access: FamilyAccess, event: ChildEvent) -> str:
    return reverse("events:detail", kwargs={"family_id": access.family.pk, "event_id": event.pk})


def today_in_events(*, access: FamilyAccess, now: datetime, zone: ZoneInfo) -> TodayPart:
    """Queries: the week's events (three; two for a viewer) and, for a parent, the events
    waiting for their answer (one)."""
    day = now.astimezone(zone).date()
    start = local_midnight(zone, day)
    end = local_midnight(zone, day + timedelta(days=WEEK_DAYS))
    part = TodayPart(
        events=[
            Upcoming(
                title=event.title,
                url=_url(access, event),
                children=", ".join(child_name_for(access, c) for c in event.children.all()),
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                timezone=event.timezone,
                all_day=event.all_day,
                start_date=event.start_date,
                end_date=event.end_date,
                cancelled=event.is_cancelled,
                place=event.place,
            )
            for event in events_between(access, start, end)
        ]
    )
    if access.is_parent:
        me = access.membership.user_id
        unanswered = (
            ChildEvent.objects.filter(
                family=access.family, status=EventStatus.SCHEDULED, ends_at__gt=now
            )
            .exclude(created_by_id=me)
            .exclude(Exists(Rsvp.objects.filter(event=OuterRef("pk"), user_id=me)))
            .order_by("starts_at", "title", "pk")[:MOST_WAITING]
        )
        part.waiting.extend(
            Waiting(
                text=_("“%(title)s”: will you be there? Your answer is not given yet.")
                % {"title": event.title},
                url=_url(access, event) + "#rsvp",
                kind="rsvp",
            )
            for event in unanswered
        )
    return part
