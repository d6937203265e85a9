"""Upgrading a server that ran the hand-written accounts code (migration 0004): Dana's
authenticator app and her unused recovery codes, set up with django-otp, keep working through
allauth; every address keeps its confirmed state; signed-in browsers stay listed.

The old tables are made here as django-otp and the old accounts app had them, filled, and the
migration's steps run on them with the models as they were just before it."""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from coparent.accounts.models import User
from tests.accounts.conftest import log_in
from tests.factories import PASSWORD

step = import_module("coparent.accounts.migrations.0004_move_to_allauth")

DANA_KEY = "3132333435363738393031323334353637383930"  # django-otp keeps the secret in hex
DANA_CODES = ["abcd2345", "efgh6789", "ijkl2345"]


def _old_app_code(hex_key: str, at: float) -> str:
    """What Dana's phone shows: RFC 6238 over the raw key, as django-otp checked it."""
    counter = struct.pack(">Q", int(at) // 30)
    digest = hmac.new(bytes.fromhex(hex_key), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _old_tables() -> None:
    when = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    flag = "boolean"
    _sql(
        f"CREATE TABLE otp_totp_totpdevice (id integer PRIMARY KEY, user_id bigint, "
        f"name varchar(64), confirmed {flag}, key varchar(80), step smallint, t0 bigint, "
        f"digits smallint, created_at {when} NULL, last_used_at {when} NULL)"
    )
    _sql(
        f"CREATE TABLE otp_static_staticdevice (id integer PRIMARY KEY, user_id bigint, "
        f"name varchar(64), confirmed {flag})"
    )
    _sql(
        "CREATE TABLE otp_static_statictoken (id integer PRIMARY KEY, device_id integer, "
        "token varchar(16))"
    )
    _sql(
        f"CREATE TABLE accounts_usersession (id integer PRIMARY KEY, user_id bigint, "
        f"session_key varchar(40), created_at {when}, last_seen_at {when}, ended_at {when} NULL,"
        f" user_agent varchar(300), ip_address varchar(39) NULL)"
    )


def _apps_before_the_upgrade():  # type: ignore[no-untyped-def]
    loader = MigrationExecutor(connection).loader
    return loader.project_state(("accounts", "0004_move_to_allauth"), at_end=False).apps


@pytest.fixture
def upgraded(db):
    """Dana (confirmed, with the app and three unused codes, signed in on her laptop) and Sam
    (never confirmed his address), as the old code left them; then the migration's steps."""
    dana = User.objects.create(email="dana@example.org", display_name="Dana")
    dana.set_password(PASSWORD)
    dana.email_confirmed_at = timezone.now()
    dana.save()
    sam = User.objects.create(email="sam@example.org", display_name="Sam")
    _old_tables()
    _sql(
        "INSERT INTO otp_totp_totpdevice (id, user_id, name, confirmed, key, step, t0, digits) "
        "VALUES (1, %s, 'Authenticator app', %s, %s, 30, 0, 6)",
        [dana.pk, True, DANA_KEY],
    )
    _sql(
        "INSERT INTO otp_totp_totpdevice (id, user_id, name, confirmed, key, step, t0, digits) "
        "VALUES (2, %s, 'Authenticator app', %s, %s, 30, 0, 6)",
        [sam.pk, False, "00" * 20],  # set-up started, never finished: not a second factor
    )
    _sql(
        "INSERT INTO otp_static_staticdevice (id, user_id, name, confirmed) "
        "VALUES (1, %s, 'Recovery codes', %s)",
        [dana.pk, True],
    )
    for number, code in enumerate(DANA_CODES, start=1):
        _sql(
            "INSERT INTO otp_static_statictoken (id, device_id, token) VALUES (%s, 1, %s)",
            [number, code],
        )
    now = timezone.now()
    for number, ended in ((1, None), (2, now)):
        _sql(
            "INSERT INTO accounts_usersession (id, user_id, session_key, created_at, "
            "last_seen_at, ended_at, user_agent, ip_address) "
            "VALUES (%s, %s, %s, %s, %s, %s, 'Firefox', '192.0.2.4')",
            [number, dana.pk, f"key{number}", now - timedelta(days=1), now, ended],
        )
    apps = _apps_before_the_upgrade()
    editor = SimpleNamespace(connection=connection)
    step.email_addresses(apps, editor)
    step.second_factors(apps, editor)
    step.browser_sessions(apps, editor)
    return SimpleNamespace(dana=dana, sam=sam)


def test_every_address_keeps_its_confirmed_state(upgraded):
    rows = {a.email: (a.verified, a.primary) for a in EmailAddress.objects.all()}
    assert rows == {"dana@example.org": (True, True), "sam@example.org": (False, True)}


def test_dana_logs_in_with_the_code_her_phone_already_shows(upgraded, client):
    dana = upgraded.dana
    assert Authenticator.objects.filter(user=dana, type="totp").count() == 1
    assert not Authenticator.objects.filter(user=upgraded.sam).exists()

    assert log_in(client, dana.email)["Location"] == reverse("mfa_authenticate")
    done = client.post(reverse("mfa_authenticate"), {"code": _old_app_code(DANA_KEY, time.time())})

    assert done["Location"] == reverse("web:home")
    assert client.session["_auth_user_id"] == str(dana.pk)


def test_her_old_recovery_codes_work_once_each(upgraded, client, browser):
    dana = upgraded.dana
    log_in(client, dana.email)
    # As she wrote it down from the old page: upper case, with a space.
    assert client.post(reverse("mfa_authenticate"), {"code": "ABCD 2345"}).status_code == 302
    again = browser()
    log_in(again, dana.email)
    assert again.post(reverse("mfa_authenticate"), {"code": "abcd2345"}).status_code == 200
    codes = Authenticator.objects.get(user=dana, type="recovery_codes").wrap()
    assert codes.get_unused_codes() == DANA_CODES[1:]


def test_signed_in_browsers_stay_listed_and_ended_ones_do_not(upgraded):
    assert list(UserSession.objects.values_list("session_key", "ip", "user_agent")) == [
        ("key1", "192.0.2.4", "Firefox")
    ]
