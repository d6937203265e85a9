"""What a parenting agreement's signed clauses mean for the rest of the product, without Django.

A clause is words both parents signed; some clauses also carry *terms*, a small structured part
the product acts on (the app `coparent.agreements` stores both, `coparent.requests` and the
events' form read the terms):

- `reserved`: decisions that need both parents ("social media accounts", "travel abroad"). A
  request of that kind names the clause; a child's event or a request of another kind whose
  words touch such a decision gets a warning (`topics_mentioned`).
- `silence`: what an unanswered request of a kind means once it expires ("no answer within 7
  days counts as consent to a swap"). The expiry applies it and names the clause.
- `response_hours`: how soon a message or a request should be answered, said beside the form.
- `split`: the expense split between the parents, in whole percent, A's share first (the
  expenses issue reads it).

`parse_terms` checks a terms document as a person (or the API) sent it and says what is wrong
with each field; `combine` folds the signed clauses in force into one `AgreementTerms`, a later
signature winning where two clauses speak to the same thing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

MAX_SILENCE_DAYS = 60
MAX_RESPONSE_HOURS = 24 * 30


class ClauseTopic(enum.StrEnum):
    """Where a clause belongs in the agreement (its sections, in this order)."""

    BOUNDARIES = "boundaries"  # home access, who may come to the door
    EXCHANGES = "exchanges"
    COMMUNICATION = "communication"
    JOINT_DECISIONS = "joint_decisions"
    NEW_PARTNERS = "new_partners"
    DEVICES = "devices"
    HOLIDAYS = "holidays"
    EXPENSES = "expenses"
    OTHER = "other"


class RequestKind(enum.StrEnum):
    """What one parent may ask of the other."""

    SWAP = "swap"
    TRIP = "trip"
    ACTIVITY = "activity"
    SOCIAL_MEDIA = "social_media"  # an account, an app, a phone
    MEDICAL = "medical"
    SCHOOL = "school"
    OTHER = "other"


class Decision(enum.StrEnum):
    """A decision an agreement may reserve to both parents."""

    SOCIAL_MEDIA = "social_media"  # accounts, apps, phones
    TRAVEL = "travel"  # out of state or abroad
    MEDICAL = "medical"  # non-emergency care
    SCHOOL = "school"  # school choice, enrolment
    RELIGION = "religion"
    ACTIVITIES = "activities"  # enrolment in camps, clubs, lessons


DECISION_OF_KIND: Mapping[RequestKind, Decision] = {
    RequestKind.TRIP: Decision.TRAVEL,
    RequestKind.ACTIVITY: Decision.ACTIVITIES,
    RequestKind.SOCIAL_MEDIA: Decision.SOCIAL_MEDIA,
    RequestKind.MEDICAL: Decision.MEDICAL,
    RequestKind.SCHOOL: Decision.SCHOOL,
}
"""The decision a request of a kind is about (a swap and "other" are about none)."""

Outcome = Literal["approve", "decline"]


@dataclass(frozen=True)
class SilenceRule:
    kind: RequestKind
    days: int
    outcome: Outcome


@dataclass(frozen=True)
class ClauseTerms:
    """The structured part of one clause; empty when the clause is words only."""

    reserved: frozenset[Decision] = frozenset()
    silence: tuple[SilenceRule, ...] = ()
    response_hours: int | None = None
    split: tuple[int, int] | None = None

    @property
    def empty(self) -> bool:
        return self == ClauseTerms()

    def as_data(self) -> dict[str, Any]:
        """The terms as stored and recorded: only what is set, in a fixed order."""
        data: dict[str, Any] = {}
        if self.reserved:
            data["reserved"] = sorted(d.value for d in self.reserved)
        if self.silence:
            data["silence"] = [
                {"kind": r.kind.value, "days": r.days, "outcome": r.outcome} for r in self.silence
            ]
        if self.response_hours is not None:
            data["response_hours"] = self.response_hours
        if self.split is not None:
            data["split"] = {"A": self.split[0], "B": self.split[1]}
        return data


class TermsError(ValueError):
    """A terms document that cannot be used: `problems` maps a field to what is wrong with it."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = dict(problems)


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_terms(data: object) -> ClauseTerms:
    """A terms document (`ClauseTerms.as_data`'s shape) checked whole: every problem is named."""
    if data is None or data == {}:
        return ClauseTerms()
    if not isinstance(data, Mapping):
        raise TermsError({"terms": "Terms are an object of reserved, silence, split."})
    problems: dict[str, str] = {}
    unknown = sorted(set(data) - {"reserved", "silence", "response_hours", "split"})
    if unknown:
        problems["terms"] = f"Unknown terms: {', '.join(map(str, unknown))}."

    reserved: set[Decision] = set()
    raw_reserved = data.get("reserved", [])
    if not isinstance(raw_reserved, list):
        problems["reserved"] = "A list of decisions."
    else:
        for item in raw_reserved:
            try:
                reserved.add(Decision(item))
            except ValueError:
                choices = ", ".join(d.value for d in Decision)
                problems["reserved"] = f"{item!r} is not a decision ({choices})."

    silence: list[SilenceRule] = []
    raw_silence = data.get("silence", [])
    if not isinstance(raw_silence, list):
        problems["silence"] = "A list of rules."
    else:
        seen: set[RequestKind] = set()
        for index, rule in enumerate(raw_silence):
            where = f"silence.{index}"
            if not isinstance(rule, Mapping):
                problems[where] = "A rule has a kind, days and an outcome."
                continue
            try:
                kind = RequestKind(str(rule.get("kind")))
            except ValueError:
                problems[where] = f"{rule.get('kind')!r} is not a kind of request."
                continue
            days = _whole(rule.get("days"))
            if days is None or not 1 <= days <= MAX_SILENCE_DAYS:
                problems[where] = (
                    f"Days of silence are a whole number from 1 to {MAX_SILENCE_DAYS}."
                )
                continue
            outcome = rule.get("outcome")
            if outcome not in ("approve", "decline"):
                problems[where] = "Silence counts as approve or decline."
                continue
            if kind in seen:
                problems[where] = f"Two rules for {kind.value}."
                continue
            seen.add(kind)
            silence.append(
                SilenceRule(kind, days, "approve" if outcome == "approve" else "decline")
            )

    response_hours = None
    if data.get("response_hours") is not None:
        response_hours = _whole(data["response_hours"])
        if response_hours is None or not 1 <= response_hours <= MAX_RESPONSE_HOURS:
            problems["response_hours"] = f"A whole number of hours from 1 to {MAX_RESPONSE_HOURS}."

    split = None
    if data.get("split") is not None:
        raw = data["split"]
        a = _whole(raw.get("A")) if isinstance(raw, Mapping) else None
        b = _whole(raw.get("B")) if isinstance(raw, Mapping) else None
        if a is None or b is None or a < 0 or b < 0 or a + b != 100:
            problems["split"] = "Two whole percentages, A and B, that add up to 100."
        else:
            split = (a, b)

    if problems:
        raise TermsError(problems)
    return ClauseTerms(
        reserved=frozenset(reserved),
        silence=tuple(sorted(silence, key=lambda r: r.kind.value)),
        response_hours=response_hours,
        split=split,
    )


