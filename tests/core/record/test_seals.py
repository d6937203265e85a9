"""#8.4: a message's content is sealed in the record, and an export discloses it only to those
who may read it; the standalone verifier checks each disclosure against its entry's seal.

Sam wrote "OK." to Alex about the lawyer. The entry carries a salted commitment, not the text or
a plain hash of it: Morgan, outside the conversation, cannot confirm a guess; Alex, who reads
the conversation, receives the salt and the content and checks them against the record.
"""

import copy
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from coparent.core.record.chain import (
    make_entry,
    public_key_text,
    seal,
    seal_commitment,
    sign_head,
    stub_of,
)
from coparent.core.record.verify import verify_document

KEY = Ed25519PrivateKey.generate()
FAMILY = {"id": "fam-rivera", "name": "The Rivera family"}
AT = "2027-06-01T09:00:00.000000Z"
CONTENT = {"subject": "Lawyer", "topic": "other", "body": "OK.", "attachments": []}


def _export(*, disclose: bool = True, stub_seq: int | None = None) -> dict[str, Any]:
    opened, commitment = seal(CONTENT)
    first = make_entry(prev=None, at=AT, kind="family.created", actor="1", data={"name": "R"})
    sent = make_entry(
        prev=first,
        at=AT,
        kind="message.sent",
        actor="2",
        data={"thread": "t", "sender": "2", "recipients": ["1"], "sealed": commitment},
    )
    chain = [first, sent]
    return {
        "format": "coparent-record/1",
        "family": dict(FAMILY),
        "exported_at": AT,
        "scope": {"kinds": None, "from": None, "to": None},
        "entries": [stub_of(e) if e.seq == stub_seq else e.as_dict() for e in chain],
        "withheld": [],
        "disclosures": [{"seq": 2, "sealed": opened}] if disclose else [],
        "head": sign_head(KEY, family=FAMILY["id"], seq=2, hash=sent.hash, at=AT),
        "public_key": public_key_text(KEY.public_key()),
        "algorithm": "Ed25519",
    }


def test_a_seal_hides_the_content_behind_a_salted_commitment():
    opened, commitment = seal(CONTENT)
    again, other = seal(CONTENT)
    assert {k: v for k, v in opened.items() if k != "salt"} == CONTENT
    assert len(opened["salt"]) == 64 and opened["salt"] != again["salt"]
    # Two seals of the same words differ, and neither is the plain hash a guess would give.
    assert commitment != other
    assert commitment not in {hashlib.sha256(b"OK.").hexdigest(), seal_commitment(CONTENT)}
    assert seal_commitment(opened) == commitment
    with pytest.raises(ValueError, match="salt"):
        seal({"salt": "mine"})


def test_alex_checks_the_disclosed_text_against_the_record():
    document = _export()
    assert verify_document(document).ok
    opened = document["disclosures"][0]["sealed"]
    entry = document["entries"][1]
    # Salt + text -> commitment, by hand, with the text Alex read in the app.
    assert seal_commitment({**opened, "body": "OK."}) == entry["data"]["sealed"]
    assert seal_commitment({**opened, "body": "No."}) != entry["data"]["sealed"]


def test_an_export_without_disclosures_still_verifies():
    document = _export(disclose=False)
    assert verify_document(document).ok
    del document["disclosures"]  # exports written before sealing have none
    assert verify_document(document).ok


def _tamper(change: str) -> dict[str, Any]:
    document = _export()
    item = document["disclosures"][0]
    if change == "text":
        item["sealed"]["body"] = "No."
    elif change == "salt":
        item["sealed"]["salt"] = "0" * 64
    elif change == "entry without seal":
        item["seq"] = 1
    elif change == "no such entry":
        item["seq"] = 9
    elif change == "extra field":
        item["note"] = "trust me"
    elif change == "not a list":
        document["disclosures"] = {"2": item}
    return document


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("text", "the content disclosed for entry 2 does not match its seal"),
        ("salt", "the content disclosed for entry 2 does not match its seal"),
        ("entry without seal", "does not name an entry that carries a sealed commitment"),
        ("no such entry", "does not name an entry that carries a sealed commitment"),
        ("extra field", "does not name an entry that carries a sealed commitment"),
        ("not a list", "disclosures is not a list"),
    ],
)
def test_a_false_disclosure_is_invalid(change, reason):
    verdict = verify_document(_tamper(change))
    assert not verdict.ok
    assert reason in verdict.reason


def test_a_disclosure_cannot_open_a_stub():
    document = _export(stub_seq=2)
    verdict = verify_document(copy.deepcopy(document))
    assert not verdict.ok
    assert "does not name an entry that carries a sealed commitment" in verdict.reason
