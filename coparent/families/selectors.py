"""Reads of family data. Every fetch of a family-owned object starts from the user's active
memberships (STYLE.md 4), so "not yours" and "not there" are the same 404."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.accounts.selectors import second_factor_exists, second_factor_sql
from coparent.core.limits import DB_INT_MAX
from coparent.core.places import (
    Letter,
    home_letter,
    home_marker,
    mentions,
    needles,
    same_place,
)
from coparent.families.models import (
    MAX_PARENTS,
    Child,
    Family,
    HomeAddress,
    Invitation,
    Membership,
    MembershipQuerySet,
    ProfessionalConsent,
    Role,
)
from coparent.infra.rows import Columns, db_value


@dataclass(frozen=True)
class FamilyAccess:
    """What the requesting user may do in one family; set once per request."""

    family: Family
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def is_parent(self) -> bool:
        return self.membership.role == Role.PARENT

    @property
    def is_professional(self) -> bool:
        return self.membership.role == Role.PROFESSIONAL

    @property
    def is_viewer(self) -> bool:
        return self.membership.role == Role.VIEWER

    @property
    def can_read_shared(self) -> bool:
        """Parents and consented professionals read the family's shared data (members, record);
        viewers see only the calendar and child events."""
        return self.membership.role in (Role.PARENT, Role.PROFESSIONAL)

    def require_parent(self) -> None:
        if not self.is_parent:
            raise PermissionDenied("Only a parent may do this.")

    def require_shared(self) -> None:
        if not self.can_read_shared:
            raise PermissionDenied("Your role does not include this part of the family space.")


class SecondFactorRequired(PermissionDenied):
    """A professional without a second factor asked for a family's data. A professional reads
    what both parents of a high-conflict family share, so a password alone must not open it:
    pages send them to the second-factor page with a message (coparent.web.middleware), the
    API answers 403 with `code: "second_factor_required"` (coparent.api.errors)."""

    code = "second_factor_required"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Turn on a second factor (an authenticator app or a passkey) before opening "
                "a family's space: professionals need one to read what the parents share."
            )
        )


M = TypeVar("M", bound=models.Model)


def parse_pk(model: type[models.Model], value: object) -> Any:
    """`value` (from a URL, a query string or a request body) as `model`'s primary key, or
    Http404: an id that cannot exist is "not there" like any other. (Any: the key's type is
    the model's, a UUID or an int, which only the lookup it goes into knows.)"""
    try:
        pk = model._meta.pk.to_python(value)
    except (DjangoValidationError, TypeError, ValueError, OverflowError):
        raise Http404(f"No such {model._meta.model_name}.") from None
    if pk is None or (isinstance(pk, int) and not 1 <= pk <= DB_INT_MAX):
        raise Http404(f"No such {model._meta.model_name}.")
    return pk


def get_owned(model: type[M] | QuerySet[M], access: FamilyAccess, pk: object) -> M:
    """The one lookup of a family's object by an id someone sent: the row of `model` (or of the
    queryset, to narrow it or join what the caller shows) with that id *in the family of
    `access`*. A malformed id, a missing row and another family's row are the same Http404, so
    the answer leaks nothing (STYLE.md 4). Role checks stay with the caller."""
    queryset = model.all() if isinstance(model, QuerySet) else model._default_manager.all()
    found = queryset.filter(family=access.family, pk=parse_pk(queryset.model, pk)).first()
    if found is None:
        raise Http404(f"No such {queryset.model._meta.model_name}.")
    return found


def _active_parent_ids(family_id: uuid.UUID) -> MembershipQuerySet:
    return Membership.objects.filter(family_id=family_id).active().parents()


def professional_has_access(membership: Membership) -> bool:
    """A professional's access lives only while every current parent consents."""
    return membership.pk in _consented_seats([membership])


def _consented_seats(memberships: Iterable[Membership]) -> set[uuid.UUID]:
    """The pks of the active professional seats among `memberships` that every current parent
    of their family consents to: two queries for any number of seats (none without one), so a
    mediator's home page costs the same for one family as for twenty."""
    seats = [m for m in memberships if m.role == Role.PROFESSIONAL and m.ended_at is None]
    if not seats:
        return set()
    parents: dict[uuid.UUID, set[int]] = defaultdict(set)
    rows = Membership.objects.filter(family_id__in={m.family_id for m in seats}).active().parents()
    for family_id, user_id in rows.values_list("family_id", "user_id"):
        parents[family_id].add(user_id)
    consents: dict[uuid.UUID, set[int]] = defaultdict(set)
    given = ProfessionalConsent.objects.filter(professional__in=seats, withdrawn_at__isnull=True)
    for professional_id, parent_id in given.values_list("professional_id", "parent_id"):
        consents[professional_id].add(parent_id)
    return {m.pk for m in seats if parents[m.family_id] and parents[m.family_id] <= consents[m.pk]}


def active_memberships_for_user(user: User) -> MembershipQuerySet:
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("family")
        .order_by("family__name", "family__created_at")
    )


