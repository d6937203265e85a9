"""The notification centre through the API: a person's own list, marking read, their
choices; nobody else's notification; the same rules as the pages."""

from __future__ import annotations

from coparent.core.notify import Channel, Kind
from coparent.notifications.selectors import choices_for
from tests.api.conftest import AUTH_QUERIES
from tests.notifications.test_centre import _news


def test_sam_lists_his_notifications_and_marks_them_read(cast, as_, django_assert_num_queries):
    made = _news(cast, 5)
    sam = as_(cast.sam)
    sam.get("/notifications")  # the token's first use is recorded once: not counted here
    # the count, the page
    with django_assert_num_queries(AUTH_QUERIES + 2):
        listed = sam.get("/notifications", limit=2).json()
    assert listed["count"] == 5
    assert [n["title"] for n in listed["items"]] == ["News 4", "News 3"]
    assert listed["items"][0]["family_id"] == str(cast.family.pk)

    read = sam.post(f"/notifications/{made[0].pk}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert sam.get("/notifications", unread="true").json()["count"] == 4
    assert sam.post("/notifications/read-all").json() == {"marked": 4}
    assert sam.get("/notifications", unread="true").json()["count"] == 0


def test_alexs_notification_is_a_404_for_sam(cast, as_):
    (alexs,) = _news(cast, 1, to=cast.alex)
    assert as_(cast.sam).post(f"/notifications/{alexs.pk}/read").status_code == 404
    assert as_(cast.sam).get("/notifications").json()["count"] == 0


def test_sam_reads_and_changes_his_choices(cast, as_):
    sam = as_(cast.sam)
    before = sam.get("/notifications/preferences").json()
    assert before["channels"]["rsvp"] == {"in_app": True, "email": False, "push": True}
    assert before["exchange_lead_minutes"] == 120 and before["include_content"] is False

    after = sam.put(
        "/notifications/preferences",
        {
            "channels": {"rsvp": {"email": True}, "message": {"push": False}},
            "exchange_lead_minutes": 45,
            "event_lead_minutes": 1440,
            "include_content": True,
            "message_digest": True,
        },
    ).json()
    assert after["channels"]["rsvp"]["email"] is True
    assert after["channels"]["message"] == {"in_app": True, "email": True, "push": False}
    mine = choices_for(cast.sam)
    assert mine.wants(Kind.RSVP, Channel.EMAIL) and mine.exchange_lead_minutes == 45


def test_bad_choices_answer_with_the_field(cast, as_):
    sam = as_(cast.sam)
    body = {
        "exchange_lead_minutes": 5,
        "event_lead_minutes": 1440,
        "include_content": False,
        "message_digest": False,
    }
    response = sam.put("/notifications/preferences", body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["exchange_lead_minutes"]
    unknown = sam.put(
        "/notifications/preferences", {**body, "channels": {"gossip": {"email": True}}}
    )
    assert unknown.status_code == 422


def test_a_client_of_its_own_subscribes_sams_phone_to_push_and_receives_a_push(
    cast, as_, push_service, django_capture_on_commit_callbacks
):
    from coparent.notifications.models import PushSubscription
    from tests.messaging.conftest import start

    sam = as_(cast.sam)
    key = sam.get("/notifications/push-key").json()["public_key"]
    assert key == push_service.vapid_public_key
    device = push_service.subscribe("phone")
    made = sam.post("/notifications/push-subscriptions", device.as_json())
    assert made.status_code == 201
    assert made.json()["endpoint"] == device.endpoint
    # Subscribing the same browser again replaces its row.
    assert sam.post("/notifications/push-subscriptions", device.as_json()).status_code == 201
    listed = sam.get("/notifications/push-subscriptions").json()
    assert [d["endpoint"] for d in listed] == [device.endpoint]
    with django_capture_on_commit_callbacks(execute=True):
        start(cast, subject="Shoes", body="Size thirty-two fits")
    (pushed,) = push_service.to("phone")
    assert pushed["title"] == "New message from Alex in “Shoes”"
    # A word, not a number: a short number can turn up by chance inside the link's UUIDs.
    assert "thirty-two" not in str(pushed)
    assert sam.delete(f"/notifications/push-subscriptions/{listed[0]['id']}").status_code == 204
    assert not PushSubscription.objects.exists()


def test_a_push_subscription_to_an_unknown_service_is_a_field_error(cast, as_):
    body = {
        "endpoint": "http://10.0.0.5/push/x",
        "keys": {"p256dh": "BAAA" + "A" * 83, "auth": "short"},
    }
    response = as_(cast.sam).post("/notifications/push-subscriptions", body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"endpoint", "p256dh", "auth"}
    assert as_(cast.sam).get("/notifications/push-subscriptions").json() == []


def test_alexs_phone_is_a_404_for_sam(cast, as_):
    from coparent.notifications.models import PushSubscription

    phone = PushSubscription.objects.create(
        user=cast.alex, endpoint="https://fcm.googleapis.com/fcm/send/a", p256dh="x", auth="y"
    )
    assert as_(cast.sam).delete(f"/notifications/push-subscriptions/{phone.pk}").status_code == 404
    assert as_(cast.sam).get("/notifications/push-subscriptions").json() == []
    assert PushSubscription.objects.filter(pk=phone.pk).exists()
