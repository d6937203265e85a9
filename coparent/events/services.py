"""Writes for child events (STYLE.md 3): keyword-only, typed, atomic; each fact appended to the
family record in the same transaction. The notification centre hears of each fact through the
record (coparent.records.hooks) and tells the other parents once it commits.

Only parents write. An event is never deleted: a change is recorded with what changed, and a
cancellation keeps the event, marked cancelled (the database refuses DELETE anyway).
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NotRequired, TypedDict
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.core.zones import is_known_zone
from coparent.events.models import (
    NOTES_MAX_CHARS,
    PLACE_MAX_CHARS,
    RSVP_NOTE_MAX_CHARS,
    TITLE_MAX_CHARS,
    Answer,
    ChildEvent,
    EventChild,
    EventKind,
    EventStatus,
    Rsvp,
)
from coparent.families.models import Child
from coparent.families.selectors import FamilyAccess
from coparent.infra.errors import NotFound
from coparent.infra.labels import check_label
from coparent.infra.notifications import notifications_off
from coparent.records.models import Kind
from coparent.records.services import record_append

# Dates outside these years are typing mistakes (and far ones overflow date arithmetic).
FIRST_YEAR, LAST_YEAR = 1900, 2199
MAX_DURATION = timedelta(days=366)


def _has_control_characters(text: str) -> bool:
    # NUL and other C0 controls are never part of an event, and PostgreSQL refuses NUL.
    return any(ord(c) < 32 and c not in "\t\n\r" for c in text)


def _text(
    value: str | None,
    field: str,
    limit: int,
    errors: dict[str, list[str]],
    *,
    one_line: bool = True,
) -> str:
    text = unicodedata.normalize("NFC", value or "")
    text = " ".join(text.split()) if one_line else text.strip()
    if len(text) > limit:
        errors[field] = [
            _("At most %(max)s characters; this has %(n)s.")
            % {"max": f"{limit:,}", "n": f"{len(text):,}"}
        ]
    elif _has_control_characters(text):
        errors[field] = [_("Remove the invisible control characters.")]
    elif one_line:
        # A title, a place, a reason or an answer's note is a label read at a glance; the
        # notes keep what was written and are shown with visible marks (coparent.core.text).
        check_label(errors, field, text)
    return text


@dataclass(frozen=True)
class _Clean:
    """An event's details once checked: instants are aware and whole minutes."""

    title: str
    kind: str
    children: list[Child]
    timezone: str
    all_day: bool
    starts_at: datetime
    ends_at: datetime
    start_date: date | None
    end_date: date | None
    place: str
    notes: str


