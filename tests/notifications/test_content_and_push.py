"""The safety rule: a notification carries no message's words unless its recipient asked — not
in the app, not in an email, not on a phone's lock screen — and then through their shield.
And web push as a browser meets it: subscribing, the push service's answers, the keys."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.urls import reverse

from coparent.messaging.services import shield_update
from coparent.notifications import services
from coparent.notifications.models import Delivery, PushSubscription
from tests.families.helpers import client_for
from tests.messaging.conftest import start
from tests.notifications.conftest import centre_of, on_push, prefer

SECRET = "The secret plan: pickup moved to 16:00 at the library."
HOSTILE = "Pickup at 5. You are a pathetic liar and everyone knows it."


def test_by_default_no_channel_carries_a_messages_words(
    cast, push_service, django_capture_on_commit_callbacks
):
    on_push(cast.sam, push_service, "phone")
    with django_capture_on_commit_callbacks(execute=True):
        start(cast, body=SECRET)

    (pushed,) = push_service.to("phone")
    (email,) = mail.outbox
    (notice,) = centre_of(cast.sam)
    for text in (json.dumps(pushed), email.subject, email.body, notice.title, notice.body):
        assert "secret" not in text.lower() and "library" not in text
    assert pushed == {
        "title": "New message from Alex in “School pickup on Friday”",
        "body": "Rivera family",
        "url": notice.url,
        "tag": f"coparent-{notice.pk}",
    }


def test_sam_opts_in_and_his_phone_shows_the_first_words(
    cast, push_service, django_capture_on_commit_callbacks
):
    prefer(cast.sam, include_content=True)
    on_push(cast.sam, push_service, "phone")
    with django_capture_on_commit_callbacks(execute=True):
        start(cast, body=SECRET)
    (pushed,) = push_service.to("phone")
    assert pushed["body"] == f"{SECRET} · Rivera family"
    assert SECRET in mail.outbox[0].body


def test_with_the_shield_on_the_attack_stays_folded_on_the_lock_screen(
    cast, push_service, django_capture_on_commit_callbacks
):
    prefer(cast.sam, include_content=True)
    shield_update(user=cast.sam, shield=True)
    on_push(cast.sam, push_service, "phone")
    with django_capture_on_commit_callbacks(execute=True):
        start(cast, body=HOSTILE)
    (pushed,) = push_service.to("phone")
    assert "pathetic liar" not in pushed["body"] and "Pickup at 5." in pushed["body"]
    assert "[wording folded by your shield" in pushed["body"]


def test_every_device_of_sam_gets_it_and_a_gone_one_is_forgotten(
    cast, push_service, django_capture_on_commit_callbacks
):
    on_push(cast.sam, push_service, "phone")
    on_push(cast.sam, push_service, "laptop")
    push_service.gone.add("laptop")  # Sam uninstalled the browser there
    with django_capture_on_commit_callbacks(execute=True):
        start(cast)
    assert len(push_service.to("phone")) == 1
    assert [s.endpoint.rsplit("/", 1)[1] for s in PushSubscription.objects.all()] == ["phone-0"]
    assert Delivery.objects.get(channel="push").status == Delivery.Status.SENT


def test_when_every_device_is_gone_the_delivery_says_it_failed(
    cast, push_service, django_capture_on_commit_callbacks
):
    on_push(cast.sam, push_service, "phone")
    push_service.gone.add("phone")
    with django_capture_on_commit_callbacks(execute=True):
        start(cast)
    delivery = Delivery.objects.get(channel="push")
    assert (delivery.status, delivery.detail) == (Delivery.Status.FAILED, "gone")
    assert not PushSubscription.objects.exists()


def test_a_push_service_that_is_down_does_not_stop_the_email(
    cast, push_service, django_capture_on_commit_callbacks
):
    device = on_push(cast.sam, push_service, "phone")
    push_service.stop()
    with django_capture_on_commit_callbacks(execute=True):
        start(cast)
    assert len(mail.outbox) == 1
    delivery = Delivery.objects.get(channel="push")
    assert delivery.status == Delivery.Status.FAILED and "failed" in delivery.detail
    assert PushSubscription.objects.filter(endpoint=device.endpoint).exists()  # may come back
    push_service.start()  # (the fixture stops it again)


# --- subscribing --------------------------------------------------------------------------------


def _subscribe(user, body, **headers):
    return client_for(user).post(
        reverse("notifications:push_subscribe"),
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_sams_browser_subscribes_and_unsubscribes_through_the_page(cast, push_service):
    device = push_service.subscribe("phone")
    response = _subscribe(cast.sam, device.as_json(), HTTP_USER_AGENT="Firefox on Android")
    assert response.status_code == 201
    (row,) = PushSubscription.objects.all()
    assert (row.user, row.user_agent) == (cast.sam, "Firefox on Android")

    # The same browser, now Alex's after a change of account: it tells Alex only.
    assert _subscribe(cast.alex, device.as_json()).status_code == 201
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [cast.alex.pk]

    gone = client_for(cast.alex).post(
        reverse("notifications:push_unsubscribe"),
        data=json.dumps({"endpoint": device.endpoint}),
        content_type="application/json",
    )
    assert gone.json() == {"unsubscribed": True} and not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("endpoint", "field"),
    [
        ("http://10.0.0.5/push/x", "endpoint"),  # not a push service: the server must not call it
        ("https://evil.example/fcm.googleapis.com/x", "endpoint"),
        ("https://fcm.googleapis.com.evil.example/x", "endpoint"),
        ("https://user:pw@fcm.googleapis.com/x", "endpoint"),
        ("https://fcm.googleapis.com:99999/x", "endpoint"),
    ],
)
def test_an_endpoint_on_no_known_push_service_is_refused(cast, endpoint, field):
    body = {"endpoint": endpoint, "keys": {"p256dh": _a_key(), "auth": "AAECAwQFBgcICQoLDA0ODw"}}
    response = _subscribe(cast.sam, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def _a_key() -> str:
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


def test_keys_that_are_not_a_browsers_are_refused_field_by_field(cast):
    body = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
        "keys": {"p256dh": "BAAA" + "A" * 83, "auth": "short"},
    }
    response = _subscribe(cast.sam, body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"p256dh", "auth"}
    assert _subscribe(cast.sam, {"endpoint": "x"}).status_code == 400  # no keys at all
    bad_json = client_for(cast.sam).post(
        reverse("notifications:push_subscribe"), data="{", content_type="application/json"
    )
    assert bad_json.status_code == 400


def test_a_known_push_service_is_accepted(cast):
    subscription = services.push_subscribe(
        user=cast.sam,
        endpoint="https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        p256dh=_a_key(),
        auth="AAECAwQFBgcICQoLDA0ODw",
    )
    assert subscription.user == cast.sam


def test_subscribing_needs_the_csrf_token(cast, push_service):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.sam)
    response = browser.post(
        reverse("notifications:push_subscribe"),
        data=json.dumps(push_service.subscribe("phone").as_json()),
        content_type="application/json",
    )
    assert response.status_code == 403 and not PushSubscription.objects.exists()


def test_the_settings_page_gives_the_browser_the_servers_public_key(cast):
    from coparent.notifications.push import public_key

    page = client_for(cast.sam).get(reverse("notifications:preferences")).content.decode()
    key = public_key()
    assert f'data-key="{key}"' in page
    assert len(key) == 87  # 65 bytes, base64url without padding: an uncompressed P-256 point
