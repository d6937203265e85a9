"""Plain-language lines for the record's child-event entries, on the timeline and in the PDF."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from coparent.events.models import Answer, EventKind
from coparent.records.models import Kind
from coparent.records.summaries import register_summary


def _kind(value: object) -> str:
    try:
        return str(EventKind(str(value)).label)
    except ValueError:
        return str(value)


def _answer(value: object) -> str:
    labels: dict[object, str] = {Answer.YES: _("yes"), Answer.NO: _("no"), Answer.MAYBE: _("maybe")}
    return str(labels.get(value, value))


def _moment(text: str | None) -> str:
    """ "2027-06-12T15:00+02:00" -> "2027-06-12 15:00" (the local clock time as recorded)."""
    if not text:
        return ""
    return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M")


def when_text(d: dict[str, Any]) -> str:
    """The time of an event as an entry recorded it, in the event's own zone."""
    if d.get("all_day"):
        first, last = d["start_date"], d["end_date"]
        if first == last:
            return _("%(date)s (all day)") % {"date": first}
        return _("%(first)s to %(last)s (all day)") % {"first": first, "last": last}
    start, end = _moment(d["starts_at"]), _moment(d["ends_at"])
    if start[:10] == end[:10]:
        end = end[11:]
    return f"{start}–{end} {d['timezone']}"


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
        "when": _moment(d["starts_at"])[:10],
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
