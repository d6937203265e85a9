"""Delivery: each stored notification handed to the email and push channels its recipient
chose, each at most once.

Before a channel sends, it claims the notification with a `Delivery` row under a unique
(notification, channel): a job that runs twice, or two workers on the same notification, find
the row and send nothing more. (The in-app channel is the notification row itself.)

The content rule: a message's words reach a channel only for a recipient who asked for them
(Preferences.include_content), and then through their shield as the thread page shows them
(coparent.messaging.shield), since an email or a lock screen cannot unfold anything.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from coparent.accounts.models import User
from coparent.core.notify import Channel, Kind, excerpt
from coparent.events.models import ChildEvent
from coparent.events.summaries import change_lines
from coparent.infra.mail import send_email
from coparent.messaging import shield
from coparent.messaging.models import Message
from coparent.notifications import push
from coparent.notifications.models import Delivery, Notification, PushSubscription
from coparent.notifications.selectors import Choices, choices_of
from coparent.records.models import Kind as EntryKind
from coparent.records.models import RecordEntry
from coparent.web.zones import family_zone, reading_in

logger = logging.getLogger("coparent.notifications")

PUSH_TTL = 24 * 3600  # a push a device could not take within a day is no longer news


def absolute(path: str) -> str:
    return settings.BASE_URL + path


def words_of(message: Message, reader: User, choices: Choices) -> str:
    """A message's words as `reader` may see them outside the thread page: none unless they
    asked, folded where their shield folds."""
    if not choices.include_content:
        return ""
    if shield.applies(
        reader=reader, sender_id=message.sender_id, enabled=shield.shield_enabled(reader)
    ):
        return shield.email_text(message.body)
    return message.body


def message_text(notification: Notification, choices: Choices) -> str:
    """The words of the message a notification is about, for its recipient (`words_of`)."""
    if notification.kind != Kind.MESSAGE or not choices.include_content:
        return ""
    message = Message.objects.filter(
        family_id=notification.family_id, pk=notification.data.get("message")
    ).first()
    return "" if message is None else words_of(message, notification.recipient, choices)


def _claim(notification: Notification, channel: Channel) -> Delivery | None:
    """The channel's delivery row, written now; None when another run wrote it first."""
    try:
        with transaction.atomic():
            return Delivery.objects.create(notification=notification, channel=channel.value)
    except IntegrityError:
        return None


def _finish(delivery: Delivery, status: str, detail: str = "") -> None:
    delivery.status, delivery.detail = status, detail[:300]
    delivery.save(update_fields=["status", "detail"])


# --- email ------------------------------------------------------------------------------------


def _entry(notification: Notification) -> RecordEntry | None:
    entry_id = notification.data.get("entry")
    if entry_id is None:
        return None
    return (
        RecordEntry.objects.filter(family_id=notification.family_id, pk=entry_id)
        .select_related("actor")
        .first()
    )


def _email_of_message(notification: Notification, choices: Choices) -> tuple[str, dict[str, Any]]:
    message = Message.objects.select_related("sender", "thread", "family").get(
        family_id=notification.family_id, pk=notification.data["message"]
    )
    return "messaging/email/new_message", {
        "sender": message.sender.display_name,
        "family": message.family.name,
        "subject": message.thread.subject,
        "body": message_text(notification, choices),
        "link": absolute(notification.url),
    }


def _email_of_event(notification: Notification) -> tuple[str, dict[str, Any]] | None:
    entry = _entry(notification)
    event = (
        ChildEvent.objects.filter(family_id=notification.family_id, pk=notification.data["event"])
        .select_related("family")
        .prefetch_related("children")
        .first()
    )
    if entry is None or event is None:
        return None
    # What the event is when the email goes out; what changed, as the record says.
    return "events/email/notice", {
        "event": event,
        "actor": entry.actor.display_name if entry.actor else "",
        "family": event.family.name,
        "children": ", ".join(child.name for child in event.children.all()),
        "added": entry.kind == EntryKind.EVENT_ADDED,
        "changed": entry.kind == EntryKind.EVENT_CHANGED,
        "cancelled": entry.kind == EntryKind.EVENT_CANCELLED,
        "changes": change_lines(entry.data.get("changes", {})),
        "reason": entry.data.get("reason", ""),
        "link": absolute(notification.url),
    }


