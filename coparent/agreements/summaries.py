"""Plain-language lines for the record's agreement entries, on the timeline and in the PDF.

The entry's data keeps the clause's whole text and terms (the export carries the agreement);
the line names the clause and what happened to it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from coparent.records.models import Kind
from coparent.records.summaries import register_summary


def _what(d: dict[str, Any]) -> dict[str, Any]:
    return {"title": d.get("title", ""), "n": d.get("number", "")}


def _proposed(d: dict[str, Any]) -> str:
    if d.get("amends"):
        return _("Change to the agreement's clause “%(title)s” proposed (version %(n)s)") % _what(d)
    return _("Clause “%(title)s” proposed for the agreement") % _what(d)


def _signed(d: dict[str, Any]) -> str:
    if not d.get("in_force"):
        return _("Clause “%(title)s” (version %(n)s) signed; it waits for the other parent") % (
            _what(d)
        )
    if d.get("supersedes"):
        return _(
            "Clause “%(title)s” (version %(n)s) signed and in force, replacing version %(old)s"
        ) % {**_what(d), "old": d["supersedes"]}
    return _("Clause “%(title)s” (version %(n)s) signed and in force") % _what(d)


def _declined(d: dict[str, Any]) -> str:
    return _("Clause “%(title)s” (version %(n)s) declined: %(reason)s") % {
        **_what(d),
        "reason": d.get("reason", ""),
    }


def _withdrawn(d: dict[str, Any]) -> str:
    return _("Clause “%(title)s” (version %(n)s) withdrawn") % _what(d)


SUMMARIES = {
    Kind.AGREEMENT_CLAUSE_PROPOSED: _proposed,
    Kind.AGREEMENT_CLAUSE_SIGNED: _signed,
    Kind.AGREEMENT_CLAUSE_DECLINED: _declined,
    Kind.AGREEMENT_CLAUSE_WITHDRAWN: _withdrawn,
}


def register() -> None:
    for kind, summarise in SUMMARIES.items():
        register_summary(kind, summarise)
