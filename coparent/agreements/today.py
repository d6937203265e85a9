"""The agreement's part of the family's today (coparent.families.today): the clauses waiting
for this parent's signature."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import ngettext

from coparent.agreements.selectors import waiting_for_signature
from coparent.families.selectors import FamilyAccess
from coparent.families.today import TodayPart, Waiting


def today_in_agreement(*, access: FamilyAccess, now: datetime, zone: ZoneInfo) -> TodayPart:
    """One query for a parent (the versions waiting for their signature); none for anyone
    else, who signs nothing."""
    part = TodayPart()
    if not access.is_parent:
        return part
    waiting = waiting_for_signature(access)
    if waiting:
        part.waiting.append(
            Waiting(
                text=ngettext(
                    "“%(title)s” waits for your signature on the agreement.",
                    "%(n)d clauses wait for your signature on the agreement.",
                    len(waiting),
                )
                % {"title": waiting[0].title, "n": len(waiting)},
                url=reverse("agreements:agreement", kwargs={"family_id": access.family.pk})
                + "#pending",
                kind="clause",
            )
        )
    return part
