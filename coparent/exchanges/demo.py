"""The exchanges chapter of the demo stories (coparent/cli/demo_data.py): a year of hand-overs
at the school, mostly on time, some late, two missed and one stopped at the gate — tapped and
written through the same services a parent uses — and a pickup pass for the school office.

The taps happen at the exchanges' own times, which fall among the messages of the same weeks;
so this chapter does not write anything itself: it returns its steps as (moment, action) pairs,
and the messages chapter runs each one when its clock passes the moment (messaging.demo's
`interludes`), keeping the family record in the order the story happened.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from coparent.core.when import format_clock
from coparent.core.zones import zone_or_utc
from coparent.exchanges import selectors, services
from coparent.exchanges.models import PickupPass
from coparent.families.selectors import FamilyAccess, children_of
from coparent.schedule.selectors import schedule_of

Step = tuple[datetime, Callable[[], object]]

# Near each demo family's school, for the taps that share a location.
SCHOOLS = {
    "America/Chicago": (Decimal("41.8902"), Decimal("-87.6345")),
    "Europe/London": (Decimal("51.5136"), Decimal("-0.1365")),
}


def exchange_steps(
    *,
    first: FamilyAccess,
    second: FamilyAccess,
    start: datetime,
    end: datetime,
    seed: int,
    incidents: bool = False,
) -> list[Step]:
    """Every tap and note at the exchanges planned in [start, end), in time order; with
    `incidents`, two of them missed and one stopped at the gate (one stretch of the year)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    by_user = {a.membership.user_id: a for a in (first, second)}
    seats = selectors.parent_seats(first)
    near = SCHOOLS.get(first.family.timezone, (Decimal("0"), Decimal("0")))
    rows = [r for r in selectors.exchanges_between(first, start, end) if r.in_plan]
    # Two missed exchanges and one at which the office would not let the receiver in.
    missed = {len(rows) // 3, (2 * len(rows)) // 3} if incidents and len(rows) > 6 else set()
    gate = len(rows) // 2 if incidents and len(rows) > 6 else -1
    steps: list[Step] = []

    pinned: list[bool] = []

    def tap(access: FamilyAccess, planned: datetime, step: str, at: datetime) -> None:
        shared = rng.random() < 0.3 and step == "arrived"
        lat = float(near[0]) + rng.uniform(-0.0004, 0.0004) if shared else None
        lon = float(near[1]) + rng.uniform(-0.0004, 0.0004) if shared else None
        # The first parent to share a position at the school marks it as the exchange place.
        pin = shared and not pinned and incidents
        if pin:
            pinned.append(True)
        steps.append(
            (
                at,
                lambda: services.check_in(
                    access=access,
                    planned_at=planned,
                    step=step,
                    latitude=lat,
                    longitude=lon,
                    pin_place=pin,
                    at=at,
                ),
            )
        )

    def note(access: FamilyAccess, planned: datetime, text: str, at: datetime) -> None:
        steps.append(
            (at, lambda: services.note_add(access=access, planned_at=planned, text=text, at=at))
        )

    for index, row in enumerate(rows):
        giver_user, receiver_user = seats.get(row.from_parent), seats.get(row.to_parent)
        if giver_user is None or receiver_user is None:
            continue
        giver, receiver = by_user[giver_user.pk], by_user[receiver_user.pk]
        at = row.planned_at
        if index in missed:
            tap(receiver, at, "arrived", at - timedelta(minutes=rng.randint(2, 9)))
            note(
                receiver,
                at,
                f"Nobody came to the exchange. I waited 40 minutes at {row.place or 'the school'}"
                f" and went home; the children stayed with {row.giver_name}.",
                at + timedelta(minutes=45),
            )
            continue
        if index == gate:
            tap(receiver, at, "arrived", at - timedelta(minutes=4))
            refused = at + timedelta(minutes=5)
            when = format_clock(refused.astimezone(zone_or_utc(first.family.timezone)), "en")
            note(
                receiver,
                at,
                f"Denied entry at the gate, {when}: the office said they had been told not to "
                f"release the children to me. {row.giver_name} came out at 18 minutes past.",
                at + timedelta(minutes=12),
            )
            tap(giver, at, "handed_over", at + timedelta(minutes=18))
            tap(receiver, at, "received", at + timedelta(minutes=19))
            continue
        late = rng.randint(18, 45) if rng.random() < 0.12 else 0
        tap(receiver, at, "arrived", at - timedelta(minutes=rng.randint(0, 8)))
        handed = at + timedelta(minutes=late + rng.randint(0, 6))
        if late:
            tap(giver, at, "arrived", handed - timedelta(minutes=1))
        tap(giver, at, "handed_over", handed)
        tap(receiver, at, "received", handed + timedelta(minutes=1))
        if late and rng.random() < 0.5:
            note(
                receiver,
                at,
                f"{row.giver_name} arrived {late} minutes late; the children were tired and "
                "hungry.",
                handed + timedelta(minutes=50),
            )
    steps.sort(key=lambda pair: pair[0])
    return steps


def pickup_pass(access: FamilyAccess, *, at: datetime, after: datetime) -> PickupPass | None:
    """The parent, at `at`, gives the school a pass for the first four hours of their next stay
    that begins after `after` (the school pickup); None when the plan gives them none soon."""
    seats = selectors.parent_seats(access)
    me = access.membership.user_id
    letter = next((k for k, seat in seats.items() if seat is not None and seat.pk == me), None)
    segments = schedule_of(access).expand(after, after + timedelta(days=21))[0]
    stay = next((s for s in segments if s.parent == letter and s.start > after), None)
    if stay is None:
        return None
    return services.pass_issue(
        access=access,
        children=[child.pk for child in children_of(access)],
        start=stay.start,
        end=min(stay.end, stay.start + timedelta(hours=4)),
        at=at,
    )
