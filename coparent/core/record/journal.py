"""A parent's private journal as a hash chain of its own, as pure functions.

Each version of a journal entry (the first writing or a correction) is one link of its author's
chain: its ``hash`` is the SHA-256 of the RFC 8785 canonical JSON of its body, and the body
holds the ``prev`` hash of the version written before it (64 zeros for the first), so changing,
dropping or reordering any version breaks every link after it. The server signs the head with
the record's Ed25519 key. The signed message names the journal's format, so a journal head can
never pass for a family record's head (whose message has neither ``format`` nor ``author``).

``verify.py`` checks an export of it offline, without importing this module.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import secrets
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from coparent.core.record.chain import GENESIS_PREV, canonical_json

FORMAT = "coparent-journal/1"

VERSION_KEYS = (
    "seq",
    "at",
    "entry",
    "version",
    "happened_on",
    "text",
    "tags",
    "files",
    "link",
    "prev",
)
"""The fields a version's hash covers: every field of an exported version except ``hash``."""

SALT_BYTES = 32


def version_hash(body: dict[str, Any]) -> str:
    """Hex SHA-256 of the canonical JSON of a version's body (exactly ``VERSION_KEYS``)."""
    if set(body) != set(VERSION_KEYS):
        raise ValueError(f"a journal version's body has exactly the fields {VERSION_KEYS}")
    return hashlib.sha256(canonical_json(body)).hexdigest()


def make_version(*, prev_hash: str | None, seq: int, **fields: Any) -> dict[str, Any]:
    """The body of the version that follows ``prev_hash`` (None for the first of a chain), with
    its ``hash``. ``fields`` are the other body fields; they are deep-copied so a caller changing
    its dicts afterwards cannot make the version disagree with its own hash."""
    if (prev_hash is None) != (seq == 1):
        raise ValueError("only the first version of a chain has no previous hash")
    body = {**copy.deepcopy(fields), "seq": seq, "prev": prev_hash or GENESIS_PREV}
    return {**body, "hash": version_hash(body)}


def head_message(*, family: str, author: str, seq: int, hash: str, at: str) -> bytes:
    """The exact bytes the server signs for a journal's head."""
    return canonical_json(
        {"format": FORMAT, "family": family, "author": author, "seq": seq, "hash": hash, "at": at}
    )


def sign_head(
    private_key: Ed25519PrivateKey, *, family: str, author: str, seq: int, hash: str, at: str
) -> dict[str, Any]:
    """Sign a journal's head; returns the head as an export carries it."""
    message = head_message(family=family, author=author, seq=seq, hash=hash, at=at)
    signature = base64.b64encode(private_key.sign(message)).decode("ascii")
    return {
        "family": family,
        "author": author,
        "seq": seq,
        "hash": hash,
        "at": at,
        "signature": signature,
    }


def new_salt() -> str:
    return secrets.token_hex(SALT_BYTES)


def anchor_commitment(salt: str, head_hash: str) -> str:
    """What the family record may carry of a journal's head: SHA-256 of salt || head, hex. The
    salt is random and kept by the author (it travels in their export), so the commitment says
    nothing about the journal - not even that there is one - to anyone without it."""
    return hashlib.sha256(bytes.fromhex(salt) + bytes.fromhex(head_hash)).hexdigest()
