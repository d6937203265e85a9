"""Sign-up and email confirmation: Jordan creates an account, confirms the address once (which
logs Jordan in, in the browser that signed up), and the link is spent; bad input gets field
errors; `next` brings an invitee back, never away. Signing up with an address that already has
an account looks exactly the same from outside: its owner gets an email instead (issue #8)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from coparent.accounts import services
from coparent.accounts.models import AuditEvent, User
from tests.accounts.conftest import log_in, turn_on_2fa
from tests.factories import PASSWORD

GOOD = {
    "email": "Jordan@Example.org",
    "display_name": "Jordan",
    "password1": "a calm river at dawn 77",
    "password2": "a calm river at dawn 77",
}


def _link_path(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm/[-:\w]+/)", message.body)
    assert match, message.body
    return match.group(1)


def sign_up(client, captured, **changes):
    with captured(execute=True):
        return client.post(reverse("account_signup"), {**GOOD, **changes})


def test_jordan_signs_up_confirms_once_and_the_link_is_then_spent(
    client, browser, db, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)

    # Jordan is asked to check the inbox; not logged in yet, since a sign-up with a taken
    # address must look the same.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    page = client.get(response["Location"])
    assert "Check your email" in page.content.decode()
    assert "jordan@example.org" in page.content.decode()
    assert client.get(reverse("accounts:security")).status_code == 302
    jordan = User.objects.get(email="jordan@example.org")
    assert not jordan.email_confirmed

    # One email, to the address given, with a link that is signed, not stored anywhere.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jordan@example.org"]
    path = _link_path(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(list(EmailAddress.objects.values()))
    assert not EmailConfirmation.objects.exists()

    # Opening the link shows a button (mail scanners that follow links cannot spend it)...
    shown = client.get(path)
    assert shown.status_code == 200
    jordan.refresh_from_db()
    assert not jordan.email_confirmed
    # ...and pressing it confirms the address and, in the browser that signed up, logs in.
    done = client.post(path)
    assert done.status_code == 200
    assert "is confirmed" in done.content.decode()
    jordan.refresh_from_db()
    assert jordan.email_confirmed
    assert client.get(reverse("accounts:security")).status_code == 200

    # The second use, even from another browser, says the link is used and changes nothing.
    for again in (client.get(path), client.post(path), browser().post(path)):
        assert again.status_code == 410
        assert "already been used" in again.content.decode()

    kinds = list(AuditEvent.objects.filter(user=jordan).values_list("kind", flat=True))
    assert AuditEvent.Kind.SIGNUP in kinds
    assert AuditEvent.Kind.EMAIL_CONFIRMED in kinds
    assert AuditEvent.Kind.LOGIN in kinds


def test_an_expired_link_says_so_and_confirms_nothing(
    client, db, django_capture_on_commit_callbacks, settings
):
    sign_up(client, django_capture_on_commit_callbacks)
    path = _link_path(mail.outbox[0])
    log_in(client, "jordan@example.org", GOOD["password1"])
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0  # three days later

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "expired" in response.content.decode()
        # Logged in, Jordan is offered a new link right there.
        assert reverse("accounts:confirm_resend") in response.content.decode()
    assert not User.objects.get(email="jordan@example.org").email_confirmed


def test_a_forged_link_is_not_valid(client, db):
    response = client.get(reverse("account_confirm_email", kwargs={"key": "0" * 64}))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_resending_sends_a_new_link_but_not_twice_a_minute(
    client, db, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    # The account works before the address is confirmed: Jordan logs in with the password.
    log_in(client, "jordan@example.org", GOOD["password1"])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("accounts:confirm_resend"), follow=True)
    assert "less than a minute ago" in first.content.decode()
    assert len(mail.outbox) == 1

    cache.clear()  # a minute later: allauth's "confirm_email" limit has lapsed
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(reverse("accounts:confirm_resend"), follow=True)
    assert "We sent a new link" in second.content.decode()
    assert len(mail.outbox) == 2
    # Either link confirms the address; once it is confirmed, the other is spent too.
    client.post(_link_path(mail.outbox[1]))
    assert client.get(_link_path(mail.outbox[0])).status_code == 410


def test_resend_is_post_only(client, dana):
    client.force_login(dana)
    assert client.get(reverse("accounts:confirm_resend")).status_code == 405


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "valid email address"),
        ({"email": ""}, "email", "required"),
        (
            {"password1": "short1", "password2": "short1"},
            "password1",
            "too short",
        ),
        (
            {"password1": "password1234", "password2": "password1234"},
            "password1",
            "too common",
        ),
        (
            {"password1": "4815162342108", "password2": "4815162342108"},
            "password1",
            "entirely numeric",
        ),
        ({"password2": "something else entirely"}, "password2", "same password"),
        ({"display_name": "x" * 10_000}, "display_name", "at most 100 characters"),
        ({"display_name": "   "}, "display_name", "required"),
    ],
)
def test_signup_with_bad_input_gets_field_errors(
    client, db, django_capture_on_commit_callbacks, changes, field, message
):
    response = sign_up(client, django_capture_on_commit_callbacks, **changes)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    # The error is shown next to its field, tied to it for screen readers.
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not User.objects.exists()
    assert mail.outbox == []


def _answer(response, client) -> tuple[int, str, str, set[str]]:
    """What the person who typed the form sees: status, where it leads, that page's text
    (without the address they typed) and the cookies set."""
    page = client.get(response["Location"]).content.decode()
    return (
        response.status_code,
        response["Location"],
        re.sub(r"\S+@example\.org", "ADDRESS", page),
        set(response.cookies),
    )


def test_signing_up_with_a_known_address_looks_the_same_and_tells_its_owner(
    client, browser, dana, django_capture_on_commit_callbacks
):
    """The attack of issue #8: someone probes whether dana@example.org has an account by
    signing up with it. The answer must be the one a new address gets."""
    probe = sign_up(client, django_capture_on_commit_callbacks, email="DANA@example.org")
    fresh = browser()
    control = sign_up(fresh, django_capture_on_commit_callbacks, email="nobody-yet@example.org")

    assert _answer(probe, client) == _answer(control, fresh)
    assert "already exists" not in client.get(probe["Location"]).content.decode()
    # Nothing was created or changed for Dana; she gets an email saying someone tried.
    assert User.objects.filter(email="dana@example.org").count() == 1
    dana.refresh_from_db()
    assert dana.display_name == "Dana" and dana.check_password(PASSWORD)
    to_dana = [m for m in mail.outbox if m.to == ["dana@example.org"]]
    assert len(to_dana) == 1
    assert "already have an account" in to_dana[0].body
    assert "/accounts/password/reset/" in to_dana[0].body
    assert "/accounts/confirm/" not in to_dana[0].body
    assert AuditEvent.objects.filter(user=dana, kind=AuditEvent.Kind.SIGNUP_EXISTING).exists()
    # Whoever probed is not logged in as anyone.
    assert client.get(reverse("accounts:security")).status_code == 302


def test_a_password_like_the_name_is_refused(client, db, django_capture_on_commit_callbacks):
    response = sign_up(
        client,
        django_capture_on_commit_callbacks,
        email="riverdawnsmith@example.org",
        password1="riverdawnsmith",
        password2="riverdawnsmith",
    )
    assert "too similar" in " ".join(response.context["form"].errors["password1"])


def test_an_invitee_signs_up_and_is_offered_the_way_back_to_the_invitation(
    client, db, django_capture_on_commit_callbacks
):
    invite = "/invite/abc123/"
    form = client.get(reverse("account_signup"), {"next": invite, "email": "jo@example.org"})
    assert f'value="{invite}"' in form.content.decode()
    assert 'value="jo@example.org"' in form.content.decode()

    response = sign_up(client, django_capture_on_commit_callbacks, next=invite)
    assert response.status_code == 302
    page = client.get(response["Location"])
    # Logging in instead leads back to the invitation...
    assert f'login/?next={invite}"' in page.content.decode()
    # ...and so does confirming the address in this browser, which logs Jordan in.
    done = client.post(_link_path(mail.outbox[0]))
    assert f'href="{invite}"' in done.content.decode()
    assert "Continue where you were" in done.content.decode()


@pytest.mark.parametrize(
    "evil",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_signup_never_sends_anyone_off_site(client, db, django_capture_on_commit_callbacks, evil):
    response = sign_up(client, django_capture_on_commit_callbacks, next=evil)
    assert response["Location"] == reverse("account_email_verification_sent")
    page = client.get(reverse("account_email_verification_sent"), {"next": evil})
    done = client.post(_link_path(mail.outbox[0]))
    for shown in (page, done):
        assert "evil" not in shown.content.decode()
        assert "javascript:" not in shown.content.decode()


def test_the_link_logs_in_only_the_browser_that_signed_up(
    client, browser, db, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    elsewhere = browser()

    done = elsewhere.post(_link_path(mail.outbox[0]))

    assert done.status_code == 200
    assert "is confirmed" in done.content.decode()
    assert elsewhere.get(reverse("accounts:security")).status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 302


def test_the_link_does_not_log_in_once_the_account_has_a_second_factor(
    client, db, django_capture_on_commit_callbacks
):
    """Jordan logged in elsewhere and turned the second factor on before opening the link:
    from then on, only the password and a code let anyone in."""
    sign_up(client, django_capture_on_commit_callbacks)
    turn_on_2fa(User.objects.get(email="jordan@example.org"))

    client.post(_link_path(mail.outbox[0]))

    assert client.get(reverse("accounts:security")).status_code == 302


def test_the_link_does_not_log_in_once_the_password_changed_since(
    client, db, django_capture_on_commit_callbacks
):
    """Jordan logged in elsewhere and changed the password (or someone reset it) before the
    link was opened in the signing-up browser: that browser's sign-up proves the old password
    only, so it must not open the account."""
    sign_up(client, django_capture_on_commit_callbacks)
    jordan = User.objects.get(email="jordan@example.org")
    services.credentials_changed(user=jordan, kind=AuditEvent.Kind.PASSWORD_CHANGED)

    done = client.post(_link_path(mail.outbox[0]))

    assert "is confirmed" in done.content.decode()
    assert client.get(reverse("accounts:security")).status_code == 302
