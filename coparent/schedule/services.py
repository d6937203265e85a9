"""Writes to the parenting plan: propose, accept, decline, withdraw; and feed tokens.

The first plan and every change are proposals. A proposal takes effect from its own date only
when another parent accepts it, or at once when the family has no other parent yet. A date in
the past is refused, at proposal and at acceptance, so days already lived never change. Each
write appends its record entry in the same transaction (ARCHITECTURE.md, the family record).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.core.schedule import Letter, Plan, plan_to_dict
from coparent.families.models import Membership
from coparent.families.selectors import FamilyAccess, HomePlaces
from coparent.infra.errors import DomainError
from coparent.infra.labels import label_problem
from coparent.infra.secrets_links import hash_link_token, link_token
from coparent.records.models import Kind
from coparent.records.services import record_append
from coparent.schedule.models import (
    LABEL_MAX_CHARS,
    NOTE_MAX_CHARS,
    FeedToken,
    PlanStatus,
    PlanVersion,
    Reminder,
    ScheduleChange,
)
from coparent.schedule.plans import PlanProblem, check_plan

FEED_PURPOSE = "schedule.feed"


def local_today(plan: Plan, at: datetime) -> date:
    return at.astimezone(plan.zone).date()


def _other_parents(access: FamilyAccess) -> int:
    return (
        Membership.objects.active()
        .parents()
        .filter(family=access.family)
        .exclude(user=access.membership.user)
        .count()
    )


def _summary(version: PlanVersion, plan: Plan) -> dict[str, Any]:
    return {
        "version": version.number,
        "id": str(version.id),
        "effective_from": version.effective_from.isoformat(),
        "pattern": plan.pattern or "",
        "rotation": plan.rotation,
        "timezone": plan.timezone,
        "exchange_time": plan.exchange_time.strftime("%H:%M"),
        "exchange_place": plan.exchange_place,
        "holidays": [rule.name for rule in plan.holidays],
        "school_breaks": [item.name for item in plan.school_breaks],
        "birthdays": [item.name for item in plan.birthdays],
    }


def _take_effect(
    access: FamilyAccess, version: PlanVersion, *, at: datetime, automatic: bool
) -> None:
    # Accepted versions from this date on never took effect (or not yet): this one replaces
    # them. Earlier ones keep governing the days before its date.
    PlanVersion.objects.filter(
        family=access.family, status=PlanStatus.ACCEPTED, effective_from__gte=version.effective_from
    ).exclude(pk=version.pk).update(status=PlanStatus.SUPERSEDED)
    version.status = PlanStatus.ACCEPTED
    version.accepted_at = at
    version.answered_at = at
    version.answered_by = access.membership.user
    version.save(update_fields=["status", "accepted_at", "answered_at", "answered_by"])
    record_append(
        family=access.family,
        kind=Kind.PLAN_ACCEPTED,
        actor=access.membership.user,
        data={
            "version": version.number,
            "id": str(version.id),
            "effective_from": version.effective_from.isoformat(),
            "automatic": automatic,
        },
        at=at,
    )


def home_marked(access: FamilyAccess, plan: dict[str, Any]) -> dict[str, Any]:
    """`plan` with an exchange place typed as a parent's home address (one the proposer
    reads: their own, or the other's while safe mode is off) stored as that home's marker
    (`home:A`), so the plan holds no address and safe mode covers the exchanges there
    (docs/safety.md). Any other place is kept as written."""
    place = plan.get("exchange_place")
    marker = HomePlaces(access).marker_for(place) if isinstance(place, str) and place else None
    return plan if marker is None else {**plan, "exchange_place": marker}


def plan_propose(
    *,
    access: FamilyAccess,
    plan: dict[str, Any],
    effective_from: date,
    note: str = "",
    at: datetime | None = None,
) -> PlanVersion:
    """A parent proposes a plan (the first or a change) from `effective_from`. It is accepted
    at once when no other parent shares the family yet. Raises PlanProblem for a bad plan, a date
    in the past, or while another proposal waits for its answer."""
    access.require_parent()
    at = at or timezone.now()
    plan = home_marked(access, plan)
    problems: list[tuple[str, str]] = []
    checked: Plan | None = None
    try:
        checked = check_plan(plan)
    except PlanProblem as exc:
        problems += exc.problems
    if checked is not None and effective_from < local_today(checked, at):
        problems.append(
            ("effective_from", _("Choose today or a later date: days already past never change."))
        )
    if len(note) > NOTE_MAX_CHARS:
        problems.append(
            ("note", _("Keep the note under %(n)d characters.") % {"n": NOTE_MAX_CHARS})
        )
    elif (hidden := label_problem(note)) is not None:
        problems.append(("note", hidden))
    if problems or checked is None:
        raise PlanProblem(problems)
    with transaction.atomic():
        # The family row is locked by record_append below; taking the lock first keeps the
        # "one pending proposal" check and the version number free of races.
        record_lock = type(access.family).objects.select_for_update().filter(pk=access.family.pk)
        record_lock.values_list("pk", flat=True).first()
        if PlanVersion.objects.filter(family=access.family, status=PlanStatus.PROPOSED).exists():
            raise PlanProblem(
                [
                    (
                        "__all__",
                        _(
                            "Another proposal is waiting for an answer: it must be accepted, "
                            "declined or withdrawn first."
                        ),
                    )
                ]
            )
        last = PlanVersion.objects.filter(family=access.family).aggregate(n=Max("number"))["n"]
        version = PlanVersion.objects.create(
            family=access.family,
            number=(last or 0) + 1,
            plan=plan_to_dict(checked, json_safe=True),
            effective_from=effective_from,
            note=note,
            proposed_by=access.membership.user,
            proposed_at=at,
        )
        record_append(
            family=access.family,
            kind=Kind.PLAN_PROPOSED,
            actor=access.membership.user,
            data={**_summary(version, checked), "note": note},
            at=at,
        )
        if _other_parents(access) == 0:
            _take_effect(access, version, at=at, automatic=True)
    return version


def _must_be_pending(version: PlanVersion) -> None:
    if version.status != PlanStatus.PROPOSED:
        raise PlanProblem([("__all__", _("This proposal has already been answered."))])


def plan_accept(
    *, access: FamilyAccess, version: PlanVersion, at: datetime | None = None
) -> PlanVersion:
    """The other parent accepts a proposal; it governs the days from its date on."""
    access.require_parent()
    at = at or timezone.now()
    if version.proposed_by_id == access.membership.user_id:
        raise PermissionDenied(_("The other parent answers your proposal."))
    with transaction.atomic():
        version = PlanVersion.objects.select_for_update().get(pk=version.pk)
        _must_be_pending(version)
        plan = check_plan(version.plan)
        if version.effective_from < local_today(plan, at):
            raise PlanProblem(
                [
                    (
                        "effective_from",
                        _(
                            "This proposal starts on a day already past, which would change "
                            "the past: decline it and ask for a new date."
                        ),
                    )
                ]
            )
        _take_effect(access, version, at=at, automatic=False)
    return version


def plan_decline(
    *, access: FamilyAccess, version: PlanVersion, reason: str, at: datetime | None = None
) -> PlanVersion:
    """The other parent declines a proposal, saying why."""
    access.require_parent()
    at = at or timezone.now()
    if version.proposed_by_id == access.membership.user_id:
        raise PermissionDenied(_("The other parent answers your proposal."))
    reason = reason.strip()
    if not reason:
        raise PlanProblem([("reason", _("Say why, so the other parent can propose again."))])
    if len(reason) > NOTE_MAX_CHARS:
        raise PlanProblem(
            [("reason", _("Keep it under %(n)d characters.") % {"n": NOTE_MAX_CHARS})]
        )
    if (hidden := label_problem(reason)) is not None:
        raise PlanProblem([("reason", hidden)])
    with transaction.atomic():
        version = PlanVersion.objects.select_for_update().get(pk=version.pk)
        _must_be_pending(version)
        version.status = PlanStatus.DECLINED
        version.answered_by = access.membership.user
        version.answered_at = at
        version.reason = reason
        version.save(update_fields=["status", "answered_by", "answered_at", "reason"])
        record_append(
            family=access.family,
            kind=Kind.PLAN_DECLINED,
            actor=access.membership.user,
            data={"version": version.number, "id": str(version.id), "reason": reason},
            at=at,
        )
    return version


def plan_withdraw(
    *, access: FamilyAccess, version: PlanVersion, at: datetime | None = None
) -> PlanVersion:
    """The parent who proposed takes the proposal back before it is answered."""
    access.require_parent()
    at = at or timezone.now()
    if version.proposed_by_id != access.membership.user_id:
        raise PermissionDenied(_("Only the parent who proposed it may withdraw it."))
    with transaction.atomic():
        version = PlanVersion.objects.select_for_update().get(pk=version.pk)
        _must_be_pending(version)
        version.status = PlanStatus.WITHDRAWN
        version.answered_by = access.membership.user
        version.answered_at = at
        version.save(update_fields=["status", "answered_by", "answered_at"])
        record_append(
            family=access.family,
            kind=Kind.PLAN_WITHDRAWN,
            actor=access.membership.user,
            data={"version": version.number, "id": str(version.id)},
            at=at,
        )
    return version


def feed_token_of(feed: FeedToken) -> str:
    """The secret in the feed's URL, derived from its id (never stored)."""
    return link_token(FEED_PURPOSE, feed.pk)


