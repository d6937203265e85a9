"""He said, she said, byte by byte: take an honest export (with a message's disclosed text)
and a checkpoint, change one byte anywhere in what they prove — an entry's data, a hash, a
link, the order, the head, its signature, the key, a disclosure, the checkpoint — 10,000 times
at random, and the verifier must say INVALID every time. On the untouched files it says VALID.

The parts no signature covers are left alone on purpose (the verifier's docstring lists them:
the export's time, its scope, the family's name, a stub's kind): changing them is allowed.
"""

from __future__ import annotations

import json
import random

from coparent.core.record.chain import make_checkpoint, make_entry, seal
from coparent.core.record.verify import check_bytes, checkpoint_problem
from tests.core.record.test_verify import FAMILY, SERVER_KEY, export

CHANGES = 10_000


def _honest() -> tuple[bytes, str, list[tuple[int, int]]]:
    """The export's bytes, a checkpoint at its last entry, and the byte ranges to change."""
    opened, commitment = seal({"subject": "Shoes", "body": "Size 32 for PE, Monday ✓"})
    facts = [
        {"kind": "family.created", "actor": "alex", "data": {"name": "Rivera"}},
        {"kind": "message.sent", "actor": "alex", "data": {"to": ["sam"], "sealed": commitment}},
        {"kind": "message.viewed", "actor": "sam", "data": {"message": 2}},
        {"kind": "exchange.checkin", "actor": "sam", "data": {"step": "received", "late": 12}},
    ]
    chain = []
    for i, fact in enumerate(facts):
        at = f"2027-03-1{i}T15:05:09.123456Z"
        chain.append(make_entry(prev=chain[-1] if chain else None, at=at, **fact))
    document = export(chain)
    document["disclosures"] = [{"seq": 2, "sealed": opened}]
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    text = raw.decode()
    spans = []
    for key in ('"entries":', '"head":', '"public_key":', '"disclosures":'):
        start = raw.index(key.encode())
        value_start = start + len(key.encode())
        # Each part runs to the next top-level key (keys are in document order).
        ends = [
            raw.index(k, value_start)
            for k in (b',"head"', b',"public_key"', b',"algorithm"', b',"disclosures"')
            if k in raw[value_start:]
        ]
        end = min((e for e in ends if e > value_start), default=len(raw) - 1)
        spans.append((value_start, end))
    assert text  # the document is text, so every change below is a one-byte change of it
    checkpoint = make_checkpoint(SERVER_KEY, family=FAMILY["id"], seq=4, hash=chain[-1].hash)
    return raw, checkpoint, spans


def _flip(data: bytes, position: int, rng: random.Random) -> bytes:
    new = data[position]
    while new == data[position]:
        new = rng.randrange(256)
    return data[:position] + bytes([new]) + data[position + 1 :]


def test_every_one_byte_change_to_what_an_export_proves_is_caught():
    raw, checkpoint, spans = _honest()
    verdict, document = check_bytes(raw)
    assert verdict.ok and checkpoint_problem(document, checkpoint) is None

    rng = random.Random(16)
    missed = []
    positions = [p for start, end in spans for p in range(start, end)]
    note = checkpoint.encode()
    for attempt in range(CHANGES):
        if attempt % 5 == 4:
            # One change in five is to the checkpoint the parent kept.
            changed = _flip(note, rng.randrange(len(note)), rng)
            try:
                kept = changed.decode("utf-8")
            except UnicodeDecodeError:
                continue  # not text: no checkpoint to give
            if checkpoint_problem(document, kept) is None:
                missed.append(("checkpoint", changed))
            continue
        changed = _flip(raw, rng.choice(positions), rng)
        verdict, _doc = check_bytes(changed)
        if verdict.ok:
            missed.append(("export", changed))
    assert missed == []
