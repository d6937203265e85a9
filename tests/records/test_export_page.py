"""Story 8: a parent (or the mediator) asks for a signed copy of the record for a court; it is
prepared in the background while a progress bar fills, then downloaded. The other parent sees
in the record that it was exported, and the copy proves itself offline."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from coparent.core.record.verify import verify_document
from coparent.families import services
from coparent.records.models import ExportJob, RecordEntry
from coparent.records.tasks import run_export_job


def _export_url(cast) -> str:
    return f"/families/{cast.family.pk}/record/export/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def export(cast, django_capture_on_commit_callbacks):
    """POST the export form as `user`; the worker (run at once in tests) picks the job up when
    the request commits. Returns the client, still on the job page's heels, and the job."""

    def post(user, data) -> tuple[Client, ExportJob, str]:
        client = _client(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_export_url(cast), data)
        assert response.status_code == 302
        job = ExportJob.objects.get(family=cast.family, requested_by=user)
        assert response["Location"] == f"{_export_url(cast)}{job.pk}/"
        return client, job, response["Location"]

    return post


def _download(client: Client, job_page: str):
    response = client.get(f"{job_page}download/")
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_a_parent_downloads_a_json_export_that_verifies_and_ends_with_the_export_itself(
    cast, export
):
    client, _job, job_page = export(cast.alex, {"file_format": "json"})

    response, body = _download(client, job_page)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="coparent-record-')
    document = json.loads(body)
    verdict = verify_document(document)
    assert verdict.ok, verdict.reason
    last = document["entries"][-1]
    assert last["kind"] == "record.exported"
    assert last["actor"] == str(cast.alex.pk)
    assert document["head"]["seq"] == last["seq"]


def test_the_export_ends_with_its_own_entry_even_if_the_record_grew_meanwhile(cast):
    client = _client(cast.alex)
    # No on-commit capture: the job waits in the queue, as it would for a busy worker.
    job_page = client.post(_export_url(cast), {"file_format": "json"})["Location"]
    job = ExportJob.objects.get(family=cast.family)
    assert job.status == ExportJob.Status.QUEUED
    services.child_update(
        access=cast.access(cast.sam), child=cast.leo, name="Leo R", date_of_birth=date(2019, 9, 14)
    )

    assert run_export_job.call(str(job.pk)) == "done"
    document = json.loads(_download(client, job_page)[1])
    assert verify_document(document).ok
    assert document["entries"][-1]["kind"] == "record.exported"
    assert document["head"]["seq"] == job.head_seq
    assert RecordEntry.objects.filter(family=cast.family).count() == job.head_seq + 1


def test_a_job_runs_once_even_if_its_task_is_delivered_twice(cast, export):
    _client_alex, job, _job_page = export(cast.alex, {"file_format": "json"})
    job.refresh_from_db()
    assert run_export_job.call(str(job.pk)) == "done"
    assert ExportJob.objects.get(pk=job.pk).file_name == job.file_name


def test_the_job_page_shows_a_full_progress_bar_and_the_download_link(cast, export):
    client, job, job_page = export(cast.morgan, {"file_format": "pdf"})
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    assert job.total_entries == RecordEntry.objects.filter(family=cast.family).count()

    page = client.get(job_page).content.decode()
    assert '<progress id="export-progress" max="100" value="100">' in page
    assert "Ready" in page
    assert f'href="{job_page}download/"' in page
    assert "records/export-progress.js" in page
    assert "<script>" not in page  # CSP 'self': no inline script

    state = client.get(f"{job_page}status/").json()
    assert state["status"] == "done"
    assert state["progress"] == 100
    assert state["finished"] is True
    assert state["download_url"] == f"{job_page}download/"


def test_a_queued_job_shows_its_status_and_a_refresh_link_but_no_download(cast):
    client = _client(cast.alex)
    job_page = client.post(_export_url(cast), {"file_format": "pdf"})["Location"]

    page = client.get(job_page).content.decode()
    assert "Waiting to start" in page
    assert f'id="export-refresh" class="button secondary" href="{job_page}"' in page
    assert client.get(f"{job_page}status/").json() == {
        "status": "queued",
        "label": "Waiting to start",
        "progress": 0,
        "total_entries": 0,
        "entries_label": "",
        "finished": False,
        "error": "",
        "download_url": None,
        "expires_at": None,
    }
    assert client.get(f"{job_page}download/").status_code == 404


def test_the_other_parent_sees_who_exported_what(cast, export):
    export(
        cast.morgan,
        {"file_format": "json", "kinds": ["consent.given"], "date_from": "2020-01-01"},
    )
    page = _client(cast.sam).get(f"/families/{cast.family.pk}/record/").content.decode()
    # The dates the person chose, in the family's zone they chose them in.
    assert "Record exported as JSON: Consent given; Jan 1, 2020 – … (UTC)" in page
    assert "Morgan" in page