def feed_create(*, access: FamilyAccess, at: datetime | None = None) -> FeedToken:
    """A member's personal feed; any earlier one of theirs in this family is revoked, so
    "regenerate" is this same call."""
    at = at or timezone.now()
    user = access.membership.user
    with transaction.atomic():
        live = FeedToken.objects.select_for_update().filter(
            family=access.family, user=user, revoked_at__isnull=True
        )
        # A new address keeps the reminders the member chose for the old one.
        earlier = live.order_by("-created_at").first()
        live.update(revoked_at=at)
        feed = FeedToken(
            family=access.family,
            user=user,
            created_at=at,
            exchange_reminder=earlier.exchange_reminder if earlier else None,
            event_reminder=earlier.event_reminder if earlier else None,
        )
        feed.token_hash = hash_link_token(feed_token_of(feed))
        feed.save()
    return feed


def feed_set_reminders(
    *, access: FamilyAccess, exchange_reminder: int | None, event_reminder: int | None
) -> FeedToken:
    """Choose the reminders (minutes before, or None) the member's live feed carries; the
    subscribed calendar picks them up at its next refresh, at the same address."""
    allowed = set(Reminder.values)
    problems = [
        (field, _("Choose one of the reminders offered."))
        for field, value in (
            ("exchange_reminder", exchange_reminder),
            ("event_reminder", event_reminder),
        )
        if value is not None and value not in allowed
    ]
    if problems:
        raise DomainError(problems)
    feed = FeedToken.objects.filter(
        family=access.family, user=access.membership.user, revoked_at__isnull=True
    ).first()
    if feed is None:
        raise DomainError(_("Make your feed address first."))
    feed.exchange_reminder = exchange_reminder
    feed.event_reminder = event_reminder
    feed.save(update_fields=["exchange_reminder", "event_reminder"])
    return feed


