"""The documents API: a document with its file as multipart (children, Idempotency-Key), a
newer version, a version's bytes with their SHA-256, the list with its filters; bad input is
a field error and keeps nothing; the list costs the same whatever the folder holds."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coparent.documents.models import Document, DocumentVersion
from coparent.records.models import Kind, RecordEntry
from tests.api.conftest import AUTH_QUERIES
from tests.documents.conftest import CORRECTED_PDF, PDF_BYTES, PROGRAM, court_order, stored_files
from tests.kit import Caller, issue_token


def _path(cast, rest=""):
    return f"/api/v1/families/{cast.family.pk}/documents{rest}"


def _post(api: Caller, path: str, data: dict, **headers: str):
    if not headers:
        return api.upload(path, data)
    # An upload with more headers than the token's (an Idempotency-Key).
    return api.client.post(path, data, headers={**api.headers(), **headers}, secure=True)


def _report(cast, name="report.pdf", data=PDF_BYTES, **fields):
    return {
        "title": "Spring term report",
        "date": "2026-04-10",
        "category": "school_report",
        "children": [str(cast.mia.pk), str(cast.leo.pk)],
        "files": SimpleUploadedFile(name, data),
        **fields,
    }


def test_alex_uploads_a_report_sam_reads_it_and_a_newer_version_keeps_the_first(cast):
    alex = Caller(token=issue_token(cast.alex))
    made = _post(alex, _path(cast, "/upload"), _report(cast))
    assert made.status_code == 201, made.content
    shown = made.json()
    assert shown["title"] == "Spring term report" and shown["category"] == "school_report"
    assert [c["name"] for c in shown["children"]] == ["Mia", "Leo"]
    (first,) = shown["versions"]
    assert first["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest() and first["number"] == 1

    sam = Caller(token=issue_token(cast.sam))
    newer = _post(
        sam,
        _path(cast, f"/{shown['id']}/versions/upload"),
        {"files": SimpleUploadedFile("report-v2.pdf", CORRECTED_PDF)},
    )
    assert newer.status_code == 201 and newer.json()["number"] == 2
    detail = sam.get(_path(cast, f"/{shown['id']}")).json()
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    old = sam.get(_path(cast, f"/{shown['id']}/versions/{first['id']}")).json()
    assert base64.b64decode(old["content_base64"]) == PDF_BYTES
    assert old["sha256"] == first["sha256"]


def test_a_retry_with_the_same_idempotency_key_keeps_one_document(cast):
    alex = Caller(token=issue_token(cast.alex))
    first = _post(alex, _path(cast, "/upload"), _report(cast), **{"Idempotency-Key": "r-1"})
    again = _post(alex, _path(cast, "/upload"), _report(cast), **{"Idempotency-Key": "r-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Document.objects.count() == 1 and DocumentVersion.objects.count() == 1
    other = _post(
        alex, _path(cast, "/upload"), _report(cast, title="Other"), **{"Idempotency-Key": "r-1"}
    )
    assert other.status_code == 422 and "Idempotency-Key" in str(other.json())


@pytest.mark.parametrize(
    ("fields", "status", "where"),
    [
        ({"files": SimpleUploadedFile("order.pdf", PROGRAM)}, 422, "files"),
        ({"title": "  "}, 400, "title"),
        ({"children": ["00000000-0000-0000-0000-000000000001"]}, 400, "children"),
    ],
    ids=["program-named-pdf", "empty-title", "unknown-child"],
)
def test_bad_input_is_a_field_error_and_nothing_is_kept(cast, fields, status, where):
    before, entries = stored_files(), RecordEntry.objects.count()
    alex = Caller(token=issue_token(cast.alex))
    refused = _post(alex, _path(cast, "/upload"), _report(cast, **fields))
    assert refused.status_code == status, refused.content
    body = refused.json()
    assert where in str(body["errors"] if "errors" in body else body["detail"])
    assert not Document.objects.exists()
    assert stored_files() == before and RecordEntry.objects.count() == entries


def test_a_child_of_another_family_is_refused(cast):
    alex = Caller(token=issue_token(cast.alex))
    refused = _post(
        alex, _path(cast, "/upload"), _report(cast, children=[str(cast.other_child.pk)])
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["children"] == ["Choose among the family's children."]
    assert not Document.objects.exists()


def test_the_list_filters_by_category_child_and_words(cast, as_):
    court_order(cast, children=[cast.mia.pk])
    court_order(cast, title="Flu shot", category="vaccination_record", children=[cast.leo.pk])
    api = as_(cast.morgan)

    def titles(**query):
        found = api.get(_path(cast), **query).json()
        return [d["title"] for d in found["items"]]

    assert sorted(titles()) == ["Custody order", "Flu shot"]
    assert titles(category="vaccination_record") == ["Flu shot"]
    assert titles(child=str(cast.mia.pk)) == ["Custody order"]
    assert titles(q="flu") == ["Flu shot"]
    assert api.get(_path(cast), category="diary").status_code == 422


def test_the_record_entry_of_an_api_upload_carries_the_sha256(cast):
    alex = Caller(token=issue_token(cast.alex))
    _post(alex, _path(cast, "/upload"), _report(cast))
    entry = RecordEntry.objects.get(kind=Kind.DOCUMENT_ADDED)
    assert entry.data["file"]["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()


@pytest.mark.parametrize("n", [1, 30])
def test_the_list_endpoint_costs_the_same_whatever_the_number(
    cast, as_, django_assert_num_queries, n
):
    for i in range(n):
        court_order(cast, title=f"Letter {i}")
    api = as_(cast.sam)
    api.get(f"/families/{cast.family.pk}")  # the token's first use, outside the count
    # The access path, the count, the page of documents with their figures, their children.
    with django_assert_num_queries(AUTH_QUERIES + 4):
        found = api.get(_path(cast)).json()
    assert found["count"] == n and len(found["items"]) == n


@pytest.mark.parametrize("n", [1, 6])
def test_one_document_costs_the_same_however_many_versions(cast, as_, django_assert_num_queries, n):
    from coparent.documents.services import version_add
    from coparent.messaging.attachments import IncomingFile

    order = court_order(cast)
    for i in range(n - 1):
        version_add(
            access=cast.access(cast.alex),
            document=order,
            file=IncomingFile(f"order-{i}.pdf", PDF_BYTES + f"%{i}\n".encode()),
        )
    api = as_(cast.sam)
    api.get(f"/families/{cast.family.pk}")  # the token's first use, outside the count
    # auth; 1 the access path; 2 the document; 3 its children; 4 its versions.
    with django_assert_num_queries(AUTH_QUERIES + 4):
        found = api.get(_path(cast, f"/{order.pk}")).json()
    assert len(found["versions"]) == n
