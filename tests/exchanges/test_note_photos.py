"""A note with a photo of the locked gate: the photo is kept without its GPS position or camera
data, its SHA-256 goes into the record, and it is shown only through the access path."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from PIL import Image

from coparent.exchanges.models import Note, NotePhoto
from coparent.exchanges.selectors import key_of
from coparent.exchanges.services import ExchangeProblem, note_add
from coparent.messaging.attachments import IncomingFile
from coparent.records.models import Kind, RecordEntry
from tests.messaging.conftest import PDF_BYTES, jpeg_with_gps


def _url(cast, rest):
    return f"/families/{cast.family.pk}/exchanges/{rest}"


def test_a_geotagged_photo_is_kept_without_its_position_and_its_hash_is_recorded(cast, first):
    planned, _, receiver = first
    note = note_add(
        access=cast.access(receiver),
        planned_at=planned,
        text="The gate was locked at 15:05.",
        photos=[
            IncomingFile("IMG_2041.JPG", jpeg_with_gps()),
            IncomingFile("letter.pdf", PDF_BYTES),
        ],
        at=planned,
    )

    letter, photo = note.photos.order_by("content_type")
    assert (letter.content_type, photo.content_type) == ("application/pdf", "image/jpeg")
    entry = RecordEntry.objects.get(kind=Kind.EXCHANGE_NOTE)
    assert {p["sha256"] for p in entry.data["photos"]} == {photo.sha256, letter.sha256}

    download = cast.client_for(cast.morgan).get(_url(cast, f"photos/{photo.pk}/"))
    data = b"".join(download.streaming_content)
    assert download.status_code == 200 and hashlib.sha256(data).hexdigest() == photo.sha256
    assert not Image.open(io.BytesIO(data)).getexif() and b"PhoneMaker" not in data
    small = cast.client_for(cast.alex).get(_url(cast, f"photos/{photo.pk}/small/"))
    assert small.status_code == 200 and small["Content-Type"] == "image/jpeg"


def test_a_program_named_like_a_photo_is_refused_and_nothing_is_kept(cast, first):
    planned, _, receiver = first
    with pytest.raises(ExchangeProblem) as caught:
        note_add(
            access=cast.access(receiver),
            planned_at=planned,
            text="See the photo.",
            photos=[IncomingFile("gate.jpg", b"MZ\x90\x00 not a photo at all")],
            at=planned,
        )
    assert "photos" in caught.value.message_dict
    assert not Note.objects.exists() and not NotePhoto.objects.exists()


def test_the_page_takes_a_photo_with_the_note_and_shows_its_thumbnail(cast, first, time_machine):
    planned, giver, receiver = first
    time_machine.move_to(planned + timedelta(minutes=20), tick=False)
    browser = cast.client_for(receiver)
    key = key_of(planned)
    with io.BytesIO(jpeg_with_gps()) as upload:
        upload.name = "gate.jpg"
        answer = browser.post(
            _url(cast, f"{key}/notes/"), {"text": "Locked gate.", "photos": upload}
        )
    assert answer.status_code == 302
    photo = NotePhoto.objects.get()
    page = cast.client_for(giver).get(_url(cast, f"{key}/")).content.decode()
    assert f"photos/{photo.pk}/small/" in page and "Locked gate." in page


def test_another_familys_photo_is_not_found(cast, first):
    planned, _, receiver = first
    note = note_add(
        access=cast.access(receiver),
        planned_at=planned,
        text="Gate.",
        photos=[IncomingFile("gate.jpg", jpeg_with_gps())],
        at=planned,
    )
    photo = note.photos.get()
    outsider = cast.client_for(cast.olivia)
    assert outsider.get(_url(cast, f"photos/{photo.pk}/")).status_code == 404
    assert cast.client_for(cast.vic).get(_url(cast, f"photos/{photo.pk}/")).status_code == 403


def test_the_api_takes_a_note_with_a_photo_as_multipart_and_refuses_a_program(
    cast, first, time_machine
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.kit import Caller, issue_token

    planned, _, receiver = first
    time_machine.move_to(planned + timedelta(minutes=30), tick=False)
    api = Caller(token=issue_token(receiver))
    path = f"/api/v1/families/{cast.family.pk}/exchanges/{key_of(planned)}/notes/upload"

    made = api.upload(
        path, {"text": "Gate locked.", "files": SimpleUploadedFile("gate.jpg", jpeg_with_gps())}
    )
    assert made.status_code == 201, made.content
    (photo,) = made.json()["photos"]
    assert photo["content_type"] == "image/jpeg" and len(photo["sha256"]) == 64

    refused = api.upload(
        path, {"text": "See.", "files": SimpleUploadedFile("gate.jpg", b"MZ\x90\x00 a program")}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"]["files"]
    assert Note.objects.count() == 1
