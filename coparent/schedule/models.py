"""Storage of the parenting plan: its versions (each a proposal first) and the personal
iCalendar feed tokens.

A plan version keeps the engine's own plan shape (`coparent.core.schedule.plan_to_dict` with
`json_safe=True`), so a stored plan reads back with `plan_from_dict` unchanged and downloads as a
TOML file. Every table carries `family_id` (ARCHITECTURE.md, tenancy).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_lazy as _

from coparent.families.models import Family

NOTE_MAX_CHARS = 1_000


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")


class PlanVersion(models.Model):
    """One version of the family's plan, in force from `effective_from` (a local date in the
    plan's zone) once accepted.

    The schedule of any day comes from the accepted version with the latest `effective_from` on
    or before it, so a later change never rewrites days before its own date. Accepting a version
    supersedes the accepted ones from its date on (they never took effect, or not yet)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="plan_versions")
    number = models.PositiveIntegerField(help_text="1 for the family's first proposal, and so on.")
    plan = models.JSONField()
    effective_from = models.DateField(_("in force from"))
    status = models.CharField(max_length=12, choices=PlanStatus, default=PlanStatus.PROPOSED)
    note = models.TextField(_("note"), max_length=NOTE_MAX_CHARS, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=utc_now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=NOTE_MAX_CHARS, blank=True)
    # When a version was accepted and later superseded, it still counts for the feed's
    # SEQUENCE (coparent.schedule.feed): its acceptance changed the events from its date on.
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["family", "number"], name="plan_number_unique")
        ]
        indexes = [models.Index(fields=["family", "status", "effective_from"])]

    def __str__(self) -> str:
        return f"plan v{self.number} ({self.status}) from {self.effective_from}"

    @property
    def is_pending(self) -> bool:
        return self.status == PlanStatus.PROPOSED


class Reminder(models.IntegerChoices):
    """How long before an exchange or a child's event a subscribed calendar rings (minutes)."""

    __empty__ = _("No reminder")
    MINUTES_30 = 30, _("30 minutes before")
    HOUR = 60, _("1 hour before")
    HOURS_2 = 120, _("2 hours before")
    DAY = 1440, _("1 day before")


class FeedToken(models.Model):
    """A member's personal iCalendar feed. The URL's token is derived from the row's id with the
    server's secret (coparent.infra.secrets_links), so the page can show it again, while the
    database keeps only its hash to look it up. Revoked tokens stay, with `revoked_at`, and
    answer 404."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="feed_tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=utc_now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Reminders (VALARM) the feed carries, chosen on the feed page; a new address keeps them.
    exchange_reminder = models.PositiveIntegerField(
        _("reminder of each exchange"), choices=Reminder, null=True, blank=True
    )
    event_reminder = models.PositiveIntegerField(
        _("reminder of each child's event"), choices=Reminder, null=True, blank=True
    )

    class Meta:
        ordering = ["family", "-created_at"]
        indexes = [models.Index(fields=["family", "user", "revoked_at"])]

    def __str__(self) -> str:
        return f"feed of {self.user_id} in {self.family_id}"


LABEL_MAX_CHARS = 200


class ScheduleChange(models.Model):
    """A one-off change to the calendar that another app decided (an approved swap or trip),
    never edited: rows are only appended (triggers, migration 0004).

    With a `parent` ("A" or "B", the plan's letters), the children are with that parent from
    `start` to `end` (instants): the schedule's expansion adds it to each plan's overrides, so
    the calendar, the time-share, the feed and the reminders all follow it. Without one it is a
    marker: the calendar shows `label` on those days and custody stays as planned (a trip
    during one's own time). `origin` names what made it ("request:<id>") without the schedule
    importing the app that did."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="schedule_changes")
    start = models.DateTimeField()
    end = models.DateTimeField()
    parent = models.CharField(max_length=1, blank=True)
    label = models.CharField(max_length=LABEL_MAX_CHARS)
    origin = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=utc_now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["family", "created_at"]
        indexes = [models.Index(fields=["family", "created_at"])]

    def __str__(self) -> str:
        return f"{self.label} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d} ({self.parent or 'marker'})"

    @property
    def is_marker(self) -> bool:
        return not self.parent