@dataclass(frozen=True)
class ClauseRef:
    """Which signed clause says something: enough to name it in a request or the record."""

    clause_id: str
    version: int
    title: str
    signed_at: datetime


@dataclass(frozen=True)
class AgreementTerms:
    """What the agreement in force says, folded from its signed clauses."""

    reserved: Mapping[Decision, ClauseRef] = field(default_factory=dict)
    silence: Mapping[RequestKind, tuple[SilenceRule, ClauseRef]] = field(default_factory=dict)
    response_hours: tuple[int, ClauseRef] | None = None
    split: tuple[tuple[int, int], ClauseRef] | None = None

    def clause_for(self, kind: RequestKind) -> ClauseRef | None:
        """The clause a request of `kind` relies on: the one reserving its decision to both
        parents, else the one saying what silence means for it."""
        decision = DECISION_OF_KIND.get(kind)
        if decision is not None and decision in self.reserved:
            return self.reserved[decision]
        rule = self.silence.get(kind)
        return rule[1] if rule else None

    def silence_for(self, kind: RequestKind) -> tuple[SilenceRule, ClauseRef] | None:
        return self.silence.get(kind)


def combine(clauses: Iterable[tuple[ClauseRef, ClauseTerms]]) -> AgreementTerms:
    """The terms of the clauses in force; where two speak to the same thing, the later
    signature wins (an amendment is signed after what it amends)."""
    reserved: dict[Decision, ClauseRef] = {}
    silence: dict[RequestKind, tuple[SilenceRule, ClauseRef]] = {}
    response_hours: tuple[int, ClauseRef] | None = None
    split: tuple[tuple[int, int], ClauseRef] | None = None
    for ref, terms in sorted(clauses, key=lambda pair: (pair[0].signed_at, pair[0].clause_id)):
        for decision in terms.reserved:
            reserved[decision] = ref
        for rule in terms.silence:
            silence[rule.kind] = (rule, ref)
        if terms.response_hours is not None:
            response_hours = (terms.response_hours, ref)
        if terms.split is not None:
            split = (terms.split, ref)
    return AgreementTerms(reserved, silence, response_hours, split)


