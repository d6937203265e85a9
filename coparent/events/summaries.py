"""Plain-language lines for the record's child-event entries, on the timeline and in the PDF."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.utils.translation import gettext as _

from coparent.core.when import format_day, format_moment, format_span
from coparent.core.zones import zone_or_utc
from coparent.events.models import Answer, EventKind
from coparent.records.models import Kind
from coparent.records.summaries import register_summary
from coparent.web.zones import current


def _kind(value: object) -> str:
    try:
        return str(EventKind(str(value)).label)
    except ValueError:
        return str(value)


def _answer(value: object) -> str:
    labels: dict[object, str] = {Answer.YES: _("yes"), Answer.NO: _("no"), Answer.MAYBE: _("maybe")}
    return str(labels.get(value, value))


def _day(text: str) -> str:
    return format_day(date.fromisoformat(text), current().locale, "weekday_year")


def _moment(text: str) -> str:
    """ "2027-06-12T15:00+02:00" as the local clock time it records, the reader's way."""
    moment = datetime.fromisoformat(text)
    return format_moment(moment, moment.tzinfo or UTC, current().locale, style="weekday_year")


def when_text(d: dict[str, Any]) -> str:
    """The time of an event as an entry recorded it ("2027-06-12T15:00+02:00", the local
    clock time with its offset), in the event's own zone, named."""
    if d.get("all_day"):
        first, last = _day(d["start_date"]), _day(d["end_date"])
        if first == last:
            return _("%(date)s (all day)") % {"date": first}
        return _("%(first)s to %(last)s (all day)") % {"first": first, "last": last}
    zone = zone_or_utc(d["timezone"])
    start, end = datetime.fromisoformat(d["starts_at"]), datetime.fromisoformat(d["ends_at"])
    return f"{format_span(start, end, zone, current().locale)} ({zone.key})"


def _added(d: dict[str, Any]) -> str:
    text = _("“%(title)s” (%(kind)s) for %(children)s, %(when)s") % {
        "title": d["title"],
        "kind": _kind(d["kind"]),
        "children": ", ".join(d["children"]),
        "when": when_text(d),
    }
    if d.get("place"):
        text += _(", at %(place)s") % {"place": d["place"]}
    return text


def _value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field == "kind":
        return _kind(value)
    if field in {"starts_at", "ends_at"}:
        return _moment(value)
    if field == "all_day":
        return _("all day") if value else _("timed")
    if field == "children":
        return ", ".join(value)
    if field == "notes":
        text = str(value)
        return text if len(text) <= 80 else text[:79] + "…"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


FIELD_LABELS = {
    "title": lambda: _("title"),
    "kind": lambda: _("kind"),
    "children": lambda: _("children"),
    "all_day": lambda: _("all day"),
    "starts_at": lambda: _("start"),
    "ends_at": lambda: _("end"),
    "start_date": lambda: _("first day"),
    "end_date": lambda: _("last day"),
    "timezone": lambda: _("time zone"),
    "place": lambda: _("place"),
    "notes": lambda: _("notes"),
}


def change_lines(changes: dict[str, dict[str, Any]]) -> list[str]:
    """Each change of an "event.changed" entry as "place from “Home” to “Park”"."""
    lines = []
    for field, change in changes.items():
        label = FIELD_LABELS[field]() if field in FIELD_LABELS else field
        lines.append(
            _("%(field)s from “%(old)s” to “%(new)s”")
            % {
                "field": label,
                "old": _value(field, change["from"]),
                "new": _value(field, change["to"]),
            }
        )
    return lines


def _changed(d: dict[str, Any]) -> str:
    return _("“%(title)s” changed: %(changes)s") % {
        "title": d["title"],
        "changes": "; ".join(change_lines(d["changes"])),
    }


def _cancelled(d: dict[str, Any]) -> str:
    text = _("“%(title)s” of %(when)s cancelled") % {
        "title": d["title"],
        "when": _day(str(d.get("starts_at") or d.get("start_date"))[:10]),
    }
    if d.get("reason"):
        text += _(": %(reason)s") % {"reason": d["reason"]}
    return text


def _rsvp(d: dict[str, Any]) -> str:
    values = {
        "name": d["name"],
        "title": d["title"],
        "answer": _answer(d["answer"]),
        "previous": _answer(d["previous"]),
    }
    if d.get("previous") and d["previous"] != d["answer"]:
        text = _("%(name)s changed the answer to “%(title)s” from %(previous)s to %(answer)s")
    else:
        text = _("%(name)s answered %(answer)s to “%(title)s”")
    text = text % values
    if d.get("note"):
        text += f" — {d['note']}"
    return text


SUMMARIES = {
    Kind.EVENT_ADDED: _added,
    Kind.EVENT_CHANGED: _changed,
    Kind.EVENT_CANCELLED: _cancelled,
    Kind.EVENT_RSVP: _rsvp,
}


def register() -> None:
    for kind, summarise in SUMMARIES.items():
        register_summary(kind, summarise)
