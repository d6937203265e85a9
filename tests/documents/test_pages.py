"""The documents pages: the folder with its filters and pages, the upload form (its errors
beside their fields, nothing kept), the document page, a new version; a viewer sees none of
it; a page costs the same whatever the folder holds."""

from __future__ import annotations

import io
from datetime import date

import pytest

from coparent.documents.models import Document, DocumentVersion
from coparent.documents.services import document_add, version_add
from coparent.messaging.attachments import IncomingFile
from coparent.records.models import RecordEntry
from tests.documents.conftest import CORRECTED_PDF, PDF_BYTES, PROGRAM, court_order, stored_files
from tests.families.helpers import call_view


def _url(cast, rest=""):
    return f"/families/{cast.family.pk}/documents/{rest}"


def _file(name: str, data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_sam_uploads_a_school_report_on_the_form(cast):
    browser = cast.client_for(cast.sam)
    form = browser.get(_url(cast, "new/")).content.decode()
    assert 'enctype="multipart/form-data"' in form and "Mia" in form

    answer = browser.post(
        _url(cast, "new/"),
        {
            "title": "Spring term report",
            "date": "2026-04-10",
            "category": "school_report",
            "children": [str(cast.mia.pk)],
            "file": _file("report.pdf", PDF_BYTES),
        },
    )

    report = Document.objects.get()
    assert answer.status_code == 302 and answer["Location"] == _url(cast, f"{report.pk}/")
    assert report.created_by == cast.sam and list(report.children.all()) == [cast.mia]
    assert report.dated == date(2026, 4, 10)
    shown = cast.client_for(cast.alex).get(_url(cast, f"{report.pk}/")).content.decode()
    assert "Spring term report" in shown and report.versions.get().sha256 in shown


def test_the_form_says_each_problem_beside_its_field_and_keeps_nothing(cast):
    before, entries = stored_files(), RecordEntry.objects.count()
    answer = cast.client_for(cast.alex).post(
        _url(cast, "new/"),
        {
            "title": "",
            "date": "2026-04-10",
            "category": "court_order",
            "children": [str(cast.other_child.pk)],
            "file": _file("order.pdf", PROGRAM),
        },
    )

    assert answer.status_code == 400
    form = answer.context["form"]
    assert form.errors["title"] == ["Give the document a title."]
    assert "is not a photo" in form.errors["file"][0]
    assert "children" in form.errors
    assert not Document.objects.exists()
    assert stored_files() == before and RecordEntry.objects.count() == entries


def test_a_new_version_from_the_page_keeps_the_first(cast):
    order = court_order(cast)
    browser = cast.client_for(cast.sam)
    assert browser.get(_url(cast, f"{order.pk}/new-version/")).status_code == 200

    answer = browser.post(
        _url(cast, f"{order.pk}/new-version/"), {"file": _file("fixed.pdf", CORRECTED_PDF)}
    )

    assert answer.status_code == 302
    assert list(order.versions.values_list("number", "name")) == [
        (1, "order.pdf"),
        (2, "fixed.pdf"),
    ]
    refused = browser.post(_url(cast, f"{order.pk}/new-version/"), {})
    assert refused.status_code == 400 and "file" in refused.context["form"].errors
    assert order.versions.count() == 2


def test_the_folder_filters_by_category_child_and_title(cast):
    court_order(cast)
    document_add(
        access=cast.access(cast.sam),
        title="Leo's spring report",
        dated=date(2026, 4, 10),
        category="school_report",
        children=[cast.leo.pk],
        file=IncomingFile("report.pdf", PDF_BYTES),
    )
    browser = cast.client_for(cast.morgan)

    def titles(query: str) -> list[str]:
        page = browser.get(_url(cast, f"?{query}"))
        assert page.status_code == 200
        return [d.title for d in page.context["page"].object_list]

    assert titles("") == ["Leo's spring report", "Custody order"]
    assert titles("category=court_order") == ["Custody order"]
    assert titles(f"child={cast.mia.pk}") == ["Custody order"]
    assert titles(f"child={cast.leo.pk}") == ["Leo's spring report", "Custody order"]
    assert titles("q=SPRING+report") == ["Leo's spring report"]
    assert titles("q=nothing") == []
    # A child of another family is not a choice: the filter is left out and said so.
    assert titles(f"child={cast.other_child.pk}") == ["Leo's spring report", "Custody order"]


def test_the_folder_pages_twenty_at_a_time(cast):
    for i in range(21):
        court_order(cast, title=f"Letter {i:02}", dated=date(2026, 1, 1 + i))
    browser = cast.client_for(cast.alex)
    first = browser.get(_url(cast, "?category=court_order")).content.decode()
    assert "Letter 20" in first and "Letter 00" not in first and "Page 1 of 2" in first
    assert "page=2&amp;category=court_order" in first
    second = browser.get(_url(cast, "?page=2&category=court_order")).content.decode()
    assert "Letter 00" in second


def test_the_viewer_sees_no_documents_and_no_link_to_them(cast):
    order = court_order(cast)
    version = order.versions.get()
    nanny = cast.client_for(cast.vic)
    for rest in ("", "new/", f"{order.pk}/", f"versions/{version.pk}/"):
        assert nanny.get(_url(cast, rest)).status_code == 403
    home = nanny.get(f"/families/{cast.family.pk}/").content.decode()
    assert "/documents/" not in home
    assert (
        "/documents/"
        in cast.client_for(cast.sam).get(f"/families/{cast.family.pk}/").content.decode()
    )


def test_another_familys_document_is_not_found_like_a_missing_one(cast):
    order = court_order(cast)
    version = order.versions.get()
    olivia = cast.client_for(cast.olivia)
    own = f"/families/{cast.other_family.pk}/documents/"
    for rest in (f"{order.pk}/", f"versions/{version.pk}/", f"{order.pk}/new-version/"):
        assert olivia.get(own + rest).status_code == 404
        assert olivia.get(_url(cast, rest)).status_code == 404


@pytest.mark.parametrize("n", [1, 25])
def test_the_folder_page_costs_the_same_whatever_it_holds(cast, django_assert_num_queries, n):
    for i in range(n):
        court_order(cast, title=f"Letter {i}")
    # 1 the access path, 2 the family's children (the child filter), 3 the count for the
    # pager, 4 this page of documents with their uploader and version figures, 5 their
    # children, 6 the header's unread notifications.
    with django_assert_num_queries(6):
        response = call_view(cast.alex, _url(cast))
    assert response.status_code == 200 and f"Letter {n - 1}".encode() in response.content


def test_the_document_page_costs_the_same_whatever_its_versions(cast, django_assert_num_queries):
    order = court_order(cast)
    for _ in range(4):
        version_add(
            access=cast.access(cast.sam),
            document=order,
            file=IncomingFile("again.pdf", CORRECTED_PDF),
        )
    # 1 the access path, 2 the document with its uploader, 3 its children, 4 its versions with
    # who uploaded each, 5 the header's unread notifications.
    with django_assert_num_queries(5):
        response = call_view(cast.alex, _url(cast, f"{order.pk}/"))
    assert response.status_code == 200 and b"Version 5" in response.content
    assert DocumentVersion.objects.filter(document=order).count() == 5


def test_page_uploads_count_against_the_upload_limit(cast, settings):
    from django.core.cache import cache

    cache.clear()
    settings.COPARENT_RATE_LIMITS = {**settings.COPARENT_RATE_LIMITS, "upload.user": "1/h"}
    browser = cast.client_for(cast.alex)
    fields = {"title": "Letter", "date": "2026-01-05", "category": "other"}
    first = browser.post(_url(cast, "new/"), {**fields, "file": _file("a.pdf", PDF_BYTES)})
    second = browser.post(_url(cast, "new/"), {**fields, "file": _file("b.pdf", PDF_BYTES)})
    assert first.status_code == 302 and second.status_code == 429
    assert Document.objects.count() == 1
