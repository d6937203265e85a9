"""Two-step login: Dana turns on an authenticator app, logs out, and from then on needs a code
after the password; a wrong code is refused (and counted), a recovery code works once."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.urls import reverse

from coparent.accounts.models import AuditEvent
from tests.accounts.conftest import (
    App,
    app_code,
    fresh_reauth,
    log_in,
    turn_on_2fa,
    wrong_code,
)
from tests.factories import PASSWORD

Kind = AuditEvent.Kind
TOTP = Authenticator.Type.TOTP
RECOVERY = Authenticator.Type.RECOVERY_CODES


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


def _pending_started(client) -> None:
    """Move the half-finished login five minutes and a second into the past."""
    session = client.session
    session["account_login"]["initiated_at"] -= 301
    session.save()


def test_dana_turns_on_two_step_login_and_then_needs_a_code(client, browser, dana):
    phone = browser()
    phone.force_login(dana)
    client.force_login(dana)

    # Turning it on asks for the password first.
    setup_url = reverse("mfa_activate_totp")
    first = client.get(setup_url)
    assert first["Location"].startswith(reverse("account_reauthenticate"))
    reauth = client.post(first["Location"], {"password": PASSWORD, "next": setup_url})
    assert reauth["Location"] == setup_url

    # The page shows the QR code as inline SVG made on the server, and the key in base32.
    page = client.get(setup_url)
    html = page.content.decode()
    assert "<svg" in html and "<path" in html
    assert "<img" not in html and "http://www.w3.org/2000/svg" in html
    key = re.search(r"((?:[A-Z2-7]{4} ){7}[A-Z2-7]{4})", html)
    assert key
    secret = key.group(1).replace(" ", "")
    # Reloading the page keeps the same secret, so the scanned code stays right.
    assert secret in client.get(setup_url).content.decode().replace(" ", "")
    app = App(authenticator=None, secret=secret)  # type: ignore[arg-type]

    # A wrong code does not turn it on.
    refused = client.post(setup_url, {"code": wrong_code(app)})
    assert refused.status_code == 200
    assert "code" in refused.context["form"].errors
    assert not Authenticator.objects.filter(user=dana).exists()

    # The right code does, and the ten recovery codes are shown once.
    done = client.post(setup_url, {"code": app_code(app)})
    assert done["Location"] == reverse("mfa_view_recovery_codes")
    shown = client.get(done["Location"])
    codes = list(shown.context["unused_codes"])
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "only time they are shown" in shown.content.decode()
    assert shown["Cache-Control"].startswith("max-age=0")
    assert AuditEvent.objects.filter(user=dana, kind=Kind.OTP_ENABLED).exists()
    # A credential change: Dana's phone is logged out, this browser stays in.
    assert phone.get(reverse("accounts:security")).status_code == 302
    # The codes are never on a page again.
    again = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    security = client.get(reverse("accounts:security")).content.decode()
    assert "10 recovery codes left" in security
    assert not any(code in again + security for code in codes)
    assert client.get(setup_url)["Location"] == reverse("mfa_deactivate_totp")

    client.post(reverse("account_logout"))

    # The password alone is no longer enough: Dana is only half logged in.
    step_one = log_in(client, dana.email)
    assert step_one["Location"] == reverse("mfa_authenticate")
    assert _logged_in_as(client) is None
    assert client.get(reverse("accounts:security"))["Location"].startswith(reverse("account_login"))

    # A wrong code is refused and logged.
    wrong = client.post(reverse("mfa_authenticate"), {"code": wrong_code(app)})
    assert wrong.status_code == 200
    assert "not right" in wrong.content.decode()
    assert _logged_in_as(client) is None
    assert AuditEvent.objects.filter(user=dana, kind=Kind.OTP_FAILED).count() == 1

    # The right code logs Dana in.
    ok = client.post(reverse("mfa_authenticate"), {"code": app_code(app)})
    assert ok["Location"] == reverse("web:home")
    assert _logged_in_as(client) == str(dana.pk)
    assert "account_login" not in client.session
    assert client.get(reverse("accounts:security")).status_code == 200

    # Phone lost: a recovery code works once (typed in capitals, with spaces)...
    client.post(reverse("account_logout"))
    log_in(client, dana.email)
    typed = " ".join([codes[0][:4], codes[0][4:]]).upper()
    recovered = client.post(reverse("mfa_authenticate"), {"code": typed})
    assert recovered["Location"] == reverse("web:home")
    assert _logged_in_as(client) == str(dana.pk)
    assert "9 codes are left" in client.get(recovered["Location"], follow=True).content.decode()
    assert AuditEvent.objects.filter(user=dana, kind=Kind.RECOVERY_CODE_USED).count() == 1

    # ...and not twice.
    client.post(reverse("account_logout"))
    log_in(client, dana.email)
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200
    assert _logged_in_as(client) is None
    recovery = Authenticator.objects.get(user=dana, type=RECOVERY)
    assert len(recovery.wrap().get_unused_codes()) == 9


def test_wrong_codes_are_limited_per_account_whoever_asks(client, browser, dana, settings):
    """Guessing codes is slowed down per account (allauth's "login_failed" limit, in the shared
    cache), however many browsers the guesses come from: then even the right code waits."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/15m/key"}
    app, _codes = turn_on_2fa(dana)
    for _browser in range(3):
        guesser = browser()
        log_in(guesser, dana.email)
        guesser.post(reverse("mfa_authenticate"), {"code": wrong_code(app)})
    log_in(client, dana.email)

    hurried = client.post(reverse("mfa_authenticate"), {"code": app_code(app)})

    assert "Too many wrong attempts" in hurried.content.decode()
    assert _logged_in_as(client) is None
    cache.clear()  # fifteen minutes later
    assert client.post(reverse("mfa_authenticate"), {"code": app_code(app)}).status_code == 302
    assert _logged_in_as(client) == str(dana.pk)


