"""A parent's private journal (PRODUCT.md story 11): dated entries only their author reads, and
the one professional they choose may read the entries they share.

Nothing here is ever changed or deleted: triggers refuse UPDATE and DELETE on every table
(migration 0001). A correction is a new `Version` of the entry; sharing and withdrawing a share
are new `Share` rows, the latest of an entry's counting. Each version is one `Link` of its
author's own hash chain (coparent.core.record.journal), which the server signs on export.

No journal write goes into the family record and none notifies anyone: the other parent must
not learn that an entry exists.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_lazy as _

from coparent.families.models import Family, Membership
from coparent.records.models import ExportJobBase

# A journal entry is a long message at most (messaging's BODY_MAX_CHARS is 20,000): enough for
# a detailed account, not a place to paste a book.
TEXT_MAX_CHARS = 20_000
TAG_MAX_CHARS = 40
MAX_TAGS = 10
FILE_NAME_MAX_CHARS = 200


class LinkKind(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange")
    EVENT = "event", _("Child event")
    THREAD = "thread", _("Conversation")
    REQUEST = "request", _("Request")


class Entry(models.Model):
    """One journal entry: who wrote it, in which family. What it says is in its versions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["family", "author", "-created_at"])]
        verbose_name_plural = _("entries")

    def __str__(self) -> str:
        return f"journal entry {self.pk}"


class Version(models.Model):
    """What an entry says, as written once: the first version, or a correction of it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # The exact UTC text that was hashed (chain.format_at), as the record keeps it.
    at = models.CharField(max_length=27)
    written_at = models.DateTimeField(default=utc_now)
    happened_on = models.DateField()
    text = models.TextField()
    tags = models.JSONField(default=list)
    # The tags as "|first|second|", lower case: what the search and the tag filter match, the
    # same on SQLite and PostgreSQL.
    tag_line = models.CharField(max_length=(TAG_MAX_CHARS + 1) * MAX_TAGS + 1, blank=True)
    # None, or {"kind": LinkKind, "id": "...", "label": "..."}: checked through the author's
    # own access when written.
    link = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["entry", "number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="journal_version_once")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of {self.entry_id}"


class File(models.Model):
    """A photo or PDF of a version, under the rules of message attachments."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=FILE_NAME_MAX_CHARS)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_photo(self) -> bool:
        return self.content_type.startswith("image/")


class Link(models.Model):
    """One link of an author's chain in one family: the version it is, and its hashes."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    version = models.OneToOneField(Version, on_delete=models.PROTECT, related_name="chain_link")
    prev = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["family", "author", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "author", "seq"], name="journal_link_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return f"journal link #{self.seq}"


class Share(models.Model):
    """The author shares an entry with one professional (`professional` set), or withdraws the
    share (`professional` None). The latest row of an entry counts: a growing integer id, so
    two rows in the same microsecond still have an order."""

    id = models.BigAutoField(primary_key=True)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="shares")
    professional = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["entry", "pk"]

    def __str__(self) -> str:
        return f"share of {self.entry_id}"


class Anchor(models.Model):
    """What lets an author match a weekly `journal.anchor` record entry to their chain: the
    random salt of their commitment there and the head it committed to. Kept only for a parent
    with a journal; the record entry looks the same either way."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record_seq = models.PositiveBigIntegerField()
    salt = models.CharField(max_length=64)
    head_seq = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    commitment = models.CharField(max_length=64)

    class Meta:
        ordering = ["family", "author", "record_seq"]

    def __str__(self) -> str:
        return f"anchor at record #{self.record_seq}"


class ExportJob(ExportJobBase):
    """A parent's export of their own journal, or a professional's of what one parent shared
    with them (`shared_author` set), built and rendered by the task worker like the record's
    exports (records.jobs: a PDF of a long journal takes many seconds, too long for a request).

    Unlike the record's, a journal export is its asker's alone: only the member who asked sees
    its page and downloads its file, and it is kept a week only (it holds private entries in
    full). Nothing is appended to the family record: the journal is private, and so is the fact
    that anyone exported it.
    """

    KEEP = timedelta(days=7)
    FILE_PREFIX = "journal-"
    EMAIL_TEMPLATE = "journal/email/export_ready"

    # The parent whose entries shared with the asking professional this export holds; None
    # for a parent's export of their own journal.
    shared_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta(ExportJobBase.Meta):
        indexes = [
            models.Index(fields=["family", "requested_by", "-created_at"]),
            # The expiry sweep's question: the prepared files, oldest first.
            models.Index(fields=["status", "finished_at"], name="journal_export_expiry"),
        ]

    def __str__(self) -> str:
        return f"journal export {self.pk} ({self.file_format}, {self.status})"

    def get_absolute_url(self) -> str:
        name = "journal:export_job" if self.shared_author_id is None else "journal:shared_job"
        return reverse(name, kwargs={"family_id": self.family_id, "job_id": self.pk})
