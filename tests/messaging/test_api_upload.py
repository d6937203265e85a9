"""Photos and PDFs sent through the API the way an app sends them: multipart/form-data with the
message's fields and one `files` part per file, to `…/threads/upload` (a new conversation) or
`…/threads/{id}/messages/upload` (a reply). The same pipeline as the pages checks each file."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from PIL import Image

from coparent.messaging.models import Attachment, IdempotencyKey, Message, Thread
from coparent.records.models import RecordEntry
from tests.api.conftest import API, family_path
from tests.messaging.conftest import PDF_BYTES, jpeg_with_gps, png_bytes, start

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00 this is a Windows program"


def _new_thread(cast, family=None):
    return family_path(cast, "/threads/upload", family=family)


def _reply(cast, thread, family=None):
    return family_path(cast, f"/threads/{thread.pk}/messages/upload", family=family)


def _upload(caller, path, fields, files=(), key=None):
    """POST a multipart form as an app does: the fields, then one `files` part per file."""
    headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
    if key:
        headers["Idempotency-Key"] = key
    data = {**fields, "files": [SimpleUploadedFile(name, content) for name, content in files]}
    return caller.client.post(API + path, data, headers=headers, secure=True)


def _files_on_disk(settings):
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _stored(cast):
    """Everything a send would leave behind, to compare before and after a refusal."""
    return (
        Thread.objects.filter(family=cast.family).count(),
        Message.objects.filter(family=cast.family).count(),
        Attachment.objects.filter(family=cast.family).count(),
        RecordEntry.objects.filter(family=cast.family).count(),
    )


def _download(caller, cast, attachment):
    response = caller.get(family_path(cast, f"/attachments/{attachment['id']}"))
    assert response.status_code == 200, response.content
    return base64.b64decode(response.json()["content_base64"])


def test_alex_sends_a_photo_and_a_pdf_and_sam_downloads_both(cast, as_, settings):
    geotagged = jpeg_with_gps()
    assert Image.open(io.BytesIO(geotagged)).getexif().get_ifd(0x8825)  # it is geotagged

    created = _upload(
        as_(cast.alex),
        _new_thread(cast),
        {
            "subject": "Zoo trip on Friday",
            "topic": "school",
            "body": "The permission slip, and Mia at the zoo last year.",
            "include_professionals": [str(cast.mediator.pk)],
        },
        [("IMG_2041.JPG", geotagged), ("permission slip.pdf", PDF_BYTES)],
    )
    assert created.status_code == 201, created.content
    thread_id = created.json()["thread"]["id"]
    sent = created.json()["message"]
    assert sorted(a["name"] for a in sent["attachments"]) == ["IMG_2041.jpg", "permission slip.pdf"]
    assert [r["recipient"]["display_name"] for r in sent["receipts"]] == ["Sam", "Morgan"]

    sam = as_(cast.sam)
    (message,) = sam.get(family_path(cast, f"/threads/{thread_id}/messages")).json()["items"]
    assert message["body"] == "The permission slip, and Mia at the zoo last year."
    by_type = {a["content_type"]: a for a in message["attachments"]}
    assert set(by_type) == {"image/jpeg", "application/pdf"}

    photo = _download(sam, cast, by_type["image/jpeg"])
    assert hashlib.sha256(photo).hexdigest() == by_type["image/jpeg"]["sha256"]
    image = Image.open(io.BytesIO(photo))
    assert image.size == (64, 48)
    assert not image.getexif()  # no camera, no GPS position
    assert b"PhoneMaker" not in photo
    pdf = _download(sam, cast, by_type["application/pdf"])
    assert pdf == PDF_BYTES
    assert hashlib.sha256(pdf).hexdigest() == by_type["application/pdf"]["sha256"]

    entry = RecordEntry.objects.get(family=cast.family, kind="message.sent")
    # The files' hashes are in the entry's seal, open to the people in the conversation.
    assert {a["sha256"] for a in entry.seal.opened["attachments"]} == {
        by_type["image/jpeg"]["sha256"],
        by_type["application/pdf"]["sha256"],
    }
    # Two files under random names and the photo's thumbnail, nothing else.
    on_disk = _files_on_disk(settings)
    assert len(on_disk) == 3
    assert [name.split("/")[0] for name in on_disk] == ["attachments"] * 2 + ["thumbnails"]
    assert not any("IMG_2041" in name or "permission" in name for name in on_disk)


@pytest.mark.parametrize("who", ["sam", "morgan"])
def test_the_people_of_a_thread_reply_with_a_file(cast, as_, who):
    thread = start(cast, include=[cast.mediator]).thread
    replied = _upload(
        as_(getattr(cast, who)),
        _reply(cast, thread),
        {"body": "Here is the drawing Leo made."},
        [("drawing.png", png_bytes())],
    )
    assert replied.status_code == 201, replied.content
    assert replied.json()["sender"]["display_name"] == getattr(cast, who).display_name
    assert [(a["name"], a["content_type"]) for a in replied.json()["attachments"]] == [
        ("drawing.png", "image/png")
    ]
    assert Message.objects.filter(thread=thread).count() == 2


def test_a_form_without_files_sends_a_plain_message(cast, as_):
    thread = start(cast).thread
    replied = _upload(as_(cast.sam), _reply(cast, thread), {"body": "Fine by me"})
    assert replied.status_code == 201, replied.content
    assert replied.json()["attachments"] == []


@pytest.mark.parametrize("operation", ["new thread", "reply"])
def test_a_retried_upload_creates_one_message_and_one_set_of_files(cast, as_, settings, operation):
    thread = start(cast).thread
    path = _new_thread(cast) if operation == "new thread" else _reply(cast, thread)
    fields = {"subject": "Dentist bill", "topic": "money", "body": "Receipt and the x-ray."}
    files = [("receipt.pdf", PDF_BYTES), ("xray.png", png_bytes())]
    alex = as_(cast.alex)

    first = _upload(alex, path, fields, files, key="upload-7f3a")
    again = _upload(alex, path, fields, files, key="upload-7f3a")

    assert first.status_code == again.status_code == 201, again.content
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(family=cast.family).count() == 2  # the first and this one
    assert Attachment.objects.filter(family=cast.family).count() == 2
    assert len(_files_on_disk(settings)) == 3  # the PDF, the PNG and the PNG's thumbnail
    assert IdempotencyKey.objects.count() == 1


def test_a_key_first_used_in_json_replays_that_message(cast, as_, settings):
    """The key names the message, whichever way it was sent: an app that retries a send as a
    form after a JSON attempt went through gets the first message, not a second one. The same
    key with a file the first send did not have is another request, and is refused."""
    thread = start(cast).thread
    sam = as_(cast.sam)
    sent = sam.client.post(
        API + family_path(cast, f"/threads/{thread.pk}/messages"),
        '{"body": "On my way"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {sam.token}", "Idempotency-Key": "same-k"},
        secure=True,
    )
    retried = _upload(sam, _reply(cast, thread), {"body": "On my way"}, key="same-k")
    assert retried.status_code == 201
    assert retried.json()["id"] == sent.json()["id"]
    assert retried["Idempotent-Replayed"] == "true"

    with_a_file = _upload(
        sam, _reply(cast, thread), {"body": "On my way"}, [("r.pdf", PDF_BYTES)], key="same-k"
    )
    assert with_a_file.status_code == 422
    assert list(with_a_file.json()["errors"]) == ["Idempotency-Key"]
    assert _files_on_disk(settings) == []
    assert Message.objects.filter(thread=thread).count() == 2


def test_a_twin_that_loses_the_race_for_its_key_leaves_no_files(cast, as_, settings, monkeypatch):
    """Two copies of one upload at once: both look for the key before either has committed,
    both store their files, and the second finds the key only when writing it. Its message is
    rolled back, and its files must go with it."""
    thread = start(cast).thread
    sam = as_(cast.sam)
    first = _upload(sam, _reply(cast, thread), {"body": "Receipt"}, [("r.pdf", PDF_BYTES)], "k9")
    on_disk = _files_on_disk(settings)

    real_filter = IdempotencyKey.objects.filter
    looks = []

    def not_committed_yet_at_the_first_look(*args, **kwargs):
        looks.append(kwargs)
        found = real_filter(*args, **kwargs)
        return found.none() if len(looks) == 1 else found

    monkeypatch.setattr(IdempotencyKey.objects, "filter", not_committed_yet_at_the_first_look)
    twin = _upload(sam, _reply(cast, thread), {"body": "Receipt"}, [("r.pdf", PDF_BYTES)], "k9")

    assert len(looks) == 2  # it did send, then found the key
    assert twin.status_code == 201
    assert twin.json()["id"] == first.json()["id"]
    assert twin["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(thread=thread).count() == 2
    assert _files_on_disk(settings) == on_disk


def test_a_failure_after_the_files_are_written_leaves_none_behind(cast, as_, settings, monkeypatch):
    """The files reach the disk before the transaction commits; if it then fails (here, while
    keeping the idempotency key), the rolled-back message's files are removed too."""
    thread = start(cast).thread
    before = _stored(cast)

    def disk_full(**fields):
        raise DatabaseError("could not extend file: No space left on device")

    monkeypatch.setattr(IdempotencyKey.objects, "create", disk_full)
    failed = _upload(
        as_(cast.sam), _reply(cast, thread), {"body": "Receipt"}, [("r.pdf", PDF_BYTES)], "k1"
    )

    assert failed.status_code == 500
    assert failed.json() == {"detail": "Something went wrong on the server."}
    assert _stored(cast) == before
    assert _files_on_disk(settings) == []


