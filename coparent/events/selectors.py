"""Reads of child events. Every member of the family sees its children's events — parents,
consented professionals and viewers alike (a viewer's role is the calendar and the children's
events) — so nothing about a child is private to one parent. Only who answered what (the
RSVPs) and who added an event stay with parents and professionals.

Every fetch starts from a `FamilyAccess` (coparent.families.selectors.get_family_access), so
another family's event is a 404 exactly like a missing one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from coparent.accounts.models import User
from coparent.events.models import ChildEvent, Rsvp
from coparent.families.models import Child, Membership
from coparent.families.selectors import FamilyAccess, get_owned


def sees_rsvps(access: FamilyAccess) -> bool:
    """Parents and consented professionals see who answered what and who added an event; a
    viewer (a new partner, a grandparent) sees the events themselves only."""
    return access.can_read_shared


def _events(access: FamilyAccess) -> QuerySet[ChildEvent]:
    """The family's events with their children and (for those who may see them) RSVPs with
    the people who gave them: three queries however many events there are."""
    rsvps = Rsvp.objects.select_related("user").order_by("answered_at", "pk")
    if not sees_rsvps(access):
        rsvps = rsvps.none()
    return (
        ChildEvent.objects.filter(family=access.family)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("children", queryset=Child.objects.order_by("date_of_birth", "name")),
            Prefetch("rsvps", queryset=rsvps, to_attr="rsvp_list"),
        )
    )


def events_between(access: FamilyAccess, start: datetime, end: datetime) -> list[ChildEvent]:
    """The family's events overlapping the half-open range [start, end), earliest first.

    Cancelled events are included, marked by `event.is_cancelled` (a calendar shows them
    struck through; a feed sends STATUS:CANCELLED). Each event carries `children` (prefetched,
    oldest child first) and `rsvp_list` (a list of Rsvp with `user`; empty for a viewer).
    `start` and `end` must be aware. Three queries: events with their creators, children,
    RSVPs (two for a viewer)."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("events_between takes aware datetimes")
    return list(
        _events(access)
        .filter(starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at", "title", "pk")
    )


def get_event(access: FamilyAccess, event_id: object) -> ChildEvent:
    """One event of the family in `access`, with `children` and `rsvp_list` as in
    `events_between`. Raises Http404 for a missing event and for another family's."""
    return get_owned(_events(access), access, event_id)


def event_list(
    access: FamilyAccess,
    *,
    past: bool = False,
    child: Child | uuid.UUID | None = None,
    now: datetime | None = None,
) -> QuerySet[ChildEvent]:
    """The list page's events: those not yet over, soonest first; or, with `past`, those over,
    latest first. Optionally only one child's (a child, or its id, of this family: from
    `coparent.families.selectors.get_child` or `child_views`)."""
    now = now or timezone.now()
    events = _events(access)
    if child is not None:
        events = events.filter(children=child)
    if past:
        return events.filter(ends_at__lte=now).order_by("-starts_at", "title", "pk")
    return events.filter(ends_at__gt=now).order_by("starts_at", "title", "pk")


def events_in_range(
    access: FamilyAccess,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    child: Child | None = None,
) -> QuerySet[ChildEvent]:
    """Events overlapping [start, end), either end open, earliest first (the API's list)."""
    events = _events(access)
    if start is not None:
        events = events.filter(ends_at__gt=start)
    if end is not None:
        events = events.filter(starts_at__lt=end)
    if child is not None:
        events = events.filter(children=child)
    return events.order_by("starts_at", "title", "pk")


def rsvp_list(event: ChildEvent) -> list[Rsvp]:
    """The event's RSVPs as the family's event reads prefetch them (`to_attr="rsvp_list"`),
    without a query; none when they were not prefetched."""
    rsvps: list[Rsvp] = getattr(event, "rsvp_list", [])
    return rsvps


def rsvp_of(event: ChildEvent, user_id: int) -> Rsvp | None:
    """`user_id`'s answer among the event's prefetched RSVPs, without a query."""
    for rsvp in rsvp_list(event):
        if rsvp.user_id == user_id:
            return rsvp
    return None


@dataclass(frozen=True)
class EventPage:
    """One event as a member sees it: each current parent's answer (none for a viewer), the
    member's own, and what the member may still do with it."""

    event: ChildEvent
    answers: list[tuple[User, Rsvp | None]]
    mine: Rsvp | None
    has_ended: bool
    can_answer: bool  # a parent, while the event is on and not over
    can_cancel: bool  # a parent, while it is not cancelled


def event_page(
    access: FamilyAccess, event: ChildEvent, *, now: datetime | None = None
) -> EventPage:
    """What the event page shows about `event` (from `get_event`): one query, the parents."""
    has_ended = event.has_ended(now or timezone.now())
    return EventPage(
        event=event,
        answers=[(parent, rsvp_of(event, parent.pk)) for parent in event_parents(access)],
        mine=rsvp_of(event, access.membership.user_id),
        has_ended=has_ended,
        can_answer=access.is_parent and not event.is_cancelled and not has_ended,
        can_cancel=access.is_parent and not event.is_cancelled,
    )


def event_parents(access: FamilyAccess) -> list[User]:
    """The family's current parents, whose answers the event page shows (one query); empty for
    a viewer, who does not see who answered what."""
    if not sees_rsvps(access):
        return []
    return [
        m.user
        for m in Membership.objects.active()
        .parents()
        .filter(family=access.family)
        .select_related("user")
        .order_by("joined_at")
    ]
