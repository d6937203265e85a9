"""Photos and PDFs sent with messages.

The type comes from the file's first bytes, never from its name, so a renamed program is
refused. Photos are decoded and encoded again from their pixels alone, which drops EXIF data
(GPS position, camera serial, time) along with anything hidden after the image. Files are stored
under random names in the data folder and only ever served by an access-checked view.

Each photo also gets a thumbnail (at most THUMBNAIL_SIDE pixels on its longer side, JPEG, no
metadata), made from the pixels already decoded at upload, for the thread page. A thumbnail is
derived, not a fact: it is not hashed or recorded, not backed up, and made again from the
original whenever it is missing (`thumbnail`).

A few bytes can describe an enormous picture, so a photo's size and frames are read from its
headers and refused before anything is decoded when it has more than `max_pixels()` pixels or
is animated; decoding then waits for room in a per-process pixel budget. PDFs are read for
scripts and actions (coparent.core.pdf) and refused when they carry any. All of this is slow
next to a database write: services run it before their transaction opens, never inside it.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import secrets
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from coparent.core import pdf
from coparent.core.text import hidden_characters
from coparent.infra.env import env_int
from coparent.infra.errors import DomainError

MAX_FILES = 5  # per message, unless COPARENT_ATTACHMENT_MAX_FILES says otherwise
# Photos: at most this many pixels (COPARENT_IMAGE_MAX_PIXELS), enough for the 48 and 50
# megapixel phone cameras; checked from the headers before anything is decoded.
MAX_PIXELS = 50_000_000
MAX_FRAMES = 1  # animated images are refused (docs/messages.md)
JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"
WEBP = "image/webp"
PDF = "application/pdf"
EXTENSIONS = {JPEG: "jpg", PNG: "png", GIF: "gif", WEBP: "webp", PDF: "pdf"}
_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WEBP"}
IMAGES = frozenset(_PIL_FORMATS)
# Twice the largest size the thread page shows (240 CSS px), for sharp phone screens.
THUMBNAIL_SIDE = 480
THUMBNAIL_TYPE = JPEG

logger = logging.getLogger(__name__)


def max_bytes() -> int:
    """COPARENT_ATTACHMENT_MAX_BYTES, from settings or the environment; 10 MB by default."""
    configured = getattr(settings, "COPARENT_ATTACHMENT_MAX_BYTES", None)
    if configured is not None:
        return int(configured)
    return env_int("COPARENT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def max_files() -> int:
    """COPARENT_ATTACHMENT_MAX_FILES, from settings or the environment; MAX_FILES by default."""
    configured = getattr(settings, "COPARENT_ATTACHMENT_MAX_FILES", None)
    if configured is not None:
        return int(configured)
    return env_int("COPARENT_ATTACHMENT_MAX_FILES", MAX_FILES)


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "attachments"


def thumbnail_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "thumbnails"


def is_image(content_type: str) -> bool:
    return content_type in IMAGES


@dataclass(frozen=True)
class IncomingFile:
    name: str
    data: bytes


@dataclass(frozen=True)
class PreparedFile:
    name: str
    content_type: str
    data: bytes
    # A photo's thumbnail (JPEG bytes); None for a PDF, or when one could not be made (the
    # photo is sent all the same, and the thumbnail made again when first asked for).
    thumbnail: bytes | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among those accepted; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def clean_name(name: str, content_type: str) -> str:
    """A display name safe in a header and a page: no path, no control or invisible formatting
    characters, and the extension that matches the real type."""
    base = unicodedata.normalize("NFC", Path(name or "").name)
    base = re.sub(r"[\x00-\x1f\x7f\"\\/]", "", base)
    # A file name is a label: characters that would reorder or hide part of it go (core.text).
    hidden = set(hidden_characters(base))
    base = "".join(ch for ch in base if ch not in hidden).strip().strip(".") or "attachment"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:150]}.{EXTENSIONS[content_type]}"


def max_pixels() -> int:
    """COPARENT_IMAGE_MAX_PIXELS, from settings or the environment; MAX_PIXELS by default."""
    configured = getattr(settings, "COPARENT_IMAGE_MAX_PIXELS", None)
    if configured is not None:
        return int(configured)
    return env_int("COPARENT_IMAGE_MAX_PIXELS", MAX_PIXELS)


class _PixelBudget:
    """At most `max_pixels()` pixels decoded at once in this process, whatever the number of
    threads: a photo waits for its turn rather than adding to the peak. One photo at the limit
    always fits, so nothing waits forever."""

    def __init__(self) -> None:
        self._free = threading.Condition()
        self._in_use = 0

    @contextmanager
    def hold(self, pixels: int) -> Iterator[None]:
        limit = max_pixels()
        with self._free:
            self._free.wait_for(lambda: self._in_use == 0 or self._in_use + pixels <= limit)
            self._in_use += pixels
        try:
            yield
        finally:
            with self._free:
                self._in_use -= pixels
                self._free.notify_all()


DECODING = _PixelBudget()


def _frames(image: Image.Image) -> int:
    """How many frames the image has, from its headers: an animated PNG or WebP says how many
    up front; of a GIF only "more than one" is read (its second frame is found without decoding
    anything), so it counts as 2. A JPEG's further frames (MPO: a phone's depth or HDR map) are
    not pictures of their own; only its first is ever read."""
    if image.format in ("JPEG", "MPO") or not getattr(image, "is_animated", False):
        return 1
    if image.format == "GIF":
        return 2
    return max(2, int(getattr(image, "n_frames", 2)))


def _check_size(image: Image.Image, name: str) -> int:
    """Refuse an image too big to decode safely, from its headers alone; return its pixels."""
    width, height = image.size
    frames = _frames(image)
    if frames > MAX_FRAMES:
        raise ValidationError(
            _(
                "“%(name)s” is an animated image; only still photos can be attached. Send a "
                "still image instead (a screenshot of it will do)."
            )
            % {"name": name}
        )
    pixels = width * height * frames
    if pixels > max_pixels():
        raise ValidationError(_too_many_pixels(name, f"{width:,} × {height:,}"))
    return pixels


def _too_many_pixels(name: str, size: str | None = None) -> str:
    limit = {"name": name, "size": size, "mp": f"{max_pixels() / 1_000_000:g}"}
    if size is None:
        return (
            _(
                "“%(name)s” has far more than %(mp)s megapixels; a photo can have at most "
                "%(mp)s megapixels. Send a smaller copy."
            )
            % limit
        )
    return (
        _(
            "“%(name)s” is %(size)s pixels; a photo can have at most %(mp)s megapixels. Send a "
            "smaller copy."
        )
        % limit
    )


def _reencode(data: bytes, content_type: str, name: str) -> tuple[bytes, bytes | None]:
    """The photo drawn again from its pixels alone, and its thumbnail from the same decoded
    pixels. Its size and frames are checked from the headers first; the decoding waits for
    room in the process's pixel budget."""
    try:
        # `formats`: read it as the type its first bytes claim, and as nothing else.
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[content_type]]) as image:
            pixels = _check_size(image, name)
            with DECODING.hold(pixels):
                upright = _upright(image)
                redrawn = _redraw(upright, content_type)
                return redrawn, _thumbnail_or_none(upright, name)
    except Image.DecompressionBombError:
        # Pillow's own guard, at twice the limit, spoke first (as it opened the header).
        raise ValidationError(_too_many_pixels(name)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("“%(name)s” could not be read; it may be damaged.") % {"name": name}
        ) from None


