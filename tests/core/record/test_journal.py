"""The journal's chain and its offline verifier, with no Django: a document built from the
pure functions verifies; any change to a version, a link, the head or a seal does not, and the
verdict names the first bad link."""

from __future__ import annotations

import copy
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from coparent.core.record.chain import public_key_text
from coparent.core.record.journal import anchor_commitment, make_version, sign_head
from coparent.core.record.verify_journal import verify_any, verify_journal

KEY = Ed25519PrivateKey.generate()


def _document(texts: list[str]) -> dict[str, Any]:
    versions, prev = [], None
    for seq, text in enumerate(texts, start=1):
        body = make_version(
            prev_hash=prev,
            seq=seq,
            at=f"2027-03-{seq:02d}T10:00:00.000000Z",
            entry=f"entry-{seq}",
            version=1,
            happened_on=f"2027-03-{seq:02d}",
            text=text,
            tags=[],
            files=[],
            link=None,
        )
        versions.append(body)
        prev = body["hash"]
    chain = [{"seq": v["seq"], "prev": v["prev"], "hash": v["hash"]} for v in versions]
    head_hash = prev or "0" * 64
    return {
        "format": "coparent-journal/1",
        "family": {"id": "f1", "name": "Rivera family"},
        "author": {"id": "7", "name": "Alex"},
        "exported_at": "2027-04-01T00:00:00.000000Z",
        "entries": [{"id": v["entry"], "versions": [v]} for v in versions],
        "chain": chain,
        "head": sign_head(
            KEY, family="f1", author="7", seq=len(chain), hash=head_hash, at="2027-04-01T00:00Z"
        ),
        "public_key": public_key_text(KEY.public_key()),
        "algorithm": "Ed25519",
        "anchors": [],
    }


def test_an_empty_journal_and_a_written_one_verify():
    assert verify_journal(_document([])).ok
    assert verify_journal(_document(["one", "two", "three"])).ok


def test_a_record_export_still_goes_to_the_records_verifier():
    assert "family is missing" in verify_any({"format": "coparent-record/1"}).reason
    assert "coparent-record/1" in verify_any({"format": "other"}).reason


@given(st.integers(min_value=0, max_value=3), st.text(min_size=1, max_size=30))
def test_any_changed_text_is_named_by_its_link(position, extra):
    document = _document(["one", "two", "three", "four"])
    tampered = copy.deepcopy(document)
    tampered["entries"][position]["versions"][0]["text"] += extra
    verdict = verify_journal(tampered)
    assert not verdict.ok and verdict.bad_seq == position + 1


def test_a_seal_opens_only_with_its_salt():
    document = _document(["one", "two"])
    salt, head = "ab" * 32, document["chain"][1]["hash"]
    anchor = {
        "record_seq": 40,
        "salt": salt,
        "head_seq": 2,
        "head_hash": head,
        "commitment": anchor_commitment(salt, head),
    }
    document["anchors"] = [anchor]
    assert verify_journal(document).ok
    document["anchors"] = [{**anchor, "head_seq": 1}]
    assert not verify_journal(document).ok


def test_a_head_signed_for_someone_else_fails():
    document = _document(["one"])
    document["author"]["id"] = "8"
    assert "different family or author" in verify_journal(document).reason