@dataclass(frozen=True)
class YourFamilies:
    """The families a person's home page and the API's family list may name to them.

    `accesses` are the families they may enter now; `waiting` the professional seats still
    waiting for a parent's consent. A professional with no second factor is told nothing of the
    families they work with, not even the names (a family's name is the family's data, and
    `get_family_access` refuses them the rest): their professional seats are left out of both,
    and `second_factor_needed` says the page should ask for the factor instead."""

    accesses: list[FamilyAccess]
    waiting: list[Membership]
    second_factor_needed: bool


def your_families(user: User) -> YourFamilies:
    """One query for the seats, with whether the person has a second factor; for a professional
    who has one, two more for the consents of all their seats together (`_consented_seats`), so
    a mediator's home costs the same for one family as for twenty."""
    memberships = list(
        active_memberships_for_user(user).annotate(has_second_factor=second_factor_exists())
    )
    professionals = [m for m in memberships if m.role == Role.PROFESSIONAL]
    consented = _consented_seats(
        m
        for m in professionals
        if m.has_second_factor  # type: ignore[attr-defined]  # the annotation above
    )
    accesses: list[FamilyAccess] = []
    waiting: list[Membership] = []
    withheld = False
    for membership in memberships:
        membership.user = user  # the same person: no second read of the row
        if membership.role == Role.PROFESSIONAL:
            if not membership.has_second_factor:  # type: ignore[attr-defined]  # the annotation above
                withheld = True
                continue
            if membership.pk not in consented:
                waiting.append(membership)
                continue
        accesses.append(FamilyAccess(family=membership.family, membership=membership))
    return YourFamilies(accesses=accesses, waiting=waiting, second_factor_needed=withheld)


def families_for_user(user: User) -> list[FamilyAccess]:
    """The families a user may enter now (professionals only with full consent and a second
    factor)."""
    return your_families(user).accesses


_SEAT = Columns(Membership, "m")
_SEAT_FAMILY = Columns(Family, "f")


@cache
def _seat_sql() -> str:
    # Written once, by hand, from the models' own columns: the ORM's building and compiling of
    # this query cost more than the database's answer, on every family request (issue #17,
    # "The cost of a request"). The same query as
    # Membership.objects.active().filter(family_id=…, user=…).select_related("family")
    # .annotate(has_second_factor=second_factor_exists())[:1]; tests/families pin the rules.
    return (
        f"SELECT {_SEAT.sql}, {_SEAT_FAMILY.sql}, {second_factor_sql('m.user_id')}"  # noqa: S608 - columns from the models, values as parameters
        f" FROM {Membership._meta.db_table} m"
        f" INNER JOIN {Family._meta.db_table} f ON f.id = m.family_id"
        " WHERE m.family_id = %s AND m.user_id = %s AND m.ended_at IS NULL LIMIT 1"
    )


