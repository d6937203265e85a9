"""Plain-language lines for the record's info-bank entries, on the timeline and in the PDF. A
sensitive value is never in an entry (services.py), so it is never in a line either."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from coparent.core import infobank
from coparent.records.models import Kind
from coparent.records.summaries import register_summary


def _what(d: dict[str, Any]) -> str:
    kind = infobank.KINDS.get(str(d.get("kind", "")))
    label = _(kind.phrase) if kind else _("item")
    title = d.get("title") or ""
    return f"{label} “{title}”" if title else label


def _fields(d: dict[str, Any]) -> str:
    kind = infobank.KINDS.get(str(d.get("kind", "")))
    names = []
    for name in d.get("fields", []):
        if name == "for_care":
            names.append(_("needed for care"))
        elif kind is not None:
            try:
                names.append(_(kind.field(name).label).lower())
            except KeyError:
                names.append(str(name))
    return ", ".join(names)


def _added(d: dict[str, Any]) -> str:
    return _("%(name)s added to %(child)s's info bank: %(what)s") % {
        "name": d.get("name", ""),
        "child": d.get("child_name", ""),
        "what": _what(d),
    }


def _changed(d: dict[str, Any]) -> str:
    text = _("%(name)s changed %(child)s's %(what)s") % {
        "name": d.get("name", ""),
        "child": d.get("child_name", ""),
        "what": _what(d),
    }
    fields = _fields(d)
    return f"{text} ({fields})" if fields else text


def _removed(d: dict[str, Any]) -> str:
    return _("%(name)s removed %(child)s's %(what)s from the info bank") % {
        "name": d.get("name", ""),
        "child": d.get("child_name", ""),
        "what": _what(d),
    }


def _revealed(d: dict[str, Any]) -> str:
    return _("%(name)s revealed the number of %(child)s's %(what)s") % {
        "name": d.get("name", ""),
        "child": d.get("child_name", ""),
        "what": _what(d),
    }


SUMMARIES = {
    Kind.INFO_ADDED: _added,
    Kind.INFO_CHANGED: _changed,
    Kind.INFO_REMOVED: _removed,
    Kind.INFO_REVEALED: _revealed,
}


def register() -> None:
    for kind, summarise in SUMMARIES.items():
        register_summary(kind, summarise)
