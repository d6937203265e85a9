"""Pickup passes: a short signed token that tells a school office who collects, and when.

A pass says: in this family, these children (first names) are with this parent (the name the
family knows them by) from ``start`` to ``end``. The server signs it with its Ed25519 key (the
family record's, ``coparent.infra.keys``: one key to publish and compare by fingerprint), and
anyone holding the public key can check it offline. The token goes in a link and a QR code, so
it is short and URL-safe:

    token = base64url(payload || signature), no padding
    payload = version (1 byte, 1) || family id (16) || pass id (16)
              || issued at, start, end (3 x 4 bytes: big-endian seconds since 1970, UTC)
              || parent's name (1 length byte + UTF-8) || children (1 count byte, then each
              as 1 length byte + UTF-8)
    signature = Ed25519 over DOMAIN || payload

About 180 characters for two children. ``DOMAIN`` ("coparent-pickup-pass/1" and a newline)
keeps a pass signature and a record-head signature (canonical JSON, signed with the same key)
from ever standing in for one another. Reading is strict: exactly one byte string encodes a
pass (canonical base64url, no bytes left over, valid UTF-8), so changing any character of a
token either breaks the signature or makes it unreadable; never a different valid pass.

``verify`` never raises on what a stranger may type or scan: anything that is not a pass this
key signed is ``tampered``. A readable, signed pass is then ``revoked`` (its id is in the
revoked set; this wins over the window, since revoking is deliberate), ``not_yet_valid``
(before ``start``), ``expired`` (from ``end`` on: the window is [start, end)), or ``valid``.

What a pass deliberately lacks: surnames, addresses, contact details, anything before or after
its window. A pass is also no more than the schedule: ``uncovered`` tells the issuer where the
plan (with its approved changes) does not give the children to that parent in the window, and
the issuing service refuses such a window.
"""

from __future__ import annotations

import base64
import binascii
import enum
import struct
import unicodedata
from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from coparent.core.schedule.model import Letter, Segment

VERSION = 1
DOMAIN = b"coparent-pickup-pass/1\n"
SIGNATURE_BYTES = 64
MAX_NAME_BYTES = 60
"""A first name or a display name, in UTF-8 bytes (a length byte must hold it; 60 keeps the
QR code small)."""
MAX_CHILDREN = 8
MAX_WINDOW = timedelta(days=14)
"""Passes are short-lived: at most a fortnight, the longest stretch most plans give a parent."""
MAX_TOKEN_CHARS = 1024
"""Longer texts are not read at all (the longest real pass is well under half this)."""

_TIMES = struct.Struct(">III")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST = _EPOCH + timedelta(seconds=2**32 - 1)
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class PassError(ValueError):
    """A pass that cannot be issued as asked (the message says why, for the form)."""


