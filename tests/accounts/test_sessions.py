"""Dana sees every browser she is logged in with, and ends the one she left at a friend's."""

from __future__ import annotations

from datetime import timedelta

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from coparent.accounts.models import AuditEvent
from tests.accounts.conftest import log_in
from tests.factories import UserFactory

LAPTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)


def _two_browsers(browser, dana):
    laptop = browser(headers={"user-agent": LAPTOP})
    phone = browser(headers={"user-agent": PHONE})
    log_in(laptop, dana.email)
    log_in(phone, dana.email)
    return laptop, phone


def test_the_session_list_shows_both_browsers_and_marks_this_one(browser, dana):
    laptop, _phone = _two_browsers(browser, dana)

    page = laptop.get(reverse("accounts:sessions"))
    html = page.content.decode()
    assert "Firefox on Linux" in html
    assert "Chrome on Android" in html
    assert "127.0.0.1" in html
    rows = page.context["rows"]
    assert len(rows) == 2
    this = [row for row in rows if row.session.session_key == laptop.session.session_key]
    assert len(this) == 1 and this[0].device_label == "Firefox on Linux"
    assert html.count("This session") == 1


def test_ending_the_phone_session_logs_the_phone_out(browser, dana):
    laptop, phone = _two_browsers(browser, dana)
    phone_row = UserSession.objects.get(user_agent=PHONE)

    response = laptop.post(reverse("accounts:session_end", kwargs={"pk": phone_row.pk}))
    assert response["Location"] == reverse("accounts:sessions")

    assert phone.get(reverse("accounts:security")).status_code == 302
    assert laptop.get(reverse("accounts:security")).status_code == 200
    assert not UserSession.objects.filter(pk=phone_row.pk).exists()
    assert not Session.objects.filter(session_key=phone_row.session_key).exists()
    assert [
        row.session.user_agent for row in laptop.get(reverse("accounts:sessions")).context["rows"]
    ] == [LAPTOP]
    event = AuditEvent.objects.get(user=dana, kind=AuditEvent.Kind.SESSION_ENDED)
    assert event.detail["device"] == "Chrome on Android"
    # Ending it twice finds nothing to end.
    again = laptop.post(reverse("accounts:session_end", kwargs={"pk": phone_row.pk}))
    assert again.status_code == 404


def test_ending_this_session_is_logging_out(client, dana):
    log_in(client, dana.email)
    row = UserSession.objects.get(user=dana)
    response = client.post(reverse("accounts:session_end", kwargs={"pk": row.pk}))
    assert response["Location"] == reverse("account_login")
    assert client.get(reverse("accounts:security")).status_code == 302
    assert not UserSession.objects.filter(user=dana).exists()


def test_someone_elses_session_is_not_found(browser, dana, cast):
    alex = browser()
    log_in(alex, cast.alex.email)
    _laptop, _phone = _two_browsers(browser, dana)
    dana_row = UserSession.objects.filter(user=dana).first()

    response = alex.post(reverse("accounts:session_end", kwargs={"pk": dana_row.pk}))
    assert response.status_code == 404
    assert UserSession.objects.filter(pk=dana_row.pk).exists()
    assert alex.post(reverse("accounts:session_end", kwargs={"pk": 999_999})).status_code == 404
    assert len(alex.get(reverse("accounts:sessions")).context["rows"]) == 1


def test_ending_a_session_is_post_only(client, dana):
    log_in(client, dana.email)
    row = UserSession.objects.get(user=dana)
    assert client.get(reverse("accounts:session_end", kwargs={"pk": row.pk})).status_code == 405


def test_logging_out_takes_the_session_off_the_list(client, dana):
    log_in(client, dana.email)
    assert UserSession.objects.filter(user=dana).count() == 1
    client.post(reverse("account_logout"))
    assert not UserSession.objects.filter(user=dana).exists()


def test_the_session_list_costs_a_fixed_number_of_queries(browser, dana, django_assert_num_queries):
    laptop, _phone = _two_browsers(browser, dana)
    for _more in range(3):
        log_in(browser(), dana.email)
    laptop.get(reverse("accounts:sessions"))  # warm: the first visit may record last-seen

    with django_assert_num_queries(6):
        # 1. the session, from the session store
        # 2. the user
        # 3. this session's row (session tracking: ended? last seen?)
        # 4. the person's active sessions
        # 5. the zone of her first family, which her times are read in (she chose none)
        # 6. the header's unread notifications
        page = laptop.get(reverse("accounts:sessions"))
    assert len(page.context["rows"]) == 5


def test_last_seen_is_written_at_most_once_a_minute(client, dana):
    log_in(client, dana.email)
    client.get(reverse("accounts:sessions"))
    row = UserSession.objects.get(user=dana)
    before = row.last_seen_at
    client.get(reverse("accounts:sessions"))
    row.refresh_from_db()
    assert row.last_seen_at == before

    UserSession.objects.filter(pk=row.pk).update(last_seen_at=before - timedelta(minutes=2))
    client.get(reverse("accounts:sessions"))
    row.refresh_from_db()
    assert row.last_seen_at > timezone.now() - timedelta(seconds=5)


def test_api_health_and_static_requests_are_not_tracked(client, dana, django_assert_num_queries):
    log_in(client, dana.email)
    UserSession.objects.all().delete()
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200
    client.get("/api/v1/openapi.json")
    assert not UserSession.objects.exists()
    client.get(reverse("accounts:security"))
    # A signed-in request with no listed session (say, from before tracking) gets listed.
    assert UserSession.objects.filter(user=dana).count() == 1


def test_a_session_that_must_end_is_ended_on_the_api_too(client, dana):
    """Dana changed her password on her phone; had the laptop's session survived in the store,
    the API (which the session middleware skips) ends it just as a page would."""
    log_in(client, dana.email)
    assert client.get("/api/v1/me", secure=True).status_code == 200
    type(dana).objects.filter(pk=dana.pk).update(credentials_version=F("credentials_version") + 1)

    refused = client.get("/api/v1/me", secure=True)

    assert refused.status_code == 401
    assert client.get("/api/v1/me", secure=True).status_code == 401  # logged out, not once
    assert AuditEvent.objects.filter(user=dana, detail__reason="credentials_changed").exists()


def test_a_session_ended_from_elsewhere_is_refused_by_the_api(browser, dana):
    laptop, phone = _two_browsers(browser, dana)
    listed = UserSession.objects.get(session_key=laptop.session.session_key)
    # The second line of defence: the store still holds the session, its listing is someone
    # else's now.
    UserSession.objects.filter(pk=listed.pk).update(user=UserFactory(email="eve@example.org"))

    assert laptop.get("/api/v1/me", secure=True).status_code == 401
    assert phone.get("/api/v1/me", secure=True).status_code == 200
