"""Bad input (issue 2): malformed, oversized or mistyped JSON gets a 4xx JSON answer with field
messages, never a 500, and changes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coparent.families.models import Child
from coparent.records.models import RecordEntry
from tests.api.conftest import family_path


@pytest.fixture
def children_path(cast):
    return family_path(cast, "/children")


def _nothing_changed(cast, before):
    assert RecordEntry.objects.filter(family=cast.family).count() == before


def test_a_10000_character_child_name_gets_a_field_error(cast, as_, children_path):
    before = RecordEntry.objects.filter(family=cast.family).count()
    response = as_(cast.alex).post(
        children_path, {"name": "M" * 10_000, "date_of_birth": "2020-01-01"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {"name": ["Ensure this value has at most 100 characters."]}
    assert body["detail"][0]["loc"] == ["body", "payload", "name"]
    assert body["detail"][0]["type"] == "string_too_long"
    _nothing_changed(cast, before)


def test_malformed_json_is_a_400_in_json(cast, as_, children_path):
    response = as_(cast.alex).post(children_path, raw=b'{"name": "Mia", ')
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is not valid JSON.",
        "errors": {"__all__": ["The request body is not valid JSON."]},
    }


def test_bytes_that_are_not_text_are_malformed_json(cast, as_, children_path):
    response = as_(cast.alex).post(children_path, raw=b"\xff\xfe\x00garbage")
    assert response.status_code == 400
    assert response.json()["errors"] == {"__all__": ["The request body is not valid JSON."]}


def test_a_3_mib_body_is_refused_with_413(cast, as_, children_path):
    before = RecordEntry.objects.filter(family=cast.family).count()
    big = json.dumps({"name": "x" * (3 * 1024 * 1024), "date_of_birth": "2020-01-01"})
    response = as_(cast.alex).post(children_path, raw=big)
    assert response.status_code == 413
    assert response.json()["errors"]["__all__"][0].startswith("The request body is too large")
    _nothing_changed(cast, before)


def test_wrong_types_get_a_message_per_field(cast, as_, children_path):
    response = as_(cast.alex).post(children_path, {"name": 42, "date_of_birth": "yesterday"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": ["Enter text."],
        "date_of_birth": ["Enter a valid date (YYYY-MM-DD)."],
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/families", {"name": "Rivera\x00"}),
        ("/tokens", {"name": "a\x00b", "password": "not checked when the name is bad"}),
        ("CHILDREN", {"name": "Mi\x00a", "date_of_birth": "2020-01-01"}),
    ],
)
def test_a_nul_character_is_a_field_error_not_a_database_error(
    cast, as_, children_path, path, body
):
    response = as_(cast.alex).post(children_path if path == "CHILDREN" else path, body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"name": ["Remove the invisible control characters."]}


def test_a_nul_character_in_a_record_filter_is_a_field_error(cast, as_):
    response = as_(cast.alex).get(family_path(cast, "/record"), kind="child\x00added")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["kind"]


def test_missing_and_unknown_fields_are_named(cast, as_, children_path):
    response = as_(cast.alex).post(children_path, {"nmae": "Mia"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": ["This field is required."],
        "date_of_birth": ["This field is required."],
        "nmae": ["Unknown field."],
    }


@pytest.mark.parametrize("raw", ["[]", '"Mia"', "null", "42", ""])
def test_a_body_that_is_not_an_object_asks_for_one(cast, as_, children_path, raw):
    response = as_(cast.alex).post(children_path, raw=raw)
    assert response.status_code == 422
    assert response.json()["errors"] == {"__all__": ["Send a JSON object."]}


def test_a_form_post_instead_of_json_is_malformed_json(cast, as_, children_path):
    caller = as_(cast.alex)
    response = caller.client.post(
        "/api/v1" + children_path,
        {"name": "Mia", "date_of_birth": "2020-01-01"},
        headers=caller.headers(),
        secure=True,
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON."


def test_a_path_id_that_is_not_a_uuid_is_a_json_404(cast, as_):
    response = as_(cast.alex).get("/families/not-a-uuid/children")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_api_path_is_a_json_404(cast, as_):
    response = as_(cast.alex).get("/nothing-here")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_method_the_path_does_not_serve_is_a_json_405(cast, as_):
    response = as_(cast.alex).call("PUT", "/families", {"name": "x"})
    assert response.status_code == 405
    assert response.json() == {"detail": "This method is not allowed here."}
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
child_like = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.text(max_size=120), json_values),
        "date_of_birth": st.one_of(st.dates().map(str), st.text(max_size=12), json_values),
    },
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.one_of(child_like, json_values))
@example(body={"name": "\x00", "date_of_birth": "2020-01-01"})
@example(body={"name": "Mia", "date_of_birth": 10**30})
def test_no_json_body_makes_the_server_fail(cast, as_, children_path, body):
    response = as_(cast.alex).post(children_path, body)
    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 201:
        assert Child.objects.filter(pk=response.json()["id"], family=cast.family).exists()
    else:
        assert response.json()["detail"]
