"""The requests' part of the family's today (coparent.families.today): the requests waiting
for this parent's answer, soonest due first."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext as _

from coparent.families.selectors import FamilyAccess
from coparent.families.today import TodayPart, Waiting
from coparent.requests.models import Request, RequestStatus

SHOWN = 5  # the home page names a few; the requests page lists them all


def today_in_requests(*, access: FamilyAccess, now: datetime, zone: ZoneInfo) -> TodayPart:
    """One query for a parent (the other parent's requests still waiting); none for anyone
    else, who never answers one."""
    part = TodayPart()
    if not access.is_parent:
        return part
    waiting = (
        Request.objects.filter(family=access.family, status=RequestStatus.PENDING, due_at__gt=now)
        .exclude(asked_by_id=access.membership.user_id)
        .select_related("asked_by")
        .order_by("due_at", "pk")[:SHOWN]
    )
    for item in waiting:
        part.waiting.append(
            Waiting(
                text=_("%(name)s asks: “%(title)s”. It waits for your answer.")
                % {"name": item.asked_by.display_name, "title": item.title},
                url=reverse(
                    "requests:detail",
                    kwargs={"family_id": access.family.pk, "request_id": item.pk},
                ),
                kind="request",
            )
        )
    return part
