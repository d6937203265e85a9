"""Plain-language lines for the record's message entries, on the timeline and in the PDF, and
who may read those entries in full: the people in the conversation (records.disclosure)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coparent.messaging.selectors import record_entries_readable
from coparent.records import disclosure, export, selectors
from coparent.records.models import Kind


def _sent(d: dict[str, Any]) -> str:
    if "subject" not in d:
        # Sealed, for a reader outside the conversation: who and when, nothing of what.
        return _("%(sender)s wrote a message in a conversation sealed to its participants") % {
            "sender": d["sender_name"]
        }
    text = _("%(sender)s wrote in “%(subject)s”") % {
        "sender": d["sender_name"],
        "subject": d["subject"],
    }
    if d.get("body_sha256"):
        # An entry written before messages were sealed names its text's plain SHA-256.
        text += " " + _("(body SHA-256 %(hash)s…)") % {"hash": d["body_sha256"][:12]}
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
    values = {"name": d["viewer_name"], "n": len(d["messages"])}
    if "subject" not in d:
        return (
            ngettext(
                "%(name)s first viewed %(n)d message in a conversation sealed to its participants",
                "%(name)s first viewed %(n)d messages in a conversation sealed to its participants",
                len(d["messages"]),
            )
            % values
        )
    return ngettext(
        "%(name)s first viewed %(n)d message in “%(subject)s”",
        "%(name)s first viewed %(n)d messages in “%(subject)s”",
        len(d["messages"]),
    ) % {**values, "subject": d["subject"]}


SUMMARIES = {
    Kind.MESSAGE_SENT: _sent,
    Kind.MESSAGE_DELIVERED: _delivered,
    Kind.MESSAGE_VIEWED: _viewed,
}

# What everyone who reads the record sees of a message entry: who, when, to whom. The subject,
# topic, text and files are the conversation's.
PUBLIC_KEYS = {
    Kind.MESSAGE_SENT: ("thread", "message", "sender", "sender_name", "recipients"),
    Kind.MESSAGE_VIEWED: ("thread", "viewer", "viewer_name", "messages"),
}


def register() -> None:
    for kind, summarise in SUMMARIES.items():
        selectors.register_summary(kind, summarise)
        # The PDF export keeps its own table of one-liners.
        pdf_lines = getattr(export, "SUMMARIES", None)
        if isinstance(pdf_lines, dict):
            pdf_lines[kind] = summarise
    for kind, keys in PUBLIC_KEYS.items():
        disclosure.register_private_kind(kind, readable=record_entries_readable, public_keys=keys)
