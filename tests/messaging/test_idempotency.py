"""Issue #8: an `Idempotency-Key` reused with a different request. A retry (same key, same
content) still returns the first message; the same key with other content used to replay the
first message silently, so a parent's second, different message was lost without a word. It
now answers 422 naming the key, and nothing is created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test.client import encode_multipart

from coparent.messaging.models import Attachment, IdempotencyKey, Message, Thread
from tests.api.conftest import API, family_path
from tests.messaging.conftest import PDF_BYTES, png_bytes, start

KEY = "7c1e2f0a-retry"
CONFLICT = (
    "This key was already used with different content. Send exactly the same fields and files "
    "to get the first result, or use a new key for a new message."
)


def _json(caller, path, body, key=KEY):
    return caller.client.post(
        API + path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {caller.token}", "Idempotency-Key": key},
        secure=True,
    )


def _multipart(caller, path, fields, files, *, boundary="BoUnDaRy-one", key=KEY):
    """A multipart body as an app writes it, with its own boundary."""
    parts = dict(fields)
    if files:
        parts["files"] = [_File(name, content) for name, content in files]
    return caller.client.post(
        API + path,
        encode_multipart(boundary, parts),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Authorization": f"Bearer {caller.token}", "Idempotency-Key": key},
        secure=True,
    )


class _File:
    def __init__(self, name, content):
        self.name, self.content = name, content

    def read(self):
        return self.content


def _files_on_disk(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _assert_conflict(answer):
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"] == {"Idempotency-Key": [CONFLICT]}
    assert answer.json()["detail"] == [
        {"loc": ["header", "Idempotency-Key"], "msg": CONFLICT, "type": "idempotency_conflict"}
    ]
    assert "Idempotent-Replayed" not in answer


def test_sam_reuses_a_key_for_a_different_reply_and_is_told(cast, as_):
    thread = start(cast).thread
    sam, path = as_(cast.sam), family_path(cast, f"/threads/{thread.pk}/messages")
    first = _json(sam, path, {"body": "I can take them Friday."})

    retried = _json(sam, path, {"body": "I can take them Friday."})
    different = _json(sam, path, {"body": "Actually, I cannot take them Friday."})

    assert first.status_code == retried.status_code == 201
    assert retried.json()["id"] == first.json()["id"]
    _assert_conflict(different)
    assert list(Message.objects.filter(thread=thread).values_list("body", flat=True)) == [
        "Can you pick Mia up at 15:00?",
        "I can take them Friday.",
    ]
    assert IdempotencyKey.objects.count() == 1


def test_alex_reuses_a_key_for_a_different_conversation_and_is_told(cast, as_):
    alex, path = as_(cast.alex), family_path(cast, "/threads")
    first = _json(alex, path, {"subject": "Dentist", "topic": "health", "body": "Tuesday 9:00"})
    other_subject = _json(
        alex, path, {"subject": "Dentist bill", "topic": "health", "body": "Tuesday 9:00"}
    )
    other_topic = _json(
        alex, path, {"subject": "Dentist", "topic": "money", "body": "Tuesday 9:00"}
    )

    assert first.status_code == 201
    _assert_conflict(other_subject)
    _assert_conflict(other_topic)
    assert Thread.objects.filter(family=cast.family).count() == 1


@pytest.mark.parametrize("operation", ["new thread", "reply"])
def test_a_retried_upload_replays_whatever_its_multipart_boundary(cast, as_, settings, operation):
    """The fingerprint is of the fields and each file's SHA-256, not of the bytes on the wire:
    an app's retry writes a new boundary, and is still the same request."""
    thread = start(cast).thread
    path = family_path(
        cast,
        "/threads/upload" if operation == "new thread" else f"/threads/{thread.pk}/messages/upload",
    )
    fields = {"subject": "Receipts", "topic": "money", "body": "Both receipts."}
    files = [("a.pdf", PDF_BYTES), ("b.png", png_bytes())]
    alex = as_(cast.alex)

    first = _multipart(alex, path, fields, files, boundary="first-try-1a2b")
    again = _multipart(alex, path, fields, files, boundary="second-try-9z8y")

    assert first.status_code == again.status_code == 201, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(_files_on_disk(settings)) == 3  # the PDF, the PNG and the PNG's thumbnail


@pytest.mark.parametrize(
    ("change", "files"),
    [
        ("another file", [("a.pdf", PDF_BYTES), ("b.png", png_bytes())]),
        ("a file missing", [("a.pdf", PDF_BYTES)]),
        ("a file's content changed", [("a.pdf", PDF_BYTES + b"%more\n"), ("b.pdf", PDF_BYTES)]),
        ("a file renamed", [("a.pdf", PDF_BYTES), ("c.pdf", PDF_BYTES)]),
        ("the text changed", None),
    ],
)
def test_a_key_reused_for_an_upload_with_other_content_is_refused(
    cast, as_, settings, change, files
):
    thread = start(cast).thread
    path = family_path(cast, f"/threads/{thread.pk}/messages/upload")
    sam = as_(cast.sam)
    original = [("a.pdf", PDF_BYTES), ("b.pdf", PDF_BYTES)]
    first = _multipart(sam, path, {"body": "The two forms."}, original)
    assert first.status_code == 201, first.content
    on_disk = _files_on_disk(settings)

    body = "The two forms, signed." if files is None else "The two forms."
    reused = _multipart(sam, path, {"body": body}, files or original, boundary="xyz")

    _assert_conflict(reused)
    assert Message.objects.filter(thread=thread).count() == 2
    assert Attachment.objects.count() == 2
    assert _files_on_disk(settings) == on_disk  # nothing of the refused request was written


def test_the_same_key_in_another_thread_is_another_request(cast, as_):
    first_thread, second_thread = start(cast).thread, start(cast, subject="Holidays").thread
    sam = as_(cast.sam)
    _json(sam, family_path(cast, f"/threads/{first_thread.pk}/messages"), {"body": "Yes"})
    elsewhere = _json(
        sam, family_path(cast, f"/threads/{second_thread.pk}/messages"), {"body": "Yes"}
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"] == {
        "Idempotency-Key": ["This key was already used for a different request."]
    }


def test_a_key_kept_before_requests_were_fingerprinted_still_replays(cast, as_):
    """Keys stored by an earlier version carry no fingerprint: a retry with one replays, as it
    did when it was stored."""
    thread = start(cast).thread
    sam, path = as_(cast.sam), family_path(cast, f"/threads/{thread.pk}/messages")
    first = _json(sam, path, {"body": "On my way"})
    IdempotencyKey.objects.update(request_hash="")

    retried = _json(sam, path, {"body": "On my way"})

    assert retried.status_code == 201
    assert retried.json()["id"] == first.json()["id"]
