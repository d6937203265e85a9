"""A photo in a message shows as a thumbnail: made on the server, upright, without the photo's
metadata, behind the same access check as the photo, and never part of the record."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from coparent.messaging import attachments as files
from coparent.messaging.attachments import IncomingFile
from coparent.records.models import RecordEntry
from tests.families.helpers import client_for
from tests.messaging.conftest import PDF_BYTES, start


def sideways_geotagged_photo(width: int = 1200, height: int = 800) -> bytes:
    """A phone photo held upright: stored landscape with EXIF "rotate 90°" and a GPS fix."""
    image = Image.new("RGB", (width, height), (30, 90, 160))
    image.paste((250, 200, 0), (0, 0, width // 4, height))  # a yellow band on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; show rotated 90° clockwise
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def _url(cast, name, attachment, family=None):
    return reverse(
        f"messaging:{name}",
        kwargs={"family_id": (family or cast.family).pk, "attachment_id": attachment.pk},
    )


def _thread_url(cast, message):
    return reverse(
        "messaging:thread", kwargs={"family_id": cast.family.pk, "thread_id": message.thread_id}
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def photo_message(cast):
    """Alex sends Sam a photo of Mia's school form, taken upright on a phone."""
    return start(
        cast,
        subject="School trip form",
        body="Here is the signed form.",
        attachments=[IncomingFile("IMG_2041.JPG", sideways_geotagged_photo())],
    )


