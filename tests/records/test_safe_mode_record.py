"""Safe mode and the family record (issue #17, point 3; docs/safety.md, docs/record.md).

Sam wrote his home address where the family could read it — Alex typed it as the plan's
exchange place before Sam kept a home, and Sam put it in Mia's info bank — then turned safe
mode on. The record is never rewritten, so those entries still hold the address in clear:
from then on they are held back from everyone but Sam, as stubs (seq, kind, prev, hash) like
a conversation's entries for someone outside it, on the record's pages, the API, the JSON
export (which still verifies) and the PDF. Sam reads his own in full; turning safe mode off
shows them again."""

from __future__ import annotations

import html
import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from coparent.cli import main
from coparent.core.places import needles
from coparent.core.record.verify import verify_document
from coparent.families.selectors import addresses_hidden_from
from coparent.families.services import home_set
from coparent.infobank.services import item_add
from coparent.records.disclosure import ADDRESS, entry_views, holds_any
from coparent.records.export import build_export, render_pdf
from coparent.records.models import ExportJob, Kind, RecordEntry
from coparent.records.report import sections
from coparent.schedule.services import plan_propose
from tests.kit import API, client_for

ADDRESS_TEXT = "742 Evergreen Terrace\nSpringfield, OR 97403"
STREET = "Evergreen Terrace"
HELD_BACK = "Held back: it holds a parent's private address (safe mode)"
PLAN = {
    "timezone": "America/Chicago",
    "parents": ["Alex", "Sam"],
    "start": "2040-01-02",
    "exchange_time": "18:00",
    "pattern": "2-2-3",
    "exchange_place": "Curbside at 742 Evergreen Terrace",
}


def _written_in_clear(cast) -> list[int]:
    """Alex types the place before Sam keeps a home; Sam keeps it (safe mode off) and puts it
    in Mia's info bank. The seqs of the two entries that hold it in clear."""
    plan_propose(
        access=cast.access(cast.alex),
        plan=PLAN,
        effective_from=timezone.localdate() + timedelta(days=3),
    )
    sam = cast.access(cast.sam)
    home_set(access=sam, address=ADDRESS_TEXT, safe_mode=False)
    item_add(
        access=sam,
        child=cast.mia,
        kind="doctor",
        values={"name": "Dr Flanders", "role": "doctor", "address": "742 Evergreen Terrace"},
    )
    entries = RecordEntry.objects.filter(family=cast.family).order_by("seq")
    return [e.seq for e in entries if STREET in json.dumps(e.data)]


@pytest.fixture
def hidden(cast) -> list[int]:
    """The two entries, then Sam turns safe mode on."""
    seqs = _written_in_clear(cast)
    assert len(seqs) == 2
    home_set(access=cast.access(cast.sam), address=ADDRESS_TEXT, safe_mode=True)
    return seqs


def _api_record(cast, user) -> tuple[int, str]:
    response = client_for(user).get(f"{API}/families/{cast.family.pk}/record?limit=500")
    return response.status_code, response.content.decode()


def _pages(cast, user) -> str:
    client = client_for(user)
    url = f"/families/{cast.family.pk}/record/"
    text = client.get(url).content.decode() + client.get(url + "?view=technical").content.decode()
    return html.unescape(text)


# --- The record's pages and the API -------------------------------------------------------------


@pytest.mark.parametrize("reader", ["alex", "morgan"])
def test_the_others_read_the_entries_as_stubs_in_the_api(cast, hidden, reader):
    status, body = _api_record(cast, getattr(cast, reader))

    assert status == 200
    assert STREET not in body and "97403" not in body
    items = {item["seq"]: item for item in json.loads(body)["items"]}
    for seq in hidden:
        assert items[seq]["withheld"] is True
        assert items[seq]["data"] is None and items[seq]["opened"] is None
    # The entries beside them are read as before.
    assert not any(item["withheld"] for seq, item in items.items() if seq not in hidden)


def test_sam_reads_his_own_entries_in_full(cast, hidden):
    status, body = _api_record(cast, cast.sam)

    assert status == 200
    assert STREET in body
    assert not any(item["withheld"] for item in json.loads(body)["items"])
    assert HELD_BACK not in _pages(cast, cast.sam)


def test_the_record_pages_say_the_entry_is_held_back(cast, hidden):
    pages = _pages(cast, cast.alex)

    assert STREET not in pages
    # Once on the plain page and once on the technical one, for each entry.
    assert pages.count(HELD_BACK) == 2 * len(hidden)


