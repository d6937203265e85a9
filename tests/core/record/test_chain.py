"""The chain: one way to write each fact, one hash for it, one link to the fact before.

The record only settles "he said, she said" if anyone can recompute it byte for byte, so these
tests pin the canonical JSON, the timestamp format and the hash of a known entry, then check
that entries link and that heads are signed the way the verifier expects.
"""

import ast
import base64
import dataclasses
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from coparent.core.record import chain, verify
from coparent.core.record.chain import (
    GENESIS_PREV,
    Entry,
    canonical_json,
    entry_hash,
    format_at,
    head_message,
    key_fingerprint,
    make_entry,
    public_key_text,
    sign_head,
    stub_of,
)

# JSON that canonical JSON carries exactly: no floats, integers within +-2**53.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=15,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=5)

# --- canonical JSON (RFC 8785) ---------------------------------------------------------------


def test_genesis_prev_is_64_zeros() -> None:
    assert GENESIS_PREV == "0" * 64


def test_canonical_json_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "x"]}) == b'{"a":[true,null,"x"],"b":1}'
    assert canonical_json({"outer": {"z": 0, "a": {}}}) == b'{"outer":{"a":{},"z":0}}'


def test_canonical_json_writes_unicode_as_utf8_not_escapes() -> None:
    assert canonical_json({"name": "Zoë 😀"}) == '{"name":"Zoë 😀"}'.encode()
    # Only the characters JSON requires are escaped, and controls use the short forms.
    assert canonical_json('\u000f\n"\\/') == b'"\\u000f\\n\\"\\\\/"'


def test_canonical_json_matches_the_rfc_8785_example() -> None:
    # RFC 8785 section 3.2.2: the input as JSON text, and the canonical output.
    text = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(json.loads(text)) == expected.encode()


def test_canonical_json_sorts_keys_by_utf16_code_units() -> None:
    # RFC 8785 section 3.2.3: the emoji (a surrogate pair, D83D...) sorts before U+FB33.
    names = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = list(json.loads(canonical_json(names)).values())
    assert order == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]


def test_canonical_json_refuses_what_json_cannot_carry_exactly() -> None:
    with pytest.raises(ValueError):
        canonical_json({"big": 2**60})
    with pytest.raises(ValueError):
        canonical_json({"nan": float("nan")})


@given(json_objects)
def test_canonical_json_is_stable_through_a_json_round_trip(data: dict[str, Any]) -> None:
    once = canonical_json(data)
    assert canonical_json(json.loads(once)) == once


# --- timestamps -------------------------------------------------------------------------------


def test_format_at_always_writes_utc_microseconds_and_z() -> None:
    moment = datetime(2027, 3, 14, 15, 5, 9, 123456, tzinfo=UTC)
    assert format_at(moment) == "2027-03-14T15:05:09.123456Z"
    assert format_at(moment.replace(microsecond=0)) == "2027-03-14T15:05:09.000000Z"


def test_format_at_converts_other_zones_to_utc() -> None:
    chicago_cdt = timezone(timedelta(hours=-5))
    moment = datetime(2027, 3, 14, 10, 5, 9, 7, tzinfo=chicago_cdt)
    assert format_at(moment) == "2027-03-14T15:05:09.000007Z"
    # Across midnight and a date change.
    east = timezone(timedelta(hours=9, minutes=30))
    assert format_at(datetime(2027, 1, 1, 2, 0, tzinfo=east)) == "2026-12-31T16:30:00.000000Z"


def test_format_at_pads_small_years() -> None:
    assert format_at(datetime(5, 1, 2, 3, 4, 5, tzinfo=UTC)) == "0005-01-02T03:04:05.000000Z"


def test_format_at_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_at(datetime(2027, 3, 14, 15, 5, 9))  # noqa: DTZ001 - naive on purpose


