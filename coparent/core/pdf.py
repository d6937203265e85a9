"""Find active content in a PDF: scripts, and actions that run, launch or fetch something.

A PDF is a document, but a viewer also runs what it carries: JavaScript (`/JS`, `/JavaScript`),
an action when the document opens (`/OpenAction`) or when a page or field is touched (`/AA`),
launching a program (`/Launch`), sending a form or loading data elsewhere (`/SubmitForm`,
`/ImportData`, `/GoToR`, `/GoToE`), media and XFA forms (which carry their own scripts), and
files packed inside (`/EmbeddedFile`), which would slip past the check of what may be attached.

This reads the bytes; nothing is rendered or run. Names are compared after undoing `#xx` escapes
(`/J#61vaScript` is `/JavaScript`). Dictionaries live either in the file as written or inside
compressed object streams (`/Type /ObjStm`); those are inflated (FlateDecode, ASCIIHex, ASCII85,
within a size budget) and read too. Content streams (the drawing of pages), images and fonts
cannot hold actions and are not opened.

What cannot be read with certainty is reported as a problem instead: an object stream that is
encrypted, uses another filter or a predictor, is damaged, or inflates past the budget. The
caller refuses such files rather than guess. An `/OpenAction` that only opens a page (an array,
directly or through a reference) is a destination, not an action, and is fine.

A name spelled in a comment or a string (rare outside hand-made files) counts as if it were
real: the check errs towards refusing.
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass, field

# Active content, by the PDF name that introduces it, with the words a person reads.
ACTIVE_NAMES = {
    "JavaScript": "JavaScript",
    "JS": "JavaScript",
    "AA": "actions that run by themselves",
    "Launch": "an action that starts a program",
    "SubmitForm": "an action that sends data",
    "ImportData": "an action that loads data",
    "GoToR": "a link that opens another file",
    "GoToE": "a link that opens another file",
    "RichMedia": "embedded media",
    "RichMediaExecute": "embedded media",
    "Rendition": "embedded media",
    "XFA": "an XFA form (which can hold scripts)",
    "EmbeddedFile": "files packed inside",
    "EmbeddedFiles": "files packed inside",
    "FileAttachment": "files packed inside",
}
OPEN_ACTION = "an action that runs when the document opens"
INFLATE_BUDGET = 64 * 1024 * 1024  # bytes inflated from object streams, in all


_WS = rb"[\x00\t\n\x0c\r ]"
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_ESCAPED_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*#[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_NAME_END = rb"(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])"
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_REGULAR = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-")
_OBJ = re.compile(rb"(?<![0-9])([0-9]+)" + _WS + rb"+([0-9]+)" + _WS + rb"+obj(?![A-Za-z])")
_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_END_STREAM = re.compile(_WS + rb"*endstream")
_LENGTH = re.compile(
    rb"/Length" + _WS + rb"*([0-9]+)(?![0-9])(?!" + _WS + rb"+[0-9]+" + _WS + rb"+R)"
)
_FILTER = re.compile(rb"/Filter" + _WS + rb"*(\[[^\]]*\]|/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PREDICTOR = re.compile(rb"/Predictor" + _WS + rb"*0*([2-9]|[1-9][0-9]+)(?![0-9])")
_FIRST = re.compile(rb"/First" + _WS + rb"*([0-9]+)")
_REF = re.compile(rb"([0-9]+)" + _WS + rb"+([0-9]+)" + _WS + rb"+R(?![A-Za-z])")
_INT = re.compile(rb"[0-9]+")
_ACTIVE = re.compile(
    b"/("
    + b"|".join(re.escape(n.encode()) for n in sorted(ACTIVE_NAMES, key=len, reverse=True))
    + b")"
    + _NAME_END
)
_OBJECT_PEEK = 64 * 1024  # how much of a referenced object is read to see what it is


@dataclass(frozen=True)
class Findings:
    """`active`: the kinds of active content seen (sorted, each once); `problem`: why the file
    could not be read with certainty, or None when it was."""

    active: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def safe(self) -> bool:
        return not self.active and self.problem is None


def canonical_names(text: bytes) -> bytes:
    """`text` with each name spelled one way: `#xx` escapes undone, then every byte that is not
    a plain letter, digit or `._+-` escaped again (`/J#61vaScript` becomes `/JavaScript`, and
    no name can turn into two tokens). Names without `#` are left as they are."""

    def one(match: re.Match[bytes]) -> bytes:
        raw = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        return b"/" + b"".join(bytes([c]) if c in _REGULAR else b"#%02X" % c for c in raw)

    return _ESCAPED_NAME.sub(one, text)


def _has_name(text: bytes, name: bytes) -> bool:
    return re.search(b"/" + name + _NAME_END, text) is not None


def _count_name(text: bytes, name: bytes) -> int:
    return len(re.findall(b"/" + name + _NAME_END, text))


def _names(text: bytes) -> list[str]:
    return [m.group(1).decode("latin-1") for m in _NAME.finditer(text)]


@dataclass
class _ObjectStream:
    offsets: dict[int, int]  # object number -> where it starts in `text`
    text: bytes  # inflated, names canonical


@dataclass
class _Scan:
    data: bytes
    budget: int
    outside: bytes = b""  # everything but stream contents, names canonical
    direct: dict[tuple[int, int], int] = field(default_factory=dict)  # (number, gen) -> offset
    object_streams: list[_ObjectStream] = field(default_factory=list)
    active: set[str] = field(default_factory=set)
    problem: str | None = None

    def fail(self, why: str) -> None:
        if self.problem is None:
            self.problem = why


def _stream_end(data: bytes, dictionary: bytes, begin: int) -> int:
    """Where a stream's bytes end: at `/Length` when it is a number that lands on `endstream`,
    else at the next `endstream`."""
    length = _LENGTH.search(dictionary)
    if length:
        end = begin + int(length.group(1))
        if end <= len(data) and _END_STREAM.match(data, end):
            return end
    found = data.find(b"endstream", begin)
    return found if found >= 0 else len(data)


def _filters(dictionary: bytes) -> list[str] | None:
    """The stream's filters in order; None when they cannot be read (an indirect /Filter)."""
    match = _FILTER.search(dictionary)
    if match is None:
        return None if b"/Filter" in dictionary else []
    return _names(match.group(1))


