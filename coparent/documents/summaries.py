"""Plain-language lines for the record's document entries, on the timeline and in the PDF:
what was uploaded, for whom, and the file's SHA-256 (which fixes its bytes)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from coparent.core.when import format_day
from coparent.documents.models import category_label
from coparent.records.models import Kind
from coparent.records.summaries import register_summary
from coparent.web.zones import current


def _about(d: dict[str, Any]) -> str:
    """“Court order “Custody order” of Mon, Mar 2, 2026, for Mia and Leo”."""
    try:
        dated = format_day(date.fromisoformat(str(d["date"])), current().locale, "date")
    except (KeyError, ValueError):
        dated = str(d.get("date", ""))
    text = _("%(category)s “%(title)s” of %(date)s") % {
        "category": category_label(d.get("category")),
        "title": d.get("title", ""),
        "date": dated,
    }
    names = [str(c.get("name", "")) for c in d.get("children", []) if isinstance(c, dict)]
    if names:
        text += " " + _("for %(children)s") % {"children": ", ".join(names)}
    return text


def _file(d: dict[str, Any]) -> str:
    file = d.get("file") or {}
    return _("file “%(name)s”, %(size)s bytes, SHA-256 %(sha256)s") % {
        "name": file.get("name", ""),
        "size": f"{int(file.get('size', 0)):,}",
        "sha256": file.get("sha256", ""),
    }


def _added(d: dict[str, Any]) -> str:
    return _("%(name)s added the %(about)s: %(file)s") % {
        "name": d.get("name", ""),
        "about": _about(d),
        "file": _file(d),
    }


def _version_added(d: dict[str, Any]) -> str:
    return _("%(name)s added version %(number)s of the %(about)s: %(file)s") % {
        "name": d.get("name", ""),
        "number": d.get("version", ""),
        "about": _about(d),
        "file": _file(d),
    }


SUMMARIES = {
    Kind.DOCUMENT_ADDED: _added,
    Kind.DOCUMENT_VERSION_ADDED: _version_added,
}


def register() -> None:
    for kind, summarise in SUMMARIES.items():
        register_summary(kind, summarise)
