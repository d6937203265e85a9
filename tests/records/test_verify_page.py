"""Story 8, in court: the clerk has only the PDF a parent handed in. On the verifier page they
upload it (or its JSON) and, if the other parent kept one, a checkpoint, and read a plain
verdict — the same verifier `coparent verify` runs offline. Nothing uploaded is kept."""

from __future__ import annotations

import copy
import json

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from coparent.core.record.chain import make_entry, sign_head
from coparent.infra.keys import ensure_signing_key
from coparent.records import verifier
from coparent.records.checkpoints import checkpoint_now
from coparent.records.export import build_export, export_json, render_pdf

URL = "/verify/"


def _upload(data: bytes, name: str = "record.json", **fields):
    return Client().post(URL, {"file": SimpleUploadedFile(name, data), **fields})


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_clerk_checks_the_pdf_alone_and_reads_valid(cast):
    document = build_export(family=cast.family, reader=cast.alex)
    page = _page(_upload(render_pdf(document, family=cast.family), "record.pdf"))
    assert "Valid" in page and "The record of “Rivera family” is intact." in page
    assert "the JSON file attached inside the PDF" in page and "this server's key" in page


def test_a_checkpoint_sam_kept_is_extended_by_a_later_export(cast):
    held = checkpoint_now(cast.family).note
    later = export_json(build_export(family=cast.family)).encode()
    page = _page(_upload(later, checkpoint=held))
    assert "It extends the checkpoint you gave" in page

    as_file = SimpleUploadedFile("checkpoint.txt", held.encode())
    page = _page(_upload(later, checkpoint_file=as_file))
    assert "It extends the checkpoint you gave" in page


def test_a_past_rewritten_and_re_signed_with_the_servers_own_key_fails_against_the_checkpoint(
    cast,
):
    held = checkpoint_now(cast.family).note
    document = build_export(family=cast.family)
    # What only the operator could do: change entry 2, re-chain everything after it and
    # re-sign the head with the server's real key. Alone, the forgery verifies.
    entries = copy.deepcopy(document["entries"])
    entries[1]["data"] = {**entries[1]["data"], "name": "Somebody else"}
    forged = []
    for entry in entries:
        fact = {k: entry[k] for k in ("kind", "actor", "data", "at")}
        forged.append(make_entry(prev=forged[-1] if forged else None, **fact))
    document["entries"] = [e.as_dict() for e in forged]
    key = ensure_signing_key(django_settings.DATA_DIR)
    head = document["head"]
    document["head"] = sign_head(
        key, family=head["family"], seq=forged[-1].seq, hash=forged[-1].hash, at=head["at"]
    )
    alone = _page(_upload(export_json(document).encode()))
    assert "is intact" in alone

    page = _page(_upload(export_json(document).encode(), checkpoint=held))
    assert "Not valid" in page and "The record does not extend your checkpoint." in page


def test_a_changed_byte_names_the_first_entry_that_gives_it_away(cast):
    document = build_export(family=cast.family)
    document["entries"][1]["data"]["name"] = "Somebody else"
    page = _page(_upload(json.dumps(document).encode()))
    assert "Not valid" in page and "The first entry that gives it away is entry 2" in page


@pytest.mark.parametrize(
    ("data", "name", "error"),
    [
        (
            b"\x00\x01 not json",
            "record.json",
            "neither a Coparent record export (JSON) nor its PDF",
        ),
        (b'{"format": "something-else/2"}', "record.json", "not a Coparent record export"),
        (b"%PDF-1.7\n%garbage", "record.pdf", "This PDF cannot be read"),
    ],
)
def test_what_is_not_a_record_gets_a_clear_error(cast, data, name, error):
    page = _page(_upload(data, name))
    assert error in page and "Valid" not in page


def test_a_pdf_without_a_record_inside_is_refused(cast):
    import weasyprint

    plain = weasyprint.HTML(string="<p>A school report</p>").write_pdf()
    page = _page(_upload(plain, "report.pdf"))
    assert "This PDF carries no Coparent record inside it" in page


def test_too_large_a_file_is_for_the_offline_verifier(cast, monkeypatch):
    monkeypatch.setattr(verifier, "MAX_UPLOAD_BYTES", 1000)
    page = _page(_upload(b"{" + b" " * 2000 + b"}"))
    assert "The file is larger than" in page and "coparent verify" in page


def test_the_page_is_limited_per_client(cast, settings):
    settings.COPARENT_RATE_LIMITS = {
        **settings.COPARENT_RATE_LIMITS,
        "record_verify.ip": "2/h",
    }
    data = export_json(build_export(family=cast.family)).encode()
    assert _upload(data).status_code == 200
    assert _upload(data).status_code == 200
    assert _upload(data).status_code == 429


def test_the_signing_time_reads_in_the_exports_own_zone(cast):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from coparent.core.when import zone_label

    chicago = ZoneInfo("America/Chicago")
    document = build_export(family=cast.family, zone=chicago)
    page = _page(_upload(export_json(document).encode()))
    signed = datetime.fromisoformat(document["head"]["at"].replace("Z", "+00:00"))
    assert f"Times in {zone_label(chicago, signed)}" in page
    assert "(UTC)" not in page