def _decode(raw: bytes, filters: list[str], budget: int) -> bytes:
    """Undo the filters; ValueError says what went wrong, in a person's words."""
    out = raw
    for name in filters:
        if name in ("FlateDecode", "Fl"):
            inflater = zlib.decompressobj()
            try:
                out = inflater.decompress(out, budget + 1)
            except zlib.error:
                raise ValueError("a compressed part is damaged") from None
            if len(out) > budget or inflater.unconsumed_tail:
                raise ValueError("a compressed part unpacks to far more than it holds")
        elif name in ("ASCIIHexDecode", "AHx"):
            text = re.sub(_WS, b"", out).split(b">", 1)[0]
            try:
                out = bytes.fromhex((text + b"0" * (len(text) % 2)).decode("ascii"))
            except (UnicodeDecodeError, ValueError):
                raise ValueError("a hex-encoded part is damaged") from None
        elif name in ("ASCII85Decode", "A85"):
            text = re.sub(_WS, b"", out).removeprefix(b"<~").split(b"~>", 1)[0]
            try:
                out = base64.a85decode(text)
            except ValueError:
                raise ValueError("an ASCII85-encoded part is damaged") from None
        else:
            raise ValueError(f"part of it is packed with {name}, which is not checked")
    return out


def _offsets(text: bytes, dictionary: bytes) -> dict[int, int]:
    """Object number -> start of that object in an object stream's text (the pairs of numbers
    before `/First`)."""
    first = _FIRST.search(dictionary)
    if first is None:
        return {}
    base = int(first.group(1))
    numbers = [int(n) for n in _INT.findall(text[:base])]
    return {numbers[i]: base + numbers[i + 1] for i in range(0, len(numbers) - 1, 2)}


