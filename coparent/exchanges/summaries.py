"""Plain-language lines for the record's exchange entries, on the timeline and in the PDF, with
times in the reader's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from coparent.core.when import format_moment
from coparent.records.models import Kind
from coparent.records.summaries import register_summary
from coparent.web.zones import current


def _moment(text: object) -> str:
    frame = current()
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return format_moment(moment, frame.zone, frame.locale, style="weekday_year")


def _step(value: object) -> str:
    steps = {
        "arrived": _("checked in “I'm here”"),
        "handed_over": _("marked the children handed over"),
        "received": _("marked the children received"),
    }
    return steps.get(str(value), str(value))


def _checked_in(d: dict[str, Any]) -> str:
    text = _("%(name)s %(step)s at the exchange planned for %(when)s") % {
        "name": d.get("name", ""),
        "step": _step(d.get("step")),
        "when": _moment(d["planned_at"]),
    }
    if d.get("at_place") is True:
        text += " " + _("(at the exchange place)")
    elif d.get("at_place") is False:
        text += " " + _("(not at the exchange place)")
    elif d.get("location_shared"):
        text += " " + _("(location shared)")
    return text


def _place_pinned(d: dict[str, Any]) -> str:
    return _("%(name)s marked where the exchange place “%(place)s” is") % {
        "name": d.get("name", ""),
        "place": d.get("place", ""),
    }


def _note(d: dict[str, Any]) -> str:
    what = (
        _("%(name)s added to an earlier note on the exchange planned for %(when)s: %(text)s")
        if d.get("follows")
        else _("%(name)s wrote about the exchange planned for %(when)s: %(text)s")
    )
    return what % {"name": d.get("name", ""), "when": _moment(d["planned_at"]), "text": d["text"]}


def _pass_issued(d: dict[str, Any]) -> str:
    return _(
        "%(name)s issued a pickup pass: %(children)s with %(parent)s, %(start)s to %(end)s"
    ) % {
        "name": d.get("name", ""),
        "children": ", ".join(d.get("children", [])),
        "parent": d.get("parent", ""),
        "start": _moment(d["start"]),
        "end": _moment(d["end"]),
    }


def _pass_revoked(d: dict[str, Any]) -> str:
    return _("%(name)s revoked the pickup pass naming %(parent)s") % {
        "name": d.get("name", ""),
        "parent": d.get("parent", ""),
    }


SUMMARIES = {
    Kind.EXCHANGE_CHECKED_IN: _checked_in,
    Kind.EXCHANGE_NOTE: _note,
    Kind.EXCHANGE_PLACE_PINNED: _place_pinned,
    Kind.PASS_ISSUED: _pass_issued,
    Kind.PASS_REVOKED: _pass_revoked,
}


def register() -> None:
    for kind, summarise in SUMMARIES.items():
        register_summary(kind, summarise)