@pytest.mark.parametrize("operation", ["new thread", "reply"])
@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ([("scan.pdf", PDF_BYTES + b"0" * 2000)], "is larger than"),
        ([("holiday.jpg", PROGRAM)], "is not a photo (JPEG, PNG, GIF, WebP) or a PDF"),
        ([(f"page-{n}.pdf", PDF_BYTES) for n in range(3)], "Attach at most 2 files"),
        # One bad file among good ones: none of them is kept.
        ([("plan.pdf", PDF_BYTES), ("setup.pdf", PROGRAM)], "“setup.pdf” is not a photo"),
    ],
    ids=["oversized", "forged", "too many", "one bad among good"],
)
def test_a_refused_file_gets_a_files_message_and_nothing_is_stored(
    cast, as_, settings, operation, files, problem
):
    settings.COPARENT_ATTACHMENT_MAX_BYTES = 1024
    settings.COPARENT_ATTACHMENT_MAX_FILES = 2
    thread = start(cast, attachments=[]).thread
    path = _new_thread(cast) if operation == "new thread" else _reply(cast, thread)
    before, on_disk = _stored(cast), _files_on_disk(settings)

    fields = {"subject": "Forms", "body": "See attached."}
    refused = _upload(as_(cast.alex), path, fields, files, key="refused-1")

    assert refused.status_code == 422, refused.content
    assert list(refused.json()["errors"]) == ["files"]
    assert problem in refused.json()["errors"]["files"][0]
    assert refused.json()["detail"][0]["loc"] == ["file", "files"]
    assert _stored(cast) == before
    assert _files_on_disk(settings) == on_disk
    assert not IdempotencyKey.objects.exists()  # so a corrected retry with the key can send


