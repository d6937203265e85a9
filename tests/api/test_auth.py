"""One way in: a personal token as `Authorization: Bearer TOKEN` (or, for the site's own pages,
the logged-in session with its CSRF token). Anything else is a 401 in JSON on every operation."""

from __future__ import annotations

import string
import uuid

import pytest
from django.test import Client

from coparent.accounts.models import ApiToken, hash_token
from coparent.accounts.services import token_revoke
from tests.api.conftest import Caller, fill, issue_token, operations

# The signing key, and the verifier anyone holding an export may call, like its page /verify/.
PUBLIC = {("GET", "/api/v1/record-key"), ("POST", "/api/v1/record/verify")}
PROTECTED = [op for op in operations() if op not in PUBLIC]


def _path(cast, template):
    """The template with real ids where the cast has them; any other id is made up, since the
    credentials are refused before any lookup happens."""
    known = {
        "family_id": cast.family.pk,
        "child_id": cast.mia.pk,
        "member_id": cast.viewer.pk,
        "token_id": 1,
        "notification_id": 1,
        "subscription_id": 1,
    }
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return fill(template, **{name: known.get(name, uuid.uuid4()) for name in names})


def _assert_refused(response):
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"]


@pytest.mark.parametrize(("method", "template"), PROTECTED)
def test_a_caller_without_a_token_gets_401_everywhere(cast, method, template):
    _assert_refused(Caller(token=None).call(method, _path(cast, template), {}))


@pytest.mark.parametrize(("method", "template"), PROTECTED)
def test_a_revoked_token_gets_401_everywhere(cast, method, template):
    raw = issue_token(cast.alex, "revoked")
    token_revoke(user=cast.alex, token=ApiToken.objects.get(token_hash=hash_token(raw)))
    _assert_refused(Caller(token=raw).call(method, _path(cast, template), {}))


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer cpt_made-up", "Bearer " + "x" * 5000, "Basic YWxleDpwdw==", "Token abc"],
)
def test_made_up_or_foreign_credentials_get_401(cast, header):
    response = Client().get("/api/v1/me", headers={"Authorization": header}, secure=True)
    _assert_refused(response)


def test_a_deactivated_persons_token_stops_working(cast):
    raw = issue_token(cast.vic)
    cast.vic.is_active = False
    cast.vic.save(update_fields=["is_active"])
    _assert_refused(Caller(token=raw).get("/me"))


def test_the_logged_in_browser_reads_with_its_session(cast):
    response = cast.client_for(cast.sam).get("/api/v1/me", secure=True)
    assert response.status_code == 200
    assert response.json()["email"] == "sam@example.org"


def test_the_browser_must_send_its_csrf_token_to_write(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.alex)
    body = {"name": "Noa", "date_of_birth": "2024-02-29"}
    path = f"/api/v1/families/{cast.family.pk}/children"
    refused = browser.post(path, body, content_type="application/json", secure=True)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    token = "a" * 32  # a CSRF secret, as the site's pages would have set in the cookie
    browser.cookies["csrftoken"] = token
    accepted = browser.post(
        path,
        body,
        content_type="application/json",
        secure=True,
        headers={"X-CSRFToken": token, "Referer": "https://testserver/"},
    )
    assert accepted.status_code == 201


def test_a_bad_token_is_401_even_from_a_logged_in_browser(cast):
    browser = cast.client_for(cast.alex)
    response = browser.get("/api/v1/me", headers={"Authorization": "Bearer cpt_wrong"}, secure=True)
    _assert_refused(response)


def test_an_anonymous_write_is_401_not_a_csrf_403(db):
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/families", {"name": "x"}, content_type="application/json", secure=True
    )
    _assert_refused(response)
