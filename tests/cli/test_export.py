"""Exporting a family's record: a proof anyone can check offline (PRODUCT.md story 8)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.conf import settings

from coparent.core.record.chain import public_key_text
from coparent.core.record.verify import verify_document
from coparent.families import services
from coparent.families.selectors import get_family_access
from coparent.infra.keys import ensure_signing_key
from coparent.records import export as export_module
from coparent.records.export import (
    ChainBroken,
    build_export,
    check_chain,
    export_html,
    family_entries,
    render_pdf,
    summarize,
)
from coparent.records.models import RecordEntry
from tests.factories import UserFactory


def _as_file(document: dict[str, Any]) -> dict[str, Any]:
    """What a reader gets back from the JSON file the export is written to."""
    return json.loads(json.dumps(document))


def test_a_full_export_of_the_rivera_record_verifies_offline(cast):
    document = _as_file(build_export(family=cast.family))

    verdict = verify_document(document)
    stored = RecordEntry.objects.filter(family=cast.family).count()
    assert verdict.ok, verdict.reason
    assert (verdict.entries, verdict.stubs) == (stored, 0)
    assert document["format"] == "coparent-record/1"
    assert document["family"] == {"id": str(cast.family.pk), "name": "Rivera family"}
    assert document["scope"] == {"kinds": None, "from": None, "to": None, "timezone": "UTC"}
    assert document["head"]["seq"] == stored
    # Signed with the key kept in the data folder, the one the server shows.
    server_key = ensure_signing_key(settings.DATA_DIR).public_key()
    assert document["public_key"] == public_key_text(server_key)
    assert document["algorithm"] == "Ed25519"


def test_the_outsiders_record_is_not_in_the_rivera_export(cast):
    document = build_export(family=cast.family)

    names = {e["data"].get("name") for e in document["entries"]}
    assert "Ada" not in names and "Okafor family" not in names
    assert {"Mia", "Leo", "Rivera family"} <= names


def test_a_selective_export_of_children_keeps_the_chain_whole_with_stubs(cast):
    document = _as_file(build_export(family=cast.family, kinds=["child.added"]))

    verdict = verify_document(document)
    assert verdict.ok, verdict.reason
    full = [e for e in document["entries"] if "data" in e]
    stubs = [e for e in document["entries"] if "data" not in e]
    assert [e["data"]["name"] for e in full] == ["Mia", "Leo"]
    assert verdict.stubs == len(stubs) == len(document["entries"]) - 2
    # A stub shows that an entry exists and what kind it is, nothing about what it says.
    assert all(set(stub) == {"seq", "kind", "prev", "hash"} for stub in stubs)
    assert document["scope"]["kinds"] == ["child.added"]


def test_an_export_for_one_month_shows_only_that_month(db):
    alex = UserFactory(display_name="Alex")
    family = services.family_create(
        user=alex, name="Rivera family", at=datetime(2026, 1, 5, 9, tzinfo=UTC)
    )
    access = get_family_access(alex, family.pk)
    for name, moment in (
        ("Mia", datetime(2026, 2, 1, 0, 0, tzinfo=UTC)),
        ("Leo", datetime(2026, 2, 28, 23, 59, tzinfo=UTC)),
        ("Ivy", datetime(2026, 3, 1, 0, 0, tzinfo=UTC)),
    ):
        services.child_add(access=access, name=name, date_of_birth=date(2019, 1, 1), at=moment)

    document = _as_file(
        build_export(family=family, date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
    )

    assert verify_document(document).ok
    shown = [e["data"]["name"] for e in document["entries"] if "data" in e]
    assert shown == ["Mia", "Leo"]
    assert document["scope"] == {
        "kinds": None,
        "from": "2026-02-01",
        "to": "2026-02-28",
        "timezone": "UTC",  # the command's dates are UTC days
    }


def test_an_export_refuses_dates_in_the_wrong_order(cast):
    with pytest.raises(ValueError, match="start date is after the end date"):
        build_export(family=cast.family, date_from=date(2026, 3, 1), date_to=date(2026, 2, 1))


def test_an_export_with_nothing_in_scope_is_all_stubs_and_still_verifies(cast):
    document = _as_file(build_export(family=cast.family, kinds=["consent.withdrawn"]))

    verdict = verify_document(document)
    assert verdict.ok, verdict.reason
    assert verdict.stubs == verdict.entries == document["head"]["seq"]


def _change_data(entries: list[dict[str, Any]]) -> None:
    entries[2]["data"]["name"] = "Someone else"


def _drop_second(entries: list[dict[str, Any]]) -> None:
    del entries[1]


def _swap_fourth_and_fifth(entries: list[dict[str, Any]]) -> None:
    entries[3], entries[4] = entries[4], entries[3]


def _relink_fifth(entries: list[dict[str, Any]]) -> None:
    entries[4]["prev"] = "f" * 64


@pytest.mark.parametrize(
    ("tamper", "bad_seq", "why"),
    [
        (_change_data, 3, "contents do not match"),
        (_drop_second, 2, "found entry 3"),
        (_swap_fourth_and_fifth, 4, "found entry 5"),
        (_relink_fifth, 5, "link to the entry before"),
    ],
)
def test_the_chain_check_names_the_first_tampered_entry(cast, tamper, bad_seq, why):
    entries = copy.deepcopy(family_entries(cast.family))
    assert check_chain(entries) == len(entries)

    tamper(entries)

    with pytest.raises(ChainBroken, match=why) as caught:
        check_chain(entries)
    assert caught.value.seq == bad_seq


def test_an_export_refuses_to_sign_a_chain_that_does_not_hash_up(cast, monkeypatch):
    # The triggers stop UPDATEs, so a broken chain can only come from outside the app (an old
    # file copied over the database, say); simulate what such rows would read back as.
    entries = copy.deepcopy(family_entries(cast.family))
    _change_data(entries)
    monkeypatch.setattr(export_module, "family_entries", lambda family: entries)

    with pytest.raises(ChainBroken) as caught:
        build_export(family=cast.family)
    assert caught.value.seq == 3


def test_the_pdf_renders(cast):
    pdf = render_pdf(build_export(family=cast.family, kinds=["child.added"]), family=cast.family)
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 5000


def test_the_pdf_reads_like_the_story_and_says_how_to_check_it(cast):
    document = build_export(family=cast.family, kinds=["child.added", "member.joined"])

    html = export_html(document, family=cast.family)

    assert "Family record: Rivera family" in html
    assert "Mia added, born May 2, 2016" in html
    assert "In UTC, the family's time zone." in html
    assert "Sam joined as Parent" in html
    assert "Morgan joined as Professional (Mediator)" in html
    assert "Alex" in html  # who added the children
    assert "outside this export" in html  # the invitations and consents, as stubs
    assert document["head"]["hash"] in html
    assert document["head"]["signature"] in html
    assert "coparent verify FILE.json" in html
    assert "python verify.py FILE.json" in html


def test_a_summary_falls_back_to_the_fields_for_an_unknown_kind():
    assert summarize("expense.created", {"amount": "12.50", "what": "Shoes"}) == (
        "amount: 12.50; what: Shoes"
    )
    assert summarize("child.added", {"unexpected": "shape"}) == "unexpected: shape"
