"""Rate limits (issue #8): nothing a person sends can make the server mail an inbox, fill the
disk or keep the workers busy without bound. Sign-up, password reset, sending messages,
invitations and uploads are counted per person and per address in the cache every process
shares, and answered with 429 (JSON in the API, a form error or a friendly page on the pages).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.core import checks, mail
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from coparent.accounts.models import User
from coparent.families.models import Invitation
from coparent.infra import ratelimit
from coparent.messaging.models import Message, Thread
from coparent.settings import _rate_limits
from coparent.web.apps import check_rate_limits
from tests.api.conftest import API, family_path
from tests.kit import HttpsClient
from tests.messaging.conftest import PDF_BYTES, png_bytes

SIGNUP = {
    "display_name": "Jordan",
    "password1": "a calm river at dawn 77",
    "password2": "a calm river at dawn 77",
}


@pytest.fixture
def limits(settings):
    """Set some limits for one test; the others keep their defaults."""

    def set_limits(**specs: str) -> None:
        settings.COPARENT_RATE_LIMITS = {
            **settings.COPARENT_RATE_LIMITS,
            **{name.replace("__", "."): spec for name, spec in specs.items()},
        }

    return set_limits


def _from(address: str) -> Client:
    return HttpsClient(REMOTE_ADDR=address)


def _is_429_with_retry_after(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 86400


# --- Password reset and sign-up: each one emails an address ------------------------------------


def test_reset_emails_to_one_address_stop_after_the_limit_known_or_not(db, cast):
    """Three reset emails an hour per address (the default): the fourth request answers 429
    with the reason on the form, and no email leaves. An unknown address is counted the same,
    so the limit tells nobody which addresses have an account."""
    for email in (cast.alex.email, "nobody@example.org"):
        browser = _from("203.0.113.7")
        for _attempt in range(3):
            sent = browser.post(reverse("account_reset_password"), {"email": email})
            assert sent.status_code == 302
        emails_before = len(mail.outbox)

        refused = browser.post(reverse("account_reset_password"), {"email": email.upper()})

        _is_429_with_retry_after(refused)
        assert "Too many attempts" in refused.content.decode()
        assert refused.context["form"].non_field_errors()
        assert len(mail.outbox) == emails_before
    assert len(mail.outbox) == 3  # the three for Alex; none for the unknown address


def test_reset_requests_from_one_client_are_limited_whatever_the_address(db, limits):
    limits(password_reset__ip="2/h")
    browser = _from("203.0.113.8")
    for number in range(2):
        email = f"a{number}@example.org"
        assert browser.post(reverse("account_reset_password"), {"email": email}).status_code == 302
    refused = browser.post(reverse("account_reset_password"), {"email": "a9@example.org"})
    _is_429_with_retry_after(refused)
    # Another client is not affected.
    other = _from("198.51.100.2").post(reverse("account_reset_password"), {"email": "x@e.org"})
    assert other.status_code == 302


def test_sign_up_is_limited_per_client_and_per_address(db, limits):
    limits(signup__ip="2/h", signup__email="2/h")
    browser = _from("203.0.113.9")
    for number in range(2):
        signed = browser.post(
            reverse("account_signup"), {**SIGNUP, "email": f"jordan{number}@example.org"}
        )
        assert signed.status_code == 302

    refused = browser.post(reverse("account_signup"), {**SIGNUP, "email": "jo@example.org"})

    _is_429_with_retry_after(refused)
    assert refused.context["form"].non_field_errors()
    assert 'value="jo@example.org"' in refused.content.decode()  # what was typed is kept
    assert not User.objects.filter(email="jo@example.org").exists()

    # One address from many clients: the third sign-up with it is refused too.
    for number, expected in enumerate((302, 302, 429)):
        answer = _from(f"198.51.100.{number + 10}").post(
            reverse("account_signup"), {**SIGNUP, "email": "target@example.org"}
        )
        assert answer.status_code == expected


# --- Messages and uploads ------------------------------------------------------------------------


def _thread_body(n: int) -> dict[str, str]:
    return {"subject": f"Pickup {n}", "topic": "school", "body": f"Friday at 15:0{n}?"}


def test_a_parent_sending_too_fast_is_slowed_down_in_the_api(cast, as_, limits):
    limits(message__user="3/h")
    alex = as_(cast.alex)
    for n in range(3):
        assert alex.post(family_path(cast, "/threads"), _thread_body(n)).status_code == 201

    refused = alex.post(family_path(cast, "/threads"), _thread_body(9))

    _is_429_with_retry_after(refused)
    assert refused.json()["detail"].startswith("Too many attempts in a short time.")
    assert Thread.objects.filter(family=cast.family).count() == 3
    thread = Thread.objects.filter(family=cast.family).first()
    reply = alex.post(family_path(cast, f"/threads/{thread.pk}/messages"), {"body": "And?"})
    assert reply.status_code == 429
    # Sam has his own allowance.
    sam = as_(cast.sam)
    assert (
        sam.post(family_path(cast, f"/threads/{thread.pk}/messages"), {"body": "Ok"}).status_code
        == 201
    )


def test_a_parent_sending_too_fast_on_the_page_keeps_the_text(cast, limits):
    limits(message__user="1/h")
    browser = cast.client_for(cast.alex)
    url = reverse("messaging:compose", kwargs={"family_id": cast.family.pk})
    assert browser.post(url, _thread_body(1), secure=True).status_code == 302

    refused = browser.post(url, _thread_body(2), secure=True)

    _is_429_with_retry_after(refused)
    html = refused.content.decode()
    assert "Too many attempts in a short time. Nothing was done." in html
    assert "Friday at 15:02?" in html  # the text is still in the box, nothing is lost
    assert Thread.objects.filter(family=cast.family).count() == 1


def test_uploads_count_each_file(cast, as_, limits, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    limits(upload__user="3/h")
    alex = as_(cast.alex)

    def upload(n: int, files: list[tuple[str, bytes]]):
        data = {**_thread_body(n), "files": [SimpleUploadedFile(f, c) for f, c in files]}
        return alex.client.post(
            API + family_path(cast, "/threads/upload"),
            data,
            headers={"Authorization": f"Bearer {alex.token}"},
            secure=True,
        )

    assert upload(1, [("a.pdf", PDF_BYTES), ("b.png", png_bytes())]).status_code == 201
    refused = upload(2, [("c.pdf", PDF_BYTES), ("d.pdf", PDF_BYTES)])

    _is_429_with_retry_after(refused)
    assert Message.objects.filter(family=cast.family).count() == 1
    # The first message's two files, and nothing of the refused one (the photo's thumbnail
    # is derived, kept beside it).
    stored = [p for p in (tmp_path / "uploads" / "attachments").rglob("*") if p.is_file()]
    assert len(stored) == 2


# --- Invitations ---------------------------------------------------------------------------------


def test_invitations_are_limited_per_parent_on_the_page_and_in_the_api(cast, as_, limits):
    limits(invitation__user="2/d")
    alex = as_(cast.alex)
    for n in range(2):
        invited = alex.post(
            family_path(cast, "/invitations"), {"email": f"gran{n}@example.org", "role": "viewer"}
        )
        assert invited.status_code == 201

    refused = alex.post(
        family_path(cast, "/invitations"), {"email": "gran9@example.org", "role": "viewer"}
    )
    page = cast.client_for(cast.alex).post(
        reverse("families:invite", kwargs={"family_id": cast.family.pk}),
        {"email": "gran8@example.org", "role": "viewer"},
        secure=True,
    )

    _is_429_with_retry_after(refused)
    _is_429_with_retry_after(page)
    assert "Too many attempts" in page.content.decode()
    assert not Invitation.objects.filter(email__in=["gran8@example.org", "gran9@example.org"])
    # A viewer's attempt is refused for the role, not counted.
    assert (
        as_(cast.vic)
        .post(family_path(cast, "/invitations"), {"email": "x@example.org", "role": "viewer"})
        .status_code
        == 403
    )


def test_one_address_cannot_be_flooded_with_invitations_from_several_families(cast, as_, limits):
    limits(invitation__email="1/d")
    first = as_(cast.alex).post(
        family_path(cast, "/invitations"), {"email": "target@example.org", "role": "viewer"}
    )
    second = as_(cast.olivia).post(
        family_path(cast, "/invitations", family=cast.other_family),
        {"email": "Target@Example.org", "role": "viewer"},
    )
    assert first.status_code == 201
    _is_429_with_retry_after(second)


# --- The limits themselves ----------------------------------------------------------------------


def test_limits_are_settings_that_an_operator_can_change_or_turn_off():
    limits = _rate_limits(["message.user=200/h", "tone.user=off", " signup.ip = 5/15m "])
    assert limits["message.user"] == "200/h"
    assert "tone.user" not in limits
    assert limits["signup.ip"] == "5/15m"
    assert limits["password_reset.email"] == "3/h"  # untouched defaults stay
    assert ratelimit.Limit.parse("x.ip", "5/15m") == ratelimit.Limit(5, 900)
    with pytest.raises(ValueError, match="NAME=COUNT/PERIOD"):
        _rate_limits(["message.user"])


def test_a_mistyped_limit_stops_the_server_at_start(settings):
    settings.COPARENT_RATE_LIMITS = {"message.user": "lots"}
    errors = check_rate_limits()
    assert [e.id for e in errors] == ["coparent.E001"]
    assert "not COUNT/PERIOD" in errors[0].msg
    settings.COPARENT_RATE_LIMITS = {"message.everyone": "5/h"}
    assert "ACTION.KEY" in check_rate_limits()[0].msg
    settings.COPARENT_RATE_LIMITS = {"message.user": "5/h"}
    assert check_rate_limits() == []
    assert isinstance(errors[0], checks.Error)


def test_a_turned_off_limit_counts_nothing(cast, as_, settings):
    settings.COPARENT_RATE_LIMITS = {}
    alex = as_(cast.alex)
    for _ in range(70):  # beyond the default 60 a minute
        assert alex.post("/tone", {"text": "See you at 6."}).status_code == 200


# --- Shared by every process --------------------------------------------------------------------


def _hit_through(alias: str, settings, times: int) -> list[bool]:
    """Count `times` sign-ups of one address through the cache alias `alias`; True where the
    limit let it through."""
    settings.COPARENT_RATE_LIMIT_CACHE = alias
    allowed = []
    for _ in range(times):
        try:
            ratelimit.hit(None, "signup", email="shared@example.org")
        except ratelimit.RateLimited:
            allowed.append(False)
        else:
            allowed.append(True)
    return allowed


def test_two_processes_count_together_in_the_database_cache(db, settings):
    """Two workers are two cache connections to one table: what one counts, the other sees.
    (A per-process memory cache would give each worker its own three.)"""
    table = {"BACKEND": "django.core.cache.backends.db.DatabaseCache"}
    settings.CACHES = {
        **settings.CACHES,
        "worker1": {**table, "LOCATION": settings.CACHE_TABLE},
        "worker2": {**table, "LOCATION": settings.CACHE_TABLE},
    }
    settings.COPARENT_RATE_LIMITS = {"signup.email": "3/h"}
    assert caches["worker1"] is not caches["worker2"]

    assert _hit_through("worker1", settings, 2) == [True, True]
    assert _hit_through("worker2", settings, 2) == [True, False]
    assert _hit_through("worker1", settings, 1) == [False]


def test_two_processes_count_together_in_redis(settings, redis_url):
    """The same with Redis (REDIS_URL), the machine's server at 127.0.0.1:6379."""
    prefix = f"test-{uuid.uuid4().hex}"
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": prefix,
    }
    settings.CACHES = {**settings.CACHES, "worker1": redis, "worker2": dict(redis)}
    settings.COPARENT_RATE_LIMITS = {"signup.email": "3/h"}
    client = caches["worker1"]._cache.get_client()
    try:
        assert _hit_through("worker1", settings, 2) == [True, True]
        assert _hit_through("worker2", settings, 2) == [True, False]
        # Counted atomically by Redis, with the window's expiry on the key.
        (key,) = client.keys(f"{prefix}:*")
        assert int(client.get(key)) == 4
        assert 3600 < client.ttl(key) <= 3660
    finally:
        for key in client.keys(f"{prefix}:*"):
            client.delete(key)


