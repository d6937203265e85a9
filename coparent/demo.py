"""Demo data: two families with about a year of history, built through the real services.

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

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from coparent.accounts.models import User
from coparent.accounts.services import token_create
from coparent.families import services
from coparent.families.models import Child, Family, Membership
from coparent.families.selectors import FamilyAccess, get_family_access

DEMO_PASSWORD = "calm-harbour-2027"  # noqa: S105 - published on purpose, demo accounts only
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
        return User.objects.create(
            email=f"{first.lower()}.{self.suffix}@example.com",
            display_name=f"{first} {last}",
            password=self.password_hash,
            email_confirmed_at=at,
            date_joined=at,
        )

    def found(self, user: User, name: str, *, at: datetime) -> tuple[Family, FamilyAccess]:
        family = services.family_create(user=user, name=name, at=at)
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

    def finish(self, family: Family) -> DemoFamily:
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
    family, jordan_access = story.found(jordan, "Martin-Lopez family", at=story.day(365, 19, 30))
    story.child(jordan_access, "Emma", date(2017, 4, 12), at=story.day(365, 19, 40))
    noah = story.child(jordan_access, "Noah", date(2020, 9, 3), at=story.day(365, 19, 42))

    casey = story.person("Casey", "Lopez", at=story.day(362, 21))
    issued = story.invite(jordan_access, casey.email, "parent", at=story.day(364, 8, 15))
    story.join(issued, casey, at=story.day(362, 21, 5))
    casey_access = get_family_access(casey, family.pk)
    # Casey spots that Noah's date of birth was entered two days early.
    services.child_update(
        access=casey_access,
        child=noah,
        name=noah.name,
        date_of_birth=date(2020, 9, 5),
        at=story.day(330, 12),
    )

    priya = story.person("Priya", "Shah", at=story.day(299, 16))
    issued = story.invite(
        jordan_access,
        priya.email,
        "professional",
        professional_kind="mediator",
        at=story.day(300, 10),
    )
    # Jordan's invitation counts as Jordan's consent; Priya sees the family once Casey agrees.
    mediator = story.join(issued, priya, at=story.day(299, 16, 20))
    story.consent(casey_access, mediator, at=story.day(297, 9, 10))

    rose = story.person("Rose", "Lopez", at=story.day(198, 11))
    issued = story.invite(
        casey_access, rose.email, "viewer", relationship="Grandmother", at=story.day(200, 18)
    )
    story.join(issued, rose, at=story.day(198, 11, 30))

    # Jordan starts to bring in a lawyer, then thinks better of it the next morning.
    issued = story.invite(
        jordan_access,
        f"counsel.{story.suffix}@example.com",
        "professional",
        professional_kind="lawyer",
        at=story.day(120, 22, 40),
    )
    story.cancel(jordan_access, issued, at=story.day(119, 8, 5))
    return story.finish(family)


def _nguyen_brooks(story: _Story) -> DemoFamily:
    """Two parents, Ava and Liam, a nanny who sees the calendar, and a parenting coordinator
    still waiting for the second parent's consent."""
    taylor = story.person("Taylor", "Nguyen", at=story.day(341, 9))
    family, taylor_access = story.found(taylor, "Nguyen-Brooks family", at=story.day(340, 20, 10))
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

    sofia = story.person("Sofia", "Reyes", at=story.day(150, 12))
    issued = story.invite(
        taylor_access, sofia.email, "viewer", relationship="Nanny", at=story.day(151, 17)
    )
    story.join(issued, sofia, at=story.day(150, 12, 20))

    dana = story.person("Dana", "Whitfield", at=story.day(30, 15))
    issued = story.invite(
        riley_access,
        dana.email,
        "professional",
        professional_kind="parenting_coordinator",
        at=story.day(31, 10),
    )
    story.join(issued, dana, at=story.day(30, 15, 10))
    return story.finish(family)


def build_demo(*, now: datetime | None = None) -> list[DemoFamily]:
    """Create the two demo families and return them with each member's password and token."""
    now = now or timezone.now()
    suffix = secrets.token_hex(3)
    # One hash for every account: they share the published demo password anyway, and hashing
    # it once keeps `coparent demo` quick with argon2.
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        return [
            _martin_lopez(_Story(now=now, suffix=suffix, password_hash=password_hash)),
            _nguyen_brooks(_Story(now=now, suffix=suffix, password_hash=password_hash)),
        ]
