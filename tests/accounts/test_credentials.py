"""Credential changes: each needs a fresh password, and each logs out every other browser of
the person while the one making the change stays logged in."""

from __future__ import annotations

import re

import pytest
from allauth.usersessions.models import UserSession
from django.core import mail
from django.urls import reverse

from coparent.accounts.models import AuditEvent, User
from coparent.accounts.selectors import SESSION_CREDENTIALS_VERSION
from tests.accounts.conftest import fresh_reauth, log_in, stale_reauth
from tests.factories import PASSWORD

Kind = AuditEvent.Kind
NEW_PASSWORD = "seven quiet otters swim 2027"


def _is_logged_in(client) -> bool:
    return client.get(reverse("accounts:security")).status_code == 200


@pytest.mark.parametrize("name", ["account_change_password", "account_email"])
def test_changing_a_credential_asks_for_the_password_first(client, dana, name):
    client.force_login(dana)
    url = reverse(name)
    response = client.get(url)
    reauth = reverse("account_reauthenticate")
    assert response["Location"] == f"{reauth}?next={url.replace('/', '%2F')}"

    wrong = client.post(response["Location"], {"password": "not it", "next": url})
    assert wrong.status_code == 200
    assert "not right" in " ".join(wrong.context["form"].errors["password"])
    assert AuditEvent.objects.filter(user=dana, kind=Kind.LOGIN_FAILED).exists()

    right = client.post(response["Location"], {"password": PASSWORD, "next": url})
    assert right["Location"] == url
    assert client.get(url).status_code == 200


def test_a_re_authentication_goes_stale(client, dana, settings):
    client.force_login(dana)
    fresh_reauth(client)
    assert client.get(reverse("account_change_password")).status_code == 200
    stale_reauth(client, settings.COPARENT_REAUTH_SECONDS + 1)
    assert client.get(reverse("account_change_password")).status_code == 302


