"""Email to the other parents when an event is added, changed or cancelled, sent by the task
worker once the change is committed.

The task gets ids only and reads the rest, so the email shows the event as it is when it goes
out. It names the parent who acted by display name only — never an email address — and goes
from the site's own address to each other parent separately.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from coparent.events.models import ChildEvent
from coparent.events.summaries import change_lines
from coparent.families.models import Membership
from coparent.infra.mail import send_email
from coparent.records.models import Kind, RecordEntry
from coparent.web.zones import family_zone, reading_in


@task()
def notify_event_news(event_id: str, entry_id: int) -> int:
    """Email every active parent of the event's family except the one who acted, about the
    record entry `entry_id` (added, changed or cancelled). Returns how many emails went out."""
    event = (
        ChildEvent.objects.select_related("family").prefetch_related("children").get(pk=event_id)
    )
    entry = RecordEntry.objects.select_related("actor").get(pk=entry_id, family=event.family)
    parents = (
        Membership.objects.active().parents().filter(family=event.family, user__is_active=True)
    )
    if entry.actor_id is not None:
        parents = parents.exclude(user_id=entry.actor_id)
    recipients = [m.user for m in parents.select_related("user")]
    context = {
        "event": event,
        "actor": entry.actor.display_name if entry.actor else "",
        "family": event.family.name,
        "children": ", ".join(child.name for child in event.children.all()),
        "what": entry.kind,
        "added": entry.kind == Kind.EVENT_ADDED,
        "changed": entry.kind == Kind.EVENT_CHANGED,
        "cancelled": entry.kind == Kind.EVENT_CANCELLED,
        "changes": change_lines(entry.data.get("changes", {})),
        "reason": entry.data.get("reason", ""),
        "link": settings.BASE_URL
        + reverse("events:detail", kwargs={"family_id": event.family_id, "event_id": event.pk}),
    }
    # The email gives the event's times in the family's zone too, as its pages do.
    with reading_in(family_zone(event.family)):
        for recipient in recipients:
            send_email(
                template="events/email/notice",
                context={**context, "recipient": recipient},
                to=recipient.email,
            )
    return len(recipients)
