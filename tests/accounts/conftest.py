"""Helpers for the account stories: a person with an account, logging in through the real
login page, and codes from an authenticator app computed the way the app computes them."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import reverse

from coparent.accounts.models import User
from tests.factories import PASSWORD, UserFactory
from tests.kit import HttpsClient


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
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


@dataclass
class App:
    """The authenticator app on Dana's phone: the secret it scanned."""

    authenticator: Authenticator
    secret: str


_used: dict[str, set[int]] = {}


def app_code(app: App) -> str:
    """The code the authenticator app shows now. A code is good once, so when the current
    code was already used (several logins within 30 seconds) this is the next step's code,
    which the one-step tolerance (MFA_TOTP_TOLERANCE) accepts."""
    now_step = int(time.time()) // 30
    used = _used.setdefault(app.secret, set())
    step = now_step if now_step not in used else now_step + 1
    used.add(step)
    return format_hotp_value(hotp_value(app.secret, step))


def wrong_code(app: App) -> str:
    right = {
        format_hotp_value(hotp_value(app.secret, int(time.time()) // 30 + d)) for d in (-1, 0, 1, 2)
    }
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in right)


def turn_on_2fa(user: User) -> tuple[App, list[str]]:
    """Second factor on, as allauth stores it: the app's secret and ten recovery codes."""
    secret = generate_totp_secret()
    authenticator = TOTP.activate(user, secret).instance
    codes = RecoveryCodes.activate(user).generate_codes()
    return App(authenticator=authenticator, secret=secret), codes


def fresh_reauth(client: Client) -> None:
    """The person re-entered their password a moment ago (allauth's record of it)."""
    session = client.session
    user_id = session["_auth_user_id"]
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user_id)
    session.save()


def stale_reauth(client: Client, seconds: float) -> None:
    """Move the person's last re-authentication `seconds` into the past."""
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= seconds
    session.save()