def test_reauth_refuses_to_send_anyone_off_site(client, dana):
    client.force_login(dana)
    response = client.post(
        reverse("account_reauthenticate"), {"password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:security")


def test_password_change_logs_out_the_other_browser_but_not_this_one(client, browser, dana):
    laptop, phone = client, browser()
    log_in(laptop, dana.email)
    log_in(phone, dana.email)
    assert _is_logged_in(phone)
    fresh_reauth(laptop)
    old_key = laptop.session.session_key

    response = laptop.post(
        reverse("account_change_password"),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:security")

    # The laptop stays in, under a new session key, with the new credentials version.
    assert _is_logged_in(laptop)
    dana.refresh_from_db()
    assert laptop.session.session_key != old_key
    assert laptop.session[SESSION_CREDENTIALS_VERSION] == dana.credentials_version == 2
    # The phone is out at its next request.
    assert not _is_logged_in(phone)
    # The session list agrees: one left.
    assert UserSession.objects.filter(user=dana).count() == 1
    assert dana.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(user=dana, kind=Kind.PASSWORD_CHANGED)
    assert event.detail == {"sessions_ended": 1, "tokens_revoked": 0}


def test_a_new_password_must_pass_the_validators(client, dana):
    client.force_login(dana)
    fresh_reauth(client)
    response = client.post(
        reverse("account_change_password"),
        {"password1": "password", "password2": "password"},
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    dana.refresh_from_db()
    assert dana.check_password(PASSWORD)


def test_a_session_with_an_old_credentials_version_is_logged_out(client, dana):
    """The second line of defence: even a session the store still holds ends when the
    person's credentials changed after it began."""
    client.force_login(dana)
    User.objects.filter(pk=dana.pk).update(credentials_version=5)
    assert not _is_logged_in(client)
    event = AuditEvent.objects.filter(user=dana, kind=Kind.LOGOUT).get()
    assert event.detail == {"reason": "credentials_changed"}


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_email_change_waits_for_the_new_address_and_then_logs_out_the_others(
    client, browser, dana, cast, django_capture_on_commit_callbacks
):
    phone = browser()
    phone.force_login(dana)
    client.force_login(dana)
    fresh_reauth(client)

    same = client.post(reverse("account_email"), {"email": dana.email})
    assert "already your email" in " ".join(same.context["form"].errors["email"])

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("account_email"), {"email": "Dana.New@Example.org"})
    assert asked["Location"] == reverse("accounts:security")
    assert mail.outbox[-1].to == ["dana.new@example.org"]
    # Nothing changes until the link is opened.
    dana.refresh_from_db()
    assert dana.email == "dana@example.org"
    assert "dana.new@example.org" in client.get(reverse("accounts:security")).content.decode()

    link = _link(mail.outbox[-1])
    assert "new address" in client.get(link).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link)
    assert done.status_code == 200
    dana.refresh_from_db()
    assert dana.email == "dana.new@example.org"
    assert dana.email_confirmed
    # The old address hears about it.
    assert mail.outbox[-1].to == ["dana@example.org"]
    assert "now uses dana.new@example.org" in mail.outbox[-1].body
    # A credential change: this browser stays, the phone is out.
    assert _is_logged_in(client)
    assert not _is_logged_in(phone)
    event = AuditEvent.objects.get(user=dana, kind=Kind.EMAIL_CHANGED)
    assert event.detail["from"] == "dana@example.org"
    assert event.detail["to"] == "dana.new@example.org"
    # The link is spent.
    assert client.post(link).status_code == 410


def test_a_newer_email_change_replaces_the_pending_one(
    client, dana, django_capture_on_commit_callbacks
):
    client.force_login(dana)
    fresh_reauth(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"email": "first@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"email": "second@example.org"})
    first, second = _link(mail.outbox[0]), _link(mail.outbox[1])
    assert client.post(first).status_code == 410
    assert client.post(second).status_code == 200
    dana.refresh_from_db()
    assert dana.email == "second@example.org"


def test_an_address_taken_meanwhile_cannot_be_moved_to(
    client, dana, django_capture_on_commit_callbacks
):
    client.force_login(dana)
    fresh_reauth(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"email": "wanted@example.org"})
    User.objects.create_user(email="wanted@example.org", password=PASSWORD, display_name="W")
    response = client.post(_link(mail.outbox[0]))
    assert response.status_code == 410
    assert "Another account now uses" in response.content.decode()
    dana.refresh_from_db()
    assert dana.email == "dana@example.org"


def test_a_forgotten_password_is_reset_by_email_and_every_session_ends(client, browser, dana):
    phone = browser()
    phone.force_login(dana)
    # Dana is locked out after too many guesses...
    for _attempt in range(5):
        log_in(client, dana.email, "guess")
    assert log_in(client, dana.email).status_code == 429

    # ...asks for a reset link...
    sent = client.post(reverse("account_reset_password"), {"email": "DANA@example.org"})
    assert sent["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    assert link.startswith("/accounts/password/reset/")

    # ...chooses a new password...
    form_page = client.get(link, follow=True)
    assert not form_page.context.get("token_fail")
    form_url = form_page.redirect_chain[-1][0]
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done["Location"] == reverse("account_reset_password_from_key_done")

    # ...every session of the account is over, the lock is lifted, and the link is spent.
    assert not _is_logged_in(phone)
    assert log_in(client, dana.email, NEW_PASSWORD)["Location"] == reverse("web:home")
    assert AuditEvent.objects.filter(user=dana, kind=Kind.PASSWORD_RESET).exists()
    dana.refresh_from_db()
    assert dana.credentials_version == 2
    spent = browser().get(link, follow=True)
    assert spent.context["token_fail"]
    assert "cannot be used" in spent.content.decode()


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, db):
    sent = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert sent["Location"] == reverse("account_reset_password_done")
    assert mail.outbox == []


def test_the_reset_password_must_pass_the_validators(client, dana):
    client.post(reverse("account_reset_password"), {"email": dana.email})
    form_page = client.get(_link(mail.outbox[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors


def test_the_reauth_timestamp_is_only_written_by_a_right_password(client, dana):
    client.force_login(dana)
    client.post(reverse("account_reauthenticate"), {"password": "wrong"})
    assert "account_authentication_methods" not in client.session


def test_moving_to_an_address_another_account_uses_reveals_nothing(
    client, dana, cast, django_capture_on_commit_callbacks
):
    """Dana (or whoever sits at her account) cannot learn whether alex@example.org has an
    account by trying to move to it: the answer is the one any address gets. Alex's address
    gets a notice that someone tried, and no link; nothing changes for anyone."""
    client.force_login(dana)
    fresh_reauth(client)
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(reverse("account_email"), {"email": "ALEX@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        free = client.post(reverse("account_email"), {"email": "free@example.org"})

    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"] == reverse("accounts:security")
    to_alex = [m for m in mail.outbox if m.to == ["alex@example.org"]]
    assert len(to_alex) == 1
    assert "already uses this address" in to_alex[0].body
    assert "/accounts/confirm/" not in to_alex[0].body
    dana.refresh_from_db()
    cast.alex.refresh_from_db()
    assert (dana.email, cast.alex.email) == ("dana@example.org", "alex@example.org")
