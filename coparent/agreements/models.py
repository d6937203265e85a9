"""Storage of the parenting agreement: its clauses, each clause's versions (every one a
proposal first) and the parents' signatures.

A clause is a place in the agreement (one topic, say "exchanges at the curb"); what it says
lives in its versions. A version is proposed by a parent or a consented professional and comes
into force when the parents have signed it (`coparent.agreements.services` says who signs
what); an amendment is a new version of the same clause, and the version it replaces becomes
superseded only when the amendment is signed. Signatures are facts, like messages: their table
is append-only (database triggers refuse UPDATE and DELETE, migration 0001). Every table
carries `family_id` (ARCHITECTURE.md, tenancy).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_lazy as _

from coparent.core.agreement import ClauseTopic, Decision, RequestKind
from coparent.families.models import Family

TITLE_MAX_CHARS = 200
BODY_MAX_CHARS = 10_000
REASON_MAX_CHARS = 1_000
TEMPLATE_MAX_CHARS = 64

TOPIC_LABELS = {
    ClauseTopic.BOUNDARIES: _("Boundaries and home access"),
    ClauseTopic.EXCHANGES: _("Exchanges and swaps"),
    ClauseTopic.COMMUNICATION: _("Communication"),
    ClauseTopic.JOINT_DECISIONS: _("Decisions that need both parents"),
    ClauseTopic.NEW_PARTNERS: _("New partners"),
    ClauseTopic.DEVICES: _("Phones, screens and devices"),
    ClauseTopic.HOLIDAYS: _("Holidays"),
    ClauseTopic.EXPENSES: _("Expenses"),
    ClauseTopic.OTHER: _("Other"),
}
TOPIC_CHOICES = [(topic.value, label) for topic, label in TOPIC_LABELS.items()]

DECISION_LABELS = {
    Decision.SOCIAL_MEDIA: _("Social media accounts, apps and phones"),
    Decision.TRAVEL: _("Travel out of state or abroad"),
    Decision.MEDICAL: _("Non-emergency medical care"),
    Decision.SCHOOL: _("School choice and enrolment"),
    Decision.RELIGION: _("Religion"),
    Decision.ACTIVITIES: _("Camps, clubs and lessons"),
}

REQUEST_KIND_LABELS = {
    RequestKind.SWAP: _("a swap"),
    RequestKind.TRIP: _("a trip"),
    RequestKind.ACTIVITY: _("an activity"),
    RequestKind.SOCIAL_MEDIA: _("social media or a device"),
    RequestKind.MEDICAL: _("medical care"),
    RequestKind.SCHOOL: _("school"),
    RequestKind.OTHER: _("anything else"),
}


class ClauseStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for signatures")
    IN_FORCE = "in_force", _("In force")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Replaced by a later version")


class Clause(models.Model):
    """One clause of a family's agreement, across its versions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="clauses")
    topic = models.CharField(_("section"), max_length=24, choices=TOPIC_CHOICES)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["family", "created_at"]
        indexes = [models.Index(fields=["family", "topic"])]

    def __str__(self) -> str:
        return f"clause {self.pk} ({self.topic})"


class ClauseVersion(models.Model):
    """What a clause says, as proposed once: in force from `signed_at` (when the last signature
    it needed came) until `superseded_at` (when an amendment came into force), if ever."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(help_text="1 for the clause's first version, and so on.")
    title = models.CharField(_("title"), max_length=TITLE_MAX_CHARS)
    body = models.TextField(_("text"), max_length=BODY_MAX_CHARS)
    # coparent.core.agreement.ClauseTerms.as_data(): what the product acts on, checked by
    # parse_terms before it is stored.
    terms = models.JSONField(default=dict, blank=True)
    # The library template it started from, if any (coparent.agreements.library).
    template = models.CharField(max_length=TEMPLATE_MAX_CHARS, blank=True)
    status = models.CharField(max_length=12, choices=ClauseStatus, default=ClauseStatus.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=utc_now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # Who declined or withdrew it, when, and (declined) why.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_CHARS, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["clause", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["clause", "number"], name="clause_version_unique")
        ]
        indexes = [models.Index(fields=["family", "status"])]

    def __str__(self) -> str:
        return f"{self.title} v{self.number} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == ClauseStatus.PROPOSED


class ClauseSignature(models.Model):
    """A parent's signature on a version. Never changed or removed (append-only)."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ClauseVersion, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["version", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "signer"], name="one_signature_per_signer")
        ]

    def __str__(self) -> str:
        return f"signature of {self.signer_id} on {self.version_id}"