def test_a_blank_message_with_a_forged_file_names_both_fields(cast, as_, settings):
    thread = start(cast).thread
    refused = _upload(as_(cast.sam), _reply(cast, thread), {"body": " "}, [("a.jpg", PROGRAM)])
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"body", "files"}
    assert "Write a message" in refused.json()["errors"]["body"][0]
    assert Message.objects.filter(thread=thread).count() == 1
    assert _files_on_disk(settings) == []


def test_a_blank_message_with_a_good_photo_is_refused_like_the_json_one(cast, as_, settings):
    thread = start(cast).thread
    refused = _upload(as_(cast.sam), _reply(cast, thread), {}, [("ok.png", png_bytes())])
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"body": ["Write a message before sending."]}
    assert _files_on_disk(settings) == []


@pytest.mark.parametrize("operation", ["new thread", "reply"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("vic", 403), ("olivia", 404), (None, 401)],
    ids=["viewer", "outsider", "anonymous"],
)
def test_only_the_people_of_the_thread_may_upload(cast, as_, settings, operation, who, status):
    thread = start(cast, include=[cast.mediator]).thread
    path = _new_thread(cast) if operation == "new thread" else _reply(cast, thread)
    before = _stored(cast)
    caller = as_(getattr(cast, who) if who else None)

    response = _upload(
        caller, path, {"subject": "Hi", "body": "Hello"}, [("photo.jpg", jpeg_with_gps())]
    )

    assert response.status_code == status, response.content
    if who == "olivia":
        assert response.json() == {"detail": "Not found."}
    assert _stored(cast) == before
    assert _files_on_disk(settings) == []


def test_olivia_gets_404_through_her_own_family_too(cast, as_):
    thread = start(cast).thread
    path = _reply(cast, thread, family=cast.other_family)
    response = _upload(as_(cast.olivia), path, {"body": "Hello"}, [("p.png", png_bytes())])
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_json_sent_to_an_upload_operation_is_pointed_to_the_json_one(cast, as_):
    thread = start(cast).thread
    response = as_(cast.sam).post(_reply(cast, thread), {"body": "Hello"})
    assert response.status_code == 415
    assert response.json()["detail"].endswith(f"/threads/{thread.pk}/messages.")
    assert Message.objects.filter(thread=thread).count() == 1


def test_the_schema_describes_the_form_and_its_files(db):
    from coparent.api.api import api

    paths = api.get_openapi_schema()["paths"]
    for path, fields in [
        ("/threads/upload", {"subject", "topic", "body", "include_professionals", "files"}),
        ("/threads/{thread_id}/messages/upload", {"body", "files"}),
    ]:
        body = paths[f"/api/v1/families/{{family_id}}{path}"]["post"]["requestBody"]
        schema = body["content"]["multipart/form-data"]["schema"]
        assert set(schema["properties"]) == fields
        assert schema["properties"]["files"]["items"] == {"format": "binary", "type": "string"}
