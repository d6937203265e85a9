"""The demo's conversations: months of messages between two parents, mostly calm, some tense,
each opened by the other parent before they answer, through the real services so every send
and first view is in the family record in order."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from coparent.families.models import Membership
from coparent.families.selectors import FamilyAccess
from coparent.messaging import services
from coparent.messaging.attachments import IncomingFile

# (topic, subject, opening, replies) — replies alternate between the two parents.
CONVERSATIONS = [
    (
        "school",
        "School pickup on Friday",
        "Can you pick the kids up at 15:00 on Friday? I have a late meeting.",
        ["Yes, I'll be at the gate at 15:00.", "Thank you, that helps a lot."],
    ),
    (
        "health",
        "Dentist appointment",
        "The dentist has a slot on Tuesday at 9:00. Does that work with your week?",
        ["Tuesday works. I'll take them and send you the notes."],
    ),
    (
        "schedule",
        "Swap weekends in May?",
        "Could we swap the weekends of the 10th and the 17th? My sister is visiting.",
        [
            "You ALWAYS change the plan at the last minute.",
            "I'm asking three weeks ahead. If it doesn't work, just say no.",
            "Fine. Swap it.",
        ],
    ),
    (
        "money",
        "School trip payment",
        "The school trip is 120. Shall we split it as usual?",
        ["Yes, I've paid my 60 today."],
    ),
    (
        "children",
        "Bedtime at your place",
        "The kids say bedtime is 22:00 at your place. Can we agree on 20:30 on school nights?",
        [
            "That's not true and you know it.",
            "Let's ask the mediator to help us agree on a time.",
            "OK.",
        ],
    ),
    (
        "school",
        "Parent-teacher evening",
        "Parent-teacher evening is on the 14th at 18:00. Shall we go together?",
        ["I'll be there. Let's meet at the entrance."],
    ),
    (
        "other",
        "Winter coats",
        "Both kids need winter coats; I can buy them this weekend.",
        ["Great, thank you 🙏 send me the receipt."],
    ),
    (
        "health",
        "Allergy medicine",
        "Remember Emma's allergy spray goes in her bag on Mondays.",
        ["Got it. It's in the front pocket now."],
    ),
]


def converse(
    *,
    first: FamilyAccess,
    second: FamilyAccess,
    start: datetime,
    end: datetime,
    professionals: list[Membership] | None = None,
    seed: int = 7,
    interludes: Sequence[tuple[datetime, Callable[[], object]]] = (),
) -> int:
    """Write conversations between the parents of `first` and `second`, spread from `start` to
    `end` (both in the past, in order). Returns how many messages were written.

    `interludes` are other chapters' steps of the same weeks (check-ins at exchanges), in time
    order: each runs once the conversation's clock passes its moment, so the record stays in the
    order the story happened."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    pending = [pair for pair in interludes if start <= pair[0] < end]

    def until(moment: datetime) -> None:
        while pending and pending[0][0] <= moment:
            pending.pop(0)[1]()

    span = (end - start).total_seconds()
    count = len(CONVERSATIONS)
    written = 0
    for index, (topic, subject, opening, replies) in enumerate(CONVERSATIONS):
        moment = start + timedelta(seconds=span * index / count)
        writer, reader = (first, second) if index % 2 == 0 else (second, first)
        include = professionals if (professionals and topic == "children") else []
        attachments = []
        if topic == "money":
            receipt = b"%PDF-1.4\n% demo receipt\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"
            attachments = [IncomingFile("trip-invoice.pdf", receipt)]
        until(moment)
        message = services.thread_start(
            access=writer,
            subject=subject,
            topic=topic,
            body=opening,
            include_professionals=include,
            attachments=attachments,
            at=moment,
        )
        written += 1
        thread = message.thread
        for text in replies:
            moment += timedelta(minutes=rng.randint(20, 600))
            until(moment)
            services.messages_mark_viewed(access=reader, thread=thread, at=moment)
            moment += timedelta(minutes=rng.randint(2, 240))
            if moment >= end:
                break
            until(moment)
            services.message_send(access=reader, thread=thread, body=text, at=moment)
            written += 1
            writer, reader = reader, writer
    until(end - timedelta(microseconds=1))
    return written
