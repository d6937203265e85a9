"""Shared pieces for the notification tests: a person's choices, set through the service, and
what reached each channel."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from django.core import mail

from coparent.accounts.models import User
from coparent.core.notify import EVENT_LEAD, EXCHANGE_LEAD, Channel, Kind
from coparent.notifications import services
from coparent.notifications.models import Delivery, Notification
from tests.families.helpers import pages  # noqa: F401  (the fixture, for every test here)


@pytest.fixture(autouse=True)
def _pages(pages, settings, tmp_path):  # noqa: F811
    """Pages render as in production; attachments go to a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


def prefer(
    user: User,
    *,
    cells: Mapping[tuple[Kind, Channel], bool] | None = None,
    include_content: bool = False,
    message_digest: bool = False,
    exchange_lead_minutes: int = EXCHANGE_LEAD.default,
    event_lead_minutes: int = EVENT_LEAD.default,
) -> None:
    """`user` saves their notification settings (the defaults, but for what is given)."""
    services.preferences_update(
        user=user,
        cells=cells or {},
        exchange_lead_minutes=exchange_lead_minutes,
        event_lead_minutes=event_lead_minutes,
        include_content=include_content,
        message_digest=message_digest,
    )


def centre_of(user: User) -> list[Notification]:
    """What `user`'s notification centre lists, newest first."""
    return list(Notification.objects.filter(recipient=user, in_app=True).order_by("-pk"))


def emails_to(user: User) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [user.email]]


def deliveries(channel: Channel) -> list[Delivery]:
    return list(Delivery.objects.filter(channel=channel.value).order_by("pk"))


@pytest.fixture
def push_service(settings):
    """A push service on this machine that checks each push's VAPID signature and decrypts its
    payload (tests/notifications/push_service.py); the server may send to it."""
    from coparent.notifications.push import public_key
    from tests.notifications.push_service import FakePushService

    service = FakePushService(vapid_public_key=public_key()).start()
    settings.COPARENT_PUSH_SERVICES = [*settings.COPARENT_PUSH_SERVICES, "http://127.0.0.1"]
    yield service
    service.stop()


def on_push(user: User, service, name: str):
    """`user` turns push on in one browser of `service`; returns the device."""
    device = service.subscribe(name)
    keys = device.as_json()["keys"]
    services.push_subscribe(
        user=user, endpoint=device.endpoint, p256dh=keys["p256dh"], auth=keys["auth"]
    )
    return device