def test_turning_safe_mode_off_shows_the_entries_again(cast, hidden):
    home_set(access=cast.access(cast.sam), address=ADDRESS_TEXT, safe_mode=False)

    _status, body = _api_record(cast, cast.alex)
    assert STREET in body
    assert not any(item["withheld"] for item in json.loads(body)["items"])
    assert HELD_BACK not in _pages(cast, cast.alex)


def test_an_address_sam_kept_before_he_moved_is_held_back_too(cast, hidden):
    """Sam moves and keeps his new address: the old one, in his history, stays private."""
    home_set(access=cast.access(cast.sam), address="9 Rue des Lilas\n75019 Paris", safe_mode=True)

    _status, body = _api_record(cast, cast.alex)
    assert STREET not in body


def test_another_family_still_gets_404(cast, hidden):
    status, _body = _api_record(cast, cast.olivia)
    assert status == 404
    page = client_for(cast.olivia).get(f"/families/{cast.family.pk}/record/")
    assert page.status_code == 404


# --- Exports ------------------------------------------------------------------------------------


def test_alexs_json_export_holds_stubs_and_verifies(cast, hidden, tmp_path, capsys):
    document = build_export(family=cast.family, reader=cast.alex)

    text = json.dumps(document)
    assert STREET not in text
    assert document["withheld"] == hidden == document["withheld_address"]
    stubs = [e for e in document["entries"] if e["seq"] in hidden]
    assert all(set(e) == {"seq", "kind", "prev", "hash"} for e in stubs)
    assert verify_document(document).ok
    (tmp_path / "alex.json").write_text(text)
    assert main(["verify", str(tmp_path / "alex.json")]) == 0
    assert capsys.readouterr().out.startswith("VALID: ")


def test_sams_export_holds_his_address_and_the_operators_is_as_stored(cast, hidden):
    for document in (
        build_export(family=cast.family, reader=cast.sam),
        build_export(family=cast.family),
    ):
        assert STREET in json.dumps(document)
        assert document["withheld"] == []
        assert verify_document(document).ok


def test_the_export_download_alex_asked_for_holds_no_address(
    cast, hidden, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(cast.alex)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/families/{cast.family.pk}/record/export/", {"file_format": "json"})
    job = ExportJob.objects.get(family=cast.family, requested_by=cast.alex)
    download = client.get(f"{page['Location']}download/")
    body = b"".join(download.streaming_content).decode()

    assert job.status == ExportJob.Status.DONE
    assert STREET not in body
    assert verify_document(json.loads(body)).ok


def _pdf_text(cast, user) -> str:
    document = build_export(family=cast.family, reader=user)
    pdf = render_pdf(
        document, family=cast.family, access=cast.access(user), sections=[s.key for s in sections()]
    )
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def test_alexs_pdf_says_why_the_entries_are_held_back(cast, hidden):
    text = _pdf_text(cast, cast.alex)

    assert STREET not in text
    assert "held back: it holds a parent's private address" in text
    assert "2 entries are held back: they hold the home address of a parent" in text


def test_sams_pdf_holds_no_held_back_row(cast, hidden):
    text = _pdf_text(cast, cast.sam)

    assert "held back" not in text


# --- The rule ----------------------------------------------------------------------------------


def test_the_rule_matches_the_address_on_whole_words_ignoring_case_and_punctuation():
    padded = needles(ADDRESS_TEXT)

    assert holds_any({"place": "curbside at 742, EVERGREEN terrace."}, padded)
    assert holds_any(
        {"values": [{"address": "742 Evergreen Terrace Springfield OR 97403"}]}, padded
    )
    # Another house on the street, the street alone, or the postcode alone: not the address.
    assert not holds_any({"place": "1742 Evergreen Terrace"}, padded)
    assert not holds_any({"place": "Evergreen Terrace"}, padded)
    assert not holds_any({"place": "97403", "n": 742}, padded)


def test_the_homes_are_read_once_whatever_the_number_of_entries(
    cast, hidden, django_assert_num_queries
):
    entries = [(e.seq, e.kind, e.data) for e in RecordEntry.objects.filter(family=cast.family)] * 20
    with django_assert_num_queries(1):
        views = entry_views(cast.family, cast.alex, entries)
    assert {seq for seq, view in views.items() if view.reason == ADDRESS} == set(hidden)
    assert addresses_hidden_from(cast.family, cast.sam.pk) == []


def test_a_home_changed_entry_never_holds_the_address(cast, hidden):
    for entry in RecordEntry.objects.filter(family=cast.family, kind=Kind.HOME_CHANGED):
        assert entry.seq not in hidden