class Status(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    TAMPERED = "tampered"


@dataclass(frozen=True, slots=True)
class PickupPass:
    """What a pass says. Times are aware UTC instants to the second."""

    family: UUID
    pass_id: UUID
    children: tuple[str, ...]
    parent: str
    start: datetime
    end: datetime
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for a token: its status and, unless tampered, what the pass says (shown with
    "expired" or "revoked" too, so the office sees which pass it was)."""

    status: Status
    pickup: PickupPass | None = None

    @property
    def valid(self) -> bool:
        return self.status is Status.VALID


# --- issuing ------------------------------------------------------------------------------


def issue(
    private_key: Ed25519PrivateKey,
    *,
    family: UUID,
    pass_id: UUID,
    children: Iterable[str],
    parent: str,
    start: datetime,
    end: datetime,
    issued_at: datetime,
) -> tuple[PickupPass, str]:
    """Make and sign a pass; returns it (times cut to the second) and its token. Raises
    ``PassError`` for a window that is empty, longer than ``MAX_WINDOW`` or outside the years a
    pass can carry, and for names that are empty, too long or not printable."""
    pickup = PickupPass(
        family=family,
        pass_id=pass_id,
        children=tuple(_name(child, "A child's first name") for child in children),
        parent=_name(parent, "The parent's name"),
        start=_second(start),
        end=_second(end),
        issued_at=_second(issued_at),
    )
    if not pickup.children:
        raise PassError("A pass names at least one child.")
    if len(pickup.children) > MAX_CHILDREN:
        raise PassError(f"A pass names at most {MAX_CHILDREN} children.")
    if pickup.end <= pickup.start:
        raise PassError("The window must end after it starts.")
    if pickup.end - pickup.start > MAX_WINDOW:
        raise PassError(f"A pass is valid for at most {MAX_WINDOW.days} days.")
    payload = encode(pickup)
    signature = private_key.sign(DOMAIN + payload)
    return pickup, _b64(payload + signature)


def encode(pickup: PickupPass) -> bytes:
    """The payload bytes of a pass (what is signed, after ``DOMAIN``)."""
    parts = [
        bytes([VERSION]),
        pickup.family.bytes,
        pickup.pass_id.bytes,
        _TIMES.pack(*(_seconds(t) for t in (pickup.issued_at, pickup.start, pickup.end))),
        _text(pickup.parent),
        bytes([len(pickup.children)]),
        *(_text(child) for child in pickup.children),
    ]
    return b"".join(parts)


def _name(value: str, what: str) -> str:
    text = " ".join(value.split())  # the name as people read it: no stray or doubled spaces
    if not text:
        raise PassError(f"{what} cannot be empty.")
    if len(text.encode()) > MAX_NAME_BYTES:
        raise PassError(f"{what} is too long for a pass.")
    if any(_hidden(char) for char in text):
        raise PassError(f"{what} has characters that cannot be shown.")
    return text


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _hidden(char: str) -> bool:
    """Control, private-use and unassigned characters, and the bidirectional overrides that
    could make a name read differently on the check page ("xelA" shown as "Alex"). Other
    format characters stay: Persian names need the zero-width non-joiner."""
    return char in _BIDI_CONTROLS or unicodedata.category(char) in {"Cc", "Co", "Cn", "Cs"}


def _second(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("pass times must be aware datetimes")
    value = moment.astimezone(UTC).replace(microsecond=0)
    if not _EPOCH <= value <= _LAST:
        raise PassError("A pass's times must lie between 1970 and 2106.")
    return value


def _seconds(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(seconds=1)


def _text(value: str) -> bytes:
    raw = value.encode()
    return bytes([len(raw)]) + raw


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


# --- checking -----------------------------------------------------------------------------


def verify(
    token: object,
    public_key: Ed25519PublicKey,
    now: datetime,
    revoked: Container[UUID] = frozenset(),
) -> Verdict:
    """Check a token against the public key at ``now``; never raises for any token (text,
    bytes or anything else a caller passes along)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    raw = _unb64(token)
    if raw is None or len(raw) <= SIGNATURE_BYTES:
        return Verdict(Status.TAMPERED)
    payload, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    try:
        public_key.verify(signature, DOMAIN + payload)
    except InvalidSignature:
        return Verdict(Status.TAMPERED)
    pickup = decode(payload)
    if pickup is None:  # signed but unreadable: not a pass this code made
        return Verdict(Status.TAMPERED)
    moment = now.astimezone(UTC)
    if pickup.pass_id in revoked:
        return Verdict(Status.REVOKED, pickup)
    if moment < pickup.start:
        return Verdict(Status.NOT_YET_VALID, pickup)
    if moment >= pickup.end:
        return Verdict(Status.EXPIRED, pickup)
    return Verdict(Status.VALID, pickup)


def decode(payload: bytes) -> PickupPass | None:
    """Read payload bytes, strictly (None for anything ``encode`` would not have written).
    This does not check a signature: ``verify`` does."""
    try:
        if payload[0] != VERSION:
            return None
        family, pass_id = UUID(bytes=payload[1:17]), UUID(bytes=payload[17:33])
        issued_at, start, end = (
            _EPOCH + timedelta(seconds=s) for s in _TIMES.unpack_from(payload, 33)
        )
        at = 33 + _TIMES.size
        parent, at = _read_text(payload, at)
        count, at = payload[at], at + 1
        children = []
        for _ in range(count):
            child, at = _read_text(payload, at)
            children.append(child)
    except (IndexError, struct.error, ValueError):  # ValueError: a short id, bad UTF-8
        return None
    if at != len(payload):
        return None
    return PickupPass(family, pass_id, tuple(children), parent, start, end, issued_at)


def _read_text(payload: bytes, at: int) -> tuple[str, int]:
    size = payload[at]
    raw = payload[at + 1 : at + 1 + size]
    if len(raw) != size:
        raise IndexError("a name runs past the end")
    return raw.decode("utf-8", errors="strict"), at + 1 + size


def _unb64(token: object) -> bytes | None:
    """Canonical unpadded base64url only: one text per byte string, so no two tokens (say,
    differing in a last character's unused bits) carry the same pass."""
    if isinstance(token, bytes | bytearray):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            return None
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    if not set(token) <= _ALPHABET or len(token) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if _b64(raw) == token else None


# --- the schedule behind a pass and its QR code --------------------------------------------


def uncovered(
    segments: Iterable[Segment], parent: Letter, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The stretches of [start, end) in which ``segments`` (the plan with its approved changes,
    covering the window) do not give the children to ``parent``; empty when the whole window
    is theirs. Stretches no segment covers count as not theirs."""
    low, high = start.astimezone(UTC), end.astimezone(UTC)
    theirs = sorted(
        (max(s.start.astimezone(UTC), low), min(s.end.astimezone(UTC), high))
        for s in segments
        if s.parent == parent
    )
    gaps: list[tuple[datetime, datetime]] = []
    cursor = low
    for piece_start, piece_end in theirs:
        if piece_end <= piece_start:
            continue
        if piece_start > cursor:
            gaps.append((cursor, piece_start))
        cursor = max(cursor, piece_end)
    if cursor < high:
        gaps.append((cursor, high))
    return gaps


def qr_svg(url: str) -> str:
    """The pass's link as an inline SVG QR code, made on the server (no external request, no
    script, no style attribute: the content security policy allows neither)."""
    import qrcode  # noqa: PLC0415 - only the pages that show a pass need it
    import qrcode.image.svg  # noqa: PLC0415

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage)
    svg: str = image.to_string(encoding="unicode")
    return svg
