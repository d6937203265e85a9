"""Email about new messages, sent by the task worker after the message is committed.

An email never carries the other parent's address, IP or location: it comes from the site's
own address, names the sender by display name only, and carries the message's text only when
the recipient asked for it (off by default — an inbox is often shared or read over a shoulder).
With the recipient's shield on, that text comes with the hostile wording folded, as on the
thread page (an email cannot open a fold, so a note stands in for it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from coparent.accounts.models import User
from coparent.infra.mail import send_email
from coparent.messaging import shield
from coparent.messaging.models import (
    DigestSent,
    Frequency,
    Message,
    MessageDelivery,
    MessageView,
    NotificationSetting,
)


def _setting(user: User) -> NotificationSetting:
    return NotificationSetting.objects.filter(user=user).first() or NotificationSetting(user=user)


def _body(message: Message, recipient: User, setting: NotificationSetting) -> str:
    """The message's text as the recipient's email carries it: none unless they asked for
    it, and folded where their shield folds the thread page."""
    if not setting.include_content:
        return ""
    if shield.applies(
        reader=recipient, sender_id=message.sender_id, enabled=setting.shield_enabled
    ):
        return shield.email_text(message.body)
    return message.body


def _thread_link(message: Message) -> str:
    return settings.BASE_URL + reverse(
        "messaging:thread", kwargs={"family_id": message.family_id, "thread_id": message.thread_id}
    )


@task()
def notify_new_message(message_id: int) -> int:
    """Email each recipient who wants to hear at once. Returns how many emails went out."""
    message = Message.objects.select_related("sender", "thread", "family").get(pk=message_id)
    deliveries = MessageDelivery.objects.filter(message=message).select_related("recipient")
    sent = 0
    for delivery in deliveries:
        recipient = delivery.recipient
        setting = _setting(recipient)
        if setting.frequency != Frequency.IMMEDIATE or not recipient.is_active:
            continue
        context = {
            "recipient": recipient,
            "sender": message.sender.display_name,
            "family": message.family.name,
            "subject": message.thread.subject,
            "body": _body(message, recipient, setting),
            "link": _thread_link(message),
        }
        send_email(template="messaging/email/new_message", context=context, to=recipient.email)
        sent += 1
    return sent


def send_digests(*, now: datetime | None = None) -> int:
    """One email per person who chose the daily digest and has unopened messages delivered
    since their last digest. A person gets at most one digest a day, however often this runs:
    the (user, day) row is written in the same transaction as the sending."""
    now = now or timezone.now()
    today: date = now.date()
    sent = 0
    daily = NotificationSetting.objects.filter(
        frequency=Frequency.DAILY, user__is_active=True
    ).select_related("user")
    for setting in daily:
        user = setting.user
        last = DigestSent.objects.filter(user=user).order_by("-period_end").first()
        since = last.period_end if last else now - timedelta(days=1)
        waiting = list(
            MessageDelivery.objects.filter(
                recipient=user, delivered_at__gt=since, delivered_at__lte=now
            )
            .exclude(
                Exists(MessageView.objects.filter(message_id=OuterRef("message_id"), user=user))
            )
            .select_related("message__sender", "message__thread", "family")
            .order_by("delivered_at", "pk")
        )
        if not waiting:
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(
                    user=user, day=today, period_end=now, messages=len(waiting), sent_at=now
                )
                context = {
                    "recipient": user,
                    "items": [
                        {
                            "sender": d.message.sender.display_name,
                            "family": d.family.name,
                            "subject": d.message.thread.subject,
                            "body": _body(d.message, user, setting),
                            "link": _thread_link(d.message),
                        }
                        for d in waiting
                    ],
                    "count": len(waiting),
                }
                send_email(template="messaging/email/digest", context=context, to=user.email)
        except IntegrityError:
            continue  # today's digest already went out (another run got there first)
        sent += 1
    return sent
