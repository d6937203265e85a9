"""The clause library: starting points for a parenting agreement, written for Coparent.

Each template is words a parent (or the family's mediator) can adopt as they are or change
before proposing: the propose form opens filled with the template, and nothing of the template
is binding until both parents sign what was finally proposed. Some carry terms the product acts
on (coparent.core.agreement): decisions reserved to both parents, what silence on a request
means, the expected response time, the expense split.

Plain data, no Django: the pages and the API show the same list, in this order (the sections of
the agreement, then the order a family usually settles things in).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from coparent.core.agreement import ClauseTerms, ClauseTopic, parse_terms


@dataclass(frozen=True)
class Template:
    slug: str
    topic: ClauseTopic
    title: str
    body: str
    terms: Mapping[str, Any] = field(default_factory=dict)

    @property
    def parsed_terms(self) -> ClauseTerms:
        return parse_terms(dict(self.terms))


LIBRARY: tuple[Template, ...] = (
    Template(
        "curbside-exchanges",
        ClauseTopic.BOUNDARIES,
        "Exchanges at the curb; homes by invitation only",
        "Exchanges happen at the curb, in front of the home where the children are being "
        "collected or returned. Neither parent enters the other's home, garden or garage "
        "without an invitation given at the time; an invitation once given is not a standing "
        "one. The parent dropping off waits in or beside the car until the children are "
        "inside.",
    ),
    Template(
        "school-and-events",
        ClauseTopic.BOUNDARIES,
        "Both parents welcome at school and at the children's events",
        "Both parents may attend school events, games, recitals and other occasions open to "
        "parents, whoever's time it is. Each keeps a polite distance from the other there and "
        "neither raises disagreements in front of the children, staff or other families. The "
        "school and the children's clubs may be shown this agreement and the schedule.",
    ),
    Template(
        "on-time-exchanges",
        ClauseTopic.EXCHANGES,
        "Exchanges on time, and word when late",
        "Exchanges happen at the time the schedule sets. A parent who will be late tells the "
        "other as soon as they know, through Coparent, with the new time. After 30 minutes "
        "without word the waiting parent may leave; the exchange then happens at a time both "
        "confirm in writing, and either parent may note what happened in the family record.",
    ),
    Template(
        "belongings",
        ClauseTopic.EXCHANGES,
        "The children's things travel with them",
        "Clothes, school books, sports kit, medicines and comfort items go back and forth "
        "with the children. Neither parent holds back a child's belongings, and anything "
        "left behind is returned at the next exchange or sooner if a child needs it.",
    ),
    Template(
        "swap-requests",
        ClauseTopic.EXCHANGES,
        "Swapping days",
        "A parent who wants to swap days asks through a swap request in Coparent, at least "
        "72 hours ahead except in an emergency. The other parent answers within 7 days. No "
        "answer within 7 days counts as consent to the swap.",
        {"silence": [{"kind": "swap", "days": 7, "outcome": "approve"}]},
    ),
    Template(
        "one-channel",
        ClauseTopic.COMMUNICATION,
        "One channel, in writing",
        "The parents write to each other about the children through Coparent's messages, so "
        "that both keep the same record. A child's safety or health in an emergency also "
        "justifies a phone call, followed by a short message. The children never carry "
        "messages, money or documents between the parents.",
    ),
    Template(
        "response-times",
        ClauseTopic.COMMUNICATION,
        "Answering within two days",
        "A message or request that asks a question is answered within 48 hours, even if only "
        "to say when a full answer will come. Anything urgent about a child's health or safety "
        "is answered as soon as it is read.",
        {"response_hours": 48},
    ),
    Template(
        "tone",
        ClauseTopic.COMMUNICATION,
        "Brief, informative, friendly, firm",
        "Messages stay brief, informative, friendly and firm, and keep to the children. "
        "Neither parent criticises the other to the children, in front of them, or in "
        "anything written that the children may read.",
    ),
    Template(
        "social-media",
        ClauseTopic.JOINT_DECISIONS,
        "Social media accounts, apps and phones: both parents decide",
        "Opening a social-media account for a child, giving a child a phone of their own, or "
        "installing an app that lets strangers contact a child needs both parents' agreement, "
        "asked for and answered through a request in Coparent. Until both agree, the answer "
        "is no.",
        {"reserved": ["social_media"]},
    ),
    Template(
        "travel",
        ClauseTopic.JOINT_DECISIONS,
        "Travel out of state or abroad: both parents decide",
        "Taking the children out of the state or abroad needs both parents' agreement, asked "
        "for through a trip request at least 30 days ahead, with the dates, the destination, "
        "the itinerary and how to reach the children while away. The parent who keeps the "
        "passports hands them over in time for an approved trip.",
        {"reserved": ["travel"]},
    ),
    Template(
        "medical",
        ClauseTopic.JOINT_DECISIONS,
        "Non-emergency medical care: both parents decide",
        "Planned medical care beyond routine check-ups — surgery, orthodontics, therapy, a "
        "new long-term medicine — needs both parents' agreement. In an emergency the parent "
        "with the children acts at once and tells the other parent as soon as they can.",
        {"reserved": ["medical"]},
    ),
    Template(
        "school",
        ClauseTopic.JOINT_DECISIONS,
        "School choice: both parents decide",
        "Which school the children attend, a change of school, and home-schooling need both "
        "parents' agreement. Both parents are named as contacts at school and receive reports "
        "directly.",
        {"reserved": ["school"]},
    ),
    Template(
        "religion",
        ClauseTopic.JOINT_DECISIONS,
        "Religious upbringing: both parents decide",
        "Religious ceremonies for the children (a baptism, a first communion, a bar or bat "
        "mitzvah, and the like) and enrolment in religious instruction need both parents' "
        "agreement. Each parent may share their own beliefs and customs with the children "
        "during their own time.",
        {"reserved": ["religion"]},
    ),
    Template(
        "activities",
        ClauseTopic.JOINT_DECISIONS,
        "Camps, clubs and lessons: both parents decide",
        "Signing a child up for an activity that takes time from the other parent's days, or "
        "whose cost both parents share, needs both parents' agreement, asked for through an "
        "activity request. Activities within a parent's own time and paid by that parent "
        "alone need only a note to the other parent.",
        {"reserved": ["activities"]},
    ),
    Template(
        "new-partners",
        ClauseTopic.NEW_PARTNERS,
        "Introducing a new partner",
        "A parent introduces a new partner to the children only once the relationship is "
        "settled, and tells the other parent beforehand. A new partner does not discipline "
        "the children and does not take part in exchanges unless both parents agree.",
    ),
    Template(
        "devices",
        ClauseTopic.DEVICES,
        "Screens and devices in both homes",
        "Both homes keep similar screen rules: no devices at meals or after bedtime, and "
        "games and films suited to the child's age. A child's own device travels with them, "
        "and each parent may call the children at a reasonable hour during the other's time.",
    ),
    Template(
        "holidays",
        ClauseTopic.HOLIDAYS,
        "Holiday plans shared early",
        "Each parent shares the plans for their holiday time at least 30 days ahead: where "
        "the children will be and how to reach them. On a child's birthday and on the major "
        "holidays, the children may call the other parent.",
    ),
    Template(
        "expense-split",
        ClauseTopic.EXPENSES,
        "Sharing the children's costs",
        "Costs for the children beyond everyday living — school fees and trips, medical costs "
        "insurance does not cover, activities both parents agreed to — are shared half and "
        "half. A parent asks for the other's share within 60 days, with the receipt, through "
        "Coparent; the other parent pays within 30 days of the request.",
        {"split": {"A": 50, "B": 50}},
    ),
)

_BY_SLUG = {template.slug: template for template in LIBRARY}


def template_for(slug: str) -> Template | None:
    """The library's template named `slug`, or None."""
    return _BY_SLUG.get(slug)
