"""Storage of requests between the parents: a swap, a trip, a yes/no decision; their comments
and the reminders sent before they fall due (docs/requests.md).

A request is asked by one parent of the other. Its answer (approve, decline, counter) or its
end (withdrawn, expired) is written once, on the row, under a lock (services), and every change
is in the family record. A counter-proposal is a new request going back the other way,
`counter_of` the one it answers. Comments are never edited (triggers, migration 0002).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_lazy as _

from coparent.core.agreement import RequestKind
from coparent.families.models import Child, Family

TITLE_MAX_CHARS = 200
DETAILS_MAX_CHARS = 5_000
REASON_MAX_CHARS = 2_000
COMMENT_MAX_CHARS = 5_000
PLACE_MAX_CHARS = 200


class RequestType(models.TextChoices):
    SWAP = RequestKind.SWAP.value, _("Swap of days or hours")
    TRIP = RequestKind.TRIP.value, _("Trip")
    ACTIVITY = RequestKind.ACTIVITY.value, _("Activity (enrolment, camp, lessons)")
    SOCIAL_MEDIA = RequestKind.SOCIAL_MEDIA.value, _("Social media or a device")
    MEDICAL = RequestKind.MEDICAL.value, _("Medical")
    SCHOOL = RequestKind.SCHOOL.value, _("School")
    OTHER = RequestKind.OTHER.value, _("Other")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    COUNTERED = "countered", _("Answered with a counter-proposal")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


DATED_KINDS = frozenset({RequestType.SWAP, RequestType.TRIP})


class Request(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("kind"), max_length=16, choices=RequestType)
    title = models.CharField(_("title"), max_length=TITLE_MAX_CHARS)
    details = models.TextField(_("details"), max_length=DETAILS_MAX_CHARS, blank=True)
    children = models.ManyToManyField(Child, related_name="+", verbose_name=_("children"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=utc_now)
    due_at = models.DateTimeField(_("answer by"))
    status = models.CharField(max_length=12, choices=RequestStatus, default=RequestStatus.PENDING)

    # A swap or a trip: from `starts_at` to `ends_at` (instants). `custody_to` has the children
    # then when custody changes (a swap always; a trip when the traveller takes them along).
    starts_at = models.DateTimeField(_("from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    custody_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destination = models.CharField(_("destination"), max_length=PLACE_MAX_CHARS, blank=True)
    itinerary = models.TextField(_("itinerary"), max_length=DETAILS_MAX_CHARS, blank=True)
    contact = models.TextField(
        _("how to reach the children"), max_length=DETAILS_MAX_CHARS, blank=True
    )

    # The clause of the agreement the request relies on, as it was when the request was made:
    # {"clause_id", "version", "title"}; None when no clause applies.
    clause = models.JSONField(null=True, blank=True)
    counter_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="counters"
    )

    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_CHARS, blank=True)
    # An expired request: what the agreement's silence rule made of it ("approve", "decline"),
    # "" when no clause speaks to it (plainly expired unanswered).
    silence_outcome = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["family", "-created_at"]
        indexes = [
            models.Index(fields=["family", "status", "-created_at"]),
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} request {self.title!r} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def is_dated(self) -> bool:
        return self.kind in DATED_KINDS

    @property
    def changes_custody(self) -> bool:
        return self.custody_to_id is not None

    @property
    def counts_as_approved(self) -> bool:
        return self.status == RequestStatus.APPROVED or (
            self.status == RequestStatus.EXPIRED and self.silence_outcome == "approve"
        )

    @property
    def outcome_text(self) -> str:
        """How the request ended, in words: "expired — counts as approved under clause 'X' v2"."""
        if self.status != RequestStatus.EXPIRED:
            return str(self.get_status_display())
        clause = self.clause or {}
        if self.silence_outcome:
            if self.silence_outcome == "approve":
                text = _("Expired — counts as approved under clause “%(title)s” v%(version)s")
            else:
                text = _("Expired — counts as declined under clause “%(title)s” v%(version)s")
            return str(text) % {"title": clause.get("title", ""), "version": clause.get("version")}
        return str(_("Expired unanswered"))


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    RESOLUTION = "resolution", _("Proposed resolution")


class Comment(models.Model):
    """A comment on a request, by a parent or a consented professional; a professional's may be
    a proposed resolution. Never edited."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=CommentKind, default=CommentKind.COMMENT)
    text = models.TextField(max_length=COMMENT_MAX_CHARS)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["request", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.request_id}"


class ReminderSent(models.Model):
    """A reminder of a request sent `hours` before its due time: one row per (request, hours),
    so a scan that runs twice, or two workers, remind once."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    hours = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "hours"], name="one_reminder_per_lead")
        ]

    def __str__(self) -> str:
        return f"reminder {self.hours}h of {self.request_id}"