def _caches_in_a_new_process(tmp_path, **env: str) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.CACHES))"
    )
    environ = {**os.environ, "COPARENT_DATA_DIR": str(tmp_path), **env}
    environ.pop("REDIS_URL", None)
    environ.update(env)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**environ, "DJANGO_SETTINGS_MODULE": "coparent.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_the_cache_is_the_database_unless_redis_url_names_a_redis(tmp_path, redis_url):
    default = _caches_in_a_new_process(tmp_path)["default"]
    assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert default["LOCATION"] == "coparent_cache"

    with_redis = _caches_in_a_new_process(tmp_path, REDIS_URL=redis_url)["default"]
    assert with_redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert with_redis["LOCATION"] == redis_url
    # Never a per-process cache, whose counts each gunicorn worker would keep for itself.
    assert "locmem" not in json.dumps([default, with_redis]).lower()


_COUNT_IN_THIS_PROCESS = """
from django.core.cache import caches
from coparent.infra import ratelimit
print(type(caches["default"]).__name__)
for _ in range(2):
    try:
        ratelimit.hit(None, "signup", email="shared@example.org")
        print("ok")
    except ratelimit.RateLimited:
        print("429")
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_separate_processes_share_one_count(tmp_path, redis_url, backend):
    """Two real processes, as two gunicorn workers or two servers are: with the database cache
    on a fresh SQLite file (its table made by `migrate` alone) and with REDIS_URL set."""
    env = {
        **os.environ,
        "COPARENT_DATA_DIR": str(tmp_path),
        "COPARENT_RATE_LIMITS": "signup.email=3/h",
        "COPARENT_CACHE_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if backend == "redis":
        env["REDIS_URL"] = redis_url
    coparent = str(Path(sys.executable).with_name("coparent"))
    if backend == "database":
        subprocess.run([coparent, "manage", "migrate", "-v", "0"], env=env, check=True, timeout=300)

    def count() -> list[str]:
        done = subprocess.run(
            [coparent, "manage", "shell", "-v", "0", "-c", _COUNT_IN_THIS_PROCESS],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout.split()

    first, second = count(), count()

    expected_cache = "RedisCache" if backend == "redis" else "DatabaseCache"
    assert first == [expected_cache, "ok", "ok"]
    assert second == [expected_cache, "ok", "429"]


def test_simultaneous_requests_never_share_the_last_slot_in_the_database_cache(db, settings):
    """Twelve sign-ups of one address arrive at the same instant, each on its own connection
    (twelve gunicorn workers), against a limit of five. Each counter is read and written under
    its row's lock, so exactly five get through: a read-then-write limiter would let two
    requests read the same count and both pass the last slot."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL): SQLite's test database is one in-memory "
            "connection, so threads cannot race on it"
        )
    settings.CACHES = {
        **settings.CACHES,
        "table": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": settings.CACHE_TABLE,
        },
    }
    settings.COPARENT_RATE_LIMIT_CACHE = "table"
    settings.COPARENT_RATE_LIMITS = {"signup.email": "5/h"}
    address = f"race-{uuid.uuid4().hex}@example.org"
    people = 12
    at_once = threading.Barrier(people)
    outcomes: list[str] = []

    def sign_up() -> None:
        # Outside the test's transaction: each thread has its own connection, which commits.
        try:
            at_once.wait(timeout=30)
            try:
                ratelimit.hit(None, "signup", email=address)
                outcomes.append("let through")
            except ratelimit.RateLimited:
                outcomes.append("429")
        finally:
            connections.close_all()

    def tidy() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {settings.CACHE_TABLE} WHERE cache_key LIKE %s",  # noqa: S608
                    ["%rl:signup:email:%"],
                )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up) for _ in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    tidier = threading.Thread(target=tidy)
    tidier.start()
    tidier.join(timeout=60)

    assert sorted(outcomes) == ["429"] * 7 + ["let through"] * 5
