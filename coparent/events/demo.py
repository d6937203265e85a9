"""The demo's child events: a parent enters the coming months' events in one sitting (as
parents do with a school calendar), the other parent answers, and a few are moved or
cancelled — all through the real services, so every fact is in the family record.

Each sitting happens at one moment (`at`) and lasts a few hours, so the demo can place it
between other chapters of the story and keep the record in time order. The events themselves
fall in a window that may reach into the future, so the calendar has upcoming events too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coparent.events import services
from coparent.events.models import ChildEvent, EventKind
from coparent.families.models import Child
from coparent.families.selectors import FamilyAccess, children_of

OLDER, YOUNGER, BOTH = 0, 1, 2


@dataclass(frozen=True)
class _Kind:
    title: str  # {name} is the child's first name
    kind: str
    who: int
    hour: int
    minutes: int  # 0 for an all-day event
    place: str
    notes: str = ""
    days: int = 1  # an all-day event's length


# The year's ordinary events, dealt out in turn over each window.
TEMPLATES = (
    _Kind(
        "{name}'s soccer game",
        EventKind.SPORTS,
        OLDER,
        10,
        90,
        "Lincoln Park, field 3",
        "Wear the blue shirt; bring water.",
    ),
    _Kind(
        "{name}'s check-up",
        EventKind.MEDICAL,
        YOUNGER,
        9,
        45,
        "Oak Street Clinic, Dr. Patel",
        "Bring the vaccination booklet.",
    ),
    _Kind(
        "School play",
        EventKind.SCHOOL,
        BOTH,
        18,
        90,
        "Jefferson Elementary auditorium",
        "Doors open 30 minutes before.",
    ),
    _Kind("{name}'s swimming class", EventKind.ACTIVITY, YOUNGER, 16, 45, "Riverside Pool"),
    _Kind(
        "Field trip to the science museum",
        EventKind.SCHOOL,
        OLDER,
        0,
        0,
        "City Science Museum",
        "Packed lunch; the bus leaves school at 8:15.",
    ),
    _Kind("{name}'s piano recital", EventKind.ACTIVITY, OLDER, 17, 60, "Riverside Music School"),
    _Kind("Dentist", EventKind.MEDICAL, BOTH, 14, 60, "Bright Smiles Dental, 40 Main St"),
    _Kind("Parent-teacher evening", EventKind.SCHOOL, BOTH, 18, 120, "Jefferson Elementary"),
    _Kind(
        "{name}'s friend's birthday party",
        EventKind.BIRTHDAY_PARTY,
        YOUNGER,
        14,
        150,
        "Funtime Play Centre",
        "A small present; about 15.",
    ),
    _Kind(
        "Scout camp",
        EventKind.ACTIVITY,
        OLDER,
        0,
        0,
        "Pine Lake camp site",
        "Sleeping bag, torch, warm clothes.",
        days=2,
    ),
    _Kind("Basketball tournament", EventKind.SPORTS, OLDER, 9, 300, "Eastside Sports Hall"),
    _Kind("{name}'s eye test", EventKind.MEDICAL, OLDER, 15, 30, "Vision Care, 8 High St"),
)
EVERY_DAYS = 12  # about one ordinary event per child family every twelve days


def _pick(children: list[Child], who: int) -> list[Child]:
    if who == BOTH or len(children) == 1:
        return children
    return [children[min(who, len(children) - 1)]]


def _birthday_in(child: Child, first: date, last: date) -> date | None:
    """The child's birthday between `first` and `last` (both included), if there is one."""
    for year in (first.year, last.year):
        try:
            day: date = child.date_of_birth.replace(year=year)
        except ValueError:  # 29 February in a common year: celebrated on the 1st of March
            day = date(year, 3, 1)
        if first <= day <= last:
            return day
    return None


