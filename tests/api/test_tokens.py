"""A parent makes a token for a script, sees it once, and can revoke it at any time."""

from __future__ import annotations

from coparent.accounts.models import ApiToken, AuditEvent, hash_token
from tests.api.conftest import AUTH_QUERIES, Caller, issue_token


def test_sam_creates_a_token_and_the_script_uses_it(cast, as_):
    response = as_(cast.sam).post("/tokens", {"name": "Calendar sync"})
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
    sam.post("/tokens", {"name": "Calendar sync"})
    # The token and its user, then: Sam's tokens (1).
    with django_assert_num_queries(AUTH_QUERIES + 1):
        response = sam.get("/tokens")
    assert response.status_code == 200
    listed = response.json()
    assert sorted(t["name"] for t in listed) == ["Calendar sync", "tests"]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert all(t["revoked_at"] is None for t in listed)


def test_a_token_name_is_required_and_short(cast, as_):
    sam = as_(cast.sam)
    blank = sam.post("/tokens", {"name": "   "})
    assert blank.status_code == 400
    assert list(blank.json()["errors"]) == ["name"]
    long = sam.post("/tokens", {"name": "x" * 101})
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