# Words that show a text is about a decision an agreement may reserve. Whole words, any case;
# English for now (the product's first language), kept short so a warning stays rare and right.
_WORDS: Mapping[Decision, tuple[str, ...]] = {
    Decision.SOCIAL_MEDIA: (
        r"social[- ]media",
        r"instagram",
        r"tiktok",
        r"snapchat",
        r"facebook",
        r"youtube channel",
        r"discord",
        r"whatsapp",
        r"(?:an?|her|his|their) (?:own |first |new )?(?:smartphone|cell ?phone|mobile phone|phone)",
        r"(?:an?|her|his|their) (?:own |first |new )?account",
    ),
    Decision.TRAVEL: (
        r"abroad",
        r"passport",
        r"out of (?:the )?(?:state|country)",
        r"international(?:ly)?",
        r"flight to",
        r"fly(?:ing)? to",
    ),
    Decision.MEDICAL: (
        r"surgery",
        r"operation",
        r"braces",
        r"orthodont\w*",
        r"therap(?:y|ist)",
        r"vaccin\w*",
        r"medication",
        r"prescription",
    ),
    Decision.SCHOOL: (
        r"(?:change|changing|switch|switching|new) schools?",
        r"enrol(?:l|ling|ment)? (?:her|him|them) (?:at|in) (?:a |the )?\w+ school",
        r"school choice",
        r"boarding school",
        r"home[- ]?school\w*",
    ),
    Decision.RELIGION: (
        r"baptis\w+",
        r"christening",
        r"confirmation",
        r"bar mitzvah",
        r"bat mitzvah",
        r"first communion",
        r"religious",
    ),
    Decision.ACTIVITIES: (
        r"sign(?:ed|ing)? (?:her|him|them) up",
        r"enrol\w* (?:her|him|them) in",
        r"summer camp",
        r"sleepaway camp",
    ),
}
_PATTERNS: Mapping[Decision, re.Pattern[str]] = {
    decision: re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)
    for decision, words in _WORDS.items()
}


def topics_mentioned(text: str) -> frozenset[Decision]:
    """The reservable decisions a text speaks of ("opening her social media account")."""
    return frozenset(d for d, pattern in _PATTERNS.items() if pattern.search(text))


def warnings_for(text: str, terms: AgreementTerms) -> list[tuple[Decision, ClauseRef]]:
    """The decisions `text` speaks of that the agreement reserves to both parents, each with the
    clause that reserves it, in the order of `Decision`."""
    found = topics_mentioned(text)
    return [(d, terms.reserved[d]) for d in Decision if d in found and d in terms.reserved]
