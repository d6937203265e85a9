"""Passkeys (WebAuthn): Dana adds one on her phone, then logs in with it alone, without a
password; after a password it counts as the second step. A passkey that was not unlocked, or
that signs with another key, is refused; only Dana can remove hers, and adding or removing one
logs out her other sessions. The passkey here is a software one (tests/accounts/passkeys.py)
answering allauth's real checks."""

from __future__ import annotations

import html
import json
import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from coparent.accounts.models import AuditEvent
from tests.accounts.conftest import fresh_reauth, log_in
from tests.accounts.passkeys import SoftPasskey

Kind = AuditEvent.Kind
WEBAUTHN = Authenticator.Type.WEBAUTHN


def _options(page, attribute: str) -> dict:
    match = re.search(rf'{attribute}="([^"]+)"', page.content.decode())
    assert match, attribute
    return json.loads(html.unescape(match.group(1)))


def add_passkey(client, name: str = "Dana's phone") -> SoftPasskey:
    """Through the page, as the browser's script does it."""
    fresh_reauth(client)
    page = client.get(reverse("mfa_add_webauthn"))
    passkey = SoftPasskey()
    credential = passkey.create(_options(page, "data-passkey-add")["creation_options"])
    response = client.post(
        reverse("mfa_add_webauthn"), {"name": name, "credential": credential, "passwordless": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return passkey


def passkey_login(client, passkey: SoftPasskey):
    challenge = client.get(reverse("mfa_login_webauthn"), headers={"accept": "application/json"})
    assert challenge.status_code == 200
    answer = passkey.get(challenge.json()["request_options"])
    return client.post(reverse("mfa_login_webauthn"), {"credential": answer})


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_dana_adds_a_passkey_and_then_logs_in_with_it_alone(client, browser, dana):
    phone = browser()
    phone.force_login(dana)
    client.force_login(dana)

    passkey = add_passkey(client)

    stored = Authenticator.objects.get(user=dana, type=WEBAUTHN)
    assert stored.wrap().name == "Dana's phone"
    # Recovery codes come with the first passkey, shown once.
    shown = client.get(reverse("mfa_view_recovery_codes"))
    assert len(shown.context["unused_codes"]) == 10
    event = AuditEvent.objects.get(user=dana, kind=Kind.PASSKEY_ADDED)
    assert event.detail["name"] == "Dana's phone"
    # A credential change: the phone is logged out, this browser stays in.
    assert phone.get(reverse("accounts:security")).status_code == 302
    page = client.get(reverse("mfa_index")).content.decode()
    assert "Dana&#x27;s phone" in page

    client.post(reverse("account_logout"))
    response = passkey_login(client, passkey)

    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert _logged_in_as(client) == str(dana.pk)
    assert AuditEvent.objects.filter(user=dana, kind=Kind.LOGIN).exists()
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_after_a_password_a_passkey_is_the_second_step(client, dana):
    client.force_login(dana)
    passkey = add_passkey(client)
    client.post(reverse("account_logout"))

    step_one = log_in(client, dana.email)
    assert step_one["Location"] == reverse("mfa_authenticate")
    page = client.get(reverse("mfa_authenticate"))
    answer = passkey.get(_options(page, "data-passkey-authenticate")["request_options"])
    done = client.post(reverse("mfa_authenticate"), {"credential": answer})

    assert done["Location"] == reverse("web:home")
    assert _logged_in_as(client) == str(dana.pk)


@pytest.mark.parametrize("problem", ["not unlocked", "another key"])
def test_a_passkey_that_proves_nothing_is_refused(client, dana, problem):
    client.force_login(dana)
    passkey = add_passkey(client)
    client.post(reverse("account_logout"))
    if problem == "not unlocked":
        # Whoever holds the phone must also unlock it to log in without a password.
        passkey.user_verified = False
    else:
        passkey = SoftPasskey(credential_id=passkey.credential_id, user_handle=passkey.user_handle)

    response = passkey_login(client, passkey)

    assert response["Location"] == reverse("account_login")
    assert _logged_in_as(client) is None


def test_only_dana_can_remove_her_passkey_and_that_logs_out_her_other_sessions(
    client, browser, dana, cast
):
    client.force_login(dana)
    add_passkey(client)
    stored = Authenticator.objects.get(user=dana, type=WEBAUTHN)
    url = reverse("mfa_remove_webauthn", kwargs={"pk": stored.pk})
    alex = browser()
    alex.force_login(cast.alex)
    fresh_reauth(alex)
    assert alex.get(url).status_code == 404
    assert alex.post(url).status_code == 404
    phone = browser()
    phone.force_login(dana)

    fresh_reauth(client)
    removed = client.post(url)

    assert removed["Location"] == reverse("mfa_index")
    assert not Authenticator.objects.filter(user=dana).exists()  # the codes went with it
    assert AuditEvent.objects.filter(user=dana, kind=Kind.PASSKEY_REMOVED).exists()
    assert phone.get(reverse("accounts:security")).status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200


def test_adding_or_removing_a_passkey_needs_a_fresh_password(client, dana):
    client.force_login(dana)
    for name, kwargs in (("mfa_add_webauthn", {}), ("mfa_remove_webauthn", {"pk": 1})):
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