def _children(
    access: FamilyAccess, values: Sequence[object], errors: dict[str, list[str]]
) -> list[Child]:
    ids: set[uuid.UUID] = set()
    for value in values or ():
        if isinstance(value, Child):
            value = value.pk
        try:
            ids.add(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except (TypeError, ValueError, AttributeError):
            errors["children"] = [_("Choose children of this family.")]
            return []
    if not ids:
        errors["children"] = [_("Choose at least one child.")]
        return []
    found = list(Child.objects.filter(family=access.family, pk__in=ids))
    if len(found) != len(ids):
        # Another family's child looks exactly like a child that does not exist.
        errors["children"] = [_("Choose children of this family.")]
        return []
    return found


def _in_years(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def _instant(value: datetime, zone: ZoneInfo) -> datetime:
    """An aware instant to the minute. A naive time is local time in `zone`; one that falls in
    a spring-forward gap or a fall-back fold is read with the offset before the change
    (ARCHITECTURE.md), which is what `fold=0` gives."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=zone, fold=0)
    # In UTC from here on: Python compares and subtracts two times of one zone by their clock
    # readings, which is wrong across a DST change.
    return value.replace(second=0, microsecond=0).astimezone(UTC)


def _clean(
    access: FamilyAccess,
    *,
    title: str,
    kind: str,
    children: Sequence[object],
    timezone_name: str,
    all_day: bool,
    starts_at: datetime | None,
    ends_at: datetime | None,
    start_date: date | None,
    end_date: date | None,
    place: str,
    notes: str,
) -> _Clean:
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", TITLE_MAX_CHARS, errors)
    if not title and "title" not in errors:
        errors["title"] = [_("Give the event a title.")]
    if kind not in EventKind.values:
        errors["kind"] = [_("Choose what kind of event this is.")]
    place = _text(place, "place", PLACE_MAX_CHARS, errors)
    notes = _text(notes, "notes", NOTES_MAX_CHARS, errors, one_line=False)
    chosen = _children(access, children, errors)

    zone_name = (timezone_name or "").strip()
    zone = None
    if not is_known_zone(zone_name):
        errors["timezone"] = [
            _("“%(zone)s” is not a time zone we know. Use a name like Europe/Paris.")
            % {"zone": zone_name[:64]}
        ]
    else:
        zone = ZoneInfo(zone_name)

    begin = end = None
    first_day = last_day = None
    if all_day:
        if not isinstance(start_date, date):
            errors["start_date"] = [_("Enter the day of the event.")]
        elif not _in_years(start_date):
            errors["start_date"] = [_("Enter a date between 1900 and 2199.")]
        else:
            first_day = start_date
            last_day = end_date if isinstance(end_date, date) else start_date
            if not _in_years(last_day):
                errors["end_date"] = [_("Enter a date between 1900 and 2199.")]
            elif last_day < first_day:
                errors["end_date"] = [_("The last day cannot be before the first day.")]
            elif last_day - first_day >= MAX_DURATION:
                errors["end_date"] = [_("An event can last at most a year.")]
            elif zone is not None:
                begin = _instant(datetime.combine(first_day, time(0)), zone)
                end = _instant(datetime.combine(last_day + timedelta(days=1), time(0)), zone)
    else:
        if not isinstance(starts_at, datetime):
            errors["starts_at"] = [_("Enter when the event starts.")]
        if not isinstance(ends_at, datetime):
            errors["ends_at"] = [_("Enter when the event ends.")]
        if zone is not None and isinstance(starts_at, datetime) and isinstance(ends_at, datetime):
            if not _in_years(starts_at.date()):
                errors["starts_at"] = [_("Enter a date between 1900 and 2199.")]
            elif not _in_years(ends_at.date()):
                errors["ends_at"] = [_("Enter a date between 1900 and 2199.")]
            else:
                begin, end = _instant(starts_at, zone), _instant(ends_at, zone)
                if end <= begin:
                    errors["ends_at"] = [_("The event must end after it starts.")]
                elif end - begin > MAX_DURATION:
                    errors["ends_at"] = [_("An event can last at most a year.")]
    if errors or begin is None or end is None:
        # (Every path without an error sets both instants; the second test is for the typer.)
        raise ValidationError(errors or {"starts_at": [_("Enter when the event starts.")]})
    return _Clean(
        title=title,
        kind=kind,
        children=chosen,
        timezone=zone_name,
        all_day=bool(all_day),
        starts_at=begin,
        ends_at=end,
        start_date=first_day,
        end_date=last_day,
        place=place,
        notes=notes,
    )


def _local_text(moment: datetime, zone_name: str) -> str:
    return moment.astimezone(ZoneInfo(zone_name)).isoformat(timespec="minutes")


def _snapshot(
    *,
    title: str,
    kind: str,
    children: Sequence[Child],
    timezone_name: str,
    all_day: bool,
    starts_at: datetime,
    ends_at: datetime,
    start_date: date | None,
    end_date: date | None,
    place: str,
    notes: str,
) -> dict[str, Any]:
    """What the record says about an event: local times with their offset, so an entry reads
    as the parents saw it and still names the exact instant."""
    ordered = sorted(children, key=lambda c: (c.date_of_birth, c.name, str(c.pk)))
    return {
        "title": title,
        "kind": kind,
        "children": [c.name for c in ordered],
        "child_ids": [str(c.pk) for c in ordered],
        "all_day": all_day,
        "starts_at": None if all_day else _local_text(starts_at, timezone_name),
        "ends_at": None if all_day else _local_text(ends_at, timezone_name),
        "start_date": start_date.isoformat() if all_day and start_date else None,
        "end_date": end_date.isoformat() if all_day and end_date else None,
        "timezone": timezone_name,
        "place": place,
        "notes": notes,
    }


def _snapshot_of_clean(clean: _Clean) -> dict[str, Any]:
    return _snapshot(
        title=clean.title,
        kind=clean.kind,
        children=clean.children,
        timezone_name=clean.timezone,
        all_day=clean.all_day,
        starts_at=clean.starts_at,
        ends_at=clean.ends_at,
        start_date=clean.start_date,
        end_date=clean.end_date,
        place=clean.place,
        notes=clean.notes,
    )


def _snapshot_of_event(event: ChildEvent, children: Sequence[Child]) -> dict[str, Any]:
    return _snapshot(
        title=event.title,
        kind=event.kind,
        children=children,
        timezone_name=event.timezone,
        all_day=event.all_day,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        start_date=event.start_date,
        end_date=event.end_date,
        place=event.place,
        notes=event.notes,
    )


def _told(notify: bool) -> AbstractContextManager[None]:
    """Around a write: with `notify=False` (imported history, the demo) nobody is told of it."""
    return nullcontext() if notify else notifications_off()


def _own(access: FamilyAccess, event: ChildEvent) -> None:
    access.require_parent()
    if event.family_id != access.family.pk:
        raise NotFound(_("No such event."))


class EventDetails(TypedDict):
    """What an event is, as `event_add` and `event_update` take it besides who acts and when:
    local (naive) or aware times for a timed event, the dates for an all-day one."""

    title: str
    kind: str
    children: Sequence[object]  # the children or their ids
    timezone_name: str
    all_day: bool
    starts_at: NotRequired[datetime | None]
    ends_at: NotRequired[datetime | None]
    start_date: NotRequired[date | None]
    end_date: NotRequired[date | None]
    place: str
    notes: str


def event_add(
    *,
    access: FamilyAccess,
    title: str,
    kind: str,
    children: Sequence[object],
    timezone_name: str,
    all_day: bool = False,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    place: str = "",
    notes: str = "",
    at: datetime | None = None,
    notify: bool = True,
) -> ChildEvent:
    """A parent adds an event for one or more of the family's children; the other parents are
    told once it is saved (docs/notifications.md).

    A timed event takes `starts_at` and `ends_at` (naive ones are local times in
    `timezone_name`); an all-day one takes `start_date` and, for several days, `end_date`
    (included). Problems raise ValidationError keyed by these argument names ("timezone" for
    the zone). `notify=False` is for imported history such as the demo."""
    access.require_parent()
    clean = _clean(
        access,
        title=title,
        kind=kind,
        children=children,
        timezone_name=timezone_name,
        all_day=all_day,
        starts_at=starts_at,
        ends_at=ends_at,
        start_date=start_date,
        end_date=end_date,
        place=place,
        notes=notes,
    )
    moment = at or timezone.now()
    user = access.membership.user
    with _told(notify), transaction.atomic():
        event = ChildEvent.objects.create(
            family=access.family,
            title=clean.title,
            kind=clean.kind,
            all_day=clean.all_day,
            starts_at=clean.starts_at,
            ends_at=clean.ends_at,
            start_date=clean.start_date,
            end_date=clean.end_date,
            timezone=clean.timezone,
            place=clean.place,
            notes=clean.notes,
            created_by=user,
            created_at=moment,
            updated_at=moment,
        )
        EventChild.objects.bulk_create(
            EventChild(family=access.family, event=event, child=child) for child in clean.children
        )
        record_append(
            family=access.family,
            kind=Kind.EVENT_ADDED,
            actor=user,
            at=moment,
            data={"event": str(event.pk), **_snapshot_of_clean(clean)},
        )
    return event


def event_update(
    *,
    access: FamilyAccess,
    event: ChildEvent,
    title: str,
    kind: str,
    children: Sequence[object],
    timezone_name: str,
    all_day: bool = False,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    place: str = "",
    notes: str = "",
    at: datetime | None = None,
    notify: bool = True,
) -> ChildEvent:
    """A parent changes an event: the same arguments as `event_add`, all of them (see
    `current_details` for an event's present values). What changed goes to the record, the
    other parents are told, and the event's `sequence` goes up by one. Nothing changed,
    nothing recorded."""
    _own(access, event)
    clean = _clean(
        access,
        title=title,
        kind=kind,
        children=children,
        timezone_name=timezone_name,
        all_day=all_day,
        starts_at=starts_at,
        ends_at=ends_at,
        start_date=start_date,
        end_date=end_date,
        place=place,
        notes=notes,
    )
    moment = at or timezone.now()
    with _told(notify), transaction.atomic():
        # Read again under a lock, so two parents editing at once each see the other's change.
        locked = ChildEvent.objects.select_for_update().get(pk=event.pk, family=access.family)
        if locked.is_cancelled:
            raise ValidationError(_("This event was cancelled. Add a new event instead."))
        current = list(locked.children.all())
        before = _snapshot_of_event(locked, current)
        after = _snapshot_of_clean(clean)
        changes = {
            key: {"from": before[key], "to": after[key]}
            for key in after
            if key != "child_ids" and before[key] != after[key]
        }
        if not changes:
            return locked
        for field in (
            "title",
            "kind",
            "all_day",
            "starts_at",
            "ends_at",
            "start_date",
            "end_date",
            "place",
            "notes",
        ):
            setattr(locked, field, getattr(clean, field))
        locked.timezone = clean.timezone
        locked.updated_at = moment
        locked.sequence += 1
        locked.save(
            update_fields=[
                "title",
                "kind",
                "all_day",
                "starts_at",
                "ends_at",
                "start_date",
                "end_date",
                "timezone",
                "place",
                "notes",
                "updated_at",
                "sequence",
            ]
        )
        if "children" in changes:
            keep = {c.pk for c in clean.children}
            EventChild.objects.filter(event=locked).exclude(child_id__in=keep).delete()
            had = {c.pk for c in current}
            EventChild.objects.bulk_create(
                EventChild(family=access.family, event=locked, child=child)
                for child in clean.children
                if child.pk not in had
            )
        record_append(
            family=access.family,
            kind=Kind.EVENT_CHANGED,
            actor=access.membership.user,
            at=moment,
            data={
                "event": str(locked.pk),
                "title": clean.title,
                "child_ids": after["child_ids"],
                "changes": changes,
            },
        )
    return locked


def event_cancel(
    *,
    access: FamilyAccess,
    event: ChildEvent,
    reason: str = "",
    at: datetime | None = None,
    notify: bool = True,
) -> ChildEvent:
    """A parent cancels an event. It stays, marked cancelled, for everyone to see (and in any
    subscribed calendar as cancelled); the other parents are told."""
    _own(access, event)
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", RSVP_NOTE_MAX_CHARS, errors)
    if errors:
        raise ValidationError(errors)
    moment = at or timezone.now()
    with _told(notify), transaction.atomic():
        locked = ChildEvent.objects.select_for_update().get(pk=event.pk, family=access.family)
        if locked.is_cancelled:
            raise ValidationError(_("This event is already cancelled."))
        locked.status = EventStatus.CANCELLED
        locked.cancelled_at = moment
        locked.cancelled_by = access.membership.user
        locked.cancel_reason = reason
        locked.updated_at = moment
        locked.sequence += 1
        locked.save(
            update_fields=[
                "status",
                "cancelled_at",
                "cancelled_by",
                "cancel_reason",
                "updated_at",
                "sequence",
            ]
        )
        record_append(
            family=access.family,
            kind=Kind.EVENT_CANCELLED,
            actor=access.membership.user,
            at=moment,
            data={
                "event": str(locked.pk),
                "title": locked.title,
                "starts_at": _local_text(locked.starts_at, locked.timezone),
                "timezone": locked.timezone,
                "reason": reason,
            },
        )
    return locked


def rsvp_set(
    *,
    access: FamilyAccess,
    event: ChildEvent,
    answer: str,
    note: str = "",
    at: datetime | None = None,
) -> Rsvp:
    """A parent answers an event (yes, no or maybe, with an optional note) or changes the
    answer. Each answer given is recorded; giving the same answer again records nothing."""
    _own(access, event)
    errors: dict[str, list[str]] = {}
    if answer not in Answer.values:
        errors["answer"] = [_("Choose yes, no or maybe.")]
    note = _text(note, "note", RSVP_NOTE_MAX_CHARS, errors)
    if errors:
        raise ValidationError(errors)
    moment = at or timezone.now()
    user = access.membership.user
    with transaction.atomic():
        locked = ChildEvent.objects.select_for_update().get(pk=event.pk, family=access.family)
        if locked.is_cancelled:
            raise ValidationError(_("This event was cancelled: there is nothing to answer."))
        if locked.has_ended(moment):
            raise ValidationError(_("This event has already taken place."))
        rsvp = Rsvp.objects.filter(event=locked, user=user).first()
        previous = rsvp.answer if rsvp else None
        if rsvp is not None and rsvp.answer == answer and rsvp.note == note:
            return rsvp
        if rsvp is None:
            rsvp = Rsvp.objects.create(
                family=access.family,
                event=locked,
                user=user,
                answer=answer,
                note=note,
                answered_at=moment,
            )
        else:
            rsvp.answer, rsvp.note, rsvp.answered_at = answer, note, moment
            rsvp.save(update_fields=["answer", "note", "answered_at"])
        record_append(
            family=access.family,
            kind=Kind.EVENT_RSVP,
            actor=user,
            at=moment,
            data={
                "event": str(locked.pk),
                "title": locked.title,
                "user": str(user.pk),
                "name": user.display_name,
                "answer": answer,
                "previous": previous,
                "note": note,
            },
        )
    return rsvp


def current_details(event: ChildEvent) -> EventDetails:
    """An event's present values in the shape `event_update` takes, with local (naive) times,
    so a caller that changes one thing passes the rest back unchanged — and a change of zone
    keeps the clock times the parents typed."""
    return {
        "title": event.title,
        "kind": event.kind,
        "children": [c.pk for c in event.children.all()],
        "timezone_name": event.timezone,
        "all_day": event.all_day,
        "starts_at": None if event.all_day else event.local_start.replace(tzinfo=None),
        "ends_at": None if event.all_day else event.local_end.replace(tzinfo=None),
        "start_date": event.start_date if event.all_day else None,
        "end_date": event.end_date if event.all_day else None,
        "place": event.place,
        "notes": event.notes,
    }
