"""The notification centre's storage: each notification to one person, what each channel did
with it, each person's choices, and the devices they turned web push on for.

A notification is not a fact of the family (the fact is its record entry, which it points to
through `key`); it is one person's mail, which they mark read. Every notification carries
`family_id` like every family-owned row (ARCHITECTURE.md, tenancy).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.core.notify import EVENT_LEAD, EXCHANGE_LEAD, Channel, Kind
from coparent.families.models import Family

KIND_LABELS = {
    Kind.PROPOSAL: _("Plan proposals and answers"),
    Kind.EVENT: _("Children's events: new, changed, cancelled"),
    Kind.RSVP: _("Answers to my events"),
    Kind.MESSAGE: _("New messages"),
    Kind.EXCHANGE_REMINDER: _("Reminder of an exchange"),
    Kind.EVENT_REMINDER: _("Reminder of a child's event"),
    Kind.AGREEMENT: _("Agreement clauses: proposed, signed, declined"),
    Kind.EXCHANGE: _("Check-ins and notes at exchanges, pickup passes"),
    Kind.REQUEST: _("Requests: new, answered, commented, due soon, expired"),
    Kind.DOCUMENT: _("Documents: added, new versions"),
    Kind.INFOBANK: _("Changes to the children's info bank"),
    Kind.EXPENSE: _("Expenses: reimbursements asked and answered, payments"),
}
CHANNEL_LABELS = {
    Channel.IN_APP: _("In the app"),
    Channel.EMAIL: _("Email"),
    Channel.PUSH: _("Push"),
}
KIND_CHOICES = [(kind.value, label) for kind, label in KIND_LABELS.items()]
CHANNEL_CHOICES = [(channel.value, label) for channel, label in CHANNEL_LABELS.items()]
TITLE_MAX_CHARS = 200
BODY_MAX_CHARS = 300


class Notification(models.Model):
    """One thing to tell one person. `key` names what it is about ("entry:<id>" for a record
    entry, "exchange:<family>:<instant>" for a reminder), unique per recipient, so whatever
    runs twice creates it once. `in_app` is whether the centre lists it (the person may hear
    of a kind only by email or push)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    key = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Written without any message's text (core.notify): the words of a message reach a channel
    # only at delivery, and only for a person who asked (Preferences.include_content).
    title = models.CharField(max_length=TITLE_MAX_CHARS)
    body = models.CharField(max_length=BODY_MAX_CHARS, blank=True)
    url = models.CharField(max_length=300)  # a path on this site
    data = models.JSONField(default=dict, blank=True)  # ids the channels read at delivery
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_key")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, in_app=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """A notification handed to one channel (email or push). The row is written before the
    sending, under a unique (notification, channel): a job that runs twice finds it and sends
    nothing the second time (at most once — a second email is worse than a missing one)."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        NOWHERE = "nowhere", _("No device to send to")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=16, choices=CHANNEL_CHOICES)
    status = models.CharField(max_length=16, choices=Status, default=Status.SENDING)
    attempted_at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="one_delivery_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} by {self.channel}: {self.status}"


class ChannelChoice(models.Model):
    """A person's choice for one kind on one channel; no row means the default
    (coparent.core.notify.default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    channel = models.CharField(max_length=16, choices=CHANNEL_CHOICES)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="one_choice_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}/{self.channel}={self.enabled}"


class Preferences(models.Model):
    """A person's other choices. No row means the defaults: reminders 2 hours before an
    exchange and a day before an event, no message text in any notification, message emails
    one by one, the weekly checkpoint emailed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    exchange_lead_minutes = models.PositiveIntegerField(default=EXCHANGE_LEAD.default)
    event_lead_minutes = models.PositiveIntegerField(default=EVENT_LEAD.default)
    # The one opt-in for a message's words in a notification (email, push and the centre),
    # off by default: an inbox is shared, a lock screen read over a shoulder.
    include_content = models.BooleanField(default=False)
    # Message emails as one daily digest instead of one email per message.
    message_digest = models.BooleanField(default=False)
    # The weekly signed checkpoint of each family's record by email (a parent's only). Off, the
    # checkpoints are still issued and listed on the record's export page to download.
    checkpoint_email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"notification preferences of {self.user_id}"


class PushSubscription(models.Model):
    """One browser on one device that accepted web push for a person: the push service's
    endpoint and the keys that encrypt for it (RFC 8291). Removed when the person turns push
    off there, or when the push service answers that it is gone (404, 410)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=2000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"push for {self.user_id} ({self.user_agent or 'a browser'})"


class DigestSent(models.Model):
    """One daily digest of messages to one person: the unique day makes a second run of the
    job a no-op."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    period_end = models.DateTimeField()
    messages = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_message_digest_a_day")
        ]

    def __str__(self) -> str:
        return f"digest {self.day} to {self.user_id}"
