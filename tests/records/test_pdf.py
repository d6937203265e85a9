"""Story 8: the PDF a parent hands to a court is the whole proof. It prints on the paper of
the family's country, a screen reader can read it (tagged, PDF/UA-1), it carries every message's
text the parent may read, and the JSON twin inside it verifies offline, so the PDF alone is
enough."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from coparent.core.record.verify import verify_document
from coparent.families.services import family_zone_set
from coparent.records.export import attachment_name, build_export, render_pdf
from tests.messaging.conftest import start

LETTER = (612, 792)
A4 = (595, 842)


def _pdf(cast, zone: str) -> tuple[dict, PdfReader]:
    family_zone_set(access=cast.access(cast.alex), timezone_name=zone)
    cast.family.refresh_from_db()
    document = build_export(family=cast.family, reader=cast.sam)
    return document, PdfReader(io.BytesIO(render_pdf(document, family=cast.family)))


def _size(reader: PdfReader) -> tuple[int, int]:
    box = reader.pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


@pytest.mark.parametrize(("zone", "paper"), [("America/Chicago", LETTER), ("Europe/Paris", A4)])
def test_the_pdf_prints_on_the_paper_of_the_familys_country(cast, zone, paper):
    _document, reader = _pdf(cast, zone)
    assert _size(reader) == paper


def test_the_json_twin_inside_the_pdf_verifies_on_its_own(cast):
    start(cast, subject="Shoes", body="Mia needs size 32 trainers for PE on Monday.")
    document, reader = _pdf(cast, "America/Chicago")

    (twin,) = reader.attachments[attachment_name(document)]
    attached = json.loads(twin)
    assert attached == document
    verdict = verify_document(attached)
    assert verdict.ok, verdict

    text = "\n".join(page.extract_text() for page in reader.pages)
    # The message Sam received, in full, and how to get at the proof.
    assert "Mia needs size 32 trainers for PE on Monday." in text
    assert attachment_name(document) in text.replace("\n", "")


def test_the_pdf_is_tagged_for_screen_readers(cast):
    _document, reader = _pdf(cast, "Europe/London")
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).startswith("en")
    metadata = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in metadata


def test_the_commands_pdf_has_bookmarks_for_its_entries_and_its_proof(cast):
    # The operator's PDF (no reader, no sections): a reader's bookmarks panel still opens the
    # table of entries and the proof.
    _document, reader = _pdf(cast, "Europe/London")
    marks = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    assert [title for title, _page in marks] == ["Entries", "Proof"]
    entries, proof = (page for _title, page in marks)
    assert 0 < entries <= proof < len(reader.pages)
    assert "Entries" in reader.pages[entries].extract_text()
    assert "Proof" in reader.pages[proof].extract_text()
