"""The demo families' folders: a court order with its corrected copy, school reports, a
vaccination record and a doctor's letter over the year, each a real PDF that passes the
attachment checks and is in the record with its SHA-256."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

from pypdf import PdfReader

from coparent.cli.demo_data import build_demo
from coparent.documents.demo import one_page_pdf
from coparent.documents.models import Document, DocumentVersion
from coparent.messaging import attachments
from coparent.messaging.attachments import IncomingFile
from coparent.records.models import Kind, RecordEntry

NOW = datetime(2027, 3, 14, 15, 0, tzinfo=UTC)


def test_the_demo_pdf_passes_the_attachment_checks():
    data = one_page_pdf("Parenting order (amended)", ["Children: Emma, Noah", "Back\\slash"])
    kept = attachments.prepare(IncomingFile("order.pdf", data))
    assert kept.content_type == "application/pdf" and kept.data == data
    assert data.startswith(b"%PDF-1.4") and data.endswith(b"%%EOF\n")
    # A strict reader opens it and finds the page and its words where they were written.
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().splitlines() == [
        "Parenting order (amended)",
        "Children: Emma, Noah",
        "Back\\slash",
    ]


def test_each_demo_family_has_a_year_of_documents(db):
    for family in build_demo(now=NOW):
        documents = Document.objects.filter(family=family.family)
        assert set(documents.values_list("category", flat=True)) == {
            "court_order",
            "school_report",
            "vaccination_record",
            "medical_letter",
        }
        order = documents.get(category="court_order")
        assert order.versions.count() == 2 and order.children.count() == 2
        for version in DocumentVersion.objects.filter(family=family.family):
            path = attachments.path_of(version.stored_name)
            assert hashlib.sha256(path.read_bytes()).hexdigest() == version.sha256
        entries = RecordEntry.objects.filter(
            family=family.family,
            kind__in=[Kind.DOCUMENT_ADDED, Kind.DOCUMENT_VERSION_ADDED],
        )
        assert entries.count() == DocumentVersion.objects.filter(family=family.family).count()
