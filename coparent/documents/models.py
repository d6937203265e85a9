"""The family's documents folder (issue 13): court orders, school reports, medical letters,
vaccination records, each with a title, the document's own date, the children it concerns and
a category, and one or more versions of its file.

Nothing here is ever changed or deleted: database triggers refuse UPDATE and DELETE on all three
tables (migration 0001). A corrected or newer copy is a new version; every earlier version stays
downloadable, and each upload is in the family record with its file's SHA-256. The files follow
the rules of message attachments (coparent.messaging.attachments): type from the bytes, photos
redrawn from their pixels, PDFs checked for scripts, stored under random names and served only
through the access path.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_lazy as _

from coparent.families.models import Child, Family

TITLE_MAX_CHARS = 200


class Category(models.TextChoices):
    COURT_ORDER = "court_order", _("Court order")
    SCHOOL_REPORT = "school_report", _("School report")
    MEDICAL_LETTER = "medical_letter", _("Medical letter")
    VACCINATION_RECORD = "vaccination_record", _("Vaccination record")
    OTHER = "other", _("Other")


class Document(models.Model):
    """One document of the family's folder, as first uploaded: what it is, not its file."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=TITLE_MAX_CHARS)
    # The document's own date (the day the order was made, the report's term end), not the
    # upload's: that one is each version's `created_at`.
    dated = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=24, choices=Category)
    children: models.ManyToManyField[Child, DocumentChild] = models.ManyToManyField(
        Child, through="DocumentChild", related_name="+", verbose_name=_("children")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["-dated", "-created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class DocumentChild(models.Model):
    """Which children a document concerns (the many-to-many table, with the family's id)."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "child"], name="one_row_per_document_child")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} in {self.document_id}"


class DocumentVersion(models.Model):
    """One upload of a document's file: the first, or a newer one that keeps the earlier."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()  # 1 for the first upload, then 2, 3…
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="one_version_number_per_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"

    @property
    def is_photo(self) -> bool:
        return self.content_type.startswith("image/")


def category_label(value: object) -> str:
    """A category's name in the active language; an unknown value as it is."""
    try:
        return str(Category(str(value)).label)
    except ValueError:
        return str(value)