def test_the_half_login_lapses_after_five_minutes(client, dana):
    app, _codes = turn_on_2fa(dana)
    log_in(client, dana.email)
    _pending_started(client)

    response = client.post(reverse("mfa_authenticate"), {"code": app_code(app)})
    assert response["Location"] == reverse("account_login")
    assert _logged_in_as(client) is None


def test_the_code_page_without_a_password_first_goes_back_to_login(client, db):
    response = client.get(reverse("mfa_authenticate"))
    assert response["Location"] == reverse("account_login")


def test_five_wrong_codes_ask_for_the_password_again(client, dana):
    app, _codes = turn_on_2fa(dana)
    log_in(client, dana.email, next="/invite/abc/")
    for attempt in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(app)})
        if attempt < 4:
            assert response.status_code == 200
    assert response["Location"] == reverse("account_login") + "?next=%2Finvite%2Fabc%2F"
    assert "account_login" not in client.session
    assert AuditEvent.objects.filter(user=dana, kind=Kind.OTP_FAILED).count() == 5


def test_the_code_step_keeps_the_next_url(client, dana):
    app, _codes = turn_on_2fa(dana)
    log_in(client, dana.email, next="/invite/abc/")
    response = client.post(reverse("mfa_authenticate"), {"code": app_code(app)})
    assert response["Location"] == "/invite/abc/"


def test_reauth_with_two_step_login_needs_the_code_too(client, dana):
    app, _codes = turn_on_2fa(dana)
    client.force_login(dana)
    url = reverse("account_reauthenticate")
    without = client.post(url, {"password": PASSWORD})
    assert "code" in without.context["form"].errors
    wrong = client.post(url, {"password": PASSWORD, "code": wrong_code(app)})
    assert "not right" in " ".join(wrong.context["form"].errors["code"])
    ok = client.post(url, {"password": PASSWORD, "code": app_code(app)})
    assert ok["Location"] == reverse("accounts:security")


def test_turning_it_off_and_making_new_recovery_codes(
    client, browser, dana, django_capture_on_commit_callbacks
):
    _app, old_codes = turn_on_2fa(dana)
    client.force_login(dana)
    other = browser()
    other.force_login(dana)
    fresh_reauth(client)

    with django_capture_on_commit_callbacks(execute=True):
        regenerated = client.post(reverse("mfa_generate_recovery_codes"))
    assert regenerated["Location"] == reverse("mfa_view_recovery_codes")
    new_codes = client.get(regenerated["Location"]).context["unused_codes"]
    assert set(new_codes).isdisjoint(old_codes)
    assert len(Authenticator.objects.get(user=dana, type=RECOVERY).wrap().get_unused_codes()) == 10
    assert AuditEvent.objects.filter(user=dana, kind=Kind.RECOVERY_CODES_RENEWED).exists()

    page = client.get(reverse("mfa_deactivate_totp"))
    assert page.status_code == 200
    off = client.post(reverse("mfa_deactivate_totp"))
    assert off["Location"] == reverse("accounts:security")
    assert not Authenticator.objects.filter(user=dana).exists()
    # A credential change: the other browser is logged out, this one stays.
    assert other.get(reverse("accounts:security")).status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200
    assert AuditEvent.objects.filter(user=dana, kind=Kind.OTP_DISABLED).exists()

    # With it off, the password alone logs in again.
    client.post(reverse("account_logout"))
    assert log_in(client, dana.email)["Location"] == reverse("web:home")


def test_the_second_factor_pages_need_a_fresh_password(client, dana):
    turn_on_2fa(dana)
    client.force_login(dana)
    for name in ("mfa_activate_totp", "mfa_deactivate_totp", "mfa_generate_recovery_codes"):
        for method in (client.get, client.post):
            response = method(reverse(name))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=dana, type=TOTP).exists()


def test_no_second_factor_before_the_address_is_confirmed(client, dana):
    """Someone who signed up with another person's address (never confirmed) must not put a
    second factor on it: its owner, resetting the password later, would be locked out."""
    EmailAddress.objects.filter(user=dana).update(verified=False)
    client.force_login(dana)
    fresh_reauth(client)

    for name in ("mfa_activate_totp", "mfa_add_webauthn"):
        response = client.get(reverse(name), follow=True)
        assert response.redirect_chain[0][0] == reverse("mfa_index")
        assert "verified your email address" in response.content.decode()
    assert not Authenticator.objects.filter(user=dana).exists()
