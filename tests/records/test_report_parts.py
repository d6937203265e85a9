"""Issue 16: a family with thousands of messages still gets its PDF report, because the report is
laid out in parts (the cover, each section, long sections in pieces, the table of entries a few
hundred rows at a time, the proof) and the parts are joined. Here the pieces are made tiny, so a
handful of messages spans many parts; what a reader must see is the same as in one piece: page
numbers that run on, contents that point at the right pages, every message in full, the proof
attached and verifying, and the tags a screen reader follows."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from coparent.core.record.verify import verify_document
from coparent.families.services import family_zone_set
from coparent.messaging import report as messages_report
from coparent.records import export as record_export
from coparent.records import pdfjoin
from coparent.records.export import (
    attachment_name,
    build_export,
    export_json_bytes,
    render_pdf,
)
from coparent.records.report import section_choices
from tests.messaging.conftest import reply, start

SPACES = re.compile(r"[\s\u202f\u00a0]+")
# A contents line: the title, the dot leaders, the page it starts on.
CONTENTS_LINE = re.compile(r"^(?P<title>.+?)\s*\.{3,}\s*(?P<page>\d+)$")


@pytest.fixture
def tiny_parts(monkeypatch):
    """Three messages per piece of the messages section, four rows per part of the table."""
    monkeypatch.setattr(messages_report, "MESSAGES_PER_PIECE", 3)
    monkeypatch.setattr(record_export, "ENTRY_ROWS_PER_PART", 4)


@pytest.fixture
def busy(cast):
    """Sam and Alex write ten messages in two conversations, in Chicago."""
    family_zone_set(access=cast.access(cast.alex), timezone_name="America/Chicago")
    cast.family.refresh_from_db()
    bodies = [f"Message number {n} about the school run." for n in range(10)]
    thread = start(cast, subject="School run", body=bodies[0]).thread
    for body in bodies[1:6]:
        reply(cast, cast.sam, thread, body)
    other = start(cast, subject="Holidays", body=bodies[6]).thread
    for body in bodies[7:]:
        reply(cast, cast.sam, other, body)
    return bodies


def _report(cast) -> tuple[dict, PdfReader, list[str]]:
    document = build_export(family=cast.family, reader=cast.alex)
    # Every section, the long table of every entry too (printed only when ticked), so that
    # each kind of part is laid out and joined.
    every = [key for key, _title in section_choices()]
    pdf = render_pdf(document, family=cast.family, access=cast.access(cast.alex), sections=every)
    reader = PdfReader(io.BytesIO(pdf))
    return document, reader, [page.extract_text() for page in reader.pages]


def _contents(cover: str) -> dict[str, int]:
    found = {}
    for line in cover.splitlines():
        match = CONTENTS_LINE.match(line.strip())
        if match:
            found[SPACES.sub(" ", match["title"])] = int(match["page"])
    return found


def test_a_report_laid_out_in_parts_numbers_its_pages_on_and_its_contents_point_at_them(
    cast, busy, tiny_parts
):
    _document, reader, pages = _report(cast)

    # Every page ends with its own number, 1 to the last, across every part.
    numbers = [int(text.strip().splitlines()[-1]) for text in pages]
    assert numbers == list(range(1, len(pages) + 1))
    # The cover gives the total.
    assert f"Pages {len(pages)}" in SPACES.sub(" ", pages[0])

    contents = _contents("\n".join(pages[:2]))
    titles = [SPACES.sub(" ", title) for _key, title in section_choices()]
    assert set(contents) == {*titles, "Proof"}
    for title, page in contents.items():
        # Each section begins on the page the contents give, and not on the page before.
        assert SPACES.sub(" ", pages[page - 1]).lstrip().startswith(title), title
    starts = [contents[title] for title in [*titles, "Proof"]]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    # The messages section really was cut into pieces: more than one part between it and the
    # next section, and a conversation cut in two says it goes on.
    assert "School run (continued)" in SPACES.sub(" ", "\n".join(pages))


def test_every_message_is_printed_in_full_and_the_attached_proof_verifies(cast, busy, tiny_parts):
    document, reader, pages = _report(cast)

    text = SPACES.sub(" ", "\n".join(pages))
    for body in busy:
        # Once in the messages section, once in the table of every entry.
        assert text.count(body) == 2, body
    (twin,) = reader.attachments[attachment_name(document)]
    assert json.loads(twin) == document
    assert verify_document(json.loads(twin)).ok


def test_the_joined_report_keeps_its_tags_for_screen_readers(cast, busy, tiny_parts):
    _document, reader, pages = _report(cast)

    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert str(root["/Lang"]).startswith("en")
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    tree = root["/StructTreeRoot"]
    # One tagged document per part, in reading order under one root.
    documents = tree["/K"]
    assert len(documents) > 5
    assert all(d.get_object()["/S"] == "/Document" for d in documents)
    # Each page keeps its own entry in the parent tree, numbered on from the parts before.
    keys = [page["/StructParents"] for page in reader.pages]
    assert keys == sorted(set(keys))
    nums = tree["/ParentTree"]["/Nums"]
    assert set(keys) <= set(nums[0::2])
    assert len(pages) == len(keys)


def test_the_joined_report_has_a_bookmark_for_each_section_at_its_first_page(
    cast, busy, tiny_parts
):
    _document, reader, pages = _report(cast)

    # A reader's bookmarks panel lists each section and the proof, as the contents do, and
    # each opens the page the contents give.
    contents = _contents("\n".join(pages[:2]))
    marks = {
        SPACES.sub(" ", item.title): reader.get_destination_page_number(item) + 1
        for item in reader.outline
    }
    assert marks == contents
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_the_parts_of_a_report_are_laid_out_on_disk_and_cleaned_up(
    cast, busy, tiny_parts, tmp_path, monkeypatch
):
    # The parts go to a folder of their own while the report is made, and the folder goes
    # with them: nothing of the record is left behind in the temporary folder.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[list[str]] = []
    join = pdfjoin.join_parts

    def watching(parts, **kwargs):
        parts = list(parts)
        seen.append([str(p) for p in parts])
        assert all(isinstance(p, Path) and p.is_file() for p in parts)
        return join(parts, **kwargs)

    monkeypatch.setattr(pdfjoin, "join_parts", watching)
    _document, reader, pages = _report(cast)

    assert len(seen) == 1 and len(seen[0]) > 5
    assert all(p.startswith(str(tmp_path)) for p in seen[0])
    assert list(tmp_path.iterdir()) == []
    assert len(pages) > 5


def test_the_parts_are_laid_out_by_one_child_process_started_afresh_past_its_memory_limit(
    cast, busy, tiny_parts, monkeypatch
):
    # WeasyPrint runs in a child of its own (records.layout), one at a time: one for the whole
    # report, or a fresh one after each part when the child's memory passes the limit; the
    # report is the same either way.
    started: list[list[str]] = []
    popen = subprocess.Popen

    def counting(args, *rest, **kwargs):
        if "coparent.records.layout" in args:
            started.append(list(args))
        return popen(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", counting)
    _document, _reader, pages = _report(cast)
    assert len(started) == 1

    started.clear()
    monkeypatch.setattr(record_export, "LAYOUT_CHILD_MAX_RSS", 0)
    document, reader, fresh = _report(cast)
    assert len(started) > 5
    assert len(fresh) == len(pages)
    text = SPACES.sub(" ", "\n".join(fresh))
    assert all(text.count(body) == 2 for body in busy)
    (twin,) = reader.attachments[attachment_name(document)]
    assert verify_document(json.loads(twin)).ok


def test_a_layout_process_that_dies_fails_the_report_and_leaves_nothing_behind(
    cast, busy, tiny_parts, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # An interpreter that exits at once: the parent hears nothing back for its first part.
    monkeypatch.setattr(sys, "executable", shutil.which("true"))
    with pytest.raises(RuntimeError, match="layout process ended"):
        _report(cast)
    assert list(tmp_path.iterdir()) == []


def test_the_attached_proof_carries_its_own_size_and_checksum(cast, busy):
    # The twin goes into the PDF already deflated (never held whole): the embedded file's
    # parameters are still those of the JSON file itself.
    document = build_export(family=cast.family, reader=cast.alex)
    pdf = pikepdf.open(io.BytesIO(render_pdf(document, family=cast.family)))
    stream = pdf.attachments[attachment_name(document)].obj.EF.F
    data = export_json_bytes(document)
    assert stream.read_bytes() == data
    assert int(stream.Params.Size) == len(data)
    assert bytes(stream.Params.CheckSum) == hashlib.md5(data).digest()  # noqa: S324
    assert stream.Filter == pikepdf.Name.FlateDecode
