"""Plain-language lines for the record's message entries, on the timeline and in the PDF."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coparent.records.models import Kind


def _sent(d: dict[str, Any]) -> str:
    text = _("%(sender)s wrote in “%(subject)s” (body SHA-256 %(hash)s…)") % {
        "sender": d["sender_name"],
        "subject": d["subject"],
        "hash": d["body_sha256"][:12],
    }
    if d.get("attachments"):
        text += " " + ngettext(
            "with %(n)d attachment", "with %(n)d attachments", len(d["attachments"])
        ) % {"n": len(d["attachments"])}
    return text


def _delivered(d: dict[str, Any]) -> str:
    return ngettext(
        "%(n)d waiting message delivered to %(name)s on joining",
        "%(n)d waiting messages delivered to %(name)s on joining",
        d["count"],
    ) % {"n": d["count"], "name": d["recipient_name"]}


def _viewed(d: dict[str, Any]) -> str:
    return ngettext(
        "%(name)s first viewed %(n)d message in “%(subject)s”",
        "%(name)s first viewed %(n)d messages in “%(subject)s”",
        len(d["messages"]),
    ) % {"name": d["viewer_name"], "n": len(d["messages"]), "subject": d["subject"]}


SUMMARIES = {
    Kind.MESSAGE_SENT: _sent,
    Kind.MESSAGE_DELIVERED: _delivered,
    Kind.MESSAGE_VIEWED: _viewed,
}


def register() -> None:
    from coparent.records import export, selectors

    for kind, summarise in SUMMARIES.items():
        selectors.register_summary(kind, summarise)
        # The PDF export keeps its own table of one-liners.
        pdf_lines = getattr(export, "SUMMARIES", None)
        if isinstance(pdf_lines, dict):
            pdf_lines[kind] = summarise
