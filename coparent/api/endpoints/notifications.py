"""The signed-in person's notification centre: the list, marking read, and their choices (what
they hear of, on which channel, and the reminders' lead times), and the web push subscriptions
of a client that is not this site's pages (a native shell around the site, another front end):
it reads the server's VAPID key, subscribes with the Push API and hands the subscription here."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from coparent.api.auth import caller
from coparent.api.schemas import Id, Pages, answers
from coparent.core.notify import Channel, Kind
from coparent.notifications import push, selectors, services
from coparent.notifications.models import Notification, PushSubscription
from coparent.notifications.selectors import Choices

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    family_id: str
    kind: Kind
    title: str = Field(..., description="Never a message's text (docs/notifications.md).")
    body: str
    url: str = Field(..., description="The page of what it is about, a path on this site.")
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_family_id(obj: Notification) -> str:
        return str(obj.family_id)


class MarkedOut(Schema):
    marked: int


ChannelsIn = dict[Kind, dict[Channel, bool]]


class PreferencesOut(Schema):
    channels: dict[Kind, dict[Channel, bool]] = Field(
        ..., description="For each kind, whether each channel tells you of it."
    )
    exchange_lead_minutes: int
    event_lead_minutes: int
    include_content: bool = Field(
        ..., description="Whether a notification may show a message's text (off by default)."
    )
    message_digest: bool = Field(..., description="Message emails as one daily digest.")
    checkpoint_email: bool = Field(
        ..., description="The weekly checkpoint of each family record by email (parents)."
    )


class PreferencesIn(Schema):
    channels: ChannelsIn = Field(
        default_factory=dict, description="Only the cells to change; the rest stay as they are."
    )
    exchange_lead_minutes: int = Field(..., ge=1, le=100_000)
    event_lead_minutes: int = Field(..., ge=1, le=100_000)
    include_content: bool
    message_digest: bool
    checkpoint_email: bool | None = Field(
        None, description="Left out or null: kept as it is (on by default)."
    )


class PushKeyOut(Schema):
    public_key: str = Field(
        ...,
        description=(
            "The server's VAPID public key (base64url, uncompressed P-256 point): the "
            "`applicationServerKey` of `PushManager.subscribe()`."
        ),
    )


class PushKeysIn(Schema):
    p256dh: str = Field(..., max_length=200, description="The browser's P-256 key, base64url.")
    auth: str = Field(..., max_length=100, description="The browser's auth secret, base64url.")


class PushSubscriptionIn(Schema):
    """What a browser's `PushSubscription.toJSON()` gives."""

    endpoint: str = Field(..., max_length=2000)
    keys: PushKeysIn


class PushSubscriptionOut(Schema):
    id: int
    endpoint: str
    user_agent: str = Field(..., description="The client that subscribed, as it named itself.")
    created_at: datetime
    last_sent_at: datetime | None


def _preferences(choices: Choices) -> PreferencesOut:
    return PreferencesOut(
        channels=choices.grid,
        exchange_lead_minutes=choices.exchange_lead_minutes,
        event_lead_minutes=choices.event_lead_minutes,
        include_content=choices.include_content,
        message_digest=choices.message_digest,
        checkpoint_email=choices.checkpoint_email,
    )


@router.get(
    "/notifications",
    response=answers({200: list[NotificationOut]}, 422),
    summary="My notifications, newest first",
)
@paginate(Pages)
def notification_list(request: HttpRequest, unread: bool = False) -> QuerySet[Notification]:
    found = selectors.centre(caller(request))
    return found.filter(read_at__isnull=True) if unread else found


@router.post(
    "/notifications/{int:notification_id}/read",
    response=answers({200: NotificationOut}, 404, 422),
    summary="Mark one of my notifications read (again changes nothing)",
)
def notification_read(request: HttpRequest, notification_id: Id) -> Notification:
    user = caller(request)
    notification = selectors.get_notification(user, notification_id)
    services.mark_read(user=user, notification=notification)
    return selectors.get_notification(user, notification_id)


@router.post(
    "/notifications/read-all",
    response=answers({200: MarkedOut}),
    summary="Mark all my notifications read",
)
def notification_read_all(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=services.mark_all_read(user=caller(request)))


@router.get(
    "/notifications/preferences",
    response=answers({200: PreferencesOut}),
    summary="What I hear of, on which channel, and my reminders' lead times",
)
def notification_preferences(request: HttpRequest) -> PreferencesOut:
    return _preferences(selectors.choices_for(caller(request)))


@router.put(
    "/notifications/preferences",
    response=answers({200: PreferencesOut}, 400, 422),
    summary="Change what I hear of, on which channel, and my reminders' lead times",
    description=(
        "Lead times in minutes: an exchange 15 to 1440 (default 120), an event 60 to 10080 "
        "(default 1440); outside, a 400 on the field."
    ),
)
def notification_preferences_update(request: HttpRequest, payload: PreferencesIn) -> PreferencesOut:
    choices = services.preferences_update(
        user=caller(request),
        cells={
            (kind, channel): on
            for kind, row in payload.channels.items()
            for channel, on in row.items()
        },
        exchange_lead_minutes=payload.exchange_lead_minutes,
        event_lead_minutes=payload.event_lead_minutes,
        include_content=payload.include_content,
        message_digest=payload.message_digest,
        checkpoint_email=payload.checkpoint_email,
    )
    return _preferences(choices)


@router.get(
    "/notifications/push-key",
    response=answers({200: PushKeyOut}),
    summary="The server's VAPID public key, to subscribe a browser to web push",
)
def push_key(request: HttpRequest) -> PushKeyOut:
    caller(request)
    return PushKeyOut(public_key=push.public_key())


@router.get(
    "/notifications/push-subscriptions",
    response=answers({200: list[PushSubscriptionOut]}),
    summary="The browsers and devices I receive web push on, newest first",
)
def push_subscription_list(request: HttpRequest) -> list[PushSubscription]:
    return selectors.devices(caller(request))


@router.post(
    "/notifications/push-subscriptions",
    response=answers({201: PushSubscriptionOut}, 400, 422),
    summary="Receive web push on a browser (its PushSubscription); again replaces it",
    description=(
        "The endpoint must be on a push service this server sends to "
        "(COPARENT_PUSH_SERVICES); otherwise a 400 on `endpoint`. Keys that are not a "
        "browser's are a 400 on `p256dh` or `auth`."
    ),
)
def push_subscription_create(
    request: HttpRequest, payload: PushSubscriptionIn
) -> Status[PushSubscription]:
    subscription = services.push_subscribe(
        user=caller(request),
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
        user_agent=request.headers.get("User-Agent", ""),
    )
    return Status(201, subscription)


@router.delete(
    "/notifications/push-subscriptions/{int:subscription_id}",
    response=answers({204: None}, 404, 422),
    summary="Stop web push on one of my browsers",
)
def push_subscription_delete(request: HttpRequest, subscription_id: Id) -> Status[None]:
    services.push_forget(subscription=selectors.get_device(caller(request), subscription_id))
    return Status(204, None)