def get_family_access(user: User, family_id: object) -> FamilyAccess:
    """The one access path to a family: 404 unless `user` holds an active seat in it (and, for a
    professional, every parent consents). Raises Http404 for both "not yours" and "not there",
    and SecondFactorRequired (a 403) for a consented professional with no second factor."""
    if not user.is_authenticated:
        raise Http404("No such family.")
    fid = parse_pk(Family, family_id)
    # At most one active seat per person and family: no ORDER BY. The person is the one asking
    # (already read by the request's authentication), so the seat takes that object instead of
    # joining the row again; whether they have a second factor comes in the same row.
    with connection.cursor() as cursor:
        cursor.execute(_seat_sql(), [db_value(Membership._meta.get_field("family"), fid), user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such family.")
    using = connection.alias
    membership = _SEAT.build(row, 0, using)
    family = _SEAT_FAMILY.build(row, len(_SEAT), using)
    has_second_factor = bool(row[len(_SEAT) + len(_SEAT_FAMILY)])
    membership.family = family
    membership.user = user
    if membership.role == Role.PROFESSIONAL:
        if not professional_has_access(membership):
            raise Http404("No such family.")
        if not has_second_factor:
            raise SecondFactorRequired()
    return FamilyAccess(family=family, membership=membership)


def children_of(access: FamilyAccess) -> QuerySet[Child]:
    return Child.objects.filter(family=access.family).order_by("date_of_birth", "name")


def get_child(access: FamilyAccess, child_id: object) -> Child:
    """A child of the family in `access`; another family's child is a 404 like a missing one."""
    return get_owned(Child, access, child_id)


def members_of(access: FamilyAccess) -> list[Membership]:
    """Active members, with each professional's consents prefetched (one query each)."""
    access.require_shared()
    active_consents = ProfessionalConsent.objects.filter(withdrawn_at__isnull=True).select_related(
        "parent"
    )
    return list(
        Membership.objects.active()
        .filter(family=access.family)
        .select_related("user")
        .prefetch_related(Prefetch("consents", queryset=active_consents, to_attr="active_consents"))
        .order_by("role", "joined_at")
    )


def get_member(access: FamilyAccess, membership_id: object) -> Membership:
    """An active member of the family in `access`; one who left is a 404 like a stranger."""
    return get_owned(Membership.objects.active().select_related("user"), access, membership_id)


def pending_invitations(access: FamilyAccess) -> QuerySet[Invitation]:
    access.require_shared()
    return (
        Invitation.objects.filter(family=access.family, status=Invitation.Status.PENDING)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def get_invitation(access: FamilyAccess, invitation_id: object) -> Invitation:
    return get_owned(Invitation, access, invitation_id)


def parent_count(family: Family) -> int:
    return _active_parent_ids(family.pk).count()


def has_other_parent_seat_taken_or_pending(family: Family) -> bool:
    return Invitation.objects.filter(
        family=family, role=Role.PARENT, status=Invitation.Status.PENDING
    ).exists()


def family_with_active_parent(user: User) -> QuerySet[Family]:
    return Family.objects.filter(
        Exists(Membership.objects.active().parents().filter(family=OuterRef("pk"), user=user))
    )


# --- Read models for the family pages ---------------------------------------------------------


def age_on(date_of_birth: date, today: date) -> int:
    """Whole years of age on `today` (a child born on 29 February turns a year older on 1 March
    in common years)."""
    years = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return max(years, 0)


def sees_child_details(access: FamilyAccess) -> bool:
    """Parents and consented professionals see a child's full name and date of birth; a viewer
    (a grandparent, a new partner, a nanny) the first name and the age only
    (docs/permissions.md)."""
    return access.can_read_shared


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else name


def child_name_for(access: FamilyAccess, child: Child) -> str:
    """The name of `child` as the member in `access` may see it: the only way a child's name
    reaches a page, the API, the calendar, the feed or an event."""
    return child.name if sees_child_details(access) else first_name(child.name)


@dataclass(frozen=True)
class ChildView:
    """A child as one member may see them: the one shape in which a child leaves this app for
    the pages and the API (`child_view`). For a viewer, `name` is the first name and
    `date_of_birth` is None; the age is everyone's."""

    id: uuid.UUID
    name: str
    age: int
    date_of_birth: date | None
    created_at: datetime

    @property
    def pk(self) -> uuid.UUID:
        return self.id


def child_view(access: FamilyAccess, child: Child, *, today: date | None = None) -> ChildView:
    today = today or timezone.localdate()
    full = sees_child_details(access)
    return ChildView(
        id=child.pk,
        name=child_name_for(access, child),
        age=age_on(child.date_of_birth, today),
        date_of_birth=child.date_of_birth if full else None,
        created_at=child.created_at,
    )


def child_views(access: FamilyAccess, *, today: date | None = None) -> list[ChildView]:
    """The family's children as the member in `access` may see them, eldest first (one
    query)."""
    today = today or timezone.localdate()
    return [child_view(access, c, today=today) for c in children_of(access)]


@dataclass(frozen=True)
class MemberRow:
    """An active member as the family pages show it. For a professional, `consented` and
    `waiting_for` are the current parents who have and have not given their consent."""

    membership: Membership
    is_you: bool
    consented: tuple[User, ...] = ()
    waiting_for: tuple[User, ...] = ()
    you_consented: bool = False

    @property
    def is_professional(self) -> bool:
        return self.membership.role == Role.PROFESSIONAL

    @property
    def has_access(self) -> bool:
        """Mirrors professional_has_access() on the rows already loaded, without more queries."""
        if not self.is_professional:
            return True
        return bool(self.consented) and not self.waiting_for


def member_rows(access: FamilyAccess) -> list[MemberRow]:
    """Active members with each professional's consent state (the two queries of members_of)."""
    members = members_of(access)
    parents = [m.user for m in members if m.role == Role.PARENT]
    me = access.membership.user_id
    rows = []
    for m in members:
        if m.role != Role.PROFESSIONAL:
            rows.append(MemberRow(membership=m, is_you=m.user_id == me))
            continue
        consenting = {c.parent_id for c in m.active_consents}  # type: ignore[attr-defined]  # members_of's Prefetch(to_attr=...)
        rows.append(
            MemberRow(
                membership=m,
                is_you=m.user_id == me,
                consented=tuple(p for p in parents if p.pk in consenting),
                waiting_for=tuple(p for p in parents if p.pk not in consenting),
                you_consented=me in consenting,
            )
        )
    return rows


@dataclass(frozen=True)
class FamilyOverview:
    """What the dashboard shows to a parent or a consented professional."""

    children: list[ChildView]
    members: list[MemberRow]
    invitations: list[Invitation]
    is_parent: bool

    @property
    def parents(self) -> list[MemberRow]:
        return [r for r in self.members if r.membership.role == Role.PARENT]

    @property
    def invite_coparent(self) -> bool:
        """A parent alone, with no live invitation out to a second parent, is nudged to send
        one; the family works fully without it."""
        if not self.is_parent or len(self.parents) >= MAX_PARENTS:
            return False
        return not any(inv.role == Role.PARENT and not inv.is_expired() for inv in self.invitations)

    @property
    def awaiting_your_consent(self) -> list[MemberRow]:
        if not self.is_parent:
            return []
        return [r for r in self.members if r.is_professional and not r.you_consented]


def family_overview(access: FamilyAccess, *, today: date | None = None) -> FamilyOverview:
    """Children, members with consent state and pending invitations: four queries in all."""
    access.require_shared()
    return FamilyOverview(
        children=child_views(access, today=today),
        members=member_rows(access),
        invitations=list(pending_invitations(access)),
        is_parent=access.is_parent,
    )


def invitation_seat_problem(invitation: Invitation, user: User | AnonymousUser) -> str:
    """What accepting `invitation` would refuse for `user` (already a member, no parent seat
    left), so the page can say it before the click; "" when nothing stands in the way."""
    family_id = invitation.family_id
    if (
        user.is_authenticated
        and Membership.objects.active().filter(family_id=family_id, user=user).exists()
    ):
        return _("You are already a member of this family.")
    if invitation.role == Role.PARENT and _active_parent_ids(family_id).count() >= MAX_PARENTS:
        return _("This family already has two parents. A family can have at most two.")
    return ""


# --- Homes and safe mode (docs/safety.md) --------------------------------------------------------


def own_home(access: FamilyAccess) -> HomeAddress | None:
    """The version in force of the requesting parent's own home address and safe mode in this
    family (one query); None until they set one."""
    return (
        HomeAddress.objects.filter(family=access.family, user_id=access.membership.user_id)
        .order_by("-n")
        .first()
    )


def addresses_hidden_from(family: Family, reader_id: int) -> list[str]:
    """What the record holds back from the reader `reader_id` (records.disclosure): the home
    addresses of every parent of `family` but the reader whose safe mode is on now — each
    address that parent ever kept in this family, the one in force and the older ones of their
    history — as `coparent.core.places.needles` (whole address and first line, normalized).
    Empty when no other parent is in safe mode. One query, over the family's few home rows."""
    versions = (
        HomeAddress.objects.filter(family=family)
        .exclude(user_id=reader_id)
        .order_by("user_id", "n")
        .values_list("user_id", "address", "safe_mode")
    )
    kept: dict[int, list[str]] = defaultdict(list)
    safe: dict[int, bool] = {}
    for user_id, address, safe_mode in versions:
        safe[user_id] = safe_mode  # in `n` order: the last one seen is in force
        if address:
            kept[user_id].append(address)
    found: list[str] = []
    for user_id, addresses in kept.items():
        if safe[user_id]:
            for address in addresses:
                found.extend(n for n in needles(address) if n not in found)
    return found


@dataclass(frozen=True)
class ParentHome:
    """A parent of the family, by the plan's letter, with their home as it now stands."""

    letter: Letter
    user_id: int
    name: str
    address: str
    safe_mode: bool


def parents_with_homes(family: Family) -> MembershipQuerySet:
    """The family's active parents, first parent first (the plan's A, then B), each with their
    user and their home in force (`home_address`, `home_safe`): one query, which a caller
    that needs the parents anyway (the exchanges) runs instead of its own."""
    latest = HomeAddress.objects.filter(family=OuterRef("family"), user=OuterRef("user")).order_by(
        "-n"
    )
    return (
        Membership.objects.active()
        .parents()
        .filter(family=family)
        .select_related("user")
        .annotate(
            home_address=Subquery(latest.values("address")[:1]),
            home_safe=Subquery(latest.values("safe_mode")[:1]),
        )
        .order_by("joined_at", "pk")[:MAX_PARENTS]
    )


def homes_of(seats: Iterable[Membership]) -> list[ParentHome]:
    """The parents of `parents_with_homes`, by the plan's letters."""
    letters: tuple[Letter, Letter] = ("A", "B")
    return [
        ParentHome(
            letter=letter,
            user_id=seat.user_id,
            name=seat.user.display_name or seat.user.email,
            address=getattr(seat, "home_address", None) or "",
            safe_mode=bool(getattr(seat, "home_safe", False)),
        )
        for letter, seat in zip(letters, seats, strict=False)
    ]


class HomePlaces:
    """Every exchange place as one member may read it: the one path by which a page, the API,
    the calendar feed, a reminder or the record's report turns a plan's place into words.

    A plan's `home:A` (coparent.core.places) becomes "Alex's home, 12 Elm Street" for Alex
    always, and for the other parent and the viewers while Alex's safe mode is off; with it on
    they read "Alex's home (address private)". A consented professional never reads a parent's
    address (docs/permissions.md). Free text that happens to contain the address of a parent
    whose safe mode is on (a place typed before safe mode existed) is replaced by the same label
    for everyone but that parent.

    The parents and their homes are read once, on the first place that is not empty (one
    query), and shared by `seen_by` views for other members of the same family."""

    def __init__(self, access: FamilyAccess, *, homes: list[ParentHome] | None = None) -> None:
        self._family = access.family
        self._viewer = access.membership
        self._homes = homes

    def seen_by(self, membership: Membership) -> HomePlaces:
        """The same family's places as another of its members reads them (no new query once
        loaded): a reminder to each parent, say."""
        return HomePlaces(
            FamilyAccess(family=self._family, membership=membership), homes=self.homes()
        )

    def homes(self) -> list[ParentHome]:
        if self._homes is None:
            self._homes = homes_of(parents_with_homes(self._family))
        return self._homes

    def may_see(self, home: ParentHome) -> bool:
        """Whether this member reads `home`'s address: its parent always; a professional never
        (a mediator has no need of it); the others while safe mode is off."""
        if home.user_id == self._viewer.user_id:
            return True
        if self._viewer.role == Role.PROFESSIONAL:
            return False
        return not home.safe_mode

    def show(self, place: str) -> str:
        """`place` (a plan's words, or a home marker) as this member may read it."""
        if not place:
            return place
        letter = home_letter(place)
        if letter is not None:
            home = next((h for h in self.homes() if h.letter == letter), None)
            return home_label(home, letter, shown=home is not None and self.may_see(home))
        hidden = self.screen(place)
        return place if hidden is None else hidden

    def screen(self, text: str) -> str | None:
        """The label that stands in for free `text` (an info-bank value, a plan's typed place)
        when it contains the address of a parent this member may not read; None when `text`
        may be shown as written."""
        if not text:
            return None
        for home in self.homes():
            if home.address and not self.may_see(home) and mentions(text, home.address):
                return home_label(home, home.letter, shown=False)
        return None

    def marker_for(self, text: str) -> str | None:
        """The home marker ("home:A") for free `text` that is the address of a home this member
        reads — their own, or the other parent's while safe mode is off — so a plan stores the
        home, never its address, and safe mode covers it later. The other parent's hidden
        address is never matched: the answer would tell this member where they live."""
        if not text or home_letter(text) is not None:
            return None
        for home in self.homes():
            if home.address and self.may_see(home) and same_place(text, home.address):
                return home_marker(home.letter)
        return None

    def own(self) -> ParentHome | None:
        """The home of this member, when they are one of the parents."""
        return next((h for h in self.homes() if h.user_id == self._viewer.user_id), None)

    def neutral(self, place: str) -> str:
        """`place` as the family record may keep it: a home never with its address, whoever
        reads the record later and whatever safe mode then is."""
        if not place:
            return place
        letter = home_letter(place)
        if letter is not None:
            home = next((h for h in self.homes() if h.letter == letter), None)
            return home_label(home, letter, shown=False, private=False)
        for home in self.homes():
            if home.address and mentions(place, home.address):
                return home_label(home, home.letter, shown=False, private=False)
        return place


def home_label(
    home: ParentHome | None, letter: Letter, *, shown: bool, private: bool = True
) -> str:
    """ "Alex's home", with the address when `shown`, or "(address private)" when it is kept
    from the reader (`private`) — never the address otherwise."""
    if home is None:
        name = _("First parent") if letter == "A" else _("Second parent")
        return _("%(name)s's home") % {"name": name}
    if home.address and shown:
        one_line = ", ".join(line.strip() for line in home.address.splitlines() if line.strip())
        return _("%(name)s's home, %(address)s") % {"name": home.name, "address": one_line}
    if home.address and private:
        return _("%(name)s's home (address private)") % {"name": home.name}
    return _("%(name)s's home") % {"name": home.name}


def home_choices(access: FamilyAccess) -> list[tuple[str, str]]:
    """The homes a plan may name as its exchange place, for the plan editor: ("home:A",
    "Alex's home"), and the same for the second parent (one query)."""
    places = HomePlaces(access)
    return [
        (f"home:{home.letter}", home_label(home, home.letter, shown=False, private=False))
        for home in places.homes()
    ]
