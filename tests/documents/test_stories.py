"""Issue 13's documents, as the families live them: Alex uploads the court order, Sam sees it
with its SHA-256, Alex uploads a corrected version and the old one stays downloadable; every
upload is in the record (with the SHA-256) and in the family's export; bad input keeps
nothing."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from coparent.documents.models import Document, DocumentChild, DocumentVersion
from coparent.documents.services import DocumentProblem, document_add, version_add
from coparent.messaging.attachments import IncomingFile
from coparent.notifications.models import Notification
from coparent.records.export import build_export
from coparent.records.models import Kind, RecordEntry
from tests.documents.conftest import (
    CORRECTED_PDF,
    PDF_BYTES,
    PROGRAM,
    court_order,
    jpeg_with_gps,
    stored_files,
)


def _url(cast, rest=""):
    return f"/families/{cast.family.pk}/documents/{rest}"


def test_alex_uploads_the_court_order_and_sam_sees_it_with_its_sha256(cast):
    order = court_order(cast)

    sam = cast.client_for(cast.sam)
    page = sam.get(_url(cast, f"{order.pk}/")).content.decode()
    digest = hashlib.sha256(PDF_BYTES).hexdigest()
    assert "Custody order" in page and digest in page and "Court order" in page
    assert "Mia" in page and "Leo" in page
    (version,) = order.versions.all()
    response = sam.get(_url(cast, f"versions/{version.pk}/"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Cache-Control"] == "private, no-store"


def test_a_corrected_version_keeps_the_first_downloadable(cast):
    order = court_order(cast)
    corrected = version_add(
        access=cast.access(cast.alex),
        document=order,
        file=IncomingFile("order-corrected.pdf", CORRECTED_PDF),
    )

    assert corrected.number == 2
    first, second = DocumentVersion.objects.filter(document=order).order_by("number")
    browser = cast.client_for(cast.sam)
    for version, data in ((first, PDF_BYTES), (second, CORRECTED_PDF)):
        got = browser.get(_url(cast, f"versions/{version.pk}/"))
        assert b"".join(got.streaming_content) == data
    page = browser.get(_url(cast, f"{order.pk}/")).content.decode()
    assert "Version 1" in page and "Version 2" in page
    assert first.sha256 in page and second.sha256 in page


def test_each_upload_is_in_the_record_with_its_sha256_and_in_the_familys_export(cast):
    order = court_order(cast)
    version_add(
        access=cast.access(cast.sam),
        document=order,
        file=IncomingFile("order-corrected.pdf", CORRECTED_PDF),
    )

    added = RecordEntry.objects.get(family=cast.family, kind=Kind.DOCUMENT_ADDED)
    newer = RecordEntry.objects.get(family=cast.family, kind=Kind.DOCUMENT_VERSION_ADDED)
    assert added.actor == cast.alex and newer.actor == cast.sam
    assert added.data["title"] == "Custody order" and added.data["category"] == "court_order"
    assert added.data["date"] == "2026-03-02"
    assert [c["name"] for c in added.data["children"]] == ["Mia", "Leo"]
    assert added.data["file"] == {
        "version_id": str(order.versions.get(number=1).pk),
        "name": "order.pdf",
        "size": len(PDF_BYTES),
        "content_type": "application/pdf",
        "sha256": hashlib.sha256(PDF_BYTES).hexdigest(),
    }
    assert newer.data["version"] == 2
    assert newer.data["file"]["sha256"] == hashlib.sha256(CORRECTED_PDF).hexdigest()

    exported = build_export(family=cast.family, reader=cast.sam)
    listed = [e for e in exported["entries"] if e["kind"].startswith("document.")]
    assert [e["data"]["file"]["sha256"] for e in listed] == [
        hashlib.sha256(PDF_BYTES).hexdigest(),
        hashlib.sha256(CORRECTED_PDF).hexdigest(),
    ]
    timeline = cast.client_for(cast.morgan).get(f"/families/{cast.family.pk}/record/")
    text = timeline.content.decode()
    assert "Alex added the Court order “Custody order”" in text
    assert hashlib.sha256(PDF_BYTES).hexdigest() in text


def test_the_other_parent_is_told_without_the_title(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = court_order(cast, title="Confidential: custody order")

    (told,) = Notification.objects.filter(family=cast.family)
    assert told.recipient == cast.sam and told.kind == "document"
    assert "Court order" in told.title and "Confidential" not in told.title + told.body
    assert told.url.endswith(f"/documents/{order.pk}/")


def test_a_photo_is_kept_without_its_camera_data_and_has_a_thumbnail(cast):
    report = document_add(
        access=cast.access(cast.sam),
        title="Vaccination card",
        dated=date(2025, 9, 1),
        category="vaccination_record",
        children=[cast.leo.pk],
        file=IncomingFile("IMG_2041.JPG", jpeg_with_gps()),
    )
    version = report.versions.get()
    assert version.content_type == "image/jpeg" and version.name == "IMG_2041.jpg"
    browser = cast.client_for(cast.alex)
    data = b"".join(browser.get(_url(cast, f"versions/{version.pk}/")).streaming_content)
    assert b"PhoneMaker" not in data
    small = browser.get(_url(cast, f"versions/{version.pk}/small/"))
    assert small.status_code == 200 and small["Content-Type"] == "image/jpeg"
    page = browser.get(_url(cast, f"{report.pk}/")).content.decode()
    assert f"versions/{version.pk}/small/" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"file": IncomingFile("order.pdf", PROGRAM)}, "file"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"file": None}, "file"),
        ({"dated": None}, "date"),
        ({"category": "diary"}, "category"),
        ({"children": ["not-an-id"]}, "children"),
    ],
    ids=[
        "program-named-pdf",
        "empty-title",
        "long-title",
        "no-file",
        "no-date",
        "category",
        "bad-id",
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_kept(cast, changes, field):
    before = stored_files()
    entries = RecordEntry.objects.count()

    with pytest.raises(DocumentProblem) as refused:
        court_order(cast, **changes)

    assert field in refused.value.message_dict
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert RecordEntry.objects.count() == entries and stored_files() == before


def test_an_executable_renamed_pdf_says_what_it_is_not(cast):
    with pytest.raises(DocumentProblem) as refused:
        court_order(cast, file=IncomingFile("order.pdf", PROGRAM))
    (message,) = refused.value.message_dict["file"]
    assert "“order.pdf” is not a photo (JPEG, PNG, GIF, WebP) or a PDF" in message


def test_a_child_of_another_family_is_refused(cast):
    entries = RecordEntry.objects.count()
    with pytest.raises(DocumentProblem) as refused:
        court_order(cast, children=[cast.mia.pk, cast.other_child.pk])
    assert refused.value.message_dict["children"] == ["Choose among the family's children."]
    assert not Document.objects.exists() and RecordEntry.objects.count() == entries


def test_a_file_too_large_is_refused_and_nothing_is_kept(cast, settings):
    settings.COPARENT_ATTACHMENT_MAX_BYTES = 1024
    before = stored_files()
    with pytest.raises(DocumentProblem) as refused:
        court_order(cast, file=IncomingFile("big.pdf", PDF_BYTES + b"%" * 2048))
    assert "larger than" in refused.value.message_dict["file"][0]
    assert not DocumentVersion.objects.exists() and stored_files() == before


def test_a_new_version_that_is_refused_keeps_nothing(cast):
    order = court_order(cast)
    before, entries = stored_files(), RecordEntry.objects.count()
    with pytest.raises(DocumentProblem):
        version_add(
            access=cast.access(cast.alex),
            document=order,
            file=IncomingFile("order.pdf", PROGRAM),
        )
    assert order.versions.count() == 1
    assert stored_files() == before and RecordEntry.objects.count() == entries


def test_professionals_and_viewers_upload_nothing(cast):
    from django.core.exceptions import PermissionDenied

    for who in (cast.morgan, cast.vic):
        with pytest.raises(PermissionDenied):
            court_order(cast, by=who)
    assert not Document.objects.exists()


@pytest.mark.parametrize("model", [Document, DocumentChild, DocumentVersion])
def test_the_folder_is_append_only(cast, model):
    court_order(cast)
    table = model._meta.db_table
    for statement in (f"UPDATE {table} SET family_id = family_id", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)


def test_a_new_version_tells_the_other_parent_and_nobody_else(
    cast, django_capture_on_commit_callbacks
):
    order = court_order(cast)
    with django_capture_on_commit_callbacks(execute=True):
        version_add(
            access=cast.access(cast.sam),
            document=order,
            file=IncomingFile("order-corrected.pdf", CORRECTED_PDF),
        )

    told = Notification.objects.filter(family=cast.family, kind="document")
    assert list(told.values_list("recipient", flat=True)) == [cast.alex.pk]
    assert told.get().title == "Sam added a new version of a document (Court order)"


def test_two_versions_uploaded_at_the_same_moment_do_not_share_a_number(cast, monkeypatch):
    order = court_order(cast)
    before = stored_files()
    # As if another upload had taken number 2 between the read of the last number and the
    # write: both read "1".
    real = DocumentVersion.objects.create

    def taken(**fields):
        if fields.get("number") == 2 and not DocumentVersion.objects.filter(number=2).exists():
            real(**{**fields, "stored_name": "twin.pdf"})
        return real(**fields)

    monkeypatch.setattr(DocumentVersion.objects, "create", taken)
    with pytest.raises(DocumentProblem) as refused:
        version_add(
            access=cast.access(cast.alex),
            document=order,
            file=IncomingFile("order-corrected.pdf", CORRECTED_PDF),
        )
    assert "at the same moment" in refused.value.message_dict["file"][0]
    assert stored_files() == before
