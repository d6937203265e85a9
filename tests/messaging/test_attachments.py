"""Photos and PDFs with a message: checked by content, cleaned of location data, stored under
random names, served only to the thread's people, with their SHA-256 in the record."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from coparent.messaging.attachments import IncomingFile
from coparent.messaging.models import Attachment, Message
from coparent.records.models import RecordEntry
from tests.families.helpers import client_for
from tests.messaging.conftest import PDF_BYTES, jpeg_with_gps, png_bytes, start


def _download_url(cast, attachment, family=None):
    return reverse(
        "messaging:attachment",
        kwargs={"family_id": (family or cast.family).pk, "attachment_id": attachment.pk},
    )


def test_a_geotagged_photo_comes_back_without_its_gps_data(cast, settings):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # it is geotagged
    message = start(cast, attachments=[IncomingFile("IMG_2041.JPG", original)])
    attachment = message.attachments.get()

    response = client_for(cast.sam).get(_download_url(cast, attachment))
    data = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="IMG_2041.jpg"'
    assert response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(data))
    assert image.size == (64, 48)
    assert not image.getexif()  # no camera, no GPS
    assert b"PhoneMaker" not in data
    assert hashlib.sha256(data).hexdigest() == attachment.sha256
    # Stored under a random name, not the sender's.
    assert "IMG_2041" not in attachment.stored_name
    assert (Path(settings.MEDIA_ROOT) / "attachments" / attachment.stored_name).exists()

    entry = RecordEntry.objects.get(family=cast.family, kind="message.sent")
    # The file's hash is sealed in the entry with the rest of the message.
    assert entry.seal.opened["attachments"][0]["sha256"] == attachment.sha256


def test_a_pdf_and_a_png_are_accepted_by_their_content(cast):
    message = start(
        cast,
        attachments=[IncomingFile("plan", PDF_BYTES), IncomingFile("drawing.pdf", png_bytes())],
    )
    kinds = sorted(message.attachments.values_list("name", "content_type"))
    assert kinds == [("drawing.png", "image/png"), ("plan.pdf", "application/pdf")]


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("holiday.jpg", b"MZ\x90\x00\x03\x00\x00\x00 this is a Windows program", "not a photo"),
        ("report.pdf", b"#!/bin/sh\nrm -rf /\n", "not a photo"),
        ("photo.png", b"\x89PNG\r\n\x1a\n but broken inside", "could not be read"),
    ],
)
def test_a_forged_type_is_refused_and_nothing_is_stored(cast, settings, name, data, problem):
    with pytest.raises(ValidationError) as error:
        start(cast, attachments=[IncomingFile(name, data)])
    assert problem in error.value.message_dict["attachments"][0]
    assert not Message.objects.exists() and not Attachment.objects.exists()
    folder = Path(settings.MEDIA_ROOT) / "attachments"
    assert not folder.exists() or not any(folder.iterdir())


def test_an_oversized_file_is_refused_with_a_message(cast, settings):
    settings.COPARENT_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        start(cast, attachments=[IncomingFile("scan.pdf", PDF_BYTES + b"0" * 2000)])
    assert "larger than" in error.value.message_dict["attachments"][0]
    assert not Message.objects.exists()


def test_the_compose_page_refuses_a_renamed_program_beside_the_field(cast):
    upload = SimpleUploadedFile("cute-cat.jpg", b"MZ\x90\x00 program", content_type="image/jpeg")
    response = client_for(cast.alex).post(
        reverse("messaging:compose", kwargs={"family_id": cast.family.pk}),
        {"subject": "Photo", "topic": "children", "body": "Look!", "attachments": [upload]},
    )
    assert response.status_code == 200
    assert "not a photo" in response.content.decode()
    assert not Message.objects.exists()


def test_only_the_threads_people_can_download(cast):
    private = start(cast, attachments=[IncomingFile("plan.pdf", PDF_BYTES)])
    attachment = private.attachments.get()
    url = _download_url(cast, attachment)
    assert client_for(cast.morgan).get(url).status_code == 404  # not included in this thread
    assert client_for(cast.vic).get(url).status_code == 403
    assert client_for(cast.olivia).get(url).status_code == 404
    outsider_url = _download_url(cast, attachment, family=cast.other_family)
    assert client_for(cast.olivia).get(outsider_url).status_code == 404
