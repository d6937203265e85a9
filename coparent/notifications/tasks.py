"""The notification centre's work in the task worker: telling people of a fact once it is
committed, the reminder scan every few minutes, and the daily digest of messages.

Every job here may run twice (a worker restarted mid-job, two workers) and still tells each
person once on each channel: notifications are unique per (recipient, key), deliveries per
(notification, channel), digests per (person, day).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from coparent.core.notify import Channel, Kind
from coparent.infra import periodic
from coparent.infra.mail import send_email
from coparent.infra.notifications import notify_on_commit
from coparent.messaging.models import MessageDelivery, MessageView
from coparent.notifications import channels, reminders, services
from coparent.notifications.models import DigestSent, Preferences
from coparent.notifications.selectors import choices_of
from coparent.notifications.sources import drafts_for
from coparent.records.models import RecordEntry
from coparent.web.zones import reader_zone

SCAN_EVERY = timedelta(minutes=5)
# The daily digest of messages leaves at this hour of each person's own day (their zone, else
# their first family's: web.zones.reader_zone) — early evening, after the school day's
# messages. The worker looks every quarter of an hour, so it leaves by 18:15.
DIGEST_HOUR = 18
DIGEST_EVERY = timedelta(minutes=15)


def on_entry(entry: RecordEntry) -> None:
    """The record hook (records.hooks, registered in NotificationsConfig.ready): once the fact
    commits, the worker tells whom it concerns. Nothing is queued while demo data is built
    (infra.notifications.notifications_off)."""
    entry_id = entry.pk
    notify_on_commit(lambda: tell.enqueue(entry_id))


@task()
def tell(entry_id: int) -> int:
    """Store and deliver the notifications of record entry `entry_id`. Returns how many
    notifications it concerns (created now or by an earlier run of the same job)."""
    entry = RecordEntry.objects.select_related("actor").filter(pk=entry_id).first()
    if entry is None:
        return 0
    notifications = services.store(drafts_for(entry))
    channels.deliver(notifications)
    return len(notifications)


def remind(*, now: datetime) -> int:
    """Store and deliver every reminder due at `now`; returns how many are due."""
    notifications = services.store(reminders.due_drafts(now=now))
    channels.deliver(notifications)
    return len(notifications)


@task()
def scan_reminders() -> int:
    """The periodic reminder scan (registered in NotificationsConfig.ready)."""
    periodic.schedule_next(scan_reminders)  # first, so a failing scan never ends the chain
    return remind(now=timezone.now())


def send_digests(*, now: datetime | None = None, from_hour: int | None = None) -> int:
    """One email per person who chose the daily digest of messages and has unopened messages
    delivered since their last digest. At most one a day of the person's own calendar, however
    often this runs: the (person, day) row is written in the same transaction as the sending.
    With `from_hour`, only to those whose local time has reached that hour (the periodic run);
    without, to everyone who has not had today's (`coparent manage send_message_digests`)."""
    now = now or timezone.now()
    sent = 0
    daily = Preferences.objects.filter(message_digest=True, user__is_active=True).select_related(
        "user"
    )
    rows = list(daily)
    choices = choices_of(p.user_id for p in rows)
    for prefs in rows:
        user = prefs.user
        if not choices[user.pk].wants(Kind.MESSAGE, Channel.EMAIL):
            continue
        local = now.astimezone(reader_zone(user))
        if from_hour is not None and local.hour < from_hour:
            continue
        today: date = local.date()
        if DigestSent.objects.filter(user=user, day=today).exists():
            continue
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
                            "body": channels.words_of(d.message, user, choices[user.pk]),
                            "link": channels.absolute(
                                reverse(
                                    "messaging:thread",
                                    kwargs={"family_id": d.family_id, "thread_id": d.thread_id},
                                )
                            ),
                        }
                        for d in waiting
                    ],
                    "count": len(waiting),
                    "preferences": channels.absolute(reverse("notifications:preferences")),
                }
                send_email(template="messaging/email/digest", context=context, to=user.email)
        except IntegrityError:
            continue  # today's digest already went out (another run got there first)
        sent += 1
    return sent


@task()
def send_daily_digests() -> int:
    """The periodic digest run (registered in NotificationsConfig.ready): every quarter of an
    hour, the digests of those whose day has reached DIGEST_HOUR. No cron needed."""
    periodic.schedule_next(send_daily_digests)
    return send_digests(now=timezone.now(), from_hour=DIGEST_HOUR)
