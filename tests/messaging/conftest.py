"""Shared pieces for the message tests: the cast writes to each other through the services."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from coparent.messaging import services
from coparent.messaging.models import Message
from tests.families.helpers import pages  # noqa: F401  (the fixture, for every test here)


@pytest.fixture(autouse=True)
def _pages(pages, settings, tmp_path):  # noqa: F811
    """Pages render as in production; attachments go to a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


def start(
    cast,
    sender=None,
    *,
    subject="School pickup on Friday",
    body="Can you pick Mia up at 15:00?",
    topic="school",
    include=(),
    attachments=(),
    at=None,
) -> Message:
    """`sender` (Alex by default) starts a thread with a first message."""
    return services.thread_start(
        access=cast.access(sender or cast.alex),
        subject=subject,
        topic=topic,
        body=body,
        include_professionals=list(include),
        attachments=list(attachments),
        at=at,
    )


def reply(cast, sender, thread, body, *, at=None, attachments=()) -> Message:
    return services.message_send(
        access=cast.access(sender), thread=thread, body=body, at=at, attachments=list(attachments)
    )


def jpeg_with_gps() -> bytes:
    """A small photo whose EXIF names the camera and a GPS position, as phones write them."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.5)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.9)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 128, 255, 200)).save(out, "PNG")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