def test_sam_sees_the_photo_as_an_upright_thumbnail_without_its_location(cast, photo_message):
    photo = photo_message.attachments.get()
    page = client_for(cast.sam).get(_thread_url(cast, photo_message)).content.decode()
    thumbnail_url = _url(cast, "attachment_thumbnail", photo)
    full_url = _url(cast, "attachment", photo)
    # The thumbnail, with words for a screen reader, inside a link to the photo as sent.
    assert (
        f'<a href="{full_url}" class="thumbnail"><img src="{thumbnail_url}" '
        'alt="Photo IMG_2041.jpg: open it full size"' in page
    )

    response = client_for(cast.sam).get(thumbnail_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="IMG_2041-small.jpg"'
    assert response["Cache-Control"] == "private, no-cache"
    data = _body(response)
    small = Image.open(io.BytesIO(data))
    assert small.format == "JPEG"
    assert small.size == (320, 480)  # upright (portrait), 480 px on its longer side
    r, g, b = small.convert("RGB").getpixel((160, 10))
    assert r > 200 and g > 150 and b < 80  # the yellow band is at the top once upright
    assert not small.getexif() and b"PhoneMaker" not in data  # no camera, no GPS
    assert len(data) < len(Path(files.path_of(photo.stored_name)).read_bytes())


def test_the_browser_asks_again_each_time_and_gets_a_304(cast, photo_message):
    photo = photo_message.attachments.get()
    sam = client_for(cast.sam)
    first = sam.get(_url(cast, "attachment_thumbnail", photo))
    again = sam.get(
        _url(cast, "attachment_thumbnail", photo), headers={"If-None-Match": first["ETag"]}
    )
    assert again.status_code == 304
    assert again["Cache-Control"] == "private, no-cache"


def test_the_thumbnail_is_as_private_as_the_photo(cast, photo_message):
    photo = photo_message.attachments.get()
    url = _url(cast, "attachment_thumbnail", photo)
    assert client_for(cast.alex).get(url).status_code == 200
    assert client_for(cast.morgan).get(url).status_code == 404  # not in this conversation
    assert client_for(cast.vic).get(url).status_code == 403  # a viewer reads no messages
    assert client_for(cast.olivia).get(url).status_code == 404  # another family
    other_family = _url(cast, "attachment_thumbnail", photo, family=cast.other_family)
    assert client_for(cast.olivia).get(other_family).status_code == 404
    # Even with a thumbnail's ETag in hand, the outsider learns nothing: the check comes first.
    etag = client_for(cast.sam).get(url)["ETag"]
    assert client_for(cast.olivia).get(url, headers={"If-None-Match": etag}).status_code == 404


def test_a_pdf_keeps_its_name_and_has_no_thumbnail(cast):
    message = start(cast, attachments=[IncomingFile("permission-slip.pdf", PDF_BYTES)])
    pdf = message.attachments.get()
    page = client_for(cast.sam).get(_thread_url(cast, message)).content.decode()
    assert f'<a href="{_url(cast, "attachment", pdf)}">permission-slip.pdf</a>' in page
    assert "<img" not in page.split('class="attachments"')[1]
    assert client_for(cast.sam).get(_url(cast, "attachment_thumbnail", pdf)).status_code == 404


def test_the_record_keeps_the_photo_as_sent_and_knows_nothing_of_its_thumbnail(cast, photo_message):
    photo = photo_message.attachments.get()
    entry = RecordEntry.objects.get(family=cast.family, kind="message.sent")
    (recorded,) = entry.seal.opened["attachments"]
    assert recorded["sha256"] == photo.sha256  # the original's hash, nothing derived
    assert "thumbnail" not in str(entry.seal.opened)
    assert files.thumbnail_path(photo.stored_name).parent.name == "thumbnails"


def test_a_missing_thumbnail_is_made_again_from_the_photo(cast, photo_message):
    """After a restore (thumbnails are not backed up) or for a photo sent before thumbnails."""
    photo = photo_message.attachments.get()
    files.thumbnail_path(photo.stored_name).unlink()
    response = client_for(cast.sam).get(_url(cast, "attachment_thumbnail", photo))
    assert response.status_code == 200
    assert Image.open(io.BytesIO(_body(response))).size == (320, 480)
    assert files.thumbnail_path(photo.stored_name).exists()
    assert oct(files.thumbnail_path(photo.stored_name).stat().st_mode & 0o777) == "0o600"


def test_a_photo_whose_thumbnail_fails_is_sent_all_the_same(cast, monkeypatch):
    def broken(_image):
        raise OSError("no space left on device")

    monkeypatch.setattr(files, "_small", broken)
    message = start(cast, attachments=[IncomingFile("mia.png", _png(900, 300))])
    photo = message.attachments.get()
    assert message.body and not files.thumbnail_path(photo.stored_name).exists()
    monkeypatch.undo()
    response = client_for(cast.sam).get(_url(cast, "attachment_thumbnail", photo))
    assert Image.open(io.BytesIO(_body(response))).size == (480, 160)


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 255, 128)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("damage", ["corrupt", "over the pixel limit", "missing"])
def test_a_photo_that_cannot_be_shrunk_keeps_its_message_and_its_link(
    cast, photo_message, settings, damage
):
    photo = photo_message.attachments.get()
    files.thumbnail_path(photo.stored_name).unlink()
    original = files.path_of(photo.stored_name)
    if damage == "corrupt":
        original.write_bytes(original.read_bytes()[:200])
    elif damage == "over the pixel limit":
        settings.COPARENT_IMAGE_MAX_PIXELS = 1000  # lowered since the photo was sent
    else:
        original.unlink()
    sam = client_for(cast.sam)
    assert sam.get(_url(cast, "attachment_thumbnail", photo)).status_code == 404
    page = sam.get(_thread_url(cast, photo_message))
    assert page.status_code == 200
    assert "Here is the signed form." in page.content.decode()
    assert _url(cast, "attachment", photo) in page.content.decode()


def test_a_transparent_drawing_is_laid_on_white(cast):
    message = start(cast, attachments=[IncomingFile("drawing.png", _png(100, 50))])
    photo = message.attachments.get()
    data = _body(client_for(cast.sam).get(_url(cast, "attachment_thumbnail", photo)))
    small = Image.open(io.BytesIO(data))
    assert small.mode == "RGB" and small.size == (100, 50)  # never enlarged
    r, g, b = small.getpixel((50, 25))
    assert r > 100 and b > 200  # half-transparent blue on white, not on black
