"""Two-step login: Dana turns on an authenticator app, logs out, and from then on needs a code
after the password; a wrong code is refused (and slowed down), a recovery code works once."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coparent.accounts.models import AuditEvent
from coparent.accounts.selectors import SESSION_PENDING_LOGIN
from tests.accounts.conftest import app_code, fresh_reauth, log_in, turn_on_2fa, wrong_code
from tests.factories import PASSWORD

Kind = AuditEvent.Kind


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


def _wait_out_the_throttle(device: TOTPDevice) -> None:
    # django-otp waits 1, 2, 4… seconds after each wrong code; here the seconds have passed.
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=10)
    )


def test_dana_turns_on_two_step_login_and_then_needs_a_code(client, dana):
    client.force_login(dana)

    # Turning it on asks for the password first.
    setup_url = reverse("accounts:otp_setup")
    first = client.get(setup_url)
    assert first["Location"].startswith(reverse("accounts:reauth"))
    reauth = client.post(first["Location"], {"password": PASSWORD, "next": setup_url})
    assert reauth["Location"] == setup_url

    # The page shows the QR code as inline SVG made on the server, and the key in base32.
    page = client.get(setup_url)
    html = page.content.decode()
    assert "<svg" in html and "<path" in html
    assert "<img" not in html and "http://www.w3.org/2000/svg" in html
    device = TOTPDevice.objects.get(user=dana)
    assert not device.confirmed
    assert re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", html)
    # Reloading the page keeps the same secret, so the scanned code stays right.
    client.get(setup_url)
    assert TOTPDevice.objects.get(user=dana).key == device.key

    # A wrong code does not turn it on.
    refused = client.post(setup_url, {"code": wrong_code(device)})
    assert refused.status_code == 200
    assert "code" in refused.context["form"].errors
    _wait_out_the_throttle(device)

    # The right code does, and shows ten recovery codes once.
    done = client.post(setup_url, {"code": app_code(device)})
    assert done.status_code == 200
    codes = list(done.context["codes"])
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "only time they are shown" in done.content.decode()
    assert done["Cache-Control"].startswith("max-age=0")
    device.refresh_from_db()
    assert device.confirmed
    # The codes are never on a page again.
    security = client.get(reverse("accounts:security")).content.decode()
    assert "10 recovery codes left" in security
    assert not any(code in security for code in codes)
    assert client.get(setup_url)["Location"] == reverse("accounts:security")

    client.post(reverse("accounts:logout"))

    # The password alone is no longer enough: Dana is only half logged in.
    step_one = log_in(client, dana.email)
    assert step_one["Location"] == reverse("accounts:login_2fa")
    assert _logged_in_as(client) is None
    assert client.get(reverse("accounts:security"))["Location"].startswith(
        reverse("accounts:login")
    )

    # A wrong code is refused and logged.
    wrong = client.post(reverse("accounts:login_2fa"), {"code": wrong_code(device)})
    assert wrong.status_code == 200
    assert "not right" in wrong.content.decode()
    assert _logged_in_as(client) is None
    assert AuditEvent.objects.filter(user=dana, kind=Kind.OTP_FAILED).count() == 1

    # Straight away, even the right code must wait: wrong codes are throttled.
    hurried = client.post(reverse("accounts:login_2fa"), {"code": app_code(device)})
    assert "Wait" in hurried.content.decode()
    assert _logged_in_as(client) is None

    # After the pause, the right code logs Dana in.
    _wait_out_the_throttle(device)
    ok = client.post(reverse("accounts:login_2fa"), {"code": app_code(device)})
    assert ok["Location"] == reverse("web:home")
    assert _logged_in_as(client) == str(dana.pk)
    assert SESSION_PENDING_LOGIN not in client.session
    assert client.get(reverse("accounts:security")).status_code == 200

    # Phone lost: a recovery code works once...
    client.post(reverse("accounts:logout"))
    log_in(client, dana.email)
    recovered = client.post(reverse("accounts:login_2fa"), {"code": codes[0].upper()})
    assert recovered["Location"] == reverse("web:home")
    assert _logged_in_as(client) == str(dana.pk)
    assert "9 codes are left" in client.get(recovered["Location"], follow=True).content.decode()
    assert AuditEvent.objects.filter(user=dana, kind=Kind.RECOVERY_CODE_USED).count() == 1

    # ...and not twice.
    client.post(reverse("accounts:logout"))
    log_in(client, dana.email)
    _wait_out_the_throttle(device)
    again = client.post(reverse("accounts:login_2fa"), {"code": codes[0]})
    assert again.status_code == 200
    assert _logged_in_as(client) is None
    assert StaticToken.objects.filter(device__user=dana).count() == 9


def test_the_half_login_lapses_after_five_minutes(client, dana):
    device, _codes = turn_on_2fa(dana)
    log_in(client, dana.email)
    session = client.session
    session[SESSION_PENDING_LOGIN]["at"] -= 301
    session.save()

    response = client.post(reverse("accounts:login_2fa"), {"code": app_code(device)})
    assert response["Location"] == reverse("accounts:login")
    assert _logged_in_as(client) is None


def test_the_code_page_without_a_password_first_goes_back_to_login(client, db):
    response = client.get(reverse("accounts:login_2fa"))
    assert response["Location"] == reverse("accounts:login")


def test_five_wrong_codes_ask_for_the_password_again(client, dana):
    device, _codes = turn_on_2fa(dana)
    log_in(client, dana.email, next="/invite/abc/")
    for attempt in range(5):
        _wait_out_the_throttle(device)
        response = client.post(reverse("accounts:login_2fa"), {"code": wrong_code(device)})
        if attempt < 4:
            assert response.status_code == 200
    assert response["Location"] == reverse("accounts:login") + "?next=%2Finvite%2Fabc%2F"
    assert SESSION_PENDING_LOGIN not in client.session
    assert AuditEvent.objects.filter(user=dana, kind=Kind.OTP_FAILED).count() == 5


def test_the_code_step_keeps_the_next_url(client, dana):
    device, _codes = turn_on_2fa(dana)
    log_in(client, dana.email, next="/invite/abc/")
    response = client.post(reverse("accounts:login_2fa"), {"code": app_code(device)})
    assert response["Location"] == "/invite/abc/"


def test_reauth_with_two_step_login_needs_the_code_too(client, dana):
    device, _codes = turn_on_2fa(dana)
    client.force_login(dana)
    url = reverse("accounts:reauth")
    without = client.post(url, {"password": PASSWORD})
    assert "code" in without.context["form"].errors
    wrong = client.post(url, {"password": PASSWORD, "code": wrong_code(device)})
    assert "not right" in " ".join(wrong.context["form"].errors["code"])
    _wait_out_the_throttle(device)
    ok = client.post(url, {"password": PASSWORD, "code": app_code(device)})
    assert ok["Location"] == reverse("accounts:security")


def test_turning_it_off_and_making_new_recovery_codes(client, browser, dana):
    _device, old_codes = turn_on_2fa(dana)
    client.force_login(dana)
    other = browser()
    other.force_login(dana)
    fresh_reauth(client)

    regenerated = client.post(reverse("accounts:otp_recovery"))
    new_codes = regenerated.context["codes"]
    assert set(new_codes).isdisjoint(old_codes)
    assert StaticToken.objects.filter(device__user=dana).count() == 10

    page = client.get(reverse("accounts:otp_disable"))
    assert page.status_code == 200
    off = client.post(reverse("accounts:otp_disable"))
    assert off["Location"] == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user=dana).exists()
    assert not StaticToken.objects.filter(device__user=dana).exists()
    # A credential change: the other browser is logged out, this one stays.
    assert other.get(reverse("accounts:security")).status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200
    assert AuditEvent.objects.filter(user=dana, kind=Kind.OTP_DISABLED).exists()

    # With it off, the password alone logs in again.
    client.post(reverse("accounts:logout"))
    assert log_in(client, dana.email)["Location"] == reverse("web:home")


def test_the_second_factor_pages_need_a_fresh_password(client, dana):
    turn_on_2fa(dana)
    client.force_login(dana)
    for name in ("accounts:otp_setup", "accounts:otp_disable", "accounts:otp_recovery"):
        for method in (client.get, client.post):
            response = method(reverse(name))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:reauth"))
    assert TOTPDevice.objects.filter(user=dana, confirmed=True).exists()