def test_a_selective_export_keeps_the_chain_whole_with_stubs(cast, export):
    client, _job, job_page = export(cast.alex, {"file_format": "json", "kinds": ["child.added"]})
    document = json.loads(_download(client, job_page)[1])
    assert verify_document(document).ok
    full = [e for e in document["entries"] if "data" in e]
    stubs = [e for e in document["entries"] if "data" not in e]
    assert [e["data"]["name"] for e in full] == ["Mia", "Leo"]
    assert stubs and all(set(e) == {"seq", "kind", "prev", "hash"} for e in stubs)


def test_a_pdf_export_is_a_pdf(cast, export):
    client, _job, job_page = export(cast.alex, {"file_format": "pdf"})
    response, body = _download(client, job_page)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    assert body.startswith(b"%PDF")


def test_bad_dates_get_a_field_error_and_nothing_is_recorded(cast):
    before = RecordEntry.objects.filter(family=cast.family).count()
    response = _client(cast.alex).post(
        _export_url(cast),
        {"file_format": "json", "date_from": "2027-05-01", "date_to": "2027-01-01"},
    )
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    assert RecordEntry.objects.filter(family=cast.family).count() == before
    assert not ExportJob.objects.exists()


def test_viewer_and_outsider_cannot_export(cast):
    assert _client(cast.vic).post(_export_url(cast), {"file_format": "json"}).status_code == 403
    assert _client(cast.olivia).post(_export_url(cast), {"file_format": "json"}).status_code == 404
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("suffix", ["", "status/", "download/"])
def test_only_the_parent_who_asked_sees_their_job(cast, export, suffix):
    """The file is made for its asker (their sealed conversations opened, their own home
    address shown in safe mode): Sam and the mediator, who may export the record themselves,
    find Alex's job missing, as they would another family's."""
    client_alex, _job, job_page = export(cast.alex, {"file_format": "json"})
    url = f"{job_page}{suffix}"
    assert client_alex.get(url).status_code == 200
    assert _client(cast.sam).get(url).status_code == 404
    assert _client(cast.morgan).get(url).status_code == 404
    assert _client(cast.vic).get(url).status_code == 403
    # Olivia's own family with Alex's job id: another family's job is not there at all.
    assert _client(cast.olivia).get(url).status_code == 404
    theirs = url.replace(str(cast.family.pk), str(cast.other_family.pk))
    assert _client(cast.olivia).get(theirs).status_code == 404


def test_the_status_endpoint_costs_a_fixed_number_of_queries(
    cast, export, django_assert_num_queries
):
    client, _job, job_page = export(cast.alex, {"file_format": "json"})
    # 1 session, 2 user, 3 the user's session row (sign-out everywhere), 4 membership with its
    # family and user (the access path), 5 the job.
    with django_assert_num_queries(5):
        assert client.get(f"{job_page}status/").status_code == 200


def test_a_broken_record_fails_the_job_with_a_reason_and_no_file(cast, export, monkeypatch):
    from coparent.records import export as export_module

    real = export_module.family_entries

    def tampered(family):
        entries = real(family)
        entries[1]["data"] = {**entries[1]["data"], "name": "Someone else"}
        return entries

    monkeypatch.setattr(export_module, "family_entries", tampered)
    client, job, job_page = export(cast.alex, {"file_format": "pdf"})

    state = client.get(f"{job_page}status/").json()
    assert state["status"] == "failed"
    assert state["finished"] is True
    assert state["error"].startswith("The stored record is broken at entry 2")
    assert state["download_url"] is None
    assert client.get(f"{job_page}download/").status_code == 404


def test_the_pdf_writes_its_dates_the_way_the_askers_browser_does(cast):
    from coparent.records.export import build_export, export_html

    client = _client(cast.alex)
    response = client.post(
        _export_url(cast), {"file_format": "pdf"}, headers={"accept-language": "en-GB,en;q=0.8"}
    )
    assert response.status_code == 302
    job = ExportJob.objects.get(family=cast.family, requested_by=cast.alex)
    assert job.locale == "en_GB"

    document = build_export(family=cast.family)
    first = RecordEntry.objects.filter(family=cast.family).order_by("seq").first()
    british = export_html(document, family=cast.family, locale=job.locale)
    american = export_html(document, family=cast.family, locale="en_US")
    day = datetime.fromisoformat(first.at).astimezone(ZoneInfo(cast.family.timezone))
    assert f"{day.day} {day:%b} {day.year}" in british  # 14 Mar 2027
    assert f"{day:%b} {day.day}, {day.year}" in american  # Mar 14, 2027
