"""The children's info bank (issue 13): one shared, current, dated source of facts about each
child — school, doctors, allergies, medicines, sizes, emergency contacts, passports.

An item (an allergy, a doctor) is a row naming its child and kind; what it says is its versions,
each written whole by one parent at one moment. The current value is the latest version; a
change or a removal is a new version, so every field keeps who set it, when, and what it said
before. Nothing here is ever changed or deleted: database triggers refuse UPDATE and DELETE on
all three tables (migration 0001).

A sensitive value (a passport or ID number, coparent.core.infobank) is stored here in clear —
the parents need it back — but never goes into the family record, and pages show it masked
until a parent reveals it; each reveal is a RevealLog row and a record entry.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.timezone import now as utc_now

from coparent.core import infobank
from coparent.families.models import Child, Family

KIND_CHOICES = [(k.key, k.label) for k in infobank.KINDS.values()]


class InfoItem(models.Model):
    """One thing known about a child: its kind and who first wrote it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=KIND_CHOICES)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["family", "child", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class InfoItemVersion(models.Model):
    """What an item said from `set_at` on, as `set_by` wrote it (`n` counts from 1). `removed`
    closes the item (its values are the last ones, kept for the history); `for_care` is the
    parents' mark: a viewer (a nanny) sees the item. `salt` makes the record's commitment to a
    sensitive value (core.infobank.public) unguessable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(InfoItem, on_delete=models.PROTECT, related_name="versions")
    n = models.PositiveIntegerField()
    values = models.JSONField(default=dict)
    removed = models.BooleanField(default=False)
    for_care = models.BooleanField(default=False)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=utc_now)
    salt = models.CharField(max_length=32)

    class Meta:
        ordering = ["item", "n"]
        constraints = [
            models.UniqueConstraint(fields=["item", "n"], name="infobank_version_once_per_n")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.n}"


class RevealLog(models.Model):
    """A parent asked to see a masked value in full: who, when, which item and version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(InfoItem, on_delete=models.PROTECT, related_name="reveals")
    version = models.ForeignKey(InfoItemVersion, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["-at", "pk"]

    def __str__(self) -> str:
        return f"reveal {self.item_id} at {self.at:%Y-%m-%d %H:%M}Z"
