"""A parent makes a token for a script, sees it once, and can revoke it at any time. Making one
takes the current password (and code, with the second factor on), so a stolen token or session
cannot mint another that would outlive it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from coparent.accounts.models import ApiToken, AuditEvent, hash_token
from tests.accounts.conftest import app_code, turn_on_2fa
from tests.api.conftest import AUTH_QUERIES, Caller, issue_token
from tests.factories import PASSWORD


def test_sam_creates_a_token_and_the_script_uses_it(cast, as_):
    response = as_(cast.sam).post("/tokens", {"name": "Calendar sync", "password": PASSWORD})
    assert response.status_code == 201
    created = response.json()
    raw = created["token"]
    assert raw.startswith("cpt_") and created["hint"] == raw[:8]
    # Stored hashed: the raw value exists only in this answer.
    stored = ApiToken.objects.get(pk=created["id"])
    assert stored.token_hash == hash_token(raw) and raw not in stored.token_hash
    assert AuditEvent.objects.filter(user=cast.sam, kind="token_created").exists()
    assert Caller(token=raw).get("/me").json()["email"] == "sam@example.org"


def test_the_token_list_never_shows_a_token(cast, as_, django_assert_num_queries):
    sam = as_(cast.sam)
    sam.post("/tokens", {"name": "Calendar sync", "password": PASSWORD})
    # The token and its user, then: Sam's tokens (1).
    with django_assert_num_queries(AUTH_QUERIES + 1):
        response = sam.get("/tokens")
    assert response.status_code == 200
    listed = response.json()
    assert sorted(t["name"] for t in listed) == ["Calendar sync", "tests"]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert all(t["revoked_at"] is None and t["expires_at"] is None for t in listed)


def test_a_token_name_is_required_and_short(cast, as_):
    sam = as_(cast.sam)
    blank = sam.post("/tokens", {"name": "   ", "password": PASSWORD})
    assert blank.status_code == 400
    assert list(blank.json()["errors"]) == ["name"]
    long = sam.post("/tokens", {"name": "x" * 101, "password": PASSWORD})
    assert long.status_code == 422
    assert long.json()["errors"] == {"name": ["Ensure this value has at most 100 characters."]}


def test_alex_revokes_a_token_and_it_stops_working_at_once(cast, as_):
    raw = issue_token(cast.alex, "old laptop")
    script = Caller(token=raw)
    assert script.get("/me").status_code == 200
    token_id = ApiToken.objects.get(token_hash=hash_token(raw)).pk

    response = as_(cast.alex).delete(f"/tokens/{token_id}")
    assert response.status_code == 204
    answer = script.get("/me")
    assert answer.status_code == 401
    assert answer.json()["detail"]
    assert answer["WWW-Authenticate"].startswith("Bearer")
    listed = {t["name"]: t for t in as_(cast.alex).get("/tokens").json()}
    assert listed["old laptop"]["revoked_at"] is not None


def test_olivia_cannot_revoke_alexs_token(cast, as_):
    raw = issue_token(cast.alex, "phone")
    token_id = ApiToken.objects.get(token_hash=hash_token(raw)).pk
    response = as_(cast.olivia).delete(f"/tokens/{token_id}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert Caller(token=raw).get("/me").status_code == 200


def test_a_token_can_revoke_itself(cast, as_):
    alex = as_(cast.alex)
    own_id = alex.get("/tokens").json()[0]["id"]
    assert alex.delete(f"/tokens/{own_id}").status_code == 204
    assert alex.get("/tokens").status_code == 401


def test_a_stolen_token_cannot_mint_another_without_the_password(cast, as_):
    """Whoever holds one of Sam's tokens (or his browser session) does not know his password,
    so cannot turn it into a second token that survives the first one's revocation."""
    thief = as_(cast.sam)

    missing = thief.post("/tokens", {"name": "backdoor"})
    wrong = thief.post("/tokens", {"name": "backdoor", "password": "guess"})

    assert missing.status_code == 422
    assert missing.json()["errors"] == {"password": ["This field is required."]}
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {"password": ["That password is not right."]}
    assert not ApiToken.objects.filter(name="backdoor").exists()
    # Through the browser session too (the site's own scripts use it).
    browser = cast.client_for(cast.sam)
    via_session = browser.post(
        "/api/v1/tokens", {"name": "backdoor"}, content_type="application/json", secure=True
    )
    assert via_session.status_code == 422
    assert not ApiToken.objects.filter(name="backdoor").exists()


def test_guessing_the_password_there_counts_towards_the_lock_out(cast, as_, settings):
    thief = as_(cast.sam)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert thief.post("/tokens", {"name": "x", "password": "guess"}).status_code == 400

    locked = thief.post("/tokens", {"name": "x", "password": "guess"})
    even_right = thief.post("/tokens", {"name": "x", "password": PASSWORD})

    for response in (locked, even_right):
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert "Too many wrong passwords" in response.json()["detail"]
    assert not ApiToken.objects.filter(name="x").exists()
    assert AuditEvent.objects.filter(user=cast.sam, kind="locked_out").exists()


def test_with_the_second_factor_on_a_code_is_needed_too(cast, as_):
    device, _codes = turn_on_2fa(cast.sam)
    sam = as_(cast.sam)

    without = sam.post("/tokens", {"name": "Sync", "password": PASSWORD})
    right = sam.post("/tokens", {"name": "Sync", "password": PASSWORD, "code": app_code(device)})
    # (A wrong code also starts django-otp's back-off, so it comes last.)
    wrong = sam.post("/tokens", {"name": "Sync", "password": PASSWORD, "code": "000000"})

    assert without.status_code == 400
    assert without.json()["errors"] == {"code": ["This field is required."]}
    assert wrong.status_code == 400
    assert list(wrong.json()["errors"]) == ["code"]
    assert right.status_code == 201


def test_a_token_may_expire_and_is_then_refused(cast, as_):
    created = as_(cast.alex).post(
        "/tokens", {"name": "Trip", "password": PASSWORD, "expires_in_days": 2}
    )
    assert created.status_code == 201
    body = created.json()
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=1, hours=23) < expires_at - timezone.now() <= timedelta(days=2)
    script = Caller(token=body["token"])
    assert script.get("/me").status_code == 200

    ApiToken.objects.filter(pk=body["id"]).update(expires_at=timezone.now())

    refused = script.get("/me")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    for days in (0, 3651):
        out_of_range = as_(cast.alex).post(
            "/tokens", {"name": "Trip", "password": PASSWORD, "expires_in_days": days}
        )
        assert out_of_range.status_code == 422
        assert list(out_of_range.json()["errors"]) == ["expires_in_days"]
