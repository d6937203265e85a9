"""Demo data: two families with about a year of history, built through the real services (each
app's own chapter is its `demo` module; this one tells the stories with them). `coparent demo`
and `coparent serve --with-demo` (coparent.cli.demo) import it once Django is set up.

Each run makes two new families with new accounts (a random suffix in every email), so it can run
against a database that already holds data. Everything goes through the same services a person
would use, with ``at=`` set to a moment in the past, so the family record is a valid chain that
tells the story in order. Later features add their own chapters to the stories below.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from coparent.accounts.models import User
from coparent.accounts.services import token_create
from coparent.agreements import demo as agreement
from coparent.documents import demo as documents
from coparent.events.demo import plan_events
from coparent.exchanges.demo import exchange_steps, pickup_pass
from coparent.expenses.demo import expense_steps
from coparent.families import services
from coparent.families.models import Child, Family, Membership
from coparent.families.selectors import FamilyAccess, get_family_access
from coparent.infobank import demo as infobank_demo
from coparent.infra.notifications import notifications_off
from coparent.journal.demo import keep_journals
from coparent.messaging.demo import converse
from coparent.notifications.demo import recent_news
from coparent.requests import demo as requests_demo
from coparent.schedule import demo

DEMO_PASSWORD = "calm-harbour-2027"  # noqa: S105 - published on purpose, demo accounts only
# A moment of the story as _Story.day takes it: days ago, hour and, if not on the hour, minute.
DayAndTime = tuple[int, int] | tuple[int, int, int]
"""Every demo account's password: demo data is for trying things out, never for real families."""


@dataclass(frozen=True)
class DemoUser:
    user: User
    password: str
    token: str  # a working API bearer token, shown once
    role: str  # parent, professional or viewer


@dataclass(frozen=True)
class DemoFamily:
    family: Family
    users: list[DemoUser]

    def as_json(self) -> dict[str, Any]:
        """The shape ``coparent demo --json`` prints for one family (ARCHITECTURE.md)."""
        return {
            "id": str(self.family.pk),
            "name": self.family.name,
            "users": [
                {"username": u.user.email, "password": u.password, "token": u.token, "role": u.role}
                for u in self.users
            ],
        }


