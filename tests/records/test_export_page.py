"""Story 8: a parent (or the mediator) downloads a signed copy of the record for a court; the
other parent sees in the record that it was exported, and the copy proves itself offline."""

from __future__ import annotations

import json

from django.test import Client

from coparent.core.record.verify import verify_document
from coparent.records.models import RecordEntry


def _export_url(cast) -> str:
    return f"/families/{cast.family.pk}/record/export/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_parent_downloads_a_json_export_that_verifies_and_ends_with_the_export_itself(cast):
    response = _client(cast.alex).post(_export_url(cast), {"file_format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="coparent-record-')
    document = json.loads(response.content)
    verdict = verify_document(document)
    assert verdict.ok, verdict.reason
    last = document["entries"][-1]
    assert last["kind"] == "record.exported"
    assert last["actor"] == str(cast.alex.pk)
    assert document["head"]["seq"] == last["seq"]


def test_the_other_parent_sees_who_exported_what(cast):
    _client(cast.morgan).post(
        _export_url(cast),
        {"file_format": "json", "kinds": ["consent.given"], "date_from": "2020-01-01"},
    )
    page = _client(cast.sam).get(f"/families/{cast.family.pk}/record/").content.decode()
    assert "Record exported as JSON: Consent given; 2020-01-01 – …" in page
    assert "Morgan" in page


def test_a_selective_export_keeps_the_chain_whole_with_stubs(cast):
    response = _client(cast.alex).post(
        _export_url(cast), {"file_format": "json", "kinds": ["child.added"]}
    )
    document = json.loads(response.content)
    assert verify_document(document).ok
    full = [e for e in document["entries"] if "data" in e]
    stubs = [e for e in document["entries"] if "data" not in e]
    assert [e["data"]["name"] for e in full] == ["Mia", "Leo"]
    assert stubs and all(set(e) == {"seq", "kind", "prev", "hash"} for e in stubs)


def test_a_pdf_export_is_a_pdf(cast):
    response = _client(cast.alex).post(_export_url(cast), {"file_format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_bad_dates_get_a_field_error_and_nothing_is_recorded(cast):
    before = RecordEntry.objects.filter(family=cast.family).count()
    response = _client(cast.alex).post(
        _export_url(cast),
        {"file_format": "json", "date_from": "2027-05-01", "date_to": "2027-01-01"},
    )
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    assert RecordEntry.objects.filter(family=cast.family).count() == before


def test_viewer_and_outsider_cannot_export(cast):
    assert _client(cast.vic).post(_export_url(cast), {"file_format": "json"}).status_code == 403
    assert _client(cast.olivia).post(_export_url(cast), {"file_format": "json"}).status_code == 404
