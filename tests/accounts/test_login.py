"""Logging in and out, and the failed-login throttle: after five wrong passwords the account is
locked for this address, and even the right password is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse

from coparent.accounts.models import AuditEvent
from tests.accounts.conftest import log_in
from tests.factories import PASSWORD

Kind = AuditEvent.Kind


def test_dana_logs_in_and_out(client, dana):
    response = log_in(client, "Dana@Example.org ")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert client.get(reverse("accounts:security")).context["user"] == dana

    # Logging out is a POST (a link or an image cannot log anyone out).
    assert client.get(reverse("account_logout")).status_code == 405
    out = client.post(reverse("account_logout"), follow=True)
    assert "You are logged out" in out.content.decode()
    assert client.get(reverse("accounts:security"))["Location"].startswith(reverse("account_login"))

    kinds = list(AuditEvent.objects.filter(user=dana).values_list("kind", flat=True))
    assert kinds[:2] == [Kind.LOGOUT, Kind.LOGIN]
    login_event = AuditEvent.objects.get(user=dana, kind=Kind.LOGIN)
    assert login_event.ip_address == "127.0.0.1"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, dana):
    for email in ("dana@example.org", "nobody@example.org"):
        response = log_in(client, email, "not the password")
        assert response.status_code == 200
        assert "do not match an account" in response.content.decode()
    failures = AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED).order_by("id")
    assert [(e.user_id, e.detail["email"]) for e in failures] == [
        (dana.pk, "dana@example.org"),
        (None, "nobody@example.org"),
    ]


def test_a_failed_login_logs_the_typed_email_cut_at_254_characters(client, db):
    long_email = "a" * 300 + "@example.org"
    # The login form refuses such an address before any attempt is made...
    log_in(client, long_email, "whatever")
    assert not AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED).exists()
    # ...and whatever else reports a failed login, the log keeps at most 254 characters.
    user_login_failed.send(sender=None, credentials={"username": long_email}, request=None)
    event = AuditEvent.objects.get(kind=Kind.LOGIN_FAILED)
    assert event.detail["email"] == long_email[:254]


def test_five_wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused(client, dana):
    for _attempt in range(4):
        assert log_in(client, dana.email, "guess").status_code == 200
    fifth = log_in(client, dana.email, "guess")
    assert fifth.status_code == 429
    assert "Too many failed attempts" in fifth.content.decode()
    assert "15 minutes" in fifth.content.decode()

    right = log_in(client, dana.email, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(user=dana, kind=Kind.LOCKED_OUT).exists()
    assert not AuditEvent.objects.filter(user=dana, kind=Kind.LOGIN).exists()


def test_the_lock_is_per_account_so_others_can_still_log_in(client, dana, cast):
    for _attempt in range(5):
        log_in(client, dana.email, "guess")
    assert log_in(client, cast.alex.email).status_code == 302


def test_an_unconfirmed_person_may_log_in_and_is_reminded_to_confirm(client, dana):
    dana.email_confirmed_at = None
    dana.save(update_fields=["email_confirmed_at"])
    response = log_in(client, dana.email)
    page = client.get(response["Location"], follow=True)
    assert "Please confirm your email address" in page.content.decode()
    security = client.get(reverse("accounts:security"))
    assert "Not confirmed" in security.content.decode()


def test_login_returns_to_a_safe_next_url(client, dana):
    page = client.get(reverse("account_login"), {"next": "/invite/abc/"})
    assert 'value="/invite/abc/"' in page.content.decode()
    response = log_in(client, dana.email, next="/invite/abc/")
    assert response["Location"] == "/invite/abc/"


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://testserver.evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http://testserver/",  # same host but plain http, from an https page
    ],
)
def test_login_refuses_to_redirect_off_site(client, dana, evil):
    page = client.get(reverse("account_login"), {"next": evil})
    assert "evil" not in page.content.decode()
    response = log_in(client, dana.email, next=evil)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")


def test_a_logged_in_person_visiting_login_or_signup_goes_on(client, dana):
    client.force_login(dana)
    for name in ("account_login", "account_signup"):
        response = client.get(reverse(name), {"next": "/families/"})
        assert response["Location"] == "/families/"