def _email(notification: Notification, choices: Choices) -> None:
    email: tuple[str, dict[str, Any]] | None
    if notification.kind == Kind.MESSAGE:
        email = _email_of_message(notification, choices)
    elif notification.kind == Kind.EVENT:
        email = _email_of_event(notification)
    else:
        email = (
            "notifications/email/notice",
            {
                "title": notification.title,
                "body": notification.body,
                "family": notification.family.name,
                "link": absolute(notification.url),
            },
        )
    if email is None:
        raise LookupError("what the notification is about is gone")
    template, context = email
    # The email gives times in the family's zone, as the family's pages do (the worker has no
    # request to take a zone from).
    with reading_in(family_zone(notification.family)):
        send_email(
            template=template,
            context={
                **context,
                "recipient": notification.recipient,
                "preferences": absolute(reverse("notifications:preferences")),
            },
            to=notification.recipient.email,
        )


# --- push -------------------------------------------------------------------------------------


def push_payload(notification: Notification, choices: Choices) -> dict[str, Any]:
    """What the service worker shows (coparent/web/static/coparent/sw.js)."""
    text = message_text(notification, choices)
    body = excerpt(text) if text else notification.body
    return {
        "title": notification.title,
        "body": " · ".join(part for part in (body, notification.family.name) if part),
        "url": notification.url,
        "tag": f"coparent-{notification.pk}",
    }


def _push_ttl(notification: Notification) -> int:
    starts = notification.data.get("starts_at")
    if starts:  # a reminder means nothing once the exchange or the event has begun
        left = int((datetime.fromisoformat(starts) - timezone.now()).total_seconds())
        return max(60, min(PUSH_TTL, left))
    return PUSH_TTL


def _push(notification: Notification, choices: Choices, delivery: Delivery) -> None:
    subscriptions = list(notification.recipient.push_subscriptions.all())
    if not subscriptions:
        _finish(delivery, Delivery.Status.NOWHERE)
        return
    payload = push_payload(notification, choices)
    outcomes = [push.send(s, payload, ttl=_push_ttl(notification)) for s in subscriptions]
    sent = [s for s, o in zip(subscriptions, outcomes, strict=True) if o.sent]
    if sent:
        PushSubscription.objects.filter(pk__in=[s.pk for s in sent]).update(
            last_sent_at=timezone.now()
        )
    details = ", ".join(o.detail for o in outcomes if o.detail)
    _finish(delivery, Delivery.Status.SENT if sent else Delivery.Status.FAILED, details)


# --- both -------------------------------------------------------------------------------------


def deliver(notifications: Sequence[Notification]) -> int:
    """Hand each notification to the email and push channels its recipient chose, once.
    Returns how many deliveries this run made (sent or failed)."""
    choices = choices_of(n.recipient_id for n in notifications)
    done = set(
        Delivery.objects.filter(notification__in=notifications).values_list(
            "notification_id", "channel"
        )
    )
    made = 0
    for notification in notifications:
        recipient = notification.recipient
        mine = choices[recipient.pk]
        if not recipient.is_active:
            continue
        if (
            mine.wants(notification.kind, Channel.EMAIL)
            and not (notification.kind == Kind.MESSAGE and mine.message_digest)
            and (notification.pk, Channel.EMAIL.value) not in done
        ):
            delivery = _claim(notification, Channel.EMAIL)
            if delivery is not None:
                made += 1
                try:
                    _email(notification, mine)
                except Exception as error:  # noqa: BLE001 - one bad email must not stop the rest
                    logger.exception("Email of notification %s failed", notification.pk)
                    _finish(delivery, Delivery.Status.FAILED, type(error).__name__)
                else:
                    _finish(delivery, Delivery.Status.SENT)
        if (
            mine.wants(notification.kind, Channel.PUSH)
            and (notification.pk, Channel.PUSH.value) not in done
        ):
            delivery = _claim(notification, Channel.PUSH)
            if delivery is not None:
                made += 1
                _push(notification, mine, delivery)
    return made
