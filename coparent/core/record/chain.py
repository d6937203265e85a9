"""The family record's hash chain and signed head, as pure functions.

Every fact that matters appends one entry. An entry's ``hash`` is the SHA-256 of the RFC 8785
canonical JSON of its other fields, and its ``prev`` is the hash of the entry before it (64 zeros
for entry 1), so changing, dropping or reordering any entry breaks every link after it. The
server signs the head (family, seq, hash, time) with an Ed25519 key, so the whole record can be
checked offline by ``verify.py`` with nothing but the export and the key's fingerprint.

No Django here: the Django app stores what these functions produce.
"""

import base64
import copy
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

GENESIS_PREV = "0" * 64
"""The ``prev`` of entry 1, and the head hash of an empty record."""

BODY_KEYS = ("seq", "at", "kind", "actor", "data", "prev")
"""The fields an entry's hash covers: every field except ``hash`` itself."""

STUB_KEYS = ("seq", "kind", "prev", "hash")
"""What a stub keeps of an out-of-scope entry in a selective export."""


def canonical_json(obj: object) -> bytes:
    """Serialize ``obj`` as RFC 8785 (JCS) canonical JSON, UTF-8 encoded.

    Canonical means one byte string per value: keys sorted by UTF-16 code units, no whitespace,
    fixed number and string formats. That is what makes a hash over JSON reproducible by anyone.
    Raises ``rfc8785.CanonicalizationError`` (a ``ValueError``) for values JSON cannot carry
    exactly, such as integers beyond 2**53 or NaN.
    """
    return rfc8785.dumps(obj)  # type: ignore[arg-type]  # its JSON union is private; it checks obj itself


def format_at(moment: datetime) -> str:
    """Render an aware datetime as the record's UTC timestamp, e.g. ``2027-03-14T15:05:09.123456Z``.

    Always six fractional digits and a ``Z``, so the same instant always gives the same string
    (and therefore the same hash). A naive datetime has no defined instant, so it is refused.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("format_at needs an aware datetime; got a naive one")
    u = moment.astimezone(UTC)
    # Built by hand rather than with strftime("%Y"), which does not zero-pad years below 1000.
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}"
        f"T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


@dataclass(frozen=True)
class Entry:
    """One entry of a family's record, exactly as it is hashed, stored and exported."""

    seq: int
    at: str
    kind: str
    actor: str | None
    data: dict[str, Any]
    prev: str
    hash: str

    def body(self) -> dict[str, Any]:
        """The fields the hash covers: seq, at, kind, actor, data, prev.

        ``data`` is a deep copy: the entry is frozen, and a caller editing the returned dict (an
        export being redacted, say) must not silently change the entry it came from.
        """
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "actor": self.actor,
            "data": copy.deepcopy(self.data),
            "prev": self.prev,
        }

    def as_dict(self) -> dict[str, Any]:
        """The entry as it appears in an export: the body plus its hash (a copy, like body)."""
        return {**self.body(), "hash": self.hash}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> "Entry":
        """Rebuild an entry from ``as_dict()`` output (for example a stored row). No checking."""
        return cls(**{key: value[key] for key in (*BODY_KEYS, "hash")})


def entry_hash(
    *, seq: int, at: str, kind: str, actor: str | None, data: dict[str, Any], prev: str
) -> str:
    """Hex SHA-256 of the canonical JSON of an entry's body (every field except ``hash``)."""
    body = {"seq": seq, "at": at, "kind": kind, "actor": actor, "data": data, "prev": prev}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def make_entry(
    *, prev: Entry | None, at: str, kind: str, actor: str | None, data: dict[str, Any]
) -> Entry:
    """Make the entry that follows ``prev`` (or entry 1 when ``prev`` is None), hash included.

    ``data`` is deep-copied so that a caller mutating its dict afterwards cannot make the entry
    disagree with its own hash.
    """
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS_PREV if prev is None else prev.hash
    data = copy.deepcopy(data)
    digest = entry_hash(seq=seq, at=at, kind=kind, actor=actor, data=data, prev=prev_hash)
    return Entry(seq=seq, at=at, kind=kind, actor=actor, data=data, prev=prev_hash, hash=digest)


