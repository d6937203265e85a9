"""The journal through the API: Alex writes, corrects, shares and exports; Sam gets the 404 of
a missing entry on every operation; a retry with the same Idempotency-Key writes nothing (and
asks for no second export)."""

from __future__ import annotations

import json
import uuid

from django.core import mail
from django.test import Client

from coparent.core.record.verify_journal import verify_any
from coparent.journal.models import Entry, ExportJob, File, Version
from coparent.records.models import RecordEntry
from tests.kit import issue_token

SECRET = "Sam shouted at the gate in front of Mia"


def _p(cast, rest: str = "") -> str:
    return f"/families/{cast.family.pk}/journal{rest}"


def test_alex_writes_corrects_shares_and_exports_through_the_api(cast, as_):
    alex = as_(cast.alex)
    made = alex.post(_p(cast), {"text": SECRET, "tags": ["exchange"]})
    assert made.status_code == 201, made.content
    entry_id = made.json()["id"]
    fixed = alex.post(_p(cast, f"/{entry_id}/versions"), {"text": SECRET + " at 15:05."})
    assert [v["text"] for v in fixed.json()["versions"]] == [SECRET, SECRET + " at 15:05."]
    assert fixed.json()["versions"][1]["tags"] == ["exchange"]
    shared = alex.post(_p(cast, f"/{entry_id}/share"), {"professional": str(cast.mediator.pk)})
    assert shared.json()["shared_with"] == str(cast.mediator.pk)
    morgan = as_(cast.morgan)
    assert (
        morgan.get(_p(cast, f"/shared/{entry_id}")).json()["versions"][1]["text"].endswith("15:05.")
    )
    assert [r["id"] for r in morgan.get(_p(cast, "/shared")).json()] == [entry_id]
    assert alex.post(_p(cast, f"/{entry_id}/unshare")).json()["shared_with"] is None
    assert morgan.get(_p(cast, f"/shared/{entry_id}")).status_code == 404
    assert [r["id"] for r in alex.get(_p(cast), q="shouted").json()] == [entry_id]
    assert alex.get(_p(cast), tag="school").json() == []


def test_sam_gets_the_404_of_a_missing_entry_on_every_operation(cast, as_, write):
    entry = write(SECRET)
    sam = as_(cast.sam)
    missing = uuid.uuid4()
    for method, rest, body in [
        ("GET", "/{}", None),
        ("POST", "/{}/versions", {"text": "Changed"}),
        ("POST", "/{}/share", {"professional": str(cast.mediator.pk)}),
        ("POST", "/{}/unshare", None),
    ]:
        real = sam.call(method, _p(cast, rest.format(entry.pk)), body)
        fake = sam.call(method, _p(cast, rest.format(missing)), body)
        assert real.status_code == fake.status_code == 404
        assert real.json() == fake.json()
    assert sam.get(_p(cast)).json() == []
    assert Version.objects.filter(entry=entry).count() == 1


def _started(caller, cast, capture, file_format="json"):
    """Start an export through the API; the worker prepares it (at once in tests)."""
    with capture(execute=True):
        started = caller.post(_p(cast, "/exports"), {"file_format": file_format})
    assert started.status_code == 202, started.content
    return started


def test_alex_exports_her_journal_in_the_background_through_the_api(
    cast, as_, write, django_capture_on_commit_callbacks
):
    write(SECRET)
    alex = as_(cast.alex)
    recorded = RecordEntry.objects.filter(family=cast.family).count()
    mail.outbox.clear()
    started = _started(alex, cast, django_capture_on_commit_callbacks)
    job = started.json()
    # The answer is the job as it was asked for; its status URL is also the Location.
    assert job["status"] == "queued" and job["finished"] is False
    assert job["status_url"] == started["Location"] == f"/api/v1{_p(cast)}/exports/{job['id']}"
    assert job["download_url"] is None
    status = alex.get(job["status_url"].removeprefix("/api/v1")).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["finished"]
    assert status["total_entries"] == 1 and status["expires_at"]
    download = alex.get(status["download_url"].removeprefix("/api/v1"))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    document = json.loads(b"".join(download.streaming_content))
    assert verify_any(document).ok and SECRET in json.dumps(document)
    # Emailed a link, nothing of the journal; the family record hears of nothing.
    (ready,) = mail.outbox
    assert ready.to == [cast.alex.email] and SECRET not in ready.body
    assert RecordEntry.objects.filter(family=cast.family).count() == recorded

    pdf = _started(alex, cast, django_capture_on_commit_callbacks, "pdf").json()
    pdf_status = alex.get(pdf["status_url"].removeprefix("/api/v1")).json()
    pdf_file = alex.get(pdf_status["download_url"].removeprefix("/api/v1"))
    assert pdf_file["Content-Type"] == "application/pdf"
    assert b"".join(pdf_file.streaming_content).startswith(b"%PDF")


def test_only_alex_reaches_her_api_export_and_not_after_it_expires(
    cast, as_, write, django_capture_on_commit_callbacks, time_machine
):
    write(SECRET)
    alex = as_(cast.alex)
    job = _started(alex, cast, django_capture_on_commit_callbacks).json()
    sam = as_(cast.sam)
    missing = uuid.uuid4()
    for tail in ("", "/download"):
        real = sam.get(_p(cast, f"/exports/{job['id']}{tail}"))
        fake = sam.get(_p(cast, f"/exports/{missing}{tail}"))
        assert real.status_code == fake.status_code == 404 and real.json() == fake.json()
        for member in (cast.morgan, cast.vic):
            assert as_(member).get(_p(cast, f"/exports/{job['id']}{tail}")).status_code == 403
    # Sam's own export holds none of Alex's journal.
    theirs = _started(sam, cast, django_capture_on_commit_callbacks).json()
    state = sam.get(theirs["status_url"].removeprefix("/api/v1")).json()
    document = json.loads(
        b"".join(sam.get(state["download_url"].removeprefix("/api/v1")).streaming_content)
    )
    assert document["entries"] == [] and SECRET not in json.dumps(document)

    made = ExportJob.objects.get(pk=job["id"])
    time_machine.move_to(made.finished_at + ExportJob.KEEP, tick=False)
    expired = alex.get(_p(cast, f"/exports/{job['id']}")).json()
    assert expired["status"] == "expired" and expired["download_url"] is None
    assert alex.get(_p(cast, f"/exports/{job['id']}/download")).status_code == 404


