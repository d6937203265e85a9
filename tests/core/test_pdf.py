"""The PDF reader that finds scripts and actions (coparent.core.pdf): what it sees, however the
names are spelled and wherever the dictionaries are packed, and what it admits it cannot read."""

from __future__ import annotations

import zlib

import pytest
import weasyprint

from coparent.core.pdf import OPEN_ACTION, canonical_names, scan
from tests.messaging.images import object_stream, pdf

CATALOG = b"<</Type/Catalog/Pages 2 0 R>>"
PAGES = b"<</Type/Pages/Kids[]/Count 0>>"


def test_a_plain_document_is_safe():
    assert scan(pdf(CATALOG, PAGES)).safe


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(weasyprint.HTML(string="<h1>Report</h1>").write_pdf(), id="packed"),
        pytest.param(
            weasyprint.HTML(string="<p><a href='https://example.org'>a link</a></p>").write_pdf(
                uncompressed_pdf=True
            ),
            id="with a link, unpacked",
        ),
    ],
)
def test_a_pdf_written_by_weasyprint_like_coparents_own_exports_is_safe(document):
    assert scan(document).safe


@pytest.mark.parametrize(
    ("objects", "found"),
    [
        ([b"<</Type/Catalog/Names<</JavaScript 2 0 R>>>>", b"<<>>"], "JavaScript"),
        ([b"<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"], "JavaScript"),
        ([b"<</Type/Catalog/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>"], "JavaScript"),
        ([b"<</Type/Catalog/OpenAction<</S/#4A#61#76#61#53#63#72#69#70#74>>>>"], "JavaScript"),
        ([b"<</Type/Annot/Subtype/Widget/AA<</K 2 0 R>>>>"], "actions that run by themselves"),
        ([b"<</S/Launch/F(calc.exe)>>"], "an action that starts a program"),
        ([b"<</S/SubmitForm/F(https://x.example/collect)>>"], "an action that sends data"),
        ([b"<</Type/Catalog/AcroForm<</XFA 2 0 R>>>>"], "an XFA form (which can hold scripts)"),
        ([b"<</Type/Filespec/EF<</F 2 0 R>>>>", b"<</Type/EmbeddedFile>>"], "files packed inside"),
    ],
)
def test_scripts_and_actions_are_found_however_they_are_spelled(objects, found):
    assert found in scan(pdf(*objects)).active


def test_names_inside_compressed_object_streams_are_read():
    hidden = object_stream(b"<</S/JavaScript/JS(app.launchURL('x'))>>")
    findings = scan(pdf(b"<</Type/Catalog/OpenAction 10 0 R>>", hidden))
    assert findings.active == ("JavaScript", OPEN_ACTION)
    assert findings.problem is None


def test_an_object_stream_marked_with_an_escaped_type_is_still_read():
    hidden = object_stream(b"<</S/JavaScript>>").replace(b"/Type/ObjStm", b"/Type/Obj#53tm")
    assert scan(pdf(CATALOG, hidden)).active == ("JavaScript",)


def test_ascii85_and_hex_packing_are_undone():
    hidden = object_stream(b"<</S/Launch>>", filters=b"[/FlateDecode]")
    packed = hidden.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    hex_stream = (
        b"<</Type/ObjStm/N 1/First 5/Filter[/AHx/FlateDecode]>>\nstream\n"
        + packed.hex().encode()
        + b">\nendstream"
    )
    assert scan(pdf(CATALOG, hidden)).active == ("an action that starts a program",)
    assert scan(pdf(CATALOG, hex_stream)).active == ("an action that starts a program",)


@pytest.mark.parametrize(
    ("open_action", "extra", "safe"),
    [
        (b"[2 0 R/Fit]", [], True),  # a destination: the page to show first
        (b"<</S/GoTo/D[2 0 R/Fit]>>", [], True),
        (b"3 0 R", [b"[2 0 R/XYZ null null 0]"], True),  # a destination kept elsewhere
        (b"3 0 R", [b"<</S/URI/URI(https://tracker.example/opened)>>"], False),
        (b"<</S/URI/URI(https://tracker.example/opened)>>", [], False),
        (b"<</S/GoTo/D[2 0 R]/Next<</S/URI/URI(https://x.example)>>>>", [], False),
        (b"9 0 R", [], False),  # pointing at nothing: assume the worst
    ],
)
def test_an_open_action_that_only_opens_a_page_is_fine_and_any_other_is_not(
    open_action, extra, safe
):
    document = pdf(b"<</Type/Catalog/OpenAction " + open_action + b">>", PAGES, *extra)
    assert scan(document).safe is safe


def test_a_destination_packed_in_an_object_stream_is_fine():
    packed = object_stream(b"[2 0 R/Fit]")
    assert scan(pdf(b"<</Type/Catalog/OpenAction 10 0 R>>", PAGES, packed)).safe


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            pdf(CATALOG, object_stream(b"<<>>", filters=b"/LZWDecode")),
            "part of it is packed with LZWDecode, which is not checked",
        ),
        (
            pdf(CATALOG, object_stream(b"<<>>"), trailer=b"<</Root 1 0 R/Encrypt 5 0 R>>"),
            "it is encrypted, so part of it cannot be read",
        ),
        (
            pdf(
                CATALOG,
                object_stream(b"<<>>").replace(b"/Filter", b"/DecodeParms<</Predictor 12>>/Filter"),
            ),
            "part of it is packed in a way that is not checked",
        ),
        (
            pdf(
                CATALOG,
                b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode>>\nstream\nnot zlib\nendstream",
            ),
            "a compressed part is damaged",
        ),
        (
            pdf(CATALOG, b"<</Note/ObjStm>>"),
            "part of it cannot be found where the file says it is",
        ),
    ],
)
def test_what_cannot_be_read_with_certainty_is_reported(document, problem):
    assert scan(document).problem == problem


def test_a_compressed_bomb_stops_at_the_budget():
    bomb = zlib.compress(b"\0" * 50_000_000, 9)  # about 50 KB
    document = pdf(
        CATALOG,
        b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length %d>>\nstream\n" % len(bomb)
        + bomb
        + b"\nendstream",
    )
    assert scan(document, budget=1_000_000).problem == (
        "a compressed part unpacks to far more than it holds"
    )


def test_stream_contents_are_not_read_for_names():
    """Page drawings and images are not dictionaries: bytes in them that happen to spell a
    name (likely enough in megabytes of compressed data) are no reason to refuse a file."""
    drawing = b"/JS /AA /Launch"
    stream = b"<</Length %d>>\nstream\n" % len(drawing) + drawing + b"\nendstream"
    assert scan(pdf(CATALOG, stream)).safe


def test_an_encrypted_file_without_object_streams_is_read():
    """Encryption hides strings and streams, never the names of dictionaries written in the
    file: a script is still seen, and a file without one is accepted."""
    trailer = b"<</Root 1 0 R/Encrypt 2 0 R>>"
    assert scan(pdf(CATALOG, b"<</Filter/Standard>>", trailer=trailer)).safe
    assert not scan(pdf(CATALOG, b"<</S/JavaScript>>", trailer=trailer)).safe


def test_canonical_names_undo_escapes_and_never_split_a_name():
    assert canonical_names(b"/J#61vaScript /A#20B /Plain") == b"/JavaScript /A#20B /Plain"
