"""The requests chapter of the demo stories (coparent/cli/demo_data.py): over the year, the
parents ask each other for swaps, trips and decisions, and answer each way a family does —
through the same services, at moments of the story, so the record stays in time order."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from coparent.families.models import Child
from coparent.families.selectors import FamilyAccess
from coparent.requests import services


def _evening(at: datetime, days: int, zone: ZoneInfo, hour: int = 17) -> datetime:
    """`days` after `at`, at `hour` o'clock in the family's zone."""
    day = (at.astimezone(zone) + timedelta(days=days)).date()
    return datetime.combine(day, time(hour), tzinfo=zone)


def swap_approved(
    asker: FamilyAccess, answerer: FamilyAccess, children: list[Child], *, at: datetime
) -> None:
    zone = ZoneInfo(asker.family.timezone)
    swap = services.request_make(
        access=asker,
        kind="swap",
        title="Swap weekends for the family reunion",
        details="My family's reunion falls on your weekend; you can have the following one.",
        children=children,
        starts_at=_evening(at, 12, zone),
        ends_at=_evening(at, 14, zone),
        custody_to="me",
        at=at,
    )
    services.request_approve(access=answerer, request=swap, at=at + timedelta(hours=3))


def social_media_declined(
    asker: FamilyAccess,
    answerer: FamilyAccess,
    children: list[Child],
    *,
    at: datetime,
    mediator: FamilyAccess | None = None,
) -> None:
    request = services.request_make(
        access=asker,
        kind="social_media",
        title="Instagram account",
        details="All of her friends have one; it would be private and I would follow it.",
        children=children,
        at=at,
    )
    if mediator is not None:
        services.request_comment(
            access=mediator,
            request=request,
            text="Could you agree on an age, and revisit then?",
            kind="resolution",
            at=at + timedelta(hours=1),
        )
    services.request_decline(
        access=answerer,
        request=request,
        reason="Not before thirteen, as we said at mediation. Let's talk about it in the spring.",
        at=at + timedelta(hours=2),
    )


def trip_countered_then_approved(
    asker: FamilyAccess,
    answerer: FamilyAccess,
    children: list[Child],
    *,
    at: datetime,
    destination: str,
) -> None:
    zone = ZoneInfo(asker.family.timezone)
    trip = services.request_make(
        access=asker,
        kind="trip",
        title=f"Trip to {destination}",
        details="A week with their grandparents.",
        children=children,
        starts_at=_evening(at, 20, zone, 9),
        ends_at=_evening(at, 25, zone),
        custody_to="me",
        destination=destination,
        itinerary="Fly out Saturday morning, back Thursday evening.",
        contact="My phone, and the grandparents' landline.",
        at=at,
    )
    counter = services.request_counter(
        access=answerer,
        request=trip,
        details="The week after works better: there is a school trip that week.",
        starts_at=_evening(at, 27, zone, 9),
        ends_at=_evening(at, 32, zone),
        at=at + timedelta(hours=2),
    )
    services.request_approve(access=asker, request=counter, at=at + timedelta(hours=5))


def school_expired(asker: FamilyAccess, children: list[Child], *, at: datetime) -> None:
    request = services.request_make(
        access=asker,
        kind="school",
        title="Parent-teacher conference slot",
        details="Tuesday 4 pm or Thursday 6 pm — which suits you?",
        children=children,
        due_at=at + timedelta(hours=2),
        at=at,
    )
    services.expire_due(now=at + timedelta(hours=3), family=request.family)


def activity_withdrawn(asker: FamilyAccess, children: list[Child], *, at: datetime) -> None:
    request = services.request_make(
        access=asker,
        kind="activity",
        title="Saturday swimming lessons",
        children=children,
        at=at,
    )
    services.request_withdraw(access=asker, request=request, at=at + timedelta(hours=1))


def still_pending(asker: FamilyAccess, children: list[Child], *, at: datetime) -> None:
    services.request_make(
        access=asker,
        kind="medical",
        title="Orthodontist consultation",
        details="The dentist recommends a consultation about braces.",
        children=children,
        at=at,
    )
