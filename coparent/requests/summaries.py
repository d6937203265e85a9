"""Plain-language lines for the record's request entries, on the timeline and in the PDF."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from coparent.records.models import Kind
from coparent.records.summaries import register_summary

KIND_WORDS = {
    "swap": "swap",
    "trip": "trip",
    "activity": "activity",
    "social_media": "social media",
    "medical": "medical",
    "school": "school",
    "other": "other",
}


def _what(d: dict[str, Any]) -> str:
    return _("%(kind)s request “%(title)s”") % {
        "kind": KIND_WORDS.get(d.get("kind", ""), d.get("kind", "")).capitalize(),
        "title": d.get("title", ""),
    }


def _span(d: dict[str, Any]) -> str:
    if not d.get("starts_at"):
        return ""
    text = " " + _("from %(start)s to %(end)s") % {
        "start": d["starts_at"][:16],
        "end": d["ends_at"][:16],
    }
    if d.get("destination"):
        text += " " + _("to %(place)s") % {"place": d["destination"]}
    return text


def _made(d: dict[str, Any]) -> str:
    text = _("%(what)s made%(span)s, answer due %(due)s") % {
        "what": _what(d),
        "span": _span(d),
        "due": d["due_at"][:16],
    }
    if d.get("clause"):
        text += " " + _("(relies on clause “%(title)s” v%(version)s)") % d["clause"]
    return text


def _approved(d: dict[str, Any]) -> str:
    return _("%(what)s approved") % {"what": _what(d)}


def _declined(d: dict[str, Any]) -> str:
    return _("%(what)s declined: %(reason)s") % {"what": _what(d), "reason": d.get("reason", "")}


def _countered(d: dict[str, Any]) -> str:
    return _("%(what)s answered with a counter-proposal%(span)s: %(details)s") % {
        "what": _what(d),
        "span": _span(d),
        "details": d.get("details", ""),
    }


def _withdrawn(d: dict[str, Any]) -> str:
    return _("%(what)s withdrawn") % {"what": _what(d)}


def _expired(d: dict[str, Any]) -> str:
    clause = d.get("clause")
    if d.get("outcome") and clause:
        outcome = _("approved") if d["outcome"] == "approve" else _("declined")
        return _("%(what)s expired — counts as %(outcome)s under clause “%(title)s” v%(v)s") % {
            "what": _what(d),
            "outcome": outcome,
            "title": clause.get("title", ""),
            "v": clause.get("version", ""),
        }
    return _("%(what)s expired unanswered") % {"what": _what(d)}


def _commented(d: dict[str, Any]) -> str:
    if d.get("comment_kind") == "resolution":
        text = _("Resolution proposed on request “%(title)s”: %(text)s")
    else:
        text = _("Comment on request “%(title)s”: %(text)s")
    return text % {"title": d.get("title", ""), "text": d.get("text", "")}


def _reminded(d: dict[str, Any]) -> str:
    return _("Reminder sent: request “%(title)s” is due in %(hours)s hours") % {
        "title": d.get("title", ""),
        "hours": d.get("hours", ""),
    }


SUMMARIES = {
    Kind.REQUEST_MADE: _made,
    Kind.REQUEST_APPROVED: _approved,
    Kind.REQUEST_DECLINED: _declined,
    Kind.REQUEST_COUNTERED: _countered,
    Kind.REQUEST_WITHDRAWN: _withdrawn,
    Kind.REQUEST_EXPIRED: _expired,
    Kind.REQUEST_COMMENTED: _commented,
    Kind.REQUEST_REMINDED: _reminded,
}


def register() -> None:
    for kind, summarise in SUMMARIES.items():
        register_summary(kind, summarise)
