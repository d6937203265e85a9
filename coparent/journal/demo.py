"""The journal chapter of the demo stories (coparent/cli/demo_data.py): each parent keeps a
dozen private entries over the year — late exchanges, a fever, a school meeting — tagged,
one or two corrected a day later, and, where a mediator has the parents' consent, a few shared
with them. Written through the same services a parent uses; nothing reaches the record or
anyone's notifications, so the chapter can run at any point of a family's story.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from coparent.families.models import Membership
from coparent.families.selectors import FamilyAccess
from coparent.journal import services

# (days ago, hour, text, tags, corrected text or "", shared with the mediator)
Note = tuple[int, int, str, str, str, bool]

FIRST: tuple[Note, ...] = (
    (
        340,
        21,
        "First week of the new plan. {kid} cried at the handover; settled by bedtime.",
        "exchange, feelings",
        "",
        False,
    ),
    (
        318,
        19,
        "Handover 25 minutes late, no message. Waited at the school gate with {kid}.",
        "exchange, late",
        "Handover 35 minutes late (checked my phone: 18:35), no message.",
        True,
    ),
    (
        290,
        20,
        "{kid} came back without the inhaler. Called the pharmacy for a spare.",
        "health",
        "",
        False,
    ),
    (
        262,
        22,
        "Parent-teacher meeting: reading is behind; the teacher suggests 15 minutes a day.",
        "school",
        "",
        True,
    ),
    (
        231,
        18,
        "Argument in front of the kids about the summer dates. I left to keep it calm.",
        "conflict",
        "",
        True,
    ),
    (
        204,
        9,
        "{kid}'s fever, 38.9. Told the other parent by message at 08:10.",
        "health",
        "",
        False,
    ),
    (
        170,
        20,
        "Good exchange. Short and polite. {kid} showed me the drawing from the weekend.",
        "exchange",
        "",
        False,
    ),
    (141, 21, "Missed swimming: the bag was left at the other house.", "activities", "", False),
    (
        112,
        19,
        "Summer plan signed. Relief. Remember to book the dentist before the trip.",
        "plan, health",
        "",
        False,
    ),
    (
        78,
        8,
        "School called: {kid} was picked up by a neighbour nobody had told me about.",
        "school, safety",
        "School called: {kid} was picked up by a neighbour; the other parent had told the "
        "office, not me.",
        True,
    ),
    (
        44,
        20,
        "Exchange on time. {kid} asked if we could all go to the recital together.",
        "exchange, feelings",
        "",
        False,
    ),
    (
        12,
        21,
        "Counsellor session went well. Keep notes factual, one line per incident.",
        "self",
        "",
        False,
    ),
)

SECOND: tuple[Note, ...] = (
    (335, 22, "Got the kids at 18:00 sharp. {kid} had not eaten dinner.", "exchange", "", False),
    (
        300,
        20,
        "Asked for the school calendar three times. Still nothing.",
        "school, communication",
        "",
        True,
    ),
    (
        276,
        19,
        "{kid} told me about the new partner. I said nothing in front of them.",
        "feelings",
        "",
        False,
    ),
    (
        245,
        18,
        "Paid the whole football fee again; receipt in my email.",
        "money",
        "Paid the whole football fee again (120); receipt in my email, dated the 3rd.",
        True,
    ),
    (219, 21, "Handover at the curb went fine, first time in weeks.", "exchange", "", False),
    (188, 9, "Dentist: one filling for {kid}. Next check-up in six months.", "health", "", False),
    (
        160,
        20,
        "Late again, 20 minutes. I waited in the car with the kids.",
        "exchange, late",
        "",
        True,
    ),
    (133, 19, "{kid}'s teacher says homework is better this term.", "school", "", False),
    (
        97,
        21,
        "Long call with my sister. I need to stop answering messages after 22:00.",
        "self",
        "",
        False,
    ),
    (66, 18, "Trip request approved after the counter-offer. Book the train.", "plan", "", False),
    (
        30,
        20,
        "{kid} forgot the glasses at the other house; school reading test tomorrow.",
        "school",
        "",
        False,
    ),
    (6, 21, "Calm week. Exchanges on time both days.", "exchange", "", False),
)


def keep_journals(
    first: FamilyAccess,
    second: FamilyAccess,
    *,
    day: Callable[[int, int], datetime],
    kid: str,
    mediator: Membership | None = None,
) -> None:
    """Each parent's dozen entries; with `mediator` (consented by both), some shared."""
    for access, notes in ((first, FIRST), (second, SECOND)):
        for days_ago, hour, text, tags, corrected, shared in notes:
            at = day(days_ago, hour)
            entry = services.entry_write(access=access, text=text.format(kid=kid), tags=tags, at=at)
            if corrected:
                services.entry_correct(
                    access=access,
                    entry=entry,
                    text=corrected.format(kid=kid),
                    at=at + timedelta(days=1),
                )
            if shared and mediator is not None:
                services.entry_share(
                    access=access,
                    entry=entry,
                    professional_id=mediator.pk,
                    at=at + timedelta(days=1),
                )