def stub_of(entry: Entry | dict[str, Any]) -> dict[str, Any]:
    """The stub that stands in for an out-of-scope entry in a selective export.

    It keeps ``seq``, ``kind``, ``prev`` and ``hash``: enough to keep the chain's links whole,
    while the entry's time, actor and data stay private.
    """
    full = entry.as_dict() if isinstance(entry, Entry) else entry
    return {key: full[key] for key in STUB_KEYS}


SALT_BYTES = 32
"""Random bytes (64 hex digits) of the salt that makes each seal's commitment unguessable."""


def seal_commitment(opened: dict[str, Any]) -> str:
    """Hex SHA-256 of the canonical JSON of a seal's content, salt included.

    An entry carries this commitment as ``data["sealed"]`` instead of the content itself. Whoever
    holds the content (the salt and, say, a message's subject and text) recomputes it and sees
    that the entry commits to exactly that; whoever does not cannot confirm a guess, since the
    random salt enters the hash.
    """
    return hashlib.sha256(canonical_json(opened)).hexdigest()


def seal(content: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Seal ``content`` with a fresh random salt: returns ``(opened, commitment)``, where
    ``opened`` is the content with its ``"salt"`` (what is disclosed to those who may read it)
    and ``commitment`` is ``seal_commitment(opened)`` (what the entry carries)."""
    if "salt" in content:
        raise ValueError("a sealed content has no key 'salt' of its own: the seal adds it")
    opened = {"salt": secrets.token_hex(SALT_BYTES), **copy.deepcopy(content)}
    return opened, seal_commitment(opened)


def head_message(*, family: str, seq: int, hash: str, at: str) -> bytes:
    """The exact bytes the server signs for a head: canonical JSON of family, seq, hash, at."""
    return canonical_json({"family": family, "seq": seq, "hash": hash, "at": at})


def sign_head(
    private_key: Ed25519PrivateKey, *, family: str, seq: int, hash: str, at: str
) -> dict[str, Any]:
    """Sign the head of a family's record; returns the head as it goes into an export.

    The signature is standard, padded base64 of the 64-byte Ed25519 signature over
    ``head_message``.
    """
    message = head_message(family=family, seq=seq, hash=hash, at=at)
    signature = base64.b64encode(private_key.sign(message)).decode("ascii")
    return {"family": family, "seq": seq, "hash": hash, "at": at, "signature": signature}


CHECKPOINT_KEY_NAME = "coparent-record-key"


def checkpoint_origin(family: str) -> str:
    """The first line of a family's checkpoints: which log they are of (no spaces, no '+', as
    the transparency-log checkpoint format asks)."""
    return f"coparent-record/1/{family}"


def checkpoint_key_id(public_key: Ed25519PublicKey) -> bytes:
    """The 4-byte key id of a signed note's signature line: the first bytes of the SHA-256 of
    the key's name, a newline, the Ed25519 algorithm byte (1) and the raw key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(CHECKPOINT_KEY_NAME.encode() + b"\n\x01" + raw).digest()[:4]


def make_checkpoint(private_key: Ed25519PrivateKey, *, family: str, seq: int, hash: str) -> str:
    """A signed checkpoint of a family's record in the transparency-log checkpoint form (a
    signed note): the origin, the number of entries, the head hash in base64, a blank line and
    one signature line. A parent who keeps it can later prove that an export extends it
    (`coparent verify FILE.json --checkpoint FILE`): nothing up to that entry changed since."""
    body = f"{checkpoint_origin(family)}\n{seq}\n{base64.b64encode(bytes.fromhex(hash)).decode()}\n"
    signature = private_key.sign(body.encode())
    stamp = base64.b64encode(checkpoint_key_id(private_key.public_key()) + signature).decode()
    return f"{body}\n\u2014 {CHECKPOINT_KEY_NAME} {stamp}\n"


def public_key_text(public_key: Ed25519PublicKey) -> str:
    """Standard base64 of the raw 32-byte public key, as exports carry it."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_fingerprint(public_key_b64: str) -> str:
    """A short fingerprint people can compare by eye: ``xxxx-xxxx-xxxx-xxxx``.

    The first 16 hex digits of the SHA-256 of the raw key bytes. Raises ``ValueError`` when the
    text is not base64.
    """
    raw = base64.b64decode(public_key_b64, validate=True)
    digits = hashlib.sha256(raw).hexdigest()[:16]
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))