@given(
    st.datetimes(
        # A year's margin at both ends: converting 0001-01-01 at UTC+1 to UTC leaves the calendar.
        min_value=datetime(2, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by design
        max_value=datetime(9998, 12, 31),  # noqa: DTZ001
        timezones=st.timezones() | st.just(UTC),
    )
)
def test_format_at_names_the_same_instant(moment: datetime) -> None:
    text = format_at(moment)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", text)
    # Subtraction, not ==: Python never calls an ambiguous local time (a repeated hour at the
    # end of summer time) equal to a time in another zone, even when it is the same instant.
    assert datetime.fromisoformat(text) - moment == timedelta(0)


# --- entries and links ------------------------------------------------------------------------

AT = "2027-03-14T15:05:09.123456Z"


def test_entry_hash_is_sha256_of_the_hand_written_canonical_body() -> None:
    data = {"place": "school", "late_minutes": 5, "children": ["Mia", "Leo"], "note": None}
    # The canonical body written out by hand: keys sorted at every level, no spaces.
    body = (
        '{"actor":"user-7","at":"2027-03-14T15:05:09.123456Z",'
        '"data":{"children":["Mia","Leo"],"late_minutes":5,"note":null,"place":"school"},'
        '"kind":"exchange.checkin","prev":"' + "0" * 64 + '","seq":1}'
    )
    expected = hashlib.sha256(body.encode()).hexdigest()
    got = entry_hash(
        seq=1, at=AT, kind="exchange.checkin", actor="user-7", data=data, prev=GENESIS_PREV
    )
    assert got == expected


def test_make_entry_starts_at_seq_1_after_64_zeros_and_links_onwards() -> None:
    first = make_entry(prev=None, at=AT, kind="family.created", actor=None, data={"name": "R"})
    second = make_entry(prev=first, at=AT, kind="message.sent", actor="u1", data={"text": "hi"})
    third = make_entry(prev=second, at=AT, kind="message.viewed", actor="u2", data={})
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert first.prev == GENESIS_PREV
    assert second.prev == first.hash
    assert third.prev == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    for entry in (first, second, third):
        assert entry.hash == entry_hash(**entry.body())


def test_make_entry_keeps_its_own_copy_of_data() -> None:
    data = {"items": ["shoes"]}
    entry = make_entry(prev=None, at=AT, kind="expense.added", actor="u1", data=data)
    data["items"].append("coat")
    assert entry.data == {"items": ["shoes"]}
    assert entry.hash == entry_hash(**entry.body())


def test_entries_are_frozen() -> None:
    entry = make_entry(prev=None, at=AT, kind="family.created", actor=None, data={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.kind = "something.else"  # type: ignore[misc]


def test_body_as_dict_and_from_dict() -> None:
    entry = make_entry(prev=None, at=AT, kind="family.created", actor="u1", data={"a": 1})
    assert list(entry.body()) == ["seq", "at", "kind", "actor", "data", "prev"]
    assert entry.as_dict() == {**entry.body(), "hash": entry.hash}
    assert Entry.from_dict(entry.as_dict()) == entry
    assert Entry.from_dict(json.loads(json.dumps(entry.as_dict()))) == entry


def test_stub_keeps_only_seq_kind_prev_hash() -> None:
    entry = make_entry(prev=None, at=AT, kind="journal.note", actor="u1", data={"secret": "x"})
    expected = {"seq": 1, "kind": "journal.note", "prev": GENESIS_PREV, "hash": entry.hash}
    assert stub_of(entry) == expected
    assert stub_of(entry.as_dict()) == expected


# --- signed heads -----------------------------------------------------------------------------


def test_head_message_is_canonical_json_of_family_seq_hash_at() -> None:
    message = head_message(family="fam-1", seq=3, hash="ab" * 32, at=AT)
    assert message == (
        b'{"at":"2027-03-14T15:05:09.123456Z","family":"fam-1","hash":"'
        + b"ab" * 32
        + b'","seq":3}'
    )


def test_sign_head_signs_the_head_message() -> None:
    key = Ed25519PrivateKey.generate()
    head = sign_head(key, family="fam-1", seq=3, hash="ab" * 32, at=AT)
    assert set(head) == {"family", "seq", "hash", "at", "signature"}
    signature = base64.b64decode(head["signature"], validate=True)
    assert len(signature) == 64
    message = head_message(family="fam-1", seq=3, hash="ab" * 32, at=AT)
    key.public_key().verify(signature, message)  # raises InvalidSignature if wrong


def test_public_key_text_and_fingerprint() -> None:
    # RFC 8032 test 1 public key.
    raw = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    text = base64.b64encode(raw).decode()
    key = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    )
    assert public_key_text(key.public_key()) == text
    digits = hashlib.sha256(raw).hexdigest()[:16]
    fingerprint = key_fingerprint(text)
    assert fingerprint == f"{digits[:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:]}"
    assert re.fullmatch(r"[0-9a-f]{4}(-[0-9a-f]{4}){3}", fingerprint)
    assert verify.key_fingerprint(text) == fingerprint


def test_fingerprint_refuses_text_that_is_not_base64() -> None:
    with pytest.raises(ValueError):
        key_fingerprint("not base64!")


def test_the_record_package_imports_no_django() -> None:
    # The architecture's rule for coparent/core: pure Python, so it runs without a database.
    package = Path(chain.__file__).parent
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "django" for name in names), path.name
