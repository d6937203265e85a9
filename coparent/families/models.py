"""Family spaces and who belongs to them.

Every family-owned row carries `family_id` (ARCHITECTURE.md, tenancy) so that every query can
filter on it and the tables can later be distributed by it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.core.zones import ZONE_MAX_CHARS

MAX_PARENTS = 2


class Role(models.TextChoices):
    PARENT = "parent", _("Parent")
    PROFESSIONAL = "professional", _("Professional")
    VIEWER = "viewer", _("Viewer")


class ProfessionalKind(models.TextChoices):
    MEDIATOR = "mediator", _("Mediator")
    PARENTING_COORDINATOR = "parenting_coordinator", _("Parenting coordinator")
    LAWYER = "lawyer", _("Lawyer")
    GUARDIAN_AD_LITEM = "guardian_ad_litem", _("Guardian ad litem")
    THERAPIST = "therapist", _("Counsellor or therapist")


class Family(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("family name"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # (After the fields that use django.utils.timezone, which this name hides in the class.)
    # The IANA zone every page of the family shows its times in (coparent.web.zones), chosen at
    # creation (the creator's browser's zone by default) and changed by a parent.
    timezone = models.CharField(_("time zone"), max_length=ZONE_MAX_CHARS, default="UTC")

    class Meta:
        verbose_name_plural = _("families")

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    """The one way to ask for seats: `Membership.objects.active().parents()`, never a
    hand-written `ended_at__isnull=True, role=...` (docs/new-app.md, "Access path")."""

    def active(self) -> MembershipQuerySet:
        """Seats held now: the person has not left and was not removed."""
        return self.filter(ended_at__isnull=True)

    def parents(self) -> MembershipQuerySet:
        return self.filter(role=Role.PARENT)

    def professionals(self) -> MembershipQuerySet:
        return self.filter(role=Role.PROFESSIONAL)


class Membership(models.Model):
    """A person's seat in a family. Leaving ends the seat; the row stays for the history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role)
    professional_kind = models.CharField(max_length=32, choices=ProfessionalKind, blank=True)
    # For a viewer: how they relate to the children ("new partner", "grandmother").
    relationship = models.CharField(_("relationship"), max_length=60, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            # One active seat per person per family.
            models.UniqueConstraint(
                fields=["family", "user"],
                condition=Q(ended_at__isnull=True),
                name="one_active_membership_per_user",
            )
        ]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Child(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(_("name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date_of_birth", "name"]
        verbose_name_plural = _("children")

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """A single-use invitation link. Only the SHA-256 of the token is stored."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(_("email address"), max_length=254)
    role = models.CharField(_("role"), max_length=16, choices=Role)
    professional_kind = models.CharField(max_length=32, choices=ProfessionalKind, blank=True)
    relationship = models.CharField(max_length=60, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["family", "status"])]

    def __str__(self) -> str:
        return f"invitation of {self.email} as {self.role}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class ProfessionalConsent(models.Model):
    """One parent's consent to one professional's access. Withdrawing ends it; giving it again
    makes a new row, so the history of consent stays readable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="consents")
    professional = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="consents")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["professional", "parent"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_consent_per_parent",
            )
        ]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "active"
        return f"consent of {self.parent_id} to {self.professional_id} ({state})"


ADDRESS_MAX_CHARS = 300


class HomeAddress(models.Model):
    """One version of a parent's home address in one family, with their safe mode switch.

    Kept per parent *per family* rather than per account: safe mode is a choice about one
    co-parent (a person raising children with two different co-parents may hide their address
    from one and not the other), an address kept for one family must never reach another, and
    every family-owned row carries `family_id` (ARCHITECTURE.md, tenancy). The latest version
    (highest `n`) is in force; rows are only appended (triggers, migration 0003), so a change is
    a new row and the history stays. An empty `address` means none is kept.

    With `safe_mode` on, nobody but the parent sees the address: exchanges at their home (the
    plan's `home:A`/`home:B`, coparent.core.places) show the others a label instead
    (coparent.families.selectors.HomePlaces). The record holds only a salted commitment to it
    (`salt`), never the address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="home_addresses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    n = models.PositiveIntegerField(help_text="1 for the parent's first version in this family.")
    address = models.TextField(_("home address"), max_length=ADDRESS_MAX_CHARS, blank=True)
    safe_mode = models.BooleanField(_("safe mode"), default=False)
    salt = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family", "user", "-n"]
        constraints = [
            models.UniqueConstraint(fields=["family", "user", "n"], name="home_address_n_unique")
        ]

    def __str__(self) -> str:
        return f"home of {self.user_id} in {self.family_id} v{self.n}"
