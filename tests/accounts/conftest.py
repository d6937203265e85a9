"""Helpers for the account stories: a person with an account, logging in through the real
login page, and codes from an authenticator app computed the way the app computes them."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from coparent.accounts import services
from coparent.accounts.models import User
from tests.factories import PASSWORD, UserFactory


class HttpsClient(Client):
    """A browser over https: production settings redirect plain http to https."""

    def generic(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


@pytest.fixture
def client() -> Client:
    return HttpsClient()


@pytest.fixture
def browser():
    """Another browser of the same person (or of someone else), for two-session stories."""
    return HttpsClient


@pytest.fixture(autouse=True)
def _pages(settings: pytest.FixtureRequest) -> None:
    """Render pages as in production, but find static files without `collectstatic` (the
    manifest storage wants a collected manifest)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def dana(db: None) -> User:
    """Dana, a parent with a confirmed account and no second factor yet."""
    return UserFactory(email="dana@example.org", display_name="Dana")


def log_in(client: Client, email: str, password: str = PASSWORD, **extra: str):
    return client.post(reverse("accounts:login"), {"email": email, "password": password, **extra})


def app_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now. A code is good once, so when the current
    step was already used (several logins within 30 seconds) this is the next step's code,
    which django-otp's tolerance of one step accepts."""
    device.refresh_from_db()
    now_step = int((time.time() - device.t0) // device.step)
    step = max(now_step, device.last_t + 1)
    code = totp(device.bin_key, device.step, device.t0, device.digits, drift=step - now_step)
    return f"{code:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = int(app_code(device))
    return f"{(right + 1) % 1_000_000:06d}"


def turn_on_2fa(user: User) -> tuple[TOTPDevice, list[str]]:
    """Second factor on, through the services a person's clicks would call."""
    device = services.otp_setup_start(user=user)
    codes = services.otp_enable(user=user, device=device, code=app_code(device))
    device.refresh_from_db()
    return device, codes


def fresh_reauth(client: Client) -> None:
    """The person re-entered their password a moment ago."""
    session = client.session
    services.reauth_mark(session=session)
    session.save()
