"""Pickup passes: the school office scans a pass and learns who collects, only inside the
window, and any altered, foreign or garbled token says "tampered" without an error."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.core.pickup_pass import (
    DOMAIN,
    MAX_WINDOW,
    PassError,
    PickupPass,
    Status,
    decode,
    encode,
    issue,
    qr_svg,
    uncovered,
    verify,
)
from coparent.core.record import sign_head
from coparent.core.schedule import expand_dates
from tests.core.schedule.plans import local, plan

KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key()
FAMILY = UUID("6f1c2b1e-8a8e-4d7a-9d55-0d1f6f0b7a11")
PASS = UUID("0b6a7f0c-3c1d-4e5b-a7e4-2b9f1d8c4e22")
# Friday 11 June 2027, 14:00 to 19:00 in Chicago: Sam collects Mia and Léo from school.
START = local("America/Chicago", 2027, 6, 11, 14, 0)
END = local("America/Chicago", 2027, 6, 11, 19, 0)
ISSUED = local("America/Chicago", 2027, 6, 10, 20, 15, 30)
US = timedelta(microseconds=1)


def school_pass(**changes):
    values = {
        "family": FAMILY,
        "pass_id": PASS,
        "children": ["Mia", "Léo"],
        "parent": "Sam",
        "start": START,
        "end": END,
        "issued_at": ISSUED,
    }
    values.update(changes)
    return issue(KEY, **values)


def test_the_office_scans_the_pass_during_the_window_and_sees_who_collects():
    pickup, token = school_pass()
    assert len(token) < 180 and token.isascii()  # fits a link and a small QR code
    assert "=" not in token and "+" not in token and "/" not in token
    verdict = verify(token, PUBLIC, START + timedelta(hours=2))
    assert verdict.valid
    assert (
        verdict.pickup
        == pickup
        == PickupPass(FAMILY, PASS, ("Mia", "Léo"), "Sam", START, END, ISSUED.astimezone(UTC))
    )


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (START - US, Status.NOT_YET_VALID),
        (START, Status.VALID),
        (END - US, Status.VALID),
        (END, Status.EXPIRED),
        (END + timedelta(days=30), Status.EXPIRED),
    ],
)
def test_the_window_includes_its_start_and_not_its_end(now, status):
    _, token = school_pass()
    verdict = verify(token, PUBLIC, now)
    assert verdict.status is status
    assert verdict.pickup is not None  # the office sees which pass it was, and its window


def test_a_revoked_pass_says_revoked_even_after_its_window():
    _, token = school_pass()
    assert verify(token, PUBLIC, START, revoked={PASS}).status is Status.REVOKED
    assert verify(token, PUBLIC, END + US, revoked={PASS}).status is Status.REVOKED
    assert verify(token, PUBLIC, START, revoked={FAMILY}).valid


def test_a_pass_signed_by_another_server_is_tampered():
    _, token = school_pass()
    other = Ed25519PrivateKey.generate().public_key()
    assert verify(token, other, START).status is Status.TAMPERED


def test_a_record_head_signature_cannot_pass_for_a_pickup_pass():
    # Same key, other message: without the pass's DOMAIN prefix, the signature does not fit.
    pickup, _ = school_pass()
    payload = encode(pickup)
    bare = base64.urlsafe_b64encode(payload + KEY.sign(payload)).rstrip(b"=").decode()
    assert verify(bare, PUBLIC, START).status is Status.TAMPERED
    head = sign_head(KEY, family=str(FAMILY), seq=1, hash="0" * 64, at="2027-06-10T00:00:00Z")
    signature = base64.b64decode(head["signature"])
    forged = base64.urlsafe_b64encode(payload + signature).rstrip(b"=").decode()
    assert verify(forged, PUBLIC, START).status is Status.TAMPERED
    assert DOMAIN.startswith(b"coparent-pickup-pass/")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not a pass",
        "A",
        "AAAA",
        "=" * 8,
        "é" * 200,
        "A" * 5000,
        b"\xff\xfe",
        None,
        12,
        ["a list"],
    ],
)
def test_garbage_is_tampered_not_an_error(token):
    assert verify(token, PUBLIC, START) == verify(token, PUBLIC, START)
    assert verify(token, PUBLIC, START).status is Status.TAMPERED


@pytest.mark.parametrize("child", ["Mia", "Mila"])  # 118 and 119 bytes
def test_a_token_with_padding_or_other_unused_bits_is_not_the_same_pass(child):
    _, token = school_pass(children=[child])
    raw_length = len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert raw_length % 3 != 0  # so the last character has bits that carry nothing
    assert verify(token + "=" * (-len(token) % 4), PUBLIC, START).status is Status.TAMPERED
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for char in alphabet:
        if char != token[-1]:
            assert verify(token[:-1] + char, PUBLIC, START).status is Status.TAMPERED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"children": []}, "at least one child"),
        ({"children": ["Mia"] * 9}, "at most 8"),
        ({"children": ["  "]}, "cannot be empty"),
        ({"parent": "S" * 61}, "too long"),
        ({"parent": "Sam\x00"}, "cannot be shown"),
        ({"parent": "\u202emaS"}, "cannot be shown"),
        ({"end": START}, "end after it starts"),
        ({"end": START + MAX_WINDOW + timedelta(seconds=1)}, "at most 14 days"),
        ({"start": datetime(1960, 1, 1, tzinfo=UTC)}, "between 1970 and 2106"),
    ],
)
def test_a_pass_that_cannot_be_issued_says_why(changes, message):
    with pytest.raises(PassError, match=message):
        school_pass(**changes)


def test_names_are_tidied_and_a_persian_name_keeps_its_joiner():
    pickup, token = school_pass(children=["  Mia  Rose "], parent="Sam\u200cira")
    assert pickup.children == ("Mia Rose",) and pickup.parent == "Sam\u200cira"
    verdict = verify(token, PUBLIC, START)
    assert verdict.pickup is not None and verdict.pickup.parent == "Sam\u200cira"


def test_naive_times_are_a_programming_error():
    _, token = school_pass()
    with pytest.raises(ValueError, match="aware"):
        verify(token, PUBLIC, datetime(2027, 6, 11, 15, 0))  # noqa: DTZ001 - the point of it
    with pytest.raises(ValueError, match="aware"):
        school_pass(start=datetime(2027, 6, 11, 14, 0))  # noqa: DTZ001


def test_the_qr_code_is_an_inline_svg_of_the_link():
    _, token = school_pass()
    svg = qr_svg(f"https://coparent.example/pass/{token}")
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert "<path" in svg and "style=" not in svg and "<script" not in svg


# --- the schedule behind a pass -----------------------------------------------------------


def test_a_pass_is_only_for_a_window_the_plan_gives_that_parent():
    # Alex and Sam on a 2-2-3 from Monday 4 January 2027, exchanging at 18:00 in Chicago.
    family = plan()
    segments = expand_dates(family, date(2027, 6, 7), date(2027, 6, 14)).segments
    [sam_from] = [s.start for s in segments if s.parent == "B" and s.start.day == 9]
    sam_until = sam_from + timedelta(days=2)
    assert uncovered(segments, "B", sam_from, sam_until) == []
    assert uncovered(
        segments, "B", sam_from - timedelta(hours=1), sam_from + timedelta(hours=1)
    ) == [(sam_from - timedelta(hours=1), sam_from)]
    assert uncovered(segments, "A", sam_from, sam_from + timedelta(hours=3)) == [
        (sam_from, sam_from + timedelta(hours=3))
    ]
    # Outside the expanded range nothing is known, so nothing is given.
    beyond = segments[-1].end
    assert uncovered(segments, "A", beyond, beyond + timedelta(hours=1)) == [
        (beyond, beyond + timedelta(hours=1))
    ]


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    rotation=st.text(alphabet="AB", min_size=1, max_size=9),
    parent=st.sampled_from("AB"),
    offset=st.integers(0, 10 * 24 * 60),
    minutes=st.integers(1, 4 * 24 * 60),
)
def test_the_gaps_and_the_parents_time_make_up_the_window(rotation, parent, offset, minutes):
    family = plan(rotation=rotation, pattern=None)
    segments = expand_dates(family, date(2027, 3, 1), date(2027, 3, 20)).segments
    start = segments[0].start + timedelta(minutes=offset)
    end = start + timedelta(minutes=minutes)
    gaps = uncovered(segments, parent, start, end)
    theirs = sum(
        (
            max(min(s.end, end) - max(s.start, start), timedelta(0))
            for s in segments
            if s.parent == parent
        ),
        timedelta(0),
    )
    assert theirs + sum((b - a for a, b in gaps), timedelta(0)) == end - start
    for a, b in gaps:
        assert start <= a < b <= end
        middle = a + (b - a) / 2
        assert all(s.parent != parent for s in segments if s.start <= middle < s.end)


NAMES = st.text(
    alphabet=st.characters(categories=["L", "M", "Nd", "Zs", "Pd", "Po"]), min_size=1, max_size=12
).filter(lambda name: name.strip())
# Hypothesis takes naive bounds and adds the zone itself.
FROM, UNTIL = datetime(1971, 1, 1), datetime(2100, 1, 1)  # noqa: DTZ001
WHEN = st.datetimes(FROM, UNTIL, timezones=st.just(UTC))


@st.composite
def passes(draw):
    start = draw(WHEN)
    length = draw(st.integers(1, int(MAX_WINDOW.total_seconds())))
    return school_pass(
        family=draw(st.uuids()),
        pass_id=draw(st.uuids()),
        children=draw(st.lists(NAMES, min_size=1, max_size=4)),
        parent=draw(NAMES),
        start=start,
        end=start.replace(microsecond=0) + timedelta(seconds=length),
        issued_at=start - timedelta(days=1),
    )


@settings(max_examples=100, deadline=None)
@given(issued=passes(), at=st.floats(0, 1))
def test_round_trip_inside_the_window(issued, at):
    pickup, token = issued
    moment = pickup.start + (pickup.end - pickup.start) * at
    verdict = verify(token, PUBLIC, min(moment, pickup.end - US))
    assert verdict.valid and verdict.pickup == pickup


@settings(max_examples=150, deadline=None)
@given(issued=passes(), data=st.data())
def test_any_single_byte_changed_fails(issued, data):
    pickup, token = issued
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    where = data.draw(st.integers(0, len(raw) - 1))
    raw[where] ^= data.draw(st.integers(1, 255))
    altered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert verify(altered, PUBLIC, pickup.start).status is Status.TAMPERED


@settings(max_examples=150, deadline=None)
@given(issued=passes(), data=st.data())
def test_any_single_character_changed_fails(issued, data):
    pickup, token = issued
    where = data.draw(st.integers(0, len(token) - 1))
    char = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. ")
    )
    altered = token[:where] + char + token[where + 1 :]
    if altered != token:
        assert verify(altered, PUBLIC, pickup.start).status is Status.TAMPERED


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_any_input_at_all_is_an_answer_not_an_error(token):
    assert verify(token, PUBLIC, START).status is Status.TAMPERED


@settings(max_examples=300, deadline=None)
@given(issued=passes(), cut=st.integers(0, 200), junk=st.binary(max_size=40))
def test_reading_any_payload_is_a_pass_or_none_never_an_error(issued, cut, junk):
    pickup, _ = issued
    payload = encode(pickup)
    assert decode(payload) == pickup
    damaged = payload[:cut] + junk
    if damaged != payload:
        decoded = decode(damaged)
        assert decoded is None or encode(decoded) == damaged
