"""Check a Coparent journal export, offline: python verify_journal.py FILE.json

The companion of verify.py (keep the two side by side; needs Python 3.11+, rfc8785 and
cryptography). A parent's journal export ("format": "coparent-journal/1") holds their entries,
each with every version (the first writing and each correction), and the "chain" of links
{seq, prev, hash} numbered 1, 2, 3 ... that the versions make, in the order they were written,
with a "head" naming the last link, signed with the server's Ed25519 key. Checks, in order;
the first failure is reported:
1. each part of the document has the expected type;
2. each version's fields are exactly seq, at, entry, version, happened_on, text, tags, files,
   link, prev, hash; it is listed under the entry it names, versions counting 1, 2, 3 ... there;
   no two versions share a seq;
3. for each link in order: seq equals its position; prev is 64 zeros for the first, else the
   hash of the link before; exactly one version is this link, and that version's hash is the
   SHA-256 of the RFC 8785 canonical JSON of its other ten fields and equals the link's hash;
4. the head names the last link, this family and this author; its signature over the canonical
   JSON of format, family, author, seq, hash and at verifies with public_key.
   A link listed in "withheld" (a professional's export holds only the entries shared with
   them) has no version here, and only its place in the chain is checked;
5. each of "anchors" (the weekly seals, optional) names a link, head_seq, whose hash is its
   head_hash, and its commitment is the SHA-256 of the bytes of salt then head_hash (hex): the
   family record's entry record_seq (a "journal.anchor") must list that commitment, which a
   reader checks in the record's own export.
Unsigned: "exported_at", the family's and author's names. A file of any other format goes to
verify.py (a family record export, "coparent-record/1").
"""

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

try:  # inside Coparent
    from coparent.core.record import verify as record
except ImportError:  # copied beside verify.py
    import verify as record  # type: ignore[no-redef,import-not-found]  # the sibling copy

Verdict = record.Verdict
FORMAT = "coparent-journal/1"
ZEROS = "0" * 64
VERSION_KEYS = {"seq", "at", "entry", "version", "happened_on", "text", "tags", "files", "link"}
VERSION_KEYS |= {"prev", "hash"}
LINK_KEYS = {"seq", "prev", "hash"}
HEAD_KEYS = {"family", "author", "seq", "hash", "at", "signature"}


def _document_problem(doc: dict[str, Any]) -> str | None:
    for part in ("family", "author"):
        value = doc.get(part)
        if not (
            isinstance(value, dict) and all(isinstance(value.get(k), str) for k in ("id", "name"))
        ):
            return f"{part} is missing or lacks a text id and name"
    if not isinstance(doc.get("entries"), list) or not isinstance(doc.get("chain"), list):
        return "entries or chain is missing or not a list"
    if not isinstance(doc.get("anchors", []), list):
        return "anchors is not a list"
    withheld = doc.get("withheld", [])
    if not (isinstance(withheld, list) and all(record._is_int(seq) for seq in withheld)):
        return "withheld is not a list of link numbers"
    head = doc.get("head")
    if not isinstance(head, dict) or head.keys() != HEAD_KEYS:
        return "head does not have exactly the fields family, author, seq, hash, at, signature"
    texts = all(isinstance(head[k], str) for k in ("family", "author", "at", "signature"))
    if not (texts and record._is_int(head["seq"]) and record._is_hex64(head["hash"])):
        return "head has a field of the wrong type"
    if doc.get("algorithm") != "Ed25519" or not isinstance(doc.get("public_key"), str):
        return 'algorithm is not "Ed25519" or public_key is missing'
    return None


def _versions(doc: dict[str, Any]) -> tuple[dict[int, Any], str | None]:
    """Each version by its seq, checking where it is listed; or the first problem found."""
    by_seq: dict[int, Any] = {}
    for item in doc["entries"]:
        versions = item.get("versions") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return by_seq, "an entry is not an object with a text id"
        if not isinstance(versions, list) or not versions:
            return by_seq, f"entry {item['id']} has no list of versions"
        for number, version in enumerate(versions, start=1):
            if not isinstance(version, dict) or version.keys() != VERSION_KEYS:
                return by_seq, f"a version of entry {item['id']} does not have the fields of one"
            if version["entry"] != item["id"] or version["version"] != number:
                return by_seq, f"version {number} of entry {item['id']} is listed out of place"
            if not record._is_int(version["seq"]) or version["seq"] in by_seq:
                return by_seq, f"version {number} of entry {item['id']} has no seq of its own"
            by_seq[version["seq"]] = version
    return by_seq, None


def _version_problem(version: Any, link: dict[str, Any]) -> str | None:
    if version is None:
        return "no version of any entry is this link"
    where = f"entry {version['entry']} version {version['version']}"
    try:
        body = {key: version[key] for key in VERSION_KEYS - {"hash"}}
        recomputed = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    except (rfc8785.CanonicalizationError, RecursionError):
        return f"{where}: contents cannot be written as canonical JSON"
    if recomputed != version["hash"]:
        return f"{where}: hash does not match its contents"
    if version["hash"] != link["hash"] or version["prev"] != link["prev"]:
        return f"{where}: does not match its link of the chain"
    return None


