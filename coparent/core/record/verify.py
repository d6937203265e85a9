"""Check a Coparent family-record export, offline: python verify.py FILE.json

Needs only Python 3.11+ and `pip install rfc8785 cryptography`; it can be copied and run alone.
An export holds a family's record: entries numbered 1, 2, 3 ..., each with the SHA-256 "hash"
of its contents and the "prev" hash of the entry before, and a "head" naming the last entry,
signed with the server's Ed25519 key. Checks, in order; the first failure is reported:
1. "format" is "coparent-record/1" and each part of the document has the expected type;
2. for each entry: seq equals its position (none missing, repeated or moved); its fields are
   exactly seq, at, kind, actor, data, prev, hash and the hash is the SHA-256 of the RFC 8785
   canonical JSON of the other six - or it is a stub (left out of a selective export) with
   exactly seq, kind, prev, hash; prev is 64 zeros for entry 1, else the previous entry's hash;
3. the head names the last entry and this family; 4. its signature verifies with public_key;
5. each disclosure {"seq": N, "sealed": content} opens a seal: data["sealed"] of entry N, which
   replaces private content, must be the SHA-256 of content's canonical JSON (salt included);
6. with --checkpoint SEQ:HASH (or a checkpoint file the server signed): entry SEQ has HASH, so
   entries 1..SEQ are those the checkpoint saw (see checkpoint_problem).
VALID proves the entries and disclosed contents are exactly those the key's holder signed, up
to the head. It does not prove whose key it is: compare the printed fingerprint with the
server's. Unsigned: a stub's "kind", "exported_at", "scope", "withheld*", the family's "name".
"""

import base64
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "coparent-record/1"
ZEROS = "0" * 64
ENTRY_KEYS = {"seq", "at", "kind", "actor", "data", "prev", "hash"}
STUB_KEYS = {"seq", "kind", "prev", "hash"}
HEAD_KEYS = {"family", "seq", "hash", "at", "signature"}


@dataclass
class Verdict:
    """The outcome. ``entries`` counts all entries, stubs included; ``bad_seq`` is the position
    of the first bad entry, or None when the problem is not one entry's."""

    ok: bool
    entries: int
    stubs: int
    bad_seq: int | None
    reason: str


