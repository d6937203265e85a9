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
