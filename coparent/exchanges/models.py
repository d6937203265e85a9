"""What happened at an exchange: who checked in when, and the notes either parent added
(PRODUCT.md, story 1 "The gate" and story 8 "He said, she said").

An exchange is planned by the schedule (coparent.schedule); it gets a row here only when a
check-in or a note first touches it, holding what the plan said then (when, who hands over, who
receives, where), so a later change of plan cannot rewrite what the parents were answering to.
Nothing here is ever changed or deleted: database triggers refuse UPDATE and DELETE on all three
tables (migration 0001), and a correction is a new note that follows the first.

A shared location is kept only to about 100 m (three decimals of a degree) and only on the
check-in row, never in the family record: the other parent is told at most whether it was at
the exchange place, never where it was.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_lazy as _

from coparent.families.models import Family

PLACE_MAX_CHARS = 200
NOTE_MAX_CHARS = 4_000
# Three decimals of a degree: about 111 m north-south, less east-west away from the equator.
LOCATION_DECIMALS = 3
PASS_NAME_MAX_CHARS = 60
# Check-ins open a day before the planned time and close a day after it: enough for an early
# arrival or a late handover, not a way to fill in last month.
CHECK_IN_WINDOW = timedelta(days=1)


class Step(models.TextChoices):
    ARRIVED = "arrived", _("I'm here")
    HANDED_OVER = "handed_over", _("Handed over")
    RECEIVED = "received", _("Received")


class Occurrence(models.Model):
    """One planned exchange, as the plan said it when someone first checked in or wrote."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    planned_at = models.DateTimeField()
    from_parent = models.CharField(max_length=1)  # the plan's letter, "A" or "B"
    to_parent = models.CharField(max_length=1)
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    place = models.CharField(max_length=PLACE_MAX_CHARS, blank=True)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["family", "planned_at"], name="exchange_once_per_family_and_instant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_parent}→{self.to_parent} {self.planned_at:%Y-%m-%d %H:%M}Z"


class CheckIn(models.Model):
    """One tap at an exchange. `at` is the server's clock, never the phone's."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="check_ins")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=12, choices=Step)
    at = models.DateTimeField(default=utc_now)
    latitude = models.DecimalField(
        max_digits=3 + LOCATION_DECIMALS, decimal_places=LOCATION_DECIMALS, null=True
    )
    longitude = models.DecimalField(
        max_digits=4 + LOCATION_DECIMALS, decimal_places=LOCATION_DECIMALS, null=True
    )
    # Whether the shared position was at the exchange place (its pin, PlacePin), decided when
    # the tap was made; None without a shared position or a pinned place. The only thing the
    # other parent learns of a position.
    at_place = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "user", "step"], name="check_in_once_per_step"
            )
        ]
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.step} at {self.at:%Y-%m-%d %H:%M}Z"

    @property
    def location_shared(self) -> bool:
        return self.latitude is not None


class Note(models.Model):
    """What a parent wrote about an exchange ("denied entry at the gate, 15:05"). Never edited:
    a correction is a new note naming the one it follows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=NOTE_MAX_CHARS)
    follows = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="followed_by"
    )
    at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"note at {self.at:%Y-%m-%d %H:%M}Z"


class PickupPass(models.Model):
    """A signed statement for a school office or a caregiver: these children are with this
    parent in this window, according to the plan and its approved changes
    (coparent.core.pickup_pass). The row keeps what the pass says and who issued it; the token
    itself is made again from it on demand (Ed25519 signatures are deterministic)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    parent_name = models.CharField(max_length=PASS_NAME_MAX_CHARS)
    children = models.JSONField()  # the first names, in the order the pass lists them
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    issued_at = models.DateTimeField(default=utc_now)
    token = models.TextField()

    class Meta:
        ordering = ["-issued_at", "pk"]

    def __str__(self) -> str:
        return f"pass {self.starts_at:%Y-%m-%d %H:%M}Z–{self.ends_at:%Y-%m-%d %H:%M}Z"


class PassRevocation(models.Model):
    """A pass withdrawn before its window ended: from then on its check page says "revoked"."""

    pickup_pass = models.OneToOneField(
        PickupPass, on_delete=models.PROTECT, primary_key=True, related_name="revocation"
    )
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=utc_now)

    def __str__(self) -> str:
        return f"revoked {self.at:%Y-%m-%d %H:%M}Z"


class NotePhoto(models.Model):
    """A photo or PDF with a note ("the locked gate"), under the rules of message attachments
    (coparent.messaging.attachments): type from the bytes, photos redrawn from their pixels so
    no GPS position or camera data survives, stored under a random name, served only through
    the access path."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="photos")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_photo(self) -> bool:
        return self.content_type.startswith("image/")


class PlacePin(models.Model):
    """Where an exchange place is, as a parent standing there shared it with a tap (about
    100 m, like every position here): what "at the exchange place" is measured from. The latest
    pin of a place counts; earlier ones stay."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(max_length=PLACE_MAX_CHARS)  # the plan's words for it
    latitude = models.DecimalField(
        max_digits=3 + LOCATION_DECIMALS, decimal_places=LOCATION_DECIMALS
    )
    longitude = models.DecimalField(
        max_digits=4 + LOCATION_DECIMALS, decimal_places=LOCATION_DECIMALS
    )
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["-at", "pk"]

    def __str__(self) -> str:
        return self.place
