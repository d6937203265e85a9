"""Reminders: an exchange soon, a child's event soon, each at the lead time its recipient
chose (core.notify). The task worker scans every few minutes (tasks.scan_reminders); a
reminder is due from `start - lead` until `start`, so a scan that runs late still finds it, and
its key (the family and the exchange's instant, the event and its start) makes it once however
many scans find it. A plan or an event that moves gives a new instant, so a new reminder.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from coparent.core.notify import ALL_DAY_REMINDER_HOUR, EVENT_LEAD, EXCHANGE_LEAD, Kind
from coparent.core.notify import reminder_due as due
from coparent.events.models import Answer, ChildEvent, EventStatus, Rsvp
from coparent.exchanges.selectors import key_of
from coparent.families.models import Membership
from coparent.families.selectors import FamilyAccess, HomePlaces
from coparent.notifications.selectors import Choices, choices_of
from coparent.notifications.sources import Draft, event_when, in_locales, when
from coparent.schedule.models import PlanStatus, PlanVersion
from coparent.schedule.selectors import parent_names, schedule_of


def _parents_by_family(family_ids: set[Any]) -> dict[Any, list[Membership]]:
    """Each family's active parents, first parent first (the plan's "A")."""
    found: dict[Any, list[Membership]] = defaultdict(list)
    for membership in (
        Membership.objects.active()
        .parents()
        .filter(family_id__in=family_ids, user__is_active=True)
        .select_related("family", "user")
        .order_by("joined_at", "pk")
    ):
        found[membership.family_id].append(membership)
    return found


def exchange_drafts(*, now: datetime) -> list[Draft]:
    """A reminder to each parent of each exchange whose reminder is due at `now` (two queries,
    and two per family with a plan, three when its exchanges have a place)."""
    families = set(
        PlanVersion.objects.filter(status=PlanStatus.ACCEPTED).values_list("family_id", flat=True)
    )
    parents = _parents_by_family(families)
    choices = choices_of(m.user_id for members in parents.values() for m in members)
    horizon = now + timedelta(minutes=EXCHANGE_LEAD.high)
    drafts: list[Draft] = []
    for family_id, members in parents.items():
        access = FamilyAccess(family=members[0].family, membership=members[0])
        schedule = schedule_of(access)
        _segments, exchanges = schedule.expand(now, horizon)
        if not exchanges:
            continue
        names = dict(zip("AB", parent_names(access), strict=True))
        seats = dict(zip("AB", members, strict=False))
        # Each parent reads a home as their own access allows (safe mode): one query, shared.
        places = HomePlaces(access)
        for exchange in exchanges:
            for letter, member in seats.items():
                mine = choices[member.user_id]
                if not due(start=exchange.at, lead=mine.exchange_lead, now=now):
                    continue
                drafts.append(
                    _exchange_draft(
                        family_id, member, letter, exchange, names, schedule, places.seen_by(member)
                    )
                )
    return drafts


def _exchange_draft(
    family_id: Any,
    member: Membership,
    letter: str,
    exchange: Any,
    names: dict[str, str],
    schedule: Any,
    places: HomePlaces,
) -> Draft:
    zone = schedule.zone(exchange.at)
    if exchange.to_parent == letter:
        body = _("%(name)s hands the children over to you.") % {"name": names[exchange.from_parent]}
    else:
        body = _("You hand the children over to %(name)s.") % {"name": names[exchange.to_parent]}
    if exchange.place:
        body += " " + _("At %(place)s.") % {"place": places.show(exchange.place)}
    return Draft(
        family_id=family_id,
        recipient_id=member.user_id,
        kind=Kind.EXCHANGE_REMINDER,
        key=f"exchange:{family_id}:{exchange.at.isoformat()}",
        title=_("Exchange at %(when)s") % {"when": when(exchange.at, zone)},
        body=body,
        # The exchange's own page: one tap from the reminder to checking in.
        url=reverse(
            "exchanges:detail", kwargs={"family_id": family_id, "key": key_of(exchange.at)}
        ),
        data={"starts_at": exchange.at.isoformat()},
    )


def reminder_start(event: ChildEvent) -> datetime:
    """When an event begins for its reminder: its start, or 9:00 on the first day of an
    all-day event (core.notify.ALL_DAY_REMINDER_HOUR), in the event's zone."""
    if event.all_day and event.start_date is not None:
        return datetime.combine(event.start_date, time(ALL_DAY_REMINDER_HOUR), tzinfo=event.zone)
    return event.starts_at


def event_drafts(*, now: datetime) -> list[Draft]:
    """A reminder to each parent of each child's event whose reminder is due at `now` — not to
    a parent who answered that they will not come (four queries)."""
    events = list(
        ChildEvent.objects.filter(
            status=EventStatus.SCHEDULED,
            starts_at__gt=now - timedelta(days=1),
            starts_at__lte=now + timedelta(minutes=EVENT_LEAD.high),
        ).prefetch_related("children")
    )
    if not events:
        return []
    parents = _parents_by_family({e.family_id for e in events})
    choices: dict[int, Choices] = choices_of(
        m.user_id for members in parents.values() for m in members
    )
    declined = set(
        Rsvp.objects.filter(event__in=events, answer=Answer.NO).values_list("event_id", "user_id")
    )
    drafts: list[Draft] = []
    for event in events:
        start = reminder_start(event)
        for member in parents.get(event.family_id, []):
            if (event.pk, member.user_id) in declined:
                continue
            if not due(start=start, lead=choices[member.user_id].event_lead, now=now):
                continue
            body = event_when(event) + (f" · {event.place}" if event.place else "")
            drafts.append(
                Draft(
                    family_id=event.family_id,
                    recipient_id=member.user_id,
                    kind=Kind.EVENT_REMINDER,
                    key=f"event:{event.pk}:{start.isoformat()}",
                    title=_("Coming up for %(children)s: %(title)s")
                    % {
                        "children": ", ".join(c.name for c in event.children.all()),
                        "title": event.title,
                    },
                    body=body,
                    url=reverse(
                        "events:detail",
                        kwargs={"family_id": event.family_id, "event_id": event.pk},
                    ),
                    data={"event": str(event.pk), "starts_at": start.isoformat()},
                )
            )
    return drafts


def due_drafts(*, now: datetime) -> list[Draft]:
    """Every reminder due at `now`, each written in its recipient's locale."""
    return in_locales(lambda: exchange_drafts(now=now) + event_drafts(now=now))
