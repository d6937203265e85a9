"""The `Idempotency-Key` as a client meets it: what a twin request is answered, that a key is
one person's in one family, that wrong input is told field by field whatever the key, and that
every operation taking the header says so in the OpenAPI schema. (The helper itself:
tests/messaging/test_once.py; twins in real threads: tests/messaging/test_once_twins.py.)"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from coparent.families import services as family_services
from coparent.journal.models import Entry
from coparent.messaging.idempotency import KeyTaken, Once
from coparent.messaging.models import IdempotencyKey
from coparent.requests.models import Request
from tests.api.conftest import API, family_path

KEY = "5b1f-twin"


def _post(caller: Any, path: str, body: dict[str, Any], key: str | None = KEY) -> Any:
    headers = {"Authorization": f"Bearer {caller.token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return caller.client.post(
        API + path, json.dumps(body), content_type="application/json", headers=headers, secure=True
    )


def _ask(cast: Any, title: str = "Parents' evening") -> dict[str, Any]:
    return {"kind": "school", "title": title, "children": [str(cast.mia.pk)]}


def test_a_twin_that_lost_the_race_gets_201_and_the_first_request(cast, as_, monkeypatch):
    """Both twins looked for the key before either wrote; the second finds it only when keeping
    it. It used to get a 500; it gets the first one's answer."""
    alex = as_(cast.alex)
    first = _post(alex, family_path(cast, "/requests"), _ask(cast))
    real_first = Once.first
    looks: list[Once] = []

    def not_committed_yet_at_the_first_look(once: Once) -> str | None:
        looks.append(once)
        return None if len(looks) == 1 else real_first(once)

    monkeypatch.setattr(Once, "first", not_committed_yet_at_the_first_look)
    twin = _post(alex, family_path(cast, "/requests"), _ask(cast))

    assert (first.status_code, twin.status_code) == (201, 201)
    assert twin.json()["id"] == first.json()["id"]
    assert Request.objects.filter(family=cast.family).count() == 1


def test_a_twin_whose_first_is_still_being_processed_is_told_to_retry(cast, as_, monkeypatch):
    """The key's row refused the write, and no result can be read yet: 409, Retry-After."""

    def held_by_a_twin(once: Once, made_id: object) -> None:
        raise KeyTaken("duplicate key value violates unique constraint")

    monkeypatch.setattr(Once, "remember", held_by_a_twin)
    twin = _post(as_(cast.alex), family_path(cast, "/requests"), _ask(cast))

    assert twin.status_code == 409
    assert twin["Retry-After"] == "1"
    assert twin.json() == {
        "detail": "The same request (this Idempotency-Key) is still being processed. Retry in a "
        "moment with the same key to get its result."
    }
    assert not Request.objects.filter(family=cast.family).exists()


def test_wrong_input_is_told_field_by_field_with_or_without_a_key(cast, as_):
    alex = as_(cast.alex)
    for key in (None, KEY, KEY):  # no key; a key; the same key again (nothing was kept)
        refused = _post(alex, family_path(cast, "/requests"), _ask(cast, title=" "), key=key)
        assert refused.status_code == 400
        assert refused.json()["errors"] == {"title": ["Give it a title."]}
    assert not IdempotencyKey.objects.exists()


def test_alexs_key_in_her_second_family_is_another_key(cast, as_):
    """Alex's app picks its keys per person; in her second family the same key writes there,
    and each family's retry gets its own entry back."""
    second = family_services.family_create(user=cast.alex, name="Alex and Jo")
    alex = as_(cast.alex)
    here, there = family_path(cast, "/journal"), family_path(cast, "/journal", family=second)

    first_here = _post(alex, here, {"text": "Mia's first day at school."})
    first_there = _post(alex, there, {"text": "Mia's first day at school."})
    again_here = _post(alex, here, {"text": "Mia's first day at school."})
    again_there = _post(alex, there, {"text": "Mia's first day at school."})

    assert [r.status_code for r in (first_here, first_there, again_here, again_there)] == [201] * 4
    assert first_there.json()["id"] != first_here.json()["id"]
    assert "Idempotent-Replayed" not in first_there
    assert again_here.json()["id"] == first_here.json()["id"]
    assert again_there.json()["id"] == first_there.json()["id"]
    assert (again_here["Idempotent-Replayed"], again_there["Idempotent-Replayed"]) == ("true",) * 2
    assert Entry.objects.filter(family=second).count() == 1


def test_every_operation_taking_the_key_documents_the_409_of_a_twin(db):
    schema = Client().get("/api/v1/openapi.json", secure=True).json()
    keyed = {
        (method, path): operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }
    # Every creating POST a person must not get twice, and the two exports (a job each, and
    # the record's a `record.exported` entry the other parent reads).
    assert len(keyed) == 21
    started = {(m, p) for m, p in keyed if p.endswith(("/record/exports", "/journal/exports"))}
    assert len(started) == 2
    for (method, path), operation in keyed.items():
        first = "202" if (method, path) in started else "201"
        assert {first, "409", "422"} <= set(operation["responses"]), operation["operationId"]
        (header,) = (p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
        assert "another family is another key" in header["description"]
        assert "409 with Retry-After" in header["description"]
        assert f"({first}) and creates nothing" in header["description"]
