"""Messages between the parents (and, when they invite one, a professional).

Messages, deliveries, first views and attachments are facts: once written they never change.
Database triggers refuse UPDATE and DELETE on those tables (migration 0002), so a receipt is
its own row — a `MessageView` inserted on the first view — rather than a column set later.
Every table carries `family_id` (ARCHITECTURE.md, tenancy).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.families.models import Family

BODY_MAX_CHARS = 20_000
SUBJECT_MAX_CHARS = 200


class Topic(models.TextChoices):
    CHILDREN = "children", _("Children")
    SCHEDULE = "schedule", _("Schedule")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health")
    MONEY = "money", _("Money")
    OTHER = "other", _("Other")


class Thread(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="threads")
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_CHARS)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic, default=Topic.OTHER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The inbox's sort key, moved forward by each new message (the only column that changes;
    # the messages themselves never do).
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["family", "-last_message_at"], name="thread_family_recent"),
            models.Index(
                fields=["family", "topic", "-last_message_at"], name="thread_topic_recent"
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class ThreadParticipant(models.Model):
    """Who a thread is between: the parents (a co-parent who joins later is added then) and any
    professional the sender included. Rows are only ever added."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="one_participant_row")
        ]
        indexes = [models.Index(fields=["user", "family"], name="participant_user_family")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.thread_id}"


class Message(models.Model):
    # An integer key: SQLite's full-text index points at messages by rowid, which only stays
    # stable (through VACUUM) for an INTEGER PRIMARY KEY.
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    body_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["thread", "created_at", "id"], name="message_thread_order"),
            models.Index(fields=["family", "created_at"], name="message_family_time"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.thread_id}"


class MessageDelivery(models.Model):
    """A message reached a recipient: at sending, or — for a co-parent who had not joined yet —
    the moment they joined."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "recipient"], name="one_delivery_row")
        ]
        indexes = [
            models.Index(fields=["recipient", "family", "thread"], name="delivery_recipient"),
            models.Index(fields=["family", "delivered_at"], name="delivery_family_time"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} to {self.recipient_id}"


class MessageView(models.Model):
    """The first time a recipient saw a message. Inserted once; there is never a second row."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="one_first_view")]

    def __str__(self) -> str:
        return f"{self.message_id} viewed by {self.user_id}"


class Attachment(models.Model):
    """A photo or PDF sent with a message, stored under a random name in the data folder."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(max_length=200)  # the sender's file name, cleaned, for display
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    @property
    def is_photo(self) -> bool:
        """A photo (shown as a thumbnail on the thread page), not a PDF."""
        return self.content_type.startswith("image/")


class IdempotencyKey(models.Model):
    """A POST's `Idempotency-Key`, hashed, with a reference to what that POST created, so a
    retry answers with the first result instead of creating again. One person's key in one
    family: the same key in another family of theirs is another key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64)
    operation = models.CharField(max_length=64)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    resource_id = models.CharField(max_length=64)
    # SHA-256 of the request (its fields and files' hashes), so the key reused for different
    # content is refused; blank for keys stored before it was kept.
    request_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Family first: every family-owned row is found through its family (and a table
            # distributed by family_id can only enforce a unique key that includes it).
            models.UniqueConstraint(
                fields=["family", "user", "key_hash"], name="one_idempotency_key_per_family"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.resource_id}"


class NotificationSetting(models.Model):
    """How one person reads the messages they receive: the receiver's shield. No row means the
    shield off. (How a person is told of new messages, and whether a notification may carry a
    message's text, are their notification preferences: coparent.notifications.)"""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_notifications"
    )
    # The receiver's shield: hostile wording in messages from others is folded behind "show
    # original wording" on the thread page. A view only; the messages never change.
    shield_enabled = models.BooleanField(default=False)
    # When the person last chose about the shield: answered the offer on the thread page
    # ("Fold wording like this in future?") or saved the setting. Set, the offer never shows
    # again; empty, it shows on the first receipt of a hostile message while the shield is off.
    shield_answered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: shield {'on' if self.shield_enabled else 'off'}"
