"""The messages section of the record's PDF (coparent.records.report): every message of the
period in the conversations of the person who exported, in full, with who wrote it and when,
who first viewed it and when, and its files (photos shown).

The text printed is the disclosure the export carries beside the message's sealed entry, which
the verifier checks against the entry's commitment: the PDF prints exactly what the proof holds,
not a second reading of the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.messaging import attachments
from coparent.messaging.selectors import attachments_for_report
from coparent.records.models import Kind
from coparent.records.report import Built, ReportScope, register_section


@dataclass(frozen=True)
class FileLine:
    name: str
    size: int
    # The photo's thumbnail as a file URL for the PDF renderer; "" for a PDF or a lost file.
    image: str = ""


@dataclass
class MessageLine:
    seq: int
    at: str
    sender: str
    body: str
    files: list[FileLine]
    viewed: list[str] = field(default_factory=list)


@dataclass
class ThreadBlock:
    subject: str
    messages: list[MessageLine] = field(default_factory=list)
    # A conversation carried on from the piece before (its subject says so).
    continued: bool = False


# Messages per piece of the section: the PDF lays each piece out on its own, so a family with
# 10,000 messages costs 50 small layouts, not one that holds every page in memory at once.
MESSAGES_PER_PIECE = 200


def _pieces(threads: list[ThreadBlock], size: int) -> list[list[ThreadBlock]]:
    """`threads` cut into pieces of at most `size` messages, in order; a conversation cut in
    two goes on in the next piece under its subject again. At least one piece, maybe empty."""
    pieces: list[list[ThreadBlock]] = [[]]
    room = size
    for thread in threads:
        messages, continued = thread.messages, False
        while messages:
            if room == 0:
                pieces.append([])
                room = size
            taken, messages = messages[:room], messages[room:]
            pieces[-1].append(ThreadBlock(thread.subject, taken, continued))
            room -= len(taken)
            continued = True
    return pieces


def _file_lines(opened: dict[str, Any], stored: dict[str, Any]) -> list[FileLine]:
    lines = []
    for item in opened.get("attachments") or ():
        row = stored.get(str(item.get("attachment")))
        image = ""
        if row is not None and row.is_photo:
            path = attachments.thumbnail(row.stored_name, row.content_type)
            image = path.as_uri() if path is not None else ""
        lines.append(
            FileLine(name=str(item.get("name", "")), size=int(item.get("size", 0)), image=image)
        )
    return lines


def build(scope: ReportScope) -> list[Built]:
    opened = {item["seq"]: item["sealed"] for item in scope.export.get("disclosures", ())}
    # First views: `message.viewed` names the messages a person opened at that moment.
    viewed: dict[str, list[str]] = {}
    for entry in scope.entries([Kind.MESSAGE_VIEWED]):
        data = entry["data"]
        who = data.get("viewer_name") or scope.name_of(data.get("viewer"))
        line = _("%(who)s, %(when)s") % {"who": who, "when": scope.moment(entry["at"])}
        for message_id in data.get("messages") or ():
            viewed.setdefault(str(message_id), []).append(line)
    stored = attachments_for_report(scope.access)
    threads: dict[str, ThreadBlock] = {}
    not_printed = 0
    for entry in scope.entries([Kind.MESSAGE_SENT]):
        content = opened.get(entry["seq"])
        if content is None:
            # A conversation the exporting person is not part of: its seal stays closed.
            not_printed += 1
            continue
        data = entry["data"]
        thread = threads.setdefault(
            str(data.get("thread")), ThreadBlock(subject=str(content.get("subject", "")))
        )
        thread.messages.append(
            MessageLine(
                seq=entry["seq"],
                at=scope.moment(entry["at"]),
                sender=data.get("sender_name") or scope.name_of(data.get("sender")),
                body=str(content.get("body", "")),
                files=_file_lines(content, stored),
                viewed=viewed.get(str(data.get("message")), []),
            )
        )
    pieces = _pieces(list(threads.values()), MESSAGES_PER_PIECE)
    return [
        Built(
            "messaging/report/messages.html",
            {
                "threads": piece,
                "first": index == 0,
                # Said once, at the end of the section.
                "not_printed": not_printed if index == len(pieces) - 1 else 0,
            },
        )
        for index, piece in enumerate(pieces)
    ]


def register() -> None:
    register_section("messages", gettext_lazy("Messages"), order=10, build=build)