def test_an_export_in_an_unknown_format_is_a_field_error(cast, as_):
    answer = as_(cast.alex).post(_p(cast, "/exports"), {"file_format": "docx"})
    assert answer.status_code == 422 and ExportJob.objects.count() == 0


def test_a_retry_with_the_same_key_writes_nothing_more(cast):
    client = Client()
    headers = {
        "Authorization": f"Bearer {issue_token(cast.alex)}",
        "Idempotency-Key": "a1b2c3",
    }
    url = f"/api/v1{_p(cast)}"
    first = client.post(
        url, {"text": SECRET}, content_type="application/json", headers=headers, secure=True
    )
    again = client.post(
        url, {"text": SECRET}, content_type="application/json", headers=headers, secure=True
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and again["Idempotent-Replayed"] == "true"
    other = client.post(
        url, {"text": "else"}, content_type="application/json", headers=headers, secure=True
    )
    assert other.status_code == 422
    assert Entry.objects.count() == 1


def _export_keyed(caller, cast, file_format: str, key: str = "9e07-export"):
    """Ask for an export as a script that may retry: with its Idempotency-Key."""
    return caller.client.post(
        f"/api/v1{_p(cast, '/exports')}",
        json.dumps({"file_format": file_format}),
        content_type="application/json",
        headers={**caller.headers(), "Idempotency-Key": key},
        secure=True,
    )


def test_alexs_retried_export_is_the_same_job_built_and_emailed_once(
    cast, as_, write, django_capture_on_commit_callbacks
):
    """Alex's app asks for a PDF of her journal, loses the answer, and asks again with the
    same key: the same job (202, the same Location), one file built, one email."""
    write(SECRET)
    alex = as_(cast.alex)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        first = _export_keyed(alex, cast, "pdf")
        again = _export_keyed(alex, cast, "pdf")

    assert (first.status_code, again.status_code) == (202, 202), again.content
    assert again["Location"] == first["Location"] and again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert len(queued) == 1 and len(mail.outbox) == 1
    assert ExportJob.objects.filter(requested_by=cast.alex).count() == 1
    # The same key for the JSON instead: refused, naming the key; nothing queued.
    other = _export_keyed(alex, cast, "json")
    assert other.status_code == 422, other.content
    assert "already used with different content" in other.json()["errors"]["Idempotency-Key"][0]
    assert ExportJob.objects.filter(requested_by=cast.alex).count() == 1


def test_bad_input_is_a_field_error_and_nothing_is_stored(cast, as_):
    alex = as_(cast.alex)
    long = alex.post(_p(cast), {"text": "x" * 100_000})
    assert long.status_code == 400
    assert "20,000" in long.json()["errors"]["text"][0]
    refused = alex.post(_p(cast, f"/{uuid.uuid4()}/share"), {"professional": str(uuid.uuid4())})
    assert refused.status_code == 404
    program = Client().post(
        f"/api/v1{_p(cast, '/upload')}",
        {"text": "Report", "files": [_file("report.pdf", b"MZ\x90\x00" + b"\x00" * 100)]},
        headers={"Authorization": f"Bearer {issue_token(cast.alex)}"},
        secure=True,
    )
    assert program.status_code == 422, program.content
    assert not Entry.objects.exists() and not File.objects.exists()


def test_a_share_with_the_viewer_is_refused(cast, as_, write):
    entry = write(SECRET)
    refused = as_(cast.alex).post(
        _p(cast, f"/{entry.pk}/share"), {"professional": str(cast.viewer.pk)}
    )
    assert refused.status_code == 400
    assert "consented" in refused.json()["errors"]["professional"][0]


def test_an_upload_keeps_the_file_with_the_entry(cast):
    response = Client().post(
        f"/api/v1{_p(cast, '/upload')}",
        {
            "text": "The school's letter",
            "tags": "school",
            "files": [_file("letter.pdf", b"%PDF-1.4\n%%EOF\n")],
        },
        headers={"Authorization": f"Bearer {issue_token(cast.alex)}"},
        secure=True,
    )
    assert response.status_code == 201, response.content
    (version,) = response.json()["versions"]
    assert version["tags"] == ["school"] and version["files"][0]["name"] == "letter.pdf"


def test_the_list_costs_a_fixed_number_of_queries(cast, as_, write, django_assert_max_num_queries):
    for n in range(15):
        write(f"Entry {n}")
    alex = as_(cast.alex)
    alex.get(_p(cast))
    with django_assert_max_num_queries(6):  # token, user, seat, family, consent-free, page
        assert len(alex.get(_p(cast)).json()) == 15


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_an_api_export_status_costs_a_fixed_number_of_queries(
    cast, as_, write, django_capture_on_commit_callbacks, django_assert_num_queries
):
    write(SECRET)
    alex = as_(cast.alex)
    job = _started(alex, cast, django_capture_on_commit_callbacks).json()
    alex.get(_p(cast, f"/exports/{job['id']}"))
    # 1 token with its user, 2 membership with its family (the access path), 3 the job.
    with django_assert_num_queries(3):
        assert alex.get(_p(cast, f"/exports/{job['id']}")).status_code == 200
