"""Photos and PDFs sent with messages.

The type comes from the file's first bytes, never from its name, so a renamed program is
refused. Photos are decoded and encoded again from their pixels alone, which drops EXIF data
(GPS position, camera serial, time) along with anything hidden after the image. Files are stored
under random names in the data folder and only ever served by an access-checked view.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from coparent.core.text import hidden_characters
from coparent.env import env_int

MAX_FILES = 5  # per message, unless COPARENT_ATTACHMENT_MAX_FILES says otherwise
MAX_PIXELS = 40_000_000  # well above any phone photo; refuses decompression bombs
JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"
WEBP = "image/webp"
PDF = "application/pdf"
EXTENSIONS = {JPEG: "jpg", PNG: "png", GIF: "gif", WEBP: "webp", PDF: "pdf"}
_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WEBP"}


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


@dataclass(frozen=True)
class IncomingFile:
    name: str
    data: bytes


@dataclass(frozen=True)
class PreparedFile:
    name: str
    content_type: str
    data: bytes

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


def _reencode(data: bytes, content_type: str) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("This image is too large to process."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            out = io.BytesIO()
            if content_type == GIF and getattr(image, "n_frames", 1) > 1:
                frames = []
                for index in range(image.n_frames):
                    image.seek(index)
                    frames.append(image.copy())
                frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], loop=0)
                return out.getvalue()
            # Apply the EXIF orientation to the pixels before the EXIF block is dropped, so the
            # photo still stands the right way up.
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
                upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
            if content_type == JPEG and upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
            # A new image from the raw pixels alone: no EXIF, XMP, ICC text or comments.
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            options = {"quality": 90} if content_type in (JPEG, WEBP) else {}
            clean.save(out, _PIL_FORMATS[content_type], **options)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("This image could not be read; it may be damaged.")) from None


def prepare(incoming: IncomingFile) -> PreparedFile:
    """Check one file and make it safe to store; ValidationError says what is wrong."""
    limit = max_bytes()
    if len(incoming.data) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)s MB; attachments can be at most %(mb)s MB.")
            % {"name": Path(incoming.name).name, "mb": f"{limit / 1024 / 1024:g}"}
        )
    content_type = sniff(incoming.data)
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a photo (JPEG, PNG, GIF, WebP) or a PDF. Only those can be "
                "attached."
            )
            % {"name": Path(incoming.name).name}
        )
    data = incoming.data if content_type == PDF else _reencode(incoming.data, content_type)
    return PreparedFile(
        name=clean_name(incoming.name, content_type), content_type=content_type, data=data
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


def store(prepared: PreparedFile) -> str:
    """Write the file under a new random name and return that name."""
    folder = storage_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{EXTENSIONS[prepared.content_type]}"
    path = folder / stored_name
    with path.open("xb") as handle:
        handle.write(prepared.data)
    path.chmod(0o600)
    return stored_name


def remove(stored_names: list[str]) -> None:
    """Remove files whose message was never committed."""
    for name in stored_names:
        (storage_dir() / name).unlink(missing_ok=True)


def path_of(stored_name: str) -> Path:
    return storage_dir() / stored_name