def _read(scan: _Scan) -> None:
    """Split the file into what lies outside streams (read for names) and the streams; inflate
    the object streams. Linear in the file's size."""
    data = scan.data
    objects = list(_OBJ.finditer(data))
    outside: list[bytes] = []
    cursor = 0
    for index, obj in enumerate(objects):
        if obj.start() < cursor:
            continue  # "N 0 obj" inside a stream's bytes
        scan.direct.setdefault((int(obj.group(1)), int(obj.group(2))), obj.end())
        limit = objects[index + 1].start() if index + 1 < len(objects) else len(data)
        stream = _STREAM.search(data, obj.end(), max(obj.end(), limit))
        if stream is None:
            continue
        dictionary = canonical_names(data[obj.end() : stream.start()])
        end = _stream_end(data, dictionary, stream.end())
        outside.append(data[cursor : stream.start()])
        cursor = end
        if _has_name(dictionary, b"ObjStm"):
            _inflate(scan, dictionary, data[stream.end() : end])
    outside.append(data[cursor:])
    scan.outside = canonical_names(b"".join(outside))
    declared = _count_name(scan.outside, b"ObjStm")
    if declared and _has_name(scan.outside, b"Encrypt"):
        # Strings and streams of an encrypted file are unreadable without its key, and object
        # streams hold whole dictionaries.
        scan.object_streams.clear()
        scan.problem = "it is encrypted, so part of it cannot be read"
    elif len(scan.object_streams) < declared and scan.problem is None:
        # `/ObjStm` is spelled somewhere that is not a stream read here: objects may be hidden.
        scan.fail("part of it cannot be found where the file says it is")


def _inflate(scan: _Scan, dictionary: bytes, raw: bytes) -> None:
    filters = _filters(dictionary)
    if filters is None or _PREDICTOR.search(dictionary):
        scan.fail("part of it is packed in a way that is not checked")
        return
    try:
        text = canonical_names(_decode(raw, filters, scan.budget))
    except ValueError as error:
        scan.fail(str(error))
        return
    scan.budget -= len(text)
    scan.object_streams.append(_ObjectStream(offsets=_offsets(text, dictionary), text=text))


def _object_text(scan: _Scan, number: int, generation: int) -> bytes | None:
    """The beginning of object `number` (names canonical), wherever it is kept; None when it
    cannot be found."""
    start = scan.direct.get((number, generation))
    if start is not None:
        peek = canonical_names(scan.data[start : start + _OBJECT_PEEK])
        return peek.lstrip(b"\x00\t\n\x0c\r ")
    for stream in scan.object_streams:
        if number in stream.offsets:
            offset = stream.offsets[number]
            return stream.text[offset : offset + _OBJECT_PEEK].lstrip(b"\x00\t\n\x0c\r ")
    return None


def _dictionary_at(text: bytes) -> bytes:
    """The `<< … >>` at the start of `text`, nested dictionaries included."""
    depth, i = 0, 0
    while i < len(text) - 1:
        pair = text[i : i + 2]
        if pair in (b"<<", b">>"):
            depth += 1 if pair == b"<<" else -1
            i += 2
            if depth == 0:
                return text[:i]
        else:
            i += 1
    return text


def _goes_to_a_page(target: bytes) -> bool:
    """True for a destination (`[page /Fit]`) or a plain "go to" action; False for any other
    action (a web address fetched on opening tells the sender when and where it was read)."""
    if target.startswith(b"["):
        return True
    if not target.startswith(b"<<"):
        return False
    names = _names(_dictionary_at(target))
    return any(a == "S" and b == "GoTo" for a, b in zip(names, names[1:], strict=False)) and (
        "Next" not in names
    )


def _open_actions(scan: _Scan, text: bytes) -> None:
    seen: set[tuple[int, int]] = set()
    for match in re.finditer(rb"/OpenAction" + _WS + rb"*", text):
        after = text[match.end() : match.end() + _OBJECT_PEEK]
        ref = _REF.match(after)
        if ref is not None:
            key = (int(ref.group(1)), int(ref.group(2)))
            if key in seen:
                continue
            seen.add(key)
            target = _object_text(scan, *key)
            if target is None:
                scan.active.add(OPEN_ACTION)  # pointing at nothing readable: assume the worst
                continue
            after = target
        if not _goes_to_a_page(after):
            scan.active.add(OPEN_ACTION)


def scan(data: bytes, *, budget: int = INFLATE_BUDGET) -> Findings:
    """What active content `data` (a whole PDF file) carries, and whether it could be read."""
    state = _Scan(data=data, budget=budget)
    _read(state)
    for text in [state.outside, *(stream.text for stream in state.object_streams)]:
        for match in _ACTIVE.finditer(text):
            state.active.add(ACTIVE_NAMES[match.group(1).decode("ascii")])
        _open_actions(state, text)
    return Findings(active=tuple(sorted(state.active)), problem=state.problem)
