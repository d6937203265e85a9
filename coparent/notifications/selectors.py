"""Reads of the notification centre. A person's notifications are theirs alone: every read
starts from the signed-in user, so another person's notification is a 404 like a missing one,
and a family the person has left no longer shows in their centre."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from coparent.accounts.models import User
from coparent.core.notify import Channel, Kind, grid, wants
from coparent.families.models import Membership
from coparent.families.selectors import parse_pk
from coparent.notifications.models import (
    ChannelChoice,
    Notification,
    Preferences,
    PushSubscription,
)

PAGE_SIZE = 25


@dataclass(frozen=True)
class Choices:
    """One person's choices, with the defaults filled in."""

    cells: dict[tuple[str, str], bool]
    exchange_lead_minutes: int
    event_lead_minutes: int
    include_content: bool
    message_digest: bool
    checkpoint_email: bool

    def wants(self, kind: Kind | str, channel: Channel) -> bool:
        return wants(self.cells, Kind(kind), channel)

    @property
    def grid(self) -> dict[Kind, dict[Channel, bool]]:
        return grid(self.cells)

    @property
    def exchange_lead(self) -> timedelta:
        return timedelta(minutes=self.exchange_lead_minutes)

    @property
    def event_lead(self) -> timedelta:
        return timedelta(minutes=self.event_lead_minutes)


def choices_of(user_ids: Iterable[int]) -> dict[int, Choices]:
    """The choices of each of `user_ids` (two queries, whatever their number)."""
    ids = set(user_ids)
    cells: dict[int, dict[tuple[str, str], bool]] = {uid: {} for uid in ids}
    for row in ChannelChoice.objects.filter(user_id__in=ids):
        cells[row.user_id][(row.kind, row.channel)] = row.enabled
    stored = {p.user_id: p for p in Preferences.objects.filter(user_id__in=ids)}
    result = {}
    for uid in ids:
        prefs = stored.get(uid) or Preferences()
        result[uid] = Choices(
            cells=cells[uid],
            exchange_lead_minutes=prefs.exchange_lead_minutes,
            event_lead_minutes=prefs.event_lead_minutes,
            include_content=prefs.include_content,
            message_digest=prefs.message_digest,
            checkpoint_email=prefs.checkpoint_email,
        )
    return result


def wants_checkpoint_email(user_ids: Sequence[int]) -> set[int]:
    """Those of `user_ids` who take the weekly checkpoint by email (the default): one query.
    Registered with coparent.records.hooks.on_checkpoint_email."""
    off = set(
        Preferences.objects.filter(user_id__in=user_ids, checkpoint_email=False).values_list(
            "user_id", flat=True
        )
    )
    return {uid for uid in user_ids if uid not in off}


def choices_for(user: User) -> Choices:
    return choices_of([user.pk])[user.pk]


def centre(user: User) -> QuerySet[Notification]:
    """What `user`'s notification centre lists: their in-app notifications, from the families
    they are still a member of, newest first."""
    return Notification.objects.filter(
        Exists(Membership.objects.active().filter(family=OuterRef("family"), user=user)),
        recipient=user,
        in_app=True,
    ).order_by("-created_at", "-pk")


# What `centre(user).filter(read_at__isnull=True).count()` asks, written as SQL: the header shows
# this number on every page, and building and compiling that queryset cost more than running it
# (issue #17, point 2). `n.in_app AND n.read_at IS NULL` is the condition of the partial index
# `notification_unread`, so the index still serves it.
_UNREAD_SQL = (
    "SELECT COUNT(*) FROM notifications_notification n"
    " WHERE n.recipient_id = %s AND n.in_app AND n.read_at IS NULL"
    " AND EXISTS (SELECT 1 FROM families_membership m"
    " WHERE m.family_id = n.family_id AND m.user_id = %s AND m.ended_at IS NULL)"
)


def unread_count(user: User) -> int:
    """The header's number: the unread notifications of the centre (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [user.pk, user.pk])
        (count,) = cursor.fetchone()
    return int(count)


@dataclass(frozen=True)
class CentrePage:
    page: Page[Notification]
    unread: int


def centre_page(user: User, number: str | None) -> CentrePage:
    """One page of the centre with the family of each notification (three queries: the count,
    the page, the unread count)."""
    paginator = Paginator(centre(user).select_related("family"), PAGE_SIZE)
    return CentrePage(page=paginator.get_page(number), unread=unread_count(user))


def get_notification(user: User, notification_id: object) -> Notification:
    """One of `user`'s notifications; anyone else's is a 404 exactly like a missing one."""
    found = centre(user).filter(pk=parse_pk(Notification, notification_id)).first()
    if found is None:
        raise Http404("No such notification.")
    return found


def devices(user: User) -> list[PushSubscription]:
    """The browsers `user` turned web push on for, newest first."""
    return list(PushSubscription.objects.filter(user=user).order_by("-created_at"))


def get_device(user: User, device_id: object) -> PushSubscription:
    """One of `user`'s push subscriptions; anyone else's is a 404 exactly like a missing one."""
    found = PushSubscription.objects.filter(
        user=user, pk=parse_pk(PushSubscription, device_id)
    ).first()
    if found is None:
        raise Http404("No such push subscription.")
    return found
