"""Plain-language lines for the record's plan entries, on the timeline and in the PDF."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from coparent.records.models import Kind
from coparent.records.summaries import register_summary


def _proposed(d: dict[str, Any]) -> str:
    what = d.get("pattern") or d.get("rotation", "")
    text = _(
        "Plan version %(n)s proposed (%(what)s, exchanges at %(time)s %(zone)s) from %(date)s"
    ) % {
        "n": d["version"],
        "what": what,
        "time": d.get("exchange_time", ""),
        "zone": d.get("timezone", ""),
        "date": d["effective_from"],
    }
    if d.get("note"):
        text += f" — {d['note']}"
    return text


def _accepted(d: dict[str, Any]) -> str:
    if d.get("automatic"):
        return _("Plan version %(n)s in force from %(date)s (no other parent to answer yet)") % {
            "n": d["version"],
            "date": d["effective_from"],
        }
    return _("Plan version %(n)s accepted, in force from %(date)s") % {
        "n": d["version"],
        "date": d["effective_from"],
    }


def _declined(d: dict[str, Any]) -> str:
    return _("Plan version %(n)s declined: %(reason)s") % {"n": d["version"], "reason": d["reason"]}


def _withdrawn(d: dict[str, Any]) -> str:
    return _("Plan version %(n)s withdrawn") % {"n": d["version"]}


def _changed(d: dict[str, Any]) -> str:
    # Instants as recorded (UTC): the timeline shows the entry's own moment in the family's
    # zone; the span is the fact as it was decided.
    values = {"label": d["label"], "start": d["start"][:16], "end": d["end"][:16]}
    if d.get("parent"):
        values["parent"] = d["parent"]
        text = _("Calendar changed: %(label)s, with parent %(parent)s from %(start)s to %(end)s")
    else:
        text = _("Calendar note added: %(label)s, from %(start)s to %(end)s")
    text = text % values
    if d.get("automatic"):
        text += " " + _("(by the agreement, nobody having answered)")
    return text


SUMMARIES = {
    Kind.SCHEDULE_CHANGED: _changed,
    Kind.PLAN_PROPOSED: _proposed,
    Kind.PLAN_ACCEPTED: _accepted,
    Kind.PLAN_DECLINED: _declined,
    Kind.PLAN_WITHDRAWN: _withdrawn,
}


def register() -> None:
    for kind, summarise in SUMMARIES.items():
        register_summary(kind, summarise)
