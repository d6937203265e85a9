"""Storage of the family record (its rows are never updated or deleted: triggers refuse it)
and of the exports people ask for on the web page."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.core.zones import ZONE_MAX_CHARS
from coparent.families.models import Family


class Kind(models.TextChoices):
    FAMILY_CREATED = "family.created", _("Family created")
    FAMILY_ZONE_CHANGED = "family.zone_changed", _("Family's time zone changed")
    MEMBER_INVITED = "member.invited", _("Member invited")
    INVITATION_CANCELLED = "member.invitation_cancelled", _("Invitation cancelled")
    MEMBER_JOINED = "member.joined", _("Member joined")
    MEMBER_LEFT = "member.left", _("Member left")
    CONSENT_GIVEN = "consent.given", _("Consent given")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Consent withdrawn")
    CHILD_ADDED = "child.added", _("Child added")
    CHILD_CHANGED = "child.changed", _("Child changed")
    MESSAGE_SENT = "message.sent", _("Message sent")
    MESSAGE_DELIVERED = "message.delivered", _("Messages delivered")
    MESSAGE_VIEWED = "message.viewed", _("Message first viewed")
    EVENT_ADDED = "event.added", _("Child event added")
    EVENT_CHANGED = "event.changed", _("Child event changed")
    EVENT_CANCELLED = "event.cancelled", _("Child event cancelled")
    EVENT_RSVP = "event.rsvp", _("Child event answered")
    EXCHANGE_CHECKED_IN = "exchange.checked_in", _("Checked in at an exchange")
    EXCHANGE_NOTE = "exchange.note_added", _("Note on an exchange")
    EXCHANGE_PLACE_PINNED = "exchange.place_pinned", _("Exchange place located")
    PASS_ISSUED = "pass.issued", _("Pickup pass issued")
    PASS_REVOKED = "pass.revoked", _("Pickup pass revoked")
    EXPENSE_ADDED = "expense.added", _("Expense logged")
    EXPENSE_CORRECTED = "expense.corrected", _("Expense corrected")
    REIMBURSEMENT_ASKED = "expense.reimbursement_asked", _("Reimbursement asked")
    REIMBURSEMENT_ANSWERED = "expense.reimbursement_answered", _("Reimbursement answered")
    REIMBURSEMENT_REMINDED = "expense.reimbursement_reminded", _("Reimbursement reminder")
    PAYMENT_RECORDED = "expense.payment_recorded", _("Payment recorded")
    PAYMENT_CONFIRMED = "expense.payment_confirmed", _("Payment confirmed")
    PLAN_PROPOSED = "plan.proposed", _("Plan proposed")
    PLAN_ACCEPTED = "plan.accepted", _("Plan accepted")
    PLAN_DECLINED = "plan.declined", _("Plan declined")
    PLAN_WITHDRAWN = "plan.withdrawn", _("Plan withdrawn")
    AGREEMENT_CLAUSE_PROPOSED = "agreement.clause_proposed", _("Agreement clause proposed")
    AGREEMENT_CLAUSE_SIGNED = "agreement.clause_signed", _("Agreement clause signed")
    AGREEMENT_CLAUSE_DECLINED = "agreement.clause_declined", _("Agreement clause declined")
    AGREEMENT_CLAUSE_WITHDRAWN = "agreement.clause_withdrawn", _("Agreement clause withdrawn")
    RECORD_EXPORTED = "record.exported", _("Record exported")
    # Requests between the parents (coparent.requests) and the calendar changes they make.
    REQUEST_MADE = "request.made", _("Request made")
    REQUEST_APPROVED = "request.approved", _("Request approved")
    REQUEST_DECLINED = "request.declined", _("Request declined")
    REQUEST_COUNTERED = "request.countered", _("Request countered")
    REQUEST_WITHDRAWN = "request.withdrawn", _("Request withdrawn")
    REQUEST_EXPIRED = "request.expired", _("Request expired")
    REQUEST_COMMENTED = "request.commented", _("Request commented on")
    REQUEST_REMINDED = "request.reminded", _("Reminder of a request due")
    SCHEDULE_CHANGED = "schedule.changed", _("Calendar changed")
    # The family's documents folder (coparent.documents): each upload with its file's SHA-256.
    DOCUMENT_ADDED = "document.added", _("Document added")
    DOCUMENT_VERSION_ADDED = "document.version_added", _("New version of a document")
    # The weekly seal of each parent's private journal (coparent.journal.anchor): the same in
    # every family, whether anyone keeps a journal or not.
    JOURNAL_ANCHOR = "journal.anchor", _("Weekly time seal")
    # The children's info bank (coparent.infobank): a sensitive value never in clear.
    INFO_ADDED = "infobank.added", _("Info bank item added")
    INFO_CHANGED = "infobank.changed", _("Info bank item changed")
    INFO_REMOVED = "infobank.removed", _("Info bank item removed")
    INFO_REVEALED = "infobank.revealed", _("Info bank number revealed")
    # A parent's home address and safe mode (coparent.families, docs/safety.md): the address
    # only as a salted commitment, never in clear.
    HOME_CHANGED = "home.changed", _("Home address or safe mode changed")


class RecordEntry(models.Model):
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="record_entries")
    seq = models.PositiveBigIntegerField()
    # The exact string that was hashed; kept as text so the hash recomputes byte for byte on
    # any database, whatever its datetime precision.
    at = models.CharField(max_length=27)
    kind = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=True,
    )
    data = models.JSONField(default=dict)
    prev = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["family", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["family", "seq"], name="record_seq_unique_per_family")
        ]
        indexes = [models.Index(fields=["family", "kind", "seq"])]
        verbose_name_plural = _("record entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"

    @property
    def kind_label(self) -> str:
        try:
            return str(Kind(self.kind).label)
        except ValueError:
            return self.kind


class RecordSeal(models.Model):
    """The content behind an entry's ``data["sealed"]`` commitment, with its random salt.

    A message's subject, text and files are private to the people in its conversation, yet the
    record is read by every parent and consented professional: the entry carries only the
    commitment (chain.seal), and this row keeps what it commits to, disclosed to those who may
    read it (records.disclosure). Append-only like the entries (triggers, migration 0005).
    """

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField(RecordEntry, on_delete=models.PROTECT, related_name="seal")
    # {"salt": "<64 hex>", ...the content}: exactly what was hashed into the commitment.
    opened = models.JSONField()

    def __str__(self) -> str:
        return f"seal of entry {self.entry_id}"


class ExportJobBase(models.Model):
    """What every export built by the task worker shares (the record's here, a parent's
    journal in coparent.journal): who asked, in which format, its status and progress as the
    worker writes them, and the stored file until it expires. The worker's side (claim, progress,
    failure, the file, the email, expiry) is records.jobs, used by every subclass.

    A prepared file is kept `KEEP` after it is ready; then the periodic sweep
    (records.tasks.sweep_expired_exports) removes it from the server's disk and marks the job
    expired. The row stays: its page says "Expired: ask again".
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired: ask again")

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        JSON = "json", _("JSON")

    # How long a prepared file stays downloadable; each subclass says.
    KEEP: ClassVar[timedelta]
    # The stored file's name starts with it ("journal-"): nothing depends on it but people
    # looking at the folder.
    FILE_PREFIX: ClassVar[str] = ""
    # The email sent when the file is ready (records.jobs.send_ready): a link, no content.
    EMAIL_TEMPLATE: ClassVar[str]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    file_format = models.CharField(max_length=8, choices=Format.choices)
    # The locale whose conventions the PDF's dates follow: the asker's, from their browser.
    locale = models.CharField(max_length=35, default="en")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    total_entries = models.PositiveIntegerField(default=0)
    # Relative to MEDIA_ROOT ("exports/<random>.pdf"): the random part keeps names unguessable
    # even to someone who can list the folder's neighbours' names. Emptied when it expires.
    file_name = models.CharField(max_length=200, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def get_absolute_url(self) -> str:
        """The job's progress page, which the ready email links to."""
        raise NotImplementedError

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def expires_at(self) -> datetime | None:
        """When a prepared file stops being downloadable; None while there is none."""
        if self.status != self.Status.DONE:
            return None
        return (self.finished_at or self.created_at) + self.KEEP

    def is_expired(self, now: datetime | None = None) -> bool:
        """Whether the file is gone or past `KEEP` (the sweep may not have come by yet)."""
        if self.status == self.Status.EXPIRED:
            return True
        expires = self.expires_at
        return expires is not None and (not self.file_name or (now or timezone.now()) >= expires)

    @property
    def content_type(self) -> str:
        return "application/pdf" if self.file_format == self.Format.PDF else "application/json"


class ExportJob(ExportJobBase):
    """One export of the family record asked for on the web page, built and rendered by the
    task worker.

    The "record.exported" entry is appended when the job is created, and ``head_seq`` is its
    seq: the worker exports the record up to and including that entry, whatever is appended
    while it works, so the document still ends with the export itself.
    """

    # The record's export is the family's: a parent or professional may come back for it.
    KEEP = timedelta(days=30)
    EMAIL_TEMPLATE = "records/email/export_ready"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="export_jobs")
    # The scope, as the person chose it: None for every kind, and inclusive dates.
    kinds = models.JSONField(null=True, blank=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    # The PDF's readable sections (records.report keys): None for every one.
    sections = models.JSONField(null=True, blank=True)
    # The zone whose calendar days `date_from` and `date_to` are (the family's when asked).
    timezone = models.CharField(max_length=ZONE_MAX_CHARS, default="UTC")
    head_seq = models.PositiveBigIntegerField()

    class Meta(ExportJobBase.Meta):
        indexes = [
            models.Index(fields=["family", "-created_at"]),
            # The expiry sweep's question: the prepared files, oldest first.
            models.Index(fields=["status", "finished_at"], name="records_export_expiry"),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.file_format}, {self.status})"

    def get_absolute_url(self) -> str:
        return reverse(
            "records:export_job", kwargs={"family_id": self.family_id, "job_id": self.pk}
        )


class Checkpoint(models.Model):
    """A signed checkpoint of a family's record, issued every week and sent to each parent
    (records.tasks.issue_weekly_checkpoints). A parent who keeps one can prove later that an
    export extends it (`coparent verify FILE.json --checkpoint FILE`): nothing up to its entry
    was changed, removed or reordered since. Append-only (triggers, migration 0008)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="checkpoints")
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    # The signed note exactly as sent (core.record.chain.make_checkpoint).
    note = models.TextField()
    # The ISO week it was issued for ("2027-W11"): one a week per family, however many
    # workers run the task at once.
    week = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["family", "week"], name="one_checkpoint_a_week")
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.week} of {self.family_id}: entry {self.seq}"
