"""The agreement through the API, as a script or another front end uses it: the same rules as
the pages, answers in JSON with field messages, retries safe with an Idempotency-Key, and the
list endpoints on a fixed query budget."""

from __future__ import annotations

import pytest

from coparent.agreements.models import ClauseStatus, ClauseVersion
from tests.agreements.conftest import SOCIAL, propose, signed
from tests.agreements.test_pages import _grow
from tests.kit import AUTH_QUERIES

CLAUSE = {
    "topic": "joint_decisions",
    "title": "Social media: both parents decide",
    "body": "No social-media account for a child without both parents' agreement.",
    "terms": {"reserved": ["social_media"]},
}


def _path(cast, suffix=""):
    return f"/families/{cast.family.pk}/agreement{suffix}"


def test_alex_proposes_and_sam_signs_through_the_api(cast, as_):
    created = as_(cast.alex).post(_path(cast, "/clauses"), CLAUSE)
    assert created.status_code == 201, created.content
    body = created.json()
    pending = body["pending"]["version"]
    assert pending["status"] == "proposed" and pending["terms"] == {"reserved": ["social_media"]}
    assert body["pending"]["waiting_for"][0]["display_name"] == "Sam"

    signed = as_(cast.sam).post(_path(cast, f"/versions/{pending['id']}/sign"))
    assert signed.status_code == 200
    assert signed.json()["in_force"]["signatures"][0]["signer"]["display_name"] == "Sam"
    terms = as_(cast.morgan).get(_path(cast, "/terms")).json()
    assert terms["reserved"]["social_media"]["title"] == CLAUSE["title"]


def test_a_retry_with_the_same_key_creates_nothing(cast, as_):
    alex = as_(cast.alex)
    headers = {"Authorization": f"Bearer {alex.token}", "Idempotency-Key": "clause-1"}
    first, again = (
        alex.client.post(
            "/api/v1" + _path(cast, "/clauses"),
            CLAUSE,
            content_type="application/json",
            headers=headers,
            secure=True,
        )
        for _ in range(2)
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert ClauseVersion.objects.count() == 1


def test_a_clause_of_100000_characters_is_a_field_error(cast, as_):
    response = as_(cast.alex).post(_path(cast, "/clauses"), {**CLAUSE, "body": "x" * 100_000})
    assert response.status_code == 422
    assert response.json()["errors"]["body"] == ["Ensure this value has at most 10000 characters."]
    assert not ClauseVersion.objects.exists()


def test_bad_terms_come_back_field_by_field(cast, as_):
    response = as_(cast.alex).post(
        _path(cast, "/clauses"),
        {**CLAUSE, "terms": {"reserved": ["karaoke"], "split": {"A": 70, "B": 20}}},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"terms.reserved", "terms.split"}


def test_signing_twice_is_a_conflict_and_signing_ones_own_is_refused(cast, as_):
    version = signed(cast)
    again = as_(cast.sam).post(_path(cast, f"/versions/{version.pk}/sign"))
    assert again.status_code == 409
    assert "nothing changed" in again.json()["detail"]
    mine = propose(cast, title="Mine")
    own = as_(cast.alex).post(_path(cast, f"/versions/{mine.pk}/sign"))
    assert own.status_code == 403 and "other parent" in own.json()["detail"]
    mine.refresh_from_db()
    assert mine.status == ClauseStatus.PROPOSED


def test_the_mediator_drafts_but_cannot_sign(cast, as_):
    created = as_(cast.morgan).post(_path(cast, "/clauses"), CLAUSE)
    assert created.status_code == 201
    version_id = created.json()["pending"]["version"]["id"]
    assert created.json()["pending"]["may_sign"] is False
    assert as_(cast.morgan).post(_path(cast, f"/versions/{version_id}/sign")).status_code == 403


def test_an_amendment_waits_while_the_signed_version_stays_in_force(cast, as_):
    version = signed(cast, terms=SOCIAL)
    response = as_(cast.sam).post(
        _path(cast, f"/clauses/{version.clause_id}/versions"),
        {"title": "Curb or school", "body": "At the curb, or the school pickup."},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["in_force"]["number"] == 1 and body["pending"]["version"]["number"] == 2
    assert body["pending"]["replaces"] == 1
    again = as_(cast.alex).post(
        _path(cast, f"/clauses/{version.clause_id}/versions"), {"title": "x", "body": "y"}
    )
    assert again.status_code == 409


def test_the_library_lists_the_templates(cast, as_):
    library = as_(cast.alex).get(_path(cast, "/library")).json()
    slugs = {t["slug"] for t in library}
    assert {"curbside-exchanges", "social-media", "travel", "swap-requests"} <= slugs
    assert len(library) >= 15


@pytest.mark.parametrize("n", [1, 20])
def test_the_agreement_endpoint_runs_a_fixed_number_of_queries(
    cast, as_, django_assert_num_queries, n
):
    _grow(cast, n)
    sam = as_(cast.sam)
    sam.get(_path(cast))  # the token's once-a-minute "last used" update happens here
    # auth; 1 membership (access path); 2 the parents; 3 every version with its clause and
    # people; 4 their signatures with who signed.
    with django_assert_num_queries(AUTH_QUERIES + 4):
        response = sam.get(_path(cast))
    assert len(response.json()["in_force"]) == n and len(response.json()["pending"]) == 1


def test_a_clauses_history_runs_a_fixed_number_of_queries(cast, as_, django_assert_num_queries):
    version = signed(cast)
    sam = as_(cast.sam)
    sam.get(_path(cast, f"/clauses/{version.clause_id}"))
    # auth; 1 membership; 2 the clause; 3 the parents; 4 its versions; 5 their signatures.
    with django_assert_num_queries(AUTH_QUERIES + 5):
        response = sam.get(_path(cast, f"/clauses/{version.clause_id}"))
    assert response.json()["in_force"]["title"] == "Exchanges at the curb"


def test_terms_are_one_query(cast, as_, django_assert_num_queries):
    signed(cast, terms={"split": {"A": 60, "B": 40}})
    alex = as_(cast.alex)
    alex.get(_path(cast, "/terms"))
    # auth; 1 membership; 2 the versions in force.
    with django_assert_num_queries(AUTH_QUERIES + 2):
        response = alex.get(_path(cast, "/terms"))
    assert response.json()["split"] == {"A": 60, "B": 40}


def test_the_agreements_shapes_keep_their_own_names_in_the_schema(db):
    """The plans' VersionOut and DeclineIn are not shadowed by the agreement's (ninja names a
    schema component by its class alone)."""
    from coparent.api.api import api

    components = api.get_openapi_schema()["components"]["schemas"]
    assert "effective_from" in components["VersionOut"]["properties"]
    assert "clause_id" in components["ClauseVersionOut"]["properties"]
    assert set(components["ClauseStatus"]["enum"]) == {s.value for s in ClauseStatus}
