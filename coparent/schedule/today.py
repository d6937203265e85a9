"""The schedule's part of the family's today (coparent.families.today): who has the children
now and until when, the next exchange, and a proposed change that waits for this parent."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext as _

from coparent.families.selectors import FamilyAccess, HomePlaces
from coparent.families.today import Custody, TodayPart, Waiting
from coparent.schedule.selectors import (
    Schedule,
    pending_proposal,
    plan_versions,
    schedule_from,
)

# How far ahead the next exchange is looked for: past a long holiday, not past a season.
LOOK_AHEAD = timedelta(days=45)


def today_in_schedule(*, access: FamilyAccess, now: datetime, zone: ZoneInfo) -> TodayPart:
    """One query: every version of the plan (the schedule is made of the accepted ones)."""
    versions = plan_versions(access)
    schedule = schedule_from(versions)
    part = TodayPart(custody=_custody(access, schedule, now))
    pending = pending_proposal(versions)
    if (
        pending is not None
        and access.is_parent
        and pending.proposed_by_id != access.membership.user_id
    ):
        part.waiting.append(
            Waiting(
                text=_(
                    "%(name)s proposed a change to the parenting plan. It waits for your answer."
                )
                % {"name": pending.proposed_by.display_name},
                url=reverse("schedule:proposals", kwargs={"family_id": access.family.pk})
                + "#pending",
                kind="proposal",
            )
        )
    return part


def _custody(access: FamilyAccess, schedule: Schedule, now: datetime) -> Custody:
    plan_url = (
        reverse("schedule:edit", kwargs={"family_id": access.family.pk}) if access.is_parent else ""
    )
    if schedule.empty:
        return Custody(name=None, plan_url=plan_url)
    segments, exchanges = schedule.expand(now, now + LOOK_AHEAD)
    current = next((s for s in segments if s.start <= now < s.end), None)
    if current is None:
        # The first plan starts later: nobody "has" the children in Coparent's terms yet.
        return Custody(name=None, plan_url="")
    plan = schedule.plan_on(now) or schedule.pieces[0].plan
    following = next((x for x in exchanges if x.at > now), None)
    if following is None:
        return Custody(name=plan.name_of(current.parent), letter=current.parent)
    then = schedule.plan_on(following.at) or plan
    return Custody(
        name=plan.name_of(current.parent),
        letter=current.parent,
        until=following.at,
        giver=plan.name_of(following.from_parent),
        taker=then.name_of(following.to_parent),
        taker_letter=following.to_parent,
        place=HomePlaces(access).show(following.place),
    )