def _upright(image: Image.Image) -> Image.Image:
    image.load()
    # Apply the EXIF orientation to the pixels before the EXIF block is dropped, so the photo
    # still stands the right way up.
    ImageOps.exif_transpose(image, in_place=True)
    return image


def _redraw(upright: Image.Image, content_type: str) -> bytes:
    if upright.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
    if content_type == JPEG and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    # The pixels alone go out: Pillow writes metadata only from `info` and from what `save` is
    # given, so emptying `info` drops EXIF, XMP, ICC, comments and text chunks without a second
    # copy of the pixels (tests/messaging/test_upload_limits.py checks each format).
    upright.info = {}
    out = io.BytesIO()
    options = {"quality": 90} if content_type in (JPEG, WEBP) else {}
    upright.save(out, _PIL_FORMATS[content_type], **options)
    return out.getvalue()


def _small(upright: Image.Image) -> bytes:
    """A JPEG of at most THUMBNAIL_SIDE pixels a side, from upright pixels; transparency laid
    on white (JPEG has none), and nothing but the pixels written."""
    width, height = upright.size
    scale = min(1.0, THUMBNAIL_SIDE / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # resize, not thumbnail(): a new small image, never a second full-size copy in memory.
    small = upright.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if small.mode in ("RGBA", "LA") or (small.mode == "P" and "transparency" in small.info):
        rgba = small.convert("RGBA")
        small = Image.new("RGB", rgba.size, (255, 255, 255))
        small.paste(rgba, mask=rgba.getchannel("A"))
    elif small.mode != "RGB":
        small = small.convert("RGB")
    small.info = {}
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def _thumbnail_or_none(upright: Image.Image, name: str) -> bytes | None:
    try:
        return _small(upright)
    except (OSError, ValueError):
        # The photo itself is fine (it was just written); the page shows its name instead and
        # the thumbnail is tried again when first asked for.
        logger.warning("no thumbnail for %s at upload", name, exc_info=True)
        return None


def thumbnail_path(stored_name: str) -> Path:
    return thumbnail_dir() / f"{Path(stored_name).stem}.jpg"


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` all at once: a reader sees the whole file or none (a temporary
    file renamed over it, so two requests making the same thumbnail cannot mix). A write that
    fails half-way (a full disk) removes its temporary file: no half-written file is left."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    try:
        with temporary.open("xb") as handle:
            handle.write(data)
        temporary.chmod(0o600)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def thumbnail(stored_name: str, content_type: str) -> Path | None:
    """The path of a stored photo's thumbnail, made now from the original if it is missing
    (sent before thumbnails existed, or after a restore: they are not backed up). None when
    there is none to give: not a photo, the original missing, or unreadable or too large to
    decode under today's limits (the page then offers the file by its name)."""
    if not is_image(content_type):
        return None
    path = thumbnail_path(stored_name)
    if path.exists():
        return path
    original = path_of(stored_name)
    if not original.exists():
        return None
    try:
        with Image.open(original, formats=[_PIL_FORMATS[content_type]]) as image:
            pixels = _check_size(image, original.name)
            with DECODING.hold(pixels):
                # A JPEG can be decoded straight at a fraction of its size: less memory, faster.
                image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))
                data = _small(_upright(image))
    except (
        ValidationError,
        Image.DecompressionBombError,
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ):
        logger.warning("no thumbnail for attachment file %s", stored_name, exc_info=True)
        return None
    _write_private(path, data)
    return path


RECORD_TWIN = re.compile(r"coparent-record-[0-9a-f-]{36}-[0-9]+\.json")


def _only_the_records_own_proof(data: bytes, findings: pdf.Findings) -> bool:
    """The record's PDF carries one packed file, its JSON twin (records.export.render_pdf), so
    that the PDF alone proves itself; a parent may attach it like any PDF. Allowed only when
    that is all there is: no other active content, exactly one embedded file, named as the twin
    is and holding a Coparent record export — JSON text, which nothing runs."""
    if findings.active != ("files packed inside",):
        return False
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        attachments = reader.attachments
        packed = 0
        for number in range(1, int(reader.trailer.get("/Size", 0))):
            found = reader.get_object(number)
            if isinstance(found, StreamObject) and found.get("/Type") == "/EmbeddedFile":
                packed += 1
    except Exception:  # noqa: BLE001 - anything unreadable is simply not the record's PDF
        return False
    if packed != 1 or len(attachments) != 1:
        return False
    ((name, contents),) = attachments.items()
    if not RECORD_TWIN.fullmatch(name) or len(contents) != 1:
        return False
    try:
        twin = json.loads(contents[0])
    except ValueError:
        return False
    return isinstance(twin, dict) and twin.get("format") == "coparent-record/1"


def _check_pdf(data: bytes, name: str) -> None:
    """Refuse a PDF that carries scripts or actions, or that cannot be read to be sure."""
    findings = pdf.scan(data)
    if findings.problem is not None:
        raise ValidationError(
            _(
                "“%(name)s” could not be checked for scripts (%(why)s), so it cannot be "
                "attached. Print it to a new PDF (Print, then Save as PDF) and attach that."
            )
            % {"name": name, "why": findings.problem}
        )
    if findings.active and not _only_the_records_own_proof(data, findings):
        raise ValidationError(
            _(
                "“%(name)s” contains %(what)s, which can run when it is opened, so it cannot "
                "be attached. Print it to a new PDF (Print, then Save as PDF) and attach that."
            )
            % {"name": name, "what": ", ".join(findings.active)}
        )


def prepare(incoming: IncomingFile) -> PreparedFile:
    """Check one file and make it safe to store; ValidationError says what is wrong. Photos
    are decoded and encoded again here, so call it before any transaction opens."""
    limit = max_bytes()
    display = Path(incoming.name).name
    if len(incoming.data) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)s MB; attachments can be at most %(mb)s MB.")
            % {"name": display, "mb": f"{limit / 1024 / 1024:g}"}
        )
    content_type = sniff(incoming.data)
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a photo (JPEG, PNG, GIF, WebP) or a PDF. Only those can be "
                "attached."
            )
            % {"name": display}
        )
    small: bytes | None = None
    if content_type == PDF:
        _check_pdf(incoming.data, display)
        data = incoming.data
    else:
        data, small = _reencode(incoming.data, content_type, display)
    return PreparedFile(
        name=clean_name(incoming.name, content_type),
        content_type=content_type,
        data=data,
        thumbnail=small,
    )


def check_count(count: int) -> None:
    """Refuse more files than one message takes. Callers holding uploads call it before reading
    them, so a request with a hundred files is refused without reading any."""
    limit = max_files()
    if count > limit:
        raise ValidationError(
            {"attachments": [_("Attach at most %(n)d files to one message.") % {"n": limit}]}
        )


def prepare_all(files: list[IncomingFile]) -> list[PreparedFile]:
    check_count(len(files))
    prepared, problems = [], []
    for incoming in files:
        try:
            prepared.append(prepare(incoming))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError({"attachments": problems})
    return prepared


class StorageFull(DomainError):
    """The server could not write a file (a full disk, a quota, a read-only folder): nothing
    was saved, and the person is told so rather than shown a server error (issue #17)."""

    status = 507  # Insufficient Storage


def store(prepared: PreparedFile) -> str:
    """Write the file under a new random name and return that name. It appears under that name
    whole or not at all; a failed write raises `StorageFull` on the `attachments` field."""
    folder = storage_dir()
    stored_name = f"{secrets.token_hex(16)}.{EXTENSIONS[prepared.content_type]}"
    try:
        _write_private(folder / stored_name, prepared.data)
    except OSError as error:
        logger.error("could not save an attachment in %s: %s", folder, error)
        raise StorageFull(
            _(
                "The server has no room to save %(name)s just now, so nothing was sent. "
                "Try again later."
            )
            % {"name": prepared.name},
            field="attachments",
            reason="storage_full",
        ) from error
    if prepared.thumbnail is not None:
        try:
            _write_private(thumbnail_path(stored_name), prepared.thumbnail)
        except OSError:
            # Derived and optional: made again from the original when first asked for.
            logger.warning("could not write the thumbnail of %s", stored_name, exc_info=True)
    return stored_name


def remove(stored_names: list[str]) -> None:
    """Remove files (and their thumbnails) whose message was never committed."""
    for name in stored_names:
        (storage_dir() / name).unlink(missing_ok=True)
        thumbnail_path(name).unlink(missing_ok=True)


def path_of(stored_name: str) -> Path:
    return storage_dir() / stored_name