def plan_events(
    *,
    author: FamilyAccess,
    answerer: FamilyAccess,
    at: datetime,
    window: tuple[datetime, datetime],
    zone: str,
    offset: int = 0,
) -> list[ChildEvent]:
    """`author` enters the events of `window` at `at` (about half an hour of typing);
    `answerer` answers them an hour later; two hours after that, one event moves, one is
    cancelled and one "maybe" becomes "yes". Everything happens within three hours of `at`.
    `offset` varies which ordinary events each sitting starts with."""
    tz = ZoneInfo(zone)
    children = list(children_of(author))
    first_day = window[0].astimezone(tz).date()
    last_day = window[1].astimezone(tz).date()
    count = max(1, (last_day - first_day).days // EVERY_DAYS)
    plans: list[tuple[date, _Kind, list[Child]]] = []
    for index in range(count):
        template = TEMPLATES[(index + offset) % len(TEMPLATES)]
        day = first_day + timedelta(days=index * EVERY_DAYS + 3)
        plans.append((day, template, _pick(children, template.who)))
    for child in children:
        birthday = _birthday_in(child, first_day, last_day)
        if birthday is not None:
            years = birthday.year - child.date_of_birth.year
            party = _Kind(
                f"{{name}}'s {_ordinal(years)} birthday party",
                EventKind.BIRTHDAY_PARTY,
                OLDER,
                15,
                150,
                "Funtime Play Centre",
                "Both parents are welcome. Cake at 16:00.",
            )
            plans.append((birthday, party, [child]))
    plans.sort(key=lambda plan: plan[0])

    events: list[ChildEvent] = []
    for index, (day, template, chosen) in enumerate(plans):
        title = template.title.format(name=chosen[0].name if len(chosen) == 1 else "")
        common: dict[str, Any] = {
            "access": author,
            "title": " ".join(title.split()),
            "kind": template.kind,
            "children": chosen,
            "timezone_name": zone,
            "place": template.place,
            "notes": template.notes,
            "at": at + timedelta(minutes=index),
            "notify": False,  # history, not news: nobody is emailed about the demo
        }
        if template.minutes:
            start = datetime.combine(day, time(template.hour))
            event = services.event_add(
                **common, starts_at=start, ends_at=start + timedelta(minutes=template.minutes)
            )
        else:
            event = services.event_add(
                **common,
                all_day=True,
                start_date=day,
                end_date=day + timedelta(days=template.days - 1),
            )
        events.append(event)

    answered = at + timedelta(hours=1)
    maybes = []
    for index, event in enumerate(events):
        moment = answered + timedelta(minutes=index)
        services.rsvp_set(access=author, event=event, answer="yes", at=moment)
        if event.kind == EventKind.MEDICAL:
            answer, note = "maybe", "If I can leave work early."
        elif index % 5 == 3:
            answer, note = "no", "I'm away that day; have fun!"
        else:
            answer, note = "yes", "I'll bring the cake." if "birthday" in event.title else ""
        services.rsvp_set(access=answerer, event=event, answer=answer, note=note, at=moment)
        if answer == "maybe":
            maybes.append(event)

    later = at + timedelta(hours=3)
    if maybes:
        services.rsvp_set(
            access=answerer,
            event=maybes[0],
            answer="yes",
            note="Got the afternoon off.",
            at=later,
        )
    if len(events) > 2:
        moved = events[1]
        details = services.current_details(moved)
        starts, ends = details.get("starts_at"), details.get("ends_at")
        if starts is not None and ends is not None:  # a timed event
            details["starts_at"] = starts + timedelta(hours=1)
            details["ends_at"] = ends + timedelta(hours=1)
        details["notes"] = (details["notes"] + " Moved an hour later.").strip()
        services.event_update(
            access=author, event=moved, at=later + timedelta(minutes=5), notify=False, **details
        )
        services.event_cancel(
            access=author,
            event=events[-2],
            reason="Cancelled by the organisers.",
            at=later + timedelta(minutes=10),
            notify=False,
        )
    return events


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
