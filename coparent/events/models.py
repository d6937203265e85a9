"""A child's events — birthday parties, school plays, games, appointments — shared with every
parent of the family (PRODUCT.md, story 3 "The birthday party"), and each parent's RSVP.

Events are edited and cancelled, never deleted: a database trigger refuses DELETE on events
and RSVPs (migration 0002), and every change is in the family record. Every table carries
`family_id` (ARCHITECTURE.md, tenancy).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_lazy as _

from coparent.core.zones import ZONE_MAX_CHARS
from coparent.families.models import Child, Family

TITLE_MAX_CHARS = 200
PLACE_MAX_CHARS = 200
NOTES_MAX_CHARS = 4_000
RSVP_NOTE_MAX_CHARS = 500


class EventKind(models.TextChoices):
    BIRTHDAY_PARTY = "birthday_party", _("Birthday party")
    SCHOOL = "school", _("School event")
    SPORTS = "sports", _("Sports or game")
    MEDICAL = "medical", _("Medical appointment")
    ACTIVITY = "activity", _("Activity")
    OTHER = "other", _("Other")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Answer(models.TextChoices):
    YES = "yes", _("Yes, I'll be there")
    NO = "no", _("No, I can't come")
    MAYBE = "maybe", _("Maybe")


class ChildEvent(models.Model):
    """One event in one or more children's lives.

    `starts_at` and `ends_at` are aware instants (UTC in the database) and form the half-open
    interval [starts_at, ends_at) for every event, all-day or not, so one range query finds
    them all. An all-day event also keeps the dates a person chose (`start_date` to `end_date`,
    both included); its instants are midnight to midnight in its `timezone`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="child_events")
    children: models.ManyToManyField[Child, EventChild] = models.ManyToManyField(
        Child, through="EventChild", related_name="events", verbose_name=_("children")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_CHARS)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind, default=EventKind.OTHER)
    all_day = models.BooleanField(_("all day"), default=False)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    timezone = models.CharField(_("time zone"), max_length=ZONE_MAX_CHARS, default="UTC")
    place = models.CharField(_("place"), max_length=PLACE_MAX_CHARS, blank=True)
    notes = models.TextField(_("notes"), max_length=NOTES_MAX_CHARS, blank=True)
    status = models.CharField(max_length=12, choices=EventStatus, default=EventStatus.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=utc_now)
    updated_at = models.DateTimeField(default=utc_now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=RSVP_NOTE_MAX_CHARS, blank=True)
    # Raised by one at every change or cancellation: the iCalendar SEQUENCE of the event, so a
    # subscribed calendar app replaces its copy instead of keeping a stale one.
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "title"]
        indexes = [
            models.Index(fields=["family", "starts_at"], name="event_family_start"),
            models.Index(fields=["family", "ends_at"], name="event_family_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(all_day=False) | Q(start_date__isnull=False, end_date__isnull=False),
                name="all_day_event_has_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def last_date(self) -> date:
        """The last local date the event touches (an event ending at midnight ends the day
        before)."""
        if self.all_day and self.end_date is not None:
            return self.end_date
        return (self.local_end - timedelta(microseconds=1)).date()

    @property
    def spans_days(self) -> bool:
        return self.last_date != self.local_start.date()

    @property
    def ical_uid(self) -> str:
        """A UID that never changes for this event, for iCalendar feeds."""
        return f"child-event-{self.pk}@coparent"

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or utc_now())


class EventChild(models.Model):
    """Which children an event is for (the many-to-many table, with the family's id)."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(ChildEvent, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "child"], name="one_row_per_event_child")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} at {self.event_id}"


class Rsvp(models.Model):
    """A parent's current answer to an event. Changing it updates this row; every answer ever
    given stays in the family record as an "event.rsvp" entry."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(ChildEvent, on_delete=models.PROTECT, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("answer"), max_length=8, choices=Answer)
    note = models.CharField(_("note"), max_length=RSVP_NOTE_MAX_CHARS, blank=True)
    answered_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["answered_at"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="one_rsvp_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.answer}"
