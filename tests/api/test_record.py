"""He said, she said (story 8): the record, read over the API, is the chain exactly as hashed,
page after page in `seq` order, and anyone can fetch the key that signs it."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

from django.conf import settings

from coparent.core.record.chain import GENESIS_PREV, entry_hash, key_fingerprint
from coparent.families import services
from coparent.infra.keys import ensure_signing_key
from coparent.records.models import RecordEntry
from tests.api.conftest import AUTH_QUERIES, family_path


def _add_children(cast, n):
    access = cast.access(cast.alex)
    for i in range(n):
        services.child_add(access=access, name=f"Child {i}", date_of_birth=date(2020, 1, 1))


def test_sam_reads_the_record_and_every_hash_checks_out(cast, as_, django_assert_num_queries):
    sam = as_(cast.sam)
    sam.get("/me")
    # The token and its user, then: Sam's membership with the family (1), the count of
    # matching entries (1), the page of entries with their actors (1), the homes of the parents
    # in safe mode (1, records.disclosure).
    with django_assert_num_queries(AUTH_QUERIES + 4):
        response = sam.get(family_path(cast, "/record"))
    assert response.status_code == 200
    page = response.json()
    total = RecordEntry.objects.filter(family=cast.family).count()
    assert page["count"] == total == len(page["items"])
    prev = GENESIS_PREV
    for seq, item in enumerate(page["items"], start=1):
        assert item["seq"] == seq
        assert item["prev"] == prev
        fields = {k: item[k] for k in ("seq", "at", "kind", "actor", "data", "prev")}
        assert entry_hash(**fields) == item["hash"]
        prev = item["hash"]
    assert page["items"][0]["kind"] == "family.created"
    assert page["items"][0]["actor"] == str(cast.alex.pk)


def test_the_mediator_reads_the_record_but_the_viewer_does_not(cast, as_):
    assert as_(cast.morgan).get(family_path(cast, "/record")).status_code == 200
    response = as_(cast.vic).get(family_path(cast, "/record"))
    assert response.status_code == 403
    assert "items" not in response.json()


def test_pages_follow_each_other_without_gaps_or_repeats(cast, as_):
    _add_children(cast, 12)
    alex = as_(cast.alex)
    seqs, offset = [], 0
    while True:
        page = alex.get(family_path(cast, "/record"), limit=5, offset=offset).json()
        if not page["items"]:
            break
        seqs += [item["seq"] for item in page["items"]]
        offset += len(page["items"])
    assert seqs == list(range(1, page["count"] + 1))


def test_a_page_read_earlier_is_unchanged_after_new_entries(cast, as_):
    alex = as_(cast.alex)
    before = alex.get(family_path(cast, "/record"), limit=4, offset=2).json()
    _add_children(cast, 3)
    after = alex.get(family_path(cast, "/record"), limit=4, offset=2).json()
    assert after["items"] == before["items"]
    assert after["count"] == before["count"] + 3


def test_the_record_filters_by_kind_actor_and_dates(cast, as_):
    # An entry dated in the past, as a later import of old facts would be.
    services.child_add(
        access=cast.access(cast.alex),
        name="Old",
        date_of_birth=date(2019, 1, 1),
        at=datetime(2020, 3, 14, 23, 59, tzinfo=UTC),
    )
    sam = as_(cast.sam)
    path = family_path(cast, "/record")

    def names(**query):
        return [i["data"].get("name") for i in sam.get(path, **query).json()["items"]]

    assert names(kind="child.added") == ["Mia", "Leo", "Old"]
    by_sam = sam.get(path, actor=cast.sam.pk).json()["items"]
    assert by_sam and {i["actor"] for i in by_sam} == {str(cast.sam.pk)}
    assert names(**{"from": "2020-03-14", "to": "2020-03-14"}) == ["Old"]
    assert names(**{"from": "2020-03-15", "to": "2020-03-20"}) == []
    assert names(to="2020-03-13") == []
    assert "Old" not in names(**{"from": "2020-03-15"})


def test_the_page_size_is_capped_with_a_field_message(cast, as_):
    response = as_(cast.alex).get(family_path(cast, "/record"), limit=501)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "limit": ["Ensure this value is less than or equal to 500."]
    }
    assert as_(cast.alex).get(family_path(cast, "/record"), limit=500).status_code == 200


def test_a_bad_date_filter_is_a_field_error(cast, as_):
    response = as_(cast.alex).get(family_path(cast, "/record"), **{"from": "last tuesday"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["from"]


def test_anyone_can_fetch_the_record_signing_key(db, as_):
    response = as_(None).get("/record-key")
    assert response.status_code == 200
    key = response.json()
    expected = ensure_signing_key(settings.DATA_DIR).public_key().public_bytes_raw()
    assert base64.b64decode(key["public_key"]) == expected
    assert key["fingerprint"] == key_fingerprint(key["public_key"])
    assert key["algorithm"] == "Ed25519"