# For text, whole numbers below 2**53, true/false/null and ASCII keys, Python's JSON writer (in C)
# writes the very bytes of RFC 8785, far quicker; used (`plain`) when check_bytes saw nothing else:
# no fraction, exponent, NaN or big number, no key beyond ASCII (RFC 8785 sorts keys by UTF-16).
_JCS = json.JSONEncoder(ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"))


def canonical(value: Any, plain: bool = False) -> bytes:  # RFC 8785 canonical JSON of a JSON value
    return _JCS.encode(value).encode() if plain else rfc8785.dumps(value)


def entry_hash(entry: dict[str, Any], plain: bool = False) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical JSON of every field of the entry except hash."""
    # A copy of coparent.core.record.chain.entry_hash, on purpose: this file must run alone.
    body = {key: entry[key] for key in ("seq", "at", "kind", "actor", "data", "prev")}
    return hashlib.sha256(canonical(body, plain)).hexdigest()


def key_fingerprint(public_key_b64: str) -> str:
    """First 16 hex digits of the SHA-256 of the raw key, as xxxx-xxxx-xxxx-xxxx (a copy too)."""
    digits = hashlib.sha256(base64.b64decode(public_key_b64, validate=True)).hexdigest()[:16]
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is not 1


def _is_hex64(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= set("0123456789abcdef")


def _base64(text: str, size: int) -> bytes | None:
    """Decode strict, canonical base64 of exactly ``size`` bytes, else None."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    # Re-encoding must give the same text: otherwise two different texts (differing in unused
    # padding bits) would carry the same key or signature, and an edit would go unnoticed.
    ok = len(raw) == size and base64.b64encode(raw).decode() == text
    return raw if ok else None


def _document_problem(doc: dict[str, Any]) -> str | None:
    family, head = doc.get("family"), doc.get("head")
    if not (
        isinstance(family, dict) and all(isinstance(family.get(k), str) for k in ("id", "name"))
    ):
        return "family is missing or lacks a text id and name"
    if not isinstance(doc.get("exported_at"), str) or not isinstance(doc.get("scope"), dict):
        return "exported_at or scope is missing or of the wrong type"
    if not isinstance(doc.get("entries"), list) or not isinstance(doc.get("disclosures", []), list):
        return "entries is missing or not a list (or disclosures is not a list)"
    if not isinstance(head, dict) or head.keys() != HEAD_KEYS:
        return "head does not have exactly the fields family, seq, hash, at, signature"
    texts = all(isinstance(head[k], str) for k in ("family", "at", "signature"))
    if not (texts and _is_int(head["seq"]) and _is_hex64(head["hash"])):
        return "head has a field of the wrong type"
    if doc.get("algorithm") != "Ed25519":
        return 'algorithm is not "Ed25519"'
    if not isinstance(doc.get("public_key"), str):
        return "public_key is missing or not text"
    return None


def _entry_problem(entry: object, position: int, prev_hash: str, plain: bool) -> str | None:
    if not isinstance(entry, dict):
        return "entry is not a JSON object"
    if not _is_int(entry.get("seq")):
        return "seq is missing or not a whole number"
    if entry["seq"] != position:
        return f"entries out of order: expected seq {position}, found {entry['seq']}"
    if entry.keys() not in (ENTRY_KEYS, STUB_KEYS):
        return "fields are not exactly seq, at, kind, actor, data, prev, hash (or a stub's four)"
    if not isinstance(entry["kind"], str):
        return "kind is not text"
    if not _is_hex64(entry["prev"]) or not _is_hex64(entry["hash"]):
        return "prev or hash is not 64 lowercase hex digits"
    if entry.keys() == ENTRY_KEYS:  # a full entry, whose hash we can recompute
        actor_ok = entry["actor"] is None or isinstance(entry["actor"], str)
        if not (isinstance(entry["at"], str) and isinstance(entry["data"], dict) and actor_ok):
            return "at, actor or data is of the wrong type"
        try:
            recomputed = entry_hash(entry, plain)
        except (ValueError, RecursionError):  # rfc8785.CanonicalizationError is a ValueError
            return "contents cannot be written as canonical JSON"
        if recomputed != entry["hash"]:
            return "hash does not match its contents"
    if entry["prev"] != prev_hash:
        if position == 1:
            return "prev of the first entry is not 64 zeros"
        return f"prev does not match the hash of entry {position - 1}"
    return None


def _disclosure_problem(item: Any, entries: list[Any], plain: bool) -> str | None:
    """A disclosure must open the seal, data["sealed"], of the full entry it names."""
    seq: Any = item.get("seq") if isinstance(item, dict) and item.keys() == {"seq", "sealed"} else 0
    entry = entries[seq - 1] if _is_int(seq) and 1 <= seq <= len(entries) else {}
    if entry.keys() != ENTRY_KEYS or not _is_hex64(entry["data"].get("sealed")):
        return "a disclosure does not name an entry that carries a sealed commitment"
    try:  # the same hash as an entry's, over the disclosed content (salt included)
        ok = hashlib.sha256(canonical(item["sealed"], plain)).hexdigest() == entry["data"]["sealed"]
    except (ValueError, RecursionError):
        ok = False
    return None if ok else f"the content disclosed for entry {seq} does not match its seal"


def _signature_problem(doc: dict[str, Any]) -> str | None:
    head = doc["head"]
    key, signature = _base64(doc["public_key"], 32), _base64(head["signature"], 64)
    if key is None:
        return "public_key is not a base64 Ed25519 key (32 bytes)"
    if signature is None:
        return "signature is not a base64 Ed25519 signature (64 bytes)"
    try:
        message = rfc8785.dumps({k: head[k] for k in ("family", "seq", "hash", "at")})
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
    except (InvalidSignature, ValueError):  # ValueError: not a valid key, or not canonical JSON
        return "signature does not verify with the included public key"
    return None


def verify_document(doc: object, plain: bool = False) -> Verdict:
    """Check a parsed export (`plain`: see above). Never raises: malformed is invalid."""
    entries = doc.get("entries") if isinstance(doc, dict) else None
    entries = entries if isinstance(entries, list) else []
    stubs = sum(isinstance(e, dict) and e.keys() == STUB_KEYS for e in entries)

    def invalid(reason: str, bad_seq: int | None = None) -> Verdict:
        return Verdict(False, len(entries), stubs, bad_seq, reason)

    if not isinstance(doc, dict):
        return invalid("the document is not a JSON object")
    if doc.get("format") != FORMAT:
        return invalid(f'format is not "{FORMAT}"')
    if (problem := _document_problem(doc)) is not None:
        return invalid(problem)
    prev_hash = ZEROS  # entry 1's prev; also the head hash of an empty record
    for position, entry in enumerate(entries, start=1):
        if (problem := _entry_problem(entry, position, prev_hash, plain)) is not None:
            return invalid(problem, position)
        prev_hash = entry["hash"]
    head = doc["head"]
    if head["seq"] != len(entries):
        return invalid(f"head claims seq {head['seq']} but the last entry is seq {len(entries)}")
    if head["hash"] != prev_hash:
        return invalid("head does not match the last entry")
    if head["family"] != doc["family"]["id"]:
        return invalid("head is signed for a different family")
    if (problem := _signature_problem(doc)) is not None:
        return invalid(problem)
    for item in doc.get("disclosures", []):
        if (problem := _disclosure_problem(item, entries, plain)) is not None:
            return invalid(problem)
    return Verdict(True, len(entries), stubs, None, "all checks passed")


CHECKPOINT_KEY_NAME = "coparent-record-key"


def checkpoint_problem(doc: dict[str, Any], checkpoint: str) -> str | None:
    """None when the export ``doc`` (already verified) extends ``checkpoint``, else why not.

    A checkpoint is what a parent kept earlier: "SEQ:HASH" written down, or the server's signed
    checkpoint (a signed note: the origin "coparent-record/1/<family>", the number of entries,
    the head hash in base64, a blank line, and "— coparent-record-key <base64 of a 4-byte key id
    and the Ed25519 signature of the lines above>"). Since every entry's hash covers the one
    before it, the export's entry SEQ having the checkpoint's hash proves that entries 1..SEQ
    are exactly those the checkpoint saw: nothing before it changed, went or moved since."""
    text = checkpoint.replace("\r\n", "\n").lstrip("\ufeff")
    if "\n" not in text.strip():
        seq_text, _, hash_text = text.strip().partition(":")
        if not seq_text.isdigit() or not _is_hex64(hash_text.lower()):
            return "the checkpoint is neither SEQ:HASH nor a signed checkpoint"
        return _extends(doc, int(seq_text), hash_text.lower())
    body, blank, signatures = text.partition("\n\n")
    lines = body.split("\n")
    if not blank or len(lines) != 3:
        return (
            "the checkpoint is not a signed checkpoint (origin, size, hash, blank line, signature)"
        )
    origin, size, root = lines
    if origin != f"{FORMAT}/{doc['family']['id']}":
        return "the checkpoint is of another family's record"
    hashed = _base64(root, 32)
    if not size.isdigit() or hashed is None:
        return "the checkpoint's size or hash is malformed"
    key = base64.b64decode(doc["public_key"])
    key_id = hashlib.sha256(CHECKPOINT_KEY_NAME.encode() + b"\n\x01" + key).digest()[:4]
    for line in signatures.split("\n"):
        parts = line.split(" ")
        stamp = _base64(parts[2], 68) if len(parts) == 3 else None
        if parts[:2] != ["\u2014", CHECKPOINT_KEY_NAME] or stamp is None or stamp[:4] != key_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(key).verify(stamp[4:], (body + "\n").encode())
        except InvalidSignature:
            return "the checkpoint's signature does not verify with the export's key"
        return _extends(doc, int(size), hashed.hex())
    return "the checkpoint is not signed by this export's key"


def _extends(doc: dict[str, Any], seq: int, hash: str) -> str | None:
    entries = doc["entries"]
    if seq > len(entries):
        return f"the checkpoint holds {seq} entries but the export only {len(entries)}"
    if (entries[seq - 1]["hash"] if seq else ZEROS) != hash:
        return (
            f"entry {seq} is not the one the checkpoint holds: the record was changed at or"
            f" before entry {seq} since the checkpoint was made"
        )
    return None


def _unique_keys(pairs: list[tuple[str, Any]], odd: dict[str, Any] | None = None) -> dict[str, Any]:
    # NaN and Infinity need no such guard: canonical JSON refuses them, so the hash check fails.
    if len(unique := dict(pairs)) != len(pairs):
        raise ValueError("duplicate key in an object")
    if odd is not None and not "".join(unique).isascii():
        odd["key"] = pairs  # RFC 8785 sorts keys beyond ASCII its own way (see canonical)
    return unique


def check_bytes(raw: bytes) -> tuple[Verdict, object]:
    """Parse (refusing duplicate keys, which two readers could resolve differently), verify."""
    odd: dict[str, Any] = {}  # what keeps the file from being `plain` (see canonical)
    try:
        doc = json.loads(
            raw,
            object_pairs_hook=lambda pairs: _unique_keys(pairs, odd),
            parse_int=lambda t: int(t) if len(t) < 16 else odd.setdefault(t, int(t)),
            parse_float=lambda t: odd.setdefault(t, float(t)),  # NaN: both ways refuse it
        )
    except (ValueError, RecursionError) as exc:
        return Verdict(False, 0, 0, None, f"not valid JSON ({exc})"), None
    return verify_document(doc, plain=not odd), doc  # plain: see canonical


def verify_file(path: str | Path) -> Verdict:
    """Read and check an export file. Unreadable or not JSON gives an invalid verdict."""
    try:
        return check_bytes(Path(path).read_bytes())[0]
    except OSError as exc:
        return Verdict(False, 0, 0, None, f"cannot read the file ({exc.strerror})")


def _read_checkpoint(value: str) -> str:
    """--checkpoint names a file holding the checkpoint, or is SEQ:HASH itself."""
    path = Path(value)
    return path.read_text(encoding="utf-8") if ":" not in value and path.is_file() else value


def main(argv: list[str] | None = None) -> int:
    """Print a one-line verdict. Exit status: 0 valid, 1 invalid, 2 usage error."""
    args = sys.argv[1:] if argv is None else argv
    checkpoint = None
    if len(args) == 3 and args[1] == "--checkpoint":
        args, checkpoint = args[:1], args[2]
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python verify.py FILE.json [--checkpoint SEQ:HASH|FILE]", file=sys.stderr)
        return 2
    try:
        raw = Path(args[0]).read_bytes()
        held = _read_checkpoint(checkpoint) if checkpoint is not None else None
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {checkpoint or args[0]}: {exc}", file=sys.stderr)
        return 2
    verdict, doc = check_bytes(raw)
    if not verdict.ok or not isinstance(doc, dict):  # a valid doc is always a dict
        where = "" if verdict.bad_seq is None else f" at entry {verdict.bad_seq}"
        print(f"INVALID{where}: {verdict.reason}")
        return 1
    if held is not None and (problem := checkpoint_problem(doc, held)) is not None:
        print(f"INVALID against the checkpoint: {problem}")
        return 1
    n, s = verdict.entries, verdict.stubs
    print(
        f"VALID: {n} {'entry' if n == 1 else 'entries'} ({s} {'stub' if s == 1 else 'stubs'}),"
        f" head seq {n} signed by key {key_fingerprint(doc['public_key'])}"
        + ("; it extends the checkpoint" if held is not None else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