@dataclass
class _Story:
    """One family's history, told step by step from about a year ago until now."""

    now: datetime
    suffix: str
    password_hash: str
    cast: list[tuple[User, str]] = field(default_factory=list)  # (user, role) in joining order

    def day(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        moment = (self.now - timedelta(days=days_ago)).astimezone(UTC)
        return moment.replace(hour=hour, minute=minute, second=0, microsecond=0)

    def person(self, first: str, last: str, *, at: datetime) -> User:
        user = User.objects.create(
            email=f"{first.lower()}.{self.suffix}@example.com",
            display_name=f"{first} {last}",
            password=self.password_hash,
            email_confirmed_at=at,
            date_joined=at,
        )
        # allauth's record of the confirmed address (User.objects.create_user makes the same).
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        return user

    def found(
        self, user: User, name: str, *, zone: str, at: datetime
    ) -> tuple[Family, FamilyAccess]:
        family = services.family_create(user=user, name=name, timezone_name=zone, at=at)
        self.cast.append((user, "parent"))
        return family, get_family_access(user, family.pk)

    def child(self, access: FamilyAccess, name: str, born: date, *, at: datetime) -> Child:
        return services.child_add(access=access, name=name, date_of_birth=born, at=at)

    def invite(
        self, access: FamilyAccess, email: str, role: str, *, at: datetime, **extra: str
    ) -> services.IssuedInvitation:
        return services.invitation_create(
            access=access, email=email, role=role, at=at, send_email=False, **extra
        )

    def join(self, issued: services.IssuedInvitation, user: User, *, at: datetime) -> Membership:
        membership = services.invitation_accept(token=issued.token, user=user, at=at)
        self.cast.append((user, membership.role))
        return membership

    def cancel(
        self, access: FamilyAccess, issued: services.IssuedInvitation, *, at: datetime
    ) -> None:
        services.invitation_cancel(access=access, invitation=issued.invitation, at=at)

    def consent(self, access: FamilyAccess, professional: Membership, *, at: datetime) -> None:
        services.consent_give(access=access, professional=professional, at=at)

    def talk(
        self,
        first: FamilyAccess,
        second: FamilyAccess,
        days: tuple[int, int],
        professionals: list[Membership] | None = None,
        *,
        incidents: bool = False,
    ) -> None:
        """Messages between the parents from `days[0]` to `days[1]` days ago (the messages
        chapter, coparent.messaging.demo), between the story's other events so the record stays
        in time order; the check-ins and notes at the exchanges of those weeks (the exchanges
        chapter, coparent.exchanges.demo) and what the children cost, asked, answered and paid
        (the expenses chapter, coparent.expenses.demo) happen among them, each at its own
        time."""
        start, end = self.day(days[0], 8), self.day(days[1], 8)
        converse(
            first=first,
            second=second,
            start=start,
            end=end,
            professionals=professionals,
            seed=days[0],
            interludes=sorted(
                exchange_steps(
                    first=first,
                    second=second,
                    start=start,
                    end=end,
                    seed=days[0],
                    incidents=incidents,
                )
                + expense_steps(first=first, second=second, start=start, end=end, seed=days[0]),
                key=lambda step: step[0],
            ),
        )

    def events(
        self,
        author: FamilyAccess,
        answerer: FamilyAccess,
        *,
        at: tuple[int, int],
        window: tuple[int, int],
        zone: str,
    ) -> None:
        """Child events (the events chapter, coparent.events.demo): at `at` (days ago, hour)
        `author` enters the events from `window[0]` to `window[1]` days ago (negative: still
        ahead) and `answerer` answers them, all within three hours, between the story's other
        events so the record stays in time order."""
        plan_events(
            author=author,
            answerer=answerer,
            at=self.day(*at),
            window=(self.day(window[0], 0), self.day(window[1], 0)),
            zone=zone,
            offset=window[0],
        )

    def plan(
        self,
        proposer: FamilyAccess,
        answerer: FamilyAccess,
        *,
        proposed: DayAndTime,
        accepted: DayAndTime,
        effective: int,
        change: str | None = None,
        note: str = "",
        place: str | None = None,
    ) -> None:
        """The schedule chapter (coparent.schedule.demo): `proposer` proposes a plan in force
        from `effective` days ago (a later date than the proposal), `answerer` accepts it.
        `change` "summer" adds a summer break in halves; "2-2-5-5" moves to that pattern."""
        start = self.day(effective, 12).date()
        first = proposer.family.name.startswith("Martin")
        plan = demo.us_plan(proposer, start) if first else demo.uk_plan(proposer, start)
        if change == "summer":
            year = self.day(effective, 12).year
            plan["school_break"] = [
                {
                    "name": "Summer break",
                    "start": f"{year}-07-01",
                    "end": f"{year}-08-15",
                    "split": "halves",
                    "odd_years": "A",
                    "even_years": "B",
                }
            ]
        elif change == "2-2-5-5":
            plan["pattern"] = "2-2-5-5"
        if place is not None:
            plan["exchange_place"] = place
        demo.agree(
            proposer=proposer,
            answerer=answerer,
            plan=plan,
            effective_from=start,
            proposed_at=self.day(*proposed),
            accepted_at=self.day(*accepted),
            note=note,
        )

    def finish(self, family: Family) -> DemoFamily:
        # The notification centre's chapter: the latest news waits, a few unread.
        recent_news(family, now=self.now)
        users = [
            DemoUser(user=user, password=DEMO_PASSWORD, token=_api_token(user), role=role)
            for user, role in self.cast
        ]
        return DemoFamily(family=family, users=users)


def _api_token(user: User) -> str:
    _, raw = token_create(user=user, name="Demo")
    return raw


def _martin_lopez(story: _Story) -> DemoFamily:
    """Two parents, Emma and Noah, a mediator both parents agreed to, and a grandmother."""
    jordan = story.person("Jordan", "Martin", at=story.day(366, 18))
    family, jordan_access = story.found(
        jordan, "Martin-Lopez family", zone="America/Chicago", at=story.day(365, 19, 30)
    )
    story.child(jordan_access, "Emma", date(2017, 4, 12), at=story.day(365, 19, 40))
    noah = story.child(jordan_access, "Noah", date(2020, 9, 3), at=story.day(365, 19, 42))

    casey = story.person("Casey", "Lopez", at=story.day(362, 21))
    issued = story.invite(jordan_access, casey.email, "parent", at=story.day(364, 8, 15))
    story.join(issued, casey, at=story.day(362, 21, 5))
    casey_access = get_family_access(casey, family.pk)
    story.plan(
        jordan_access, casey_access, proposed=(362, 21, 30), accepted=(361, 9), effective=358
    )
    # The documents chapter (coparent.documents.demo): the court's order goes in the folder,
    # and its corrected copy a day later.
    documents.court_order(
        jordan_access,
        list(family.children.all()),
        court="Circuit Court of Cook County, Domestic Relations Division",
        at=story.day(356, 18),
        corrected_at=story.day(355, 20),
    )
    # The rules written down before the first exchange: Jordan adopts clauses from the library,
    # Casey signs them the next morning; Casey declines one and proposes it in other words.
    rules = agreement.adopt(
        proposer=jordan_access,
        signer=casey_access,
        slugs=(
            "curbside-exchanges",
            "one-channel",
            "response-times",
            "social-media",
            "travel",
            "swap-requests",
            "expense-split",
        ),
        proposed_at=story.day(352, 20),
        signed_at=story.day(351, 15),
    )
    agreement.declined_then_agreed(
        proposer=jordan_access,
        answerer=casey_access,
        slug="new-partners",
        reason="Let's agree on telling each other first; I don't want a rule about discipline.",
        rewrite={
            "body": "A parent introduces a new partner to the children only once the "
            "relationship is settled, and tells the other parent beforehand."
        },
        at=story.day(345, 19),
    )
    # The info bank (coparent.infobank.demo): Jordan fills it in one evening, Casey adds the
    # dentist and the insurance later that night.
    kids = list(family.children.all())
    info = infobank_demo.fill(
        jordan_access,
        casey_access,
        kids,
        infobank_demo.CHICAGO,
        at=story.day(340, 1),
        passports=("583920174", "601847392"),
    )
    # Casey spots that Noah's date of birth was entered two days early.
    services.child_update(
        access=casey_access,
        child=noah,
        name=noah.name,
        date_of_birth=date(2020, 9, 5),
        at=story.day(330, 12),
    )
    story.talk(jordan_access, casey_access, (329, 302))
    kids = list(family.children.all())
    documents.medical_letter(casey_access, noah, doctor="Dr. Alvarez", at=story.day(302, 9))
    # Requests (coparent.requests.demo), each between chapters so the record stays in order.
    requests_demo.swap_approved(casey_access, jordan_access, kids, at=story.day(302, 10))
    chicago = "America/Chicago"
    story.events(jordan_access, casey_access, at=(301, 12), window=(300, 200), zone=chicago)

    priya = story.person("Priya", "Shah", at=story.day(299, 16))
    issued = story.invite(
        jordan_access,
        priya.email,
        "professional",
        professional_kind="mediator",
        at=story.day(300, 10),
    )
    # Jordan's invitation counts as Jordan's consent; Priya sees the family once Casey agrees.
    # (Her seat acts here directly: the second factor a professional needs to open the family
    # is asked of the person at the door, not of the story written through the services.)
    mediator = story.join(issued, priya, at=story.day(299, 16, 20))
    story.consent(casey_access, mediator, at=story.day(297, 9, 10))
    story.talk(casey_access, jordan_access, (296, 202), professionals=[mediator], incidents=True)
    requests_demo.social_media_declined(
        jordan_access,
        casey_access,
        kids[:1],
        at=story.day(202, 9),
        mediator=FamilyAccess(family=family, membership=mediator),
    )
    story.events(casey_access, jordan_access, at=(201, 12), window=(200, 120), zone=chicago)

    rose = story.person("Rose", "Lopez", at=story.day(198, 11))
    issued = story.invite(
        casey_access, rose.email, "viewer", relationship="Grandmother", at=story.day(200, 18)
    )
    story.join(issued, rose, at=story.day(198, 11, 30))
    # Spring: Emma's inhaler dose goes up after a bad cold; Casey writes new sizes.
    infobank_demo.change(
        info,
        jordan_access,
        "Emma",
        "medicine",
        {
            "name": "Salbutamol inhaler",
            "dose_amount": "4",
            "dose_unit": "puffs",
            "schedule": "When wheezy, up to 4 times a day; with the spacer",
            "notes": "Blue inhaler, in the school bag's front pocket.",
        },
        at=story.day(198, 14),
    )
    infobank_demo.grow(
        info, casey_access, "Noah", clothes="116", shoes="EU 28", at=story.day(198, 15)
    )
    documents.school_report(
        jordan_access, kids[0], school="Lincoln Elementary", term="Fall term", at=story.day(198, 15)
    )
    story.talk(jordan_access, casey_access, (197, 122), professionals=[mediator])
    requests_demo.trip_countered_then_approved(
        jordan_access, casey_access, kids, at=story.day(122, 9), destination="Denver"
    )
    story.events(jordan_access, casey_access, at=(121, 12), window=(120, -66), zone=chicago)
    requests_demo.school_expired(casey_access, kids, at=story.day(121, 17))
    requests_demo.activity_withdrawn(jordan_access, kids[1:], at=story.day(121, 21))

    # In a session with Priya the parents settle the holidays; Priya drafts, both sign.
    agreement.mediators_draft(
        mediator=FamilyAccess(family=family, membership=mediator),
        first=jordan_access,
        second=casey_access,
        slug="holidays",
        at=story.day(120, 18),
    )
    # Jordan starts to bring in a lawyer, then thinks better of it the next morning.
    issued = story.invite(
        jordan_access,
        f"counsel.{story.suffix}@example.com",
        "professional",
        professional_kind="lawyer",
        at=story.day(120, 22, 40),
    )
    story.cancel(jordan_access, issued, at=story.day(119, 8, 5))
    documents.vaccination_record(casey_access, noah, at=story.day(119, 9))
    # Before the summer trip: Casey renews Emma's passport; Jordan writes Noah's new sizes.
    infobank_demo.change(
        info,
        casey_access,
        "Emma",
        "passport",
        {
            "document": "passport",
            "number": "642019385",
            "expires": story.day(-3600, 0).date().isoformat(),
            "country": "US",
        },
        at=story.day(119, 12),
    )
    infobank_demo.grow(
        info, jordan_access, "Noah", clothes="116", shoes="EU 29", at=story.day(119, 13)
    )
    story.plan(
        casey_access,
        jordan_access,
        proposed=(118, 0, 10),
        accepted=(118, 0, 40),
        effective=110,
        change="summer",
        note="Add the summer break, split in halves",
    )
    # Answers within a day now that the summer is planned (rules[2]: "response-times").
    agreement.amend(
        proposer=casey_access,
        signer=jordan_access,
        version=rules[2],
        at=story.day(118, 0, 50),
        title="Answering within a day",
        body="A message or request that asks a question is answered within 24 hours, even if "
        "only to say when a full answer will come.",
        terms={"response_hours": 24},
    )
    story.talk(casey_access, jordan_access, (118, 1), professionals=[mediator])
    # Casey gives the school office a pass for the next pickup (the exchanges chapter).
    pickup_pass(casey_access, at=story.day(1, 9), after=story.now)
    requests_demo.still_pending(casey_access, kids[:1], at=story.day(1, 9))
    # Waiting for Jordan's signature.
    agreement.propose_template(casey_access, "devices", at=story.day(1, 16))
    # Each parent's private journal (coparent.journal.demo), some entries shared with Priya.
    keep_journals(jordan_access, casey_access, day=story.day, kid="Emma", mediator=mediator)
    return story.finish(family)


def _nguyen_brooks(story: _Story) -> DemoFamily:
    """Two parents, Ava and Liam, a nanny who sees the calendar, and a parenting coordinator
    still waiting for the second parent's consent."""
    taylor = story.person("Taylor", "Nguyen", at=story.day(341, 9))
    family, taylor_access = story.found(
        taylor, "Nguyen-Brooks family", zone="Europe/London", at=story.day(340, 20, 10)
    )
    story.child(taylor_access, "Ava", date(2015, 2, 18), at=story.day(340, 20, 15))
    story.child(taylor_access, "Liam", date(2018, 11, 30), at=story.day(340, 20, 18))

    # A typo in the first invitation: cancelled, then sent again to the right address.
    typo = story.invite(
        taylor_access, f"riley.{story.suffix}@example.con", "parent", at=story.day(339, 7, 30)
    )
    story.cancel(taylor_access, typo, at=story.day(339, 7, 34))
    riley = story.person("Riley", "Brooks", at=story.day(336, 19))
    issued = story.invite(taylor_access, riley.email, "parent", at=story.day(339, 7, 36))
    story.join(issued, riley, at=story.day(336, 19, 45))
    riley_access = get_family_access(riley, family.pk)
    story.plan(
        taylor_access, riley_access, proposed=(336, 19, 50), accepted=(336, 19, 55), effective=330
    )
    london = "Europe/London"
    story.events(taylor_access, riley_access, at=(336, 20), window=(330, 152), zone=london)
    kids = list(family.children.all())
    info = infobank_demo.fill(
        taylor_access,
        riley_access,
        kids,
        infobank_demo.LONDON,
        at=story.day(336, 23, 15),
        passports=("123456784", "987654326"),
    )
    story.talk(taylor_access, riley_access, (335, 153), incidents=True)
    documents.school_report(
        taylor_access,
        kids[0],
        school="Hillside Primary",
        term="Spring term",
        at=story.day(153, 8, 30),
    )
    requests_demo.swap_approved(riley_access, taylor_access, kids, at=story.day(153, 9))
    requests_demo.social_media_declined(
        riley_access, taylor_access, kids[:1], at=story.day(153, 13)
    )
    # The agreement, six months in: Taylor proposes, Riley signs the next morning.
    agreement.adopt(
        proposer=taylor_access,
        signer=riley_access,
        slugs=(
            "curbside-exchanges",
            "social-media",
            "travel",
            "medical",
            "swap-requests",
            "expense-split",
        ),
        proposed_at=story.day(153, 18),
        signed_at=story.day(152, 8),
        changes={
            "expense-split": {
                "title": "Sharing the children's costs, 60/40",
                "body": "Costs for the children beyond everyday living are shared 60% Taylor, "
                "40% Riley, in line with our incomes. A parent asks for the other's share "
                "within 60 days, with the receipt; the other pays within 30 days.",
                "terms": {"split": {"A": 60, "B": 40}},
            }
        },
    )
    story.events(riley_access, taylor_access, at=(152, 12), window=(152, 32), zone=london)
    requests_demo.trip_countered_then_approved(
        taylor_access, riley_access, kids, at=story.day(152, 16), destination="Lisbon"
    )

    sofia = story.person("Sofia", "Reyes", at=story.day(150, 12))
    issued = story.invite(
        taylor_access, sofia.email, "viewer", relationship="Nanny", at=story.day(151, 17)
    )
    story.join(issued, sofia, at=story.day(150, 12, 20))
    # For Sofia: Riley writes what to do if Liam reacts (she sees allergies on the card).
    infobank_demo.change(
        info,
        riley_access,
        "Liam",
        "allergy",
        {
            "allergen": "Peanuts",
            "reaction": "Hives, swollen lips; once wheezing",
            "severity": "life_threatening",
            "notes": "EpiPen in the kitchen drawer and in his bag. Use it, then call 999.",
        },
        at=story.day(150, 12, 25),
    )
    # Riley moves and keeps the new address private from Taylor (docs/safety.md): safe mode
    # on, and the exchanges move to Riley's home, which Taylor reads as "Riley's home
    # (address private)" everywhere while Riley reads the street.
    services.home_set(
        access=riley_access,
        address="14 Larkspur Mews\nLondon N16 7QT",
        safe_mode=True,
        at=story.day(150, 12, 28),
    )
    story.plan(
        riley_access,
        taylor_access,
        proposed=(150, 12, 30),
        accepted=(150, 12, 45),
        effective=140,
        change="2-2-5-5",
        note="2-2-5-5 keeps the same weekdays for swimming; handovers at my new place",
        place="home:B",
    )
    documents.vaccination_record(riley_access, kids[1], at=story.day(150, 13))
    story.talk(riley_access, taylor_access, (149, 33))
    documents.medical_letter(riley_access, kids[1], doctor="Dr. Okoye", at=story.day(33, 8, 30))
    requests_demo.school_expired(taylor_access, kids, at=story.day(33, 9))
    requests_demo.activity_withdrawn(riley_access, kids[1:], at=story.day(33, 13))
    story.events(taylor_access, riley_access, at=(32, 12), window=(32, -40), zone=london)

    dana = story.person("Dana", "Whitfield", at=story.day(30, 15))
    issued = story.invite(
        riley_access,
        dana.email,
        "professional",
        professional_kind="parenting_coordinator",
        at=story.day(31, 10),
    )
    story.join(issued, dana, at=story.day(30, 15, 10))
    # The consent order, and the sealed copy that replaced it that evening.
    documents.court_order(
        taylor_access,
        kids,
        court="Family Court at Central London",
        at=story.day(30, 16),
        corrected_at=story.day(30, 18),
    )
    infobank_demo.grow(
        info, taylor_access, "Ava", clothes="152", shoes="EU 36", at=story.day(30, 18)
    )
    story.talk(taylor_access, riley_access, (29, 1))
    requests_demo.still_pending(riley_access, kids, at=story.day(1, 9))
    # Waiting for Taylor's signature.
    agreement.propose_template(riley_access, "holidays", at=story.day(1, 16))
    # Each parent's private journal; Dana waits for Taylor's consent, so nothing is shared.
    keep_journals(taylor_access, riley_access, day=story.day, kid="Ava")
    return story.finish(family)


def build_demo(*, now: datetime | None = None) -> list[DemoFamily]:
    """Create the two demo families and return them with each member's password and token."""
    now = now or timezone.now()
    suffix = secrets.token_hex(3)
    # One hash for every account: they share the published demo password anyway, and hashing
    # it once keeps `coparent demo` quick with argon2.
    password_hash = make_password(DEMO_PASSWORD)
    # Invented people get no emails about their invented year (coparent.infra.notifications).
    with notifications_off(), transaction.atomic():
        return [
            _martin_lopez(_Story(now=now, suffix=suffix, password_hash=password_hash)),
            _nguyen_brooks(_Story(now=now, suffix=suffix, password_hash=password_hash)),
        ]