def _signature_problem(doc: dict[str, Any]) -> str | None:
    head = doc["head"]
    key, signature = record._base64(doc["public_key"], 32), record._base64(head["signature"], 64)
    if key is None or signature is None:
        return "public_key or signature is not base64 Ed25519 of the right length"
    try:
        signed = {k: head[k] for k in ("family", "author", "seq", "hash", "at")}
        message = rfc8785.dumps({"format": FORMAT, **signed})
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return "signature does not verify with the included public key"
    return None


def _anchor_problem(anchor: Any, chain: list[Any]) -> str | None:
    keys = {"record_seq", "salt", "head_seq", "head_hash", "commitment"}
    if not isinstance(anchor, dict) or anchor.keys() != keys:
        return "an anchor does not have the fields of one"
    seq, head = anchor["head_seq"], anchor["head_hash"]
    if not (record._is_int(seq) and 1 <= seq <= len(chain) and chain[seq - 1]["hash"] == head):
        return f"the anchor in record entry {anchor['record_seq']} names no link of the chain"
    if not (record._is_hex64(anchor["salt"]) and record._is_hex64(head)):
        return f"the anchor in record entry {anchor['record_seq']} is not hex"
    made = hashlib.sha256(bytes.fromhex(anchor["salt"]) + bytes.fromhex(head)).hexdigest()
    if made != anchor["commitment"]:
        return f"the anchor in record entry {anchor['record_seq']} does not open its commitment"
    return None


def verify_journal(doc: object) -> Any:
    """Check a parsed journal export; a Verdict whose entries count the chain's links and whose
    bad_seq is the first bad link. Never raises."""
    found = doc.get("chain") if isinstance(doc, dict) else None
    chain: list[Any] = found if isinstance(found, list) else []

    def invalid(reason: str, bad_seq: int | None = None) -> Any:
        return Verdict(False, len(chain), 0, bad_seq, reason)

    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return invalid(f'format is not "{FORMAT}"')
    if (problem := _document_problem(doc)) is not None:
        return invalid(problem)
    by_seq, problem = _versions(doc)
    if problem is not None:
        return invalid(problem)
    prev_hash, withheld = ZEROS, set(doc.get("withheld", []))
    for position, link in enumerate(chain, start=1):
        if not isinstance(link, dict) or link.keys() != LINK_KEYS or link["seq"] != position:
            return invalid(f"link {position} is not {{seq, prev, hash}} in its place", position)
        if not (record._is_hex64(link["prev"]) and record._is_hex64(link["hash"])):
            return invalid("prev or hash is not 64 lowercase hex digits", position)
        if link["prev"] != prev_hash:
            return invalid(f"prev does not match the hash of link {position - 1}", position)
        if position in withheld:  # a professional's export: an entry not shared with them
            if position in by_seq:
                return invalid("a withheld link has its version here", position)
        elif (problem := _version_problem(by_seq.get(position), link)) is not None:
            return invalid(problem, position)
        prev_hash = link["hash"]
    if set(by_seq) - set(range(1, len(chain) + 1)):
        return invalid("a version names a link the chain does not have")
    head = doc["head"]
    if head["seq"] != len(chain) or head["hash"] != prev_hash:
        return invalid("head does not match the last link of the chain")
    if head["family"] != doc["family"]["id"] or head["author"] != doc["author"]["id"]:
        return invalid("head is signed for a different family or author")
    if (problem := _signature_problem(doc)) is not None:
        return invalid(problem)
    for anchor in doc.get("anchors", []):
        if (problem := _anchor_problem(anchor, chain)) is not None:
            return invalid(problem)
    return Verdict(True, len(chain), 0, None, "all checks passed")


def verify_any(doc: object) -> Any:
    """A journal export checked here, any other document by verify.py."""
    if isinstance(doc, dict) and doc.get("format") == FORMAT:
        return verify_journal(doc)
    return record.verify_document(doc)


def main(argv: list[str] | None = None) -> int:
    """Print a one-line verdict. Exit status: 0 valid, 1 invalid, 2 usage error."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        # A family record with --checkpoint, or a usage error: the record's verifier answers.
        return record.main(args)
    try:
        raw = Path(args[0]).read_bytes()
        doc = json.loads(raw, object_pairs_hook=record._unique_keys)
    except OSError as exc:
        print(f"cannot read {args[0]}: {exc.strerror}", file=sys.stderr)
        return 2
    except (ValueError, RecursionError):
        doc = None
    if not (isinstance(doc, dict) and doc.get("format") == FORMAT):
        return record.main(args)  # the family record's verifier, with its own messages
    verdict = verify_journal(doc)
    if not verdict.ok:
        where = "" if verdict.bad_seq is None else f" at entry {verdict.bad_seq}"
        print(f"INVALID{where}: {verdict.reason}")
        return 1
    n = verdict.entries
    print(
        f"VALID: journal of {n} {'version' if n == 1 else 'versions'},"
        f" head seq {n} signed by key {record.key_fingerprint(doc['public_key'])}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