def feed_revoke(*, access: FamilyAccess, at: datetime | None = None) -> int:
    """Revoke the member's feed in this family: its URL answers 404 from now on."""
    return FeedToken.objects.filter(
        family=access.family, user=access.membership.user, revoked_at__isnull=True
    ).update(revoked_at=at or timezone.now())


# --- one-off changes other apps decide (an approved swap or trip) -----------------------------

MAX_CHANGE_DAYS = 92  # a season at most: anything longer is a change of plan, not a one-off


def _change(
    *,
    access: FamilyAccess,
    start: datetime,
    end: datetime,
    parent: Letter | None,
    label: str,
    origin: str,
    at: datetime | None,
    automatic: bool,
) -> ScheduleChange:
    at = at or timezone.now()
    label = " ".join(label.split())
    problems: list[tuple[str, str]] = []
    if not label:
        problems.append(("label", _("Say what the change is (“Swap”, “Trip to Denver”).")))
    elif len(label) > LABEL_MAX_CHARS:
        problems.append(("label", _("At most %(n)d characters.") % {"n": LABEL_MAX_CHARS}))
    if end <= start:
        problems.append(("end", _("The end must come after the start.")))
    elif (end - start).days > MAX_CHANGE_DAYS:
        problems.append(
            ("end", _("A one-off change lasts at most %(n)d days.") % {"n": MAX_CHANGE_DAYS})
        )
    if end <= at:
        # Days already lived never change (the same rule as a plan's date).
        problems.append(("start", _("This change would only change the past.")))
    if parent not in ("A", "B", None):
        problems.append(("parent", _("Name parent A or B.")))
    if problems:
        raise DomainError(problems)
    with transaction.atomic():
        change = ScheduleChange.objects.create(
            family=access.family,
            start=start,
            end=end,
            parent=parent or "",
            label=label,
            origin=origin,
            created_at=at,
            created_by=None if automatic else access.membership.user,
        )
        record_append(
            family=access.family,
            kind=Kind.SCHEDULE_CHANGED,
            actor=None if automatic else access.membership.user,
            data={
                "id": str(change.id),
                "start": start.isoformat(),
                "end": end.isoformat(),
                "parent": parent or "",
                "label": label,
                "origin": origin,
                "automatic": automatic,
            },
            at=at,
        )
    return change


def override_add(
    *,
    access: FamilyAccess,
    start: datetime,
    end: datetime,
    parent: Letter,
    label: str,
    origin: str,
    at: datetime | None = None,
    automatic: bool = False,
) -> ScheduleChange:
    """The children are with `parent` (the plan's letter) from `start` to `end` (instants),
    above the plan: the calendar, the time-share, the feed and the exchange reminders follow.
    The one way another app changes custody (an approved swap or trip); `origin` names what
    decided it ("request:<id>"). `automatic` when nobody acted (a request approved by the
    agreement's silence rule): the record names no actor. Appends "schedule.changed"."""
    return _change(
        access=access,
        start=start,
        end=end,
        parent=parent,
        label=label,
        origin=origin,
        at=at,
        automatic=automatic,
    )


def marker_add(
    *,
    access: FamilyAccess,
    start: datetime,
    end: datetime,
    label: str,
    origin: str,
    at: datetime | None = None,
    automatic: bool = False,
) -> ScheduleChange:
    """Days labelled on the calendar with custody as planned (a trip during one's own time)."""
    return _change(
        access=access,
        start=start,
        end=end,
        parent=None,
        label=label,
        origin=origin,
        at=at,
        automatic=automatic,
    )
