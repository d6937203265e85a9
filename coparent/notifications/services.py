"""Writes of the notification centre: storing what to tell (once, whatever runs twice), marking
read, a person's choices and the devices they turn web push on for.

None of these is a fact of the family: marking a notification read or turning push on changes
no record entry (the first view of a message, a fact, is recorded by messaging itself).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core.notify import (
    EVENT_LEAD,
    EXCHANGE_LEAD,
    Channel,
    Kind,
    LeadBounds,
    default,
    push_endpoint_allowed,
)
from coparent.infra.errors import DomainError
from coparent.notifications.models import (
    BODY_MAX_CHARS,
    TITLE_MAX_CHARS,
    ChannelChoice,
    Notification,
    Preferences,
    PushSubscription,
)
from coparent.notifications.selectors import Choices, choices_for, choices_of
from coparent.notifications.sources import Draft


class NotificationProblem(DomainError):
    """A choice or a device that cannot be saved as given."""


def store(drafts: Sequence[Draft]) -> list[Notification]:
    """The notifications for `drafts`, created once: a draft whose (recipient, key) exists
    already is the existing notification, so a job that runs twice makes nothing twice. A
    person who chose to hear of a kind on no channel at all gets nothing stored."""
    if not drafts:
        return []
    choices = choices_of(d.recipient_id for d in drafts)
    rows = [
        Notification(
            family_id=d.family_id,
            recipient_id=d.recipient_id,
            kind=d.kind.value,
            key=d.key,
            actor_id=d.actor_id,
            title=d.title[:TITLE_MAX_CHARS],
            body=d.body[:BODY_MAX_CHARS],
            url=d.url,
            data=d.data,
            in_app=choices[d.recipient_id].wants(d.kind, Channel.IN_APP),
        )
        for d in drafts
        if any(choices[d.recipient_id].wants(d.kind, channel) for channel in Channel)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    wanted = {(row.recipient_id, row.key) for row in rows}
    found = Notification.objects.filter(
        recipient_id__in={r for r, _k in wanted}, key__in={k for _r, k in wanted}
    ).select_related("recipient", "family", "actor")
    return sorted((n for n in found if (n.recipient_id, n.key) in wanted), key=lambda n: n.pk)


def mark_read(*, user: User, notification: Notification, at: datetime | None = None) -> bool:
    """Mark one of `user`'s notifications read (get it with selectors.get_notification).
    Returns whether it was unread."""
    if notification.recipient_id != user.pk:
        raise NotificationProblem(_("This notification is not yours."), reason="not_yours")
    return bool(
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=at or timezone.now()
        )
    )


def mark_all_read(*, user: User, at: datetime | None = None) -> int:
    """Mark every unread notification of `user` read; returns how many were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=at or timezone.now()
    )


def _lead(value: int, bounds: LeadBounds, field: str, problems: list[tuple[str, str]]) -> None:
    if not bounds.check(value):
        problems.append(
            (
                field,
                _("Choose between %(low)s and %(high)s minutes.")
                % {"low": bounds.low, "high": bounds.high},
            )
        )


def preferences_update(
    *,
    user: User,
    cells: Mapping[tuple[Kind, Channel], bool],
    exchange_lead_minutes: int,
    event_lead_minutes: int,
    include_content: bool,
    message_digest: bool,
    checkpoint_email: bool | None = None,
) -> Choices:
    """Save `user`'s choices: every cell given (kind, channel) -> on, the two reminder lead
    times, the two message choices and, unless None (kept), whether the weekly checkpoint
    comes by email. A cell left out keeps what it was. Personal choices,
    not family facts: nothing goes to the family record."""
    problems: list[tuple[str, str]] = []
    _lead(exchange_lead_minutes, EXCHANGE_LEAD, "exchange_lead_minutes", problems)
    _lead(event_lead_minutes, EVENT_LEAD, "event_lead_minutes", problems)
    if problems:
        raise NotificationProblem(problems)
    now = timezone.now()
    kept = {} if checkpoint_email is None else {"checkpoint_email": bool(checkpoint_email)}
    with transaction.atomic():
        ChannelChoice.objects.bulk_create(
            [
                ChannelChoice(user=user, kind=kind.value, channel=channel.value, enabled=on)
                for (kind, channel), on in cells.items()
            ],
            update_conflicts=True,
            unique_fields=["user", "kind", "channel"],
            update_fields=["enabled"],
        )
        Preferences.objects.update_or_create(
            user=user,
            defaults={
                "exchange_lead_minutes": exchange_lead_minutes,
                "event_lead_minutes": event_lead_minutes,
                "include_content": bool(include_content),
                "message_digest": bool(message_digest),
                **kept,
                "updated_at": now,
            },
        )
    return choices_for(user)


def channel_set(*, user: User, kind: Kind, channel: Channel, enabled: bool) -> None:
    """One cell of `user`'s grid (the demo, a one-tap "stop these" link)."""
    if enabled == default(kind, channel):
        ChannelChoice.objects.filter(user=user, kind=kind.value, channel=channel.value).delete()
        return
    ChannelChoice.objects.update_or_create(
        user=user, kind=kind.value, channel=channel.value, defaults={"enabled": enabled}
    )


def _key_bytes(value: str, size: int, field: str, problems: list[tuple[str, str]]) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size:
        problems.append((field, _("This is not a browser's push key.")))
    return raw


def push_subscribe(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Remember a browser that accepted web push for `user` (what its PushSubscription gives:
    the push service's endpoint, the P-256 key and the auth secret, base64url). The same
    browser subscribing again, or for another person after a change of account, replaces its
    row: a device receives one person's notifications."""
    problems: list[tuple[str, str]] = []
    if len(endpoint) > 2000 or not push_endpoint_allowed(endpoint, settings.COPARENT_PUSH_SERVICES):
        problems.append(
            ("endpoint", _("This browser's push service is not one this server sends to."))
        )
    point = _key_bytes(p256dh, 65, "p256dh", problems)
    _key_bytes(auth, 16, "auth", problems)
    if len(point) == 65:
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError:
            problems.append(("p256dh", _("This is not a browser's push key.")))
    if problems:
        raise NotificationProblem(problems)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": " ".join(user_agent.split())[:200],
            "created_at": timezone.now(),
        },
    )
    return subscription


def push_forget(*, subscription: PushSubscription) -> None:
    """Forget one browser (from the API's list of them, or a device lost)."""
    subscription.delete()


def push_unsubscribe(*, user: User, endpoint: str) -> bool:
    """Forget `user`'s browser at `endpoint` (turned off there). Returns whether it was known."""
    deleted, _by_model = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)
