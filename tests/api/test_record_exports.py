"""Issue 16: the record's exports and its verifier in the API, as in the browser and the CLI.
Alex starts an export, the worker prepares it (at once in tests), Alex polls it, downloads it,
and the file checks out through POST /api/v1/record/verify; one byte changed, it does not. The
job is Alex's alone: Sam and Morgan get the 404 of a missing one, Vic 403, Olivia 404. Alex's
script retries with its Idempotency-Key: the same job, and Sam reads of one export, not two."""

from __future__ import annotations

import json
import uuid

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from coparent.messaging.idempotency import KeyTaken, Once
from coparent.messaging.models import IdempotencyKey
from coparent.records import verifier
from coparent.records.checkpoints import checkpoint_now
from coparent.records.models import ExportJob, Kind, RecordEntry
from coparent.web.zones import family_zone

VERIFY = "/api/v1/record/verify"
KEY = "4c1e-court-bundle"


def _p(cast, rest: str = "", family=None) -> str:
    return f"/families/{(family or cast.family).pk}/record/exports{rest}"


def _started(caller, cast, capture, body=None):
    """Start an export through the API; the worker prepares it (at once in tests)."""
    with capture(execute=True):
        started = caller.post(_p(cast), body or {"file_format": "json"})
    assert started.status_code == 202, started.content
    return started


def _keyed(caller, cast, body, key: str = KEY):
    """Start an export as a script that may retry: with its Idempotency-Key."""
    return caller.client.post(
        f"/api/v1{_p(cast)}",
        json.dumps(body),
        content_type="application/json",
        headers={**caller.headers(), "Idempotency-Key": key},
        secure=True,
    )


def _exported(cast) -> int:
    return RecordEntry.objects.filter(family=cast.family, kind=Kind.RECORD_EXPORTED).count()


def _download(caller, job) -> bytes:
    status = caller.get(job["status_url"].removeprefix("/api/v1")).json()
    answer = caller.get(status["download_url"].removeprefix("/api/v1"))
    assert answer.status_code == 200, answer.content
    return b"".join(answer.streaming_content)


def _verify(data: bytes, name: str = "record.json", **fields):
    upload = SimpleUploadedFile(name, data)
    return Client().post(VERIFY, {"file": upload, **fields}, secure=True)


def test_alex_exports_through_the_api_and_the_file_verifies(
    cast, as_, django_capture_on_commit_callbacks
):
    alex = as_(cast.alex)
    before = RecordEntry.objects.filter(family=cast.family).count()
    held = checkpoint_now(cast.family).note  # Sam keeps one before the export
    mail.outbox.clear()
    started = _started(alex, cast, django_capture_on_commit_callbacks)
    job = started.json()
    assert job["status"] == "queued" and job["finished"] is False
    assert job["status_url"] == started["Location"] == f"/api/v1{_p(cast)}/{job['id']}"
    assert job["download_url"] is None and job["file_format"] == "json"
    # The export is itself a fact of the record, as from the web page.
    exported = RecordEntry.objects.filter(family=cast.family).order_by("-seq").first()
    assert exported.kind == Kind.RECORD_EXPORTED and exported.actor_id == cast.alex.pk
    assert RecordEntry.objects.filter(family=cast.family).count() == before + 1

    status = alex.get(job["status_url"].removeprefix("/api/v1")).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["finished"]
    assert status["total_entries"] == before + 1 and status["expires_at"]
    download = alex.get(status["download_url"].removeprefix("/api/v1"))
    assert download["Cache-Control"] == "private, no-store"
    assert "coparent-record-" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    assert json.loads(data)["entries"][-1]["kind"] == Kind.RECORD_EXPORTED
    (ready,) = mail.outbox
    assert ready.to == [cast.alex.email]

    # Anyone may check it, signed in or not: the same verdict as the page.
    verdict = _verify(data)
    assert verdict.status_code == 200, verdict.content
    answer = verdict.json()
    assert answer["valid"] is True and answer["verdict"] == "valid"
    assert answer["summary"] == "Valid. The record of “Rivera family” is intact."
    assert answer["reason"] == "" and answer["first_bad_entry"] is None
    assert answer["entries"] == before + 1 and answer["head_seq"] == before + 1
    assert answer["this_server_key"] is True and answer["from_pdf"] is False
    assert answer["family"] == {"id": str(cast.family.pk), "name": "Rivera family"}
    assert answer["checkpoint_given"] is False and answer["extends_checkpoint"] is None

    # With the checkpoint Sam kept before: the export extends it; a made-up one it does not.
    answer = _verify(data, checkpoint=held).json()
    assert answer["valid"] and answer["checkpoint_given"] and answer["extends_checkpoint"]
    answer = _verify(data, checkpoint=f"1:{'ab' * 32}").json()
    assert answer["valid"] is False and answer["extends_checkpoint"] is False
    assert answer["summary"].startswith("Not valid. The record does not extend your checkpoint.")
    assert answer["reason"] and answer["first_bad_entry"] is None


def test_a_tampered_byte_is_invalid_with_the_first_bad_entry_and_why(
    cast, as_, django_capture_on_commit_callbacks
):
    alex = as_(cast.alex)
    data = _download(alex, _started(alex, cast, django_capture_on_commit_callbacks).json())
    document = json.loads(data)
    child = next(e for e in document["entries"] if e["kind"] == Kind.CHILD_ADDED)
    name = child["data"]["name"]
    tampered = data.replace(name.encode(), ("X" + name[1:]).encode(), 1)
    assert tampered != data and len(tampered) == len(data)
    answer = _verify(tampered).json()
    assert answer["valid"] is False and answer["verdict"] == "invalid"
    assert answer["first_bad_entry"] == child["seq"] and answer["reason"]
    assert answer["summary"].startswith("Not valid. The record fails the check.")
    assert f"entry {child['seq']}:" in answer["summary"] and answer["reason"] in answer["summary"]


def test_what_is_not_a_record_export_is_a_400_under_file(cast, monkeypatch):
    for data, name, says in [
        (b"not json at all", "record.json", "neither a Coparent record export"),
        (json.dumps({"format": "other/1"}).encode(), "record.json", "not a Coparent record"),
    ]:
        answer = _verify(data, name)
        assert answer.status_code == 400, answer.content
        assert says in answer.json()["errors"]["file"][0]
    missing = Client().post(VERIFY, {"checkpoint": "1:abc"}, secure=True)
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    as_json = Client().post(VERIFY, "{}", content_type="application/json", secure=True)
    assert as_json.status_code == 415
    monkeypatch.setattr(verifier, "MAX_UPLOAD_BYTES", 1000)
    large = _verify(b"{" + b" " * 2000 + b"}")
    assert large.status_code == 400
    assert "larger than" in large.json()["errors"]["file"][0]


def test_the_api_verifier_is_limited_per_client_like_the_page(cast, settings):
    settings.COPARENT_RATE_LIMITS = {**settings.COPARENT_RATE_LIMITS, "record_verify.ip": "2/h"}
    assert _verify(b"{}").status_code == 400
    assert _verify(b"{}").status_code == 400
    limited = _verify(b"{}")
    assert limited.status_code == 429 and limited["Retry-After"]


def test_an_end_before_the_start_is_a_field_error_and_nothing_is_recorded(cast, as_):
    before = RecordEntry.objects.filter(family=cast.family).count()
    body = {"file_format": "json", "date_from": "2027-03-10", "date_to": "2027-03-01"}
    answer = as_(cast.alex).post(_p(cast), body)
    assert answer.status_code == 400, answer.content
    assert "on or after the start date" in answer.json()["errors"]["date_to"][0]
    assert RecordEntry.objects.filter(family=cast.family).count() == before
    assert ExportJob.objects.count() == 0


def test_bad_input_is_a_422_naming_the_field_and_nothing_is_recorded(cast, as_):
    before = RecordEntry.objects.filter(family=cast.family).count()
    alex = as_(cast.alex)
    for body, field in [
        ({"date_from": "2027-02-30"}, "date_from"),
        ({"file_format": "docx"}, "file_format"),
        ({"kinds": ["no.such.kind"]}, "kinds.0"),
        ({"sections": ["no-such-section"]}, "sections"),
    ]:
        answer = alex.post(_p(cast), body)
        assert answer.status_code == 422, answer.content
        assert field in answer.json()["errors"], answer.json()
    assert RecordEntry.objects.filter(family=cast.family).count() == before
    assert ExportJob.objects.count() == 0


def test_a_selective_pdf_export_keeps_its_scope(cast, as_, django_capture_on_commit_callbacks):
    alex = as_(cast.alex)
    body = {"file_format": "pdf", "kinds": [Kind.CHILD_ADDED], "date_from": "2020-01-01"}
    job = _started(alex, cast, django_capture_on_commit_callbacks, body).json()
    made = ExportJob.objects.get(pk=job["id"])
    assert made.kinds == [Kind.CHILD_ADDED] and str(made.date_from) == "2020-01-01"
    assert made.timezone == family_zone(cast.family).key
    data = _download(alex, job)
    assert data.startswith(b"%PDF")
    answer = _verify(data, "record.pdf").json()
    assert answer["valid"] and answer["from_pdf"] and answer["stubs"] > 0


def test_the_job_is_its_askers_alone(cast, as_, django_capture_on_commit_callbacks):
    alex = as_(cast.alex)
    job = _started(alex, cast, django_capture_on_commit_callbacks).json()
    missing = uuid.uuid4()
    for tail in ("", "/download"):
        for member in (cast.sam, cast.morgan):
            real = as_(member).get(_p(cast, f"/{job['id']}{tail}"))
            fake = as_(member).get(_p(cast, f"/{missing}{tail}"))
            assert real.status_code == fake.status_code == 404 and real.json() == fake.json()
        assert as_(cast.vic).get(_p(cast, f"/{job['id']}{tail}")).status_code == 403
        olivia = as_(cast.olivia).get(_p(cast, f"/{job['id']}{tail}"))
        assert olivia.status_code == 404
        # Olivia's own family does not hold Alex's job either.
        mine = as_(cast.olivia).get(_p(cast, f"/{job['id']}{tail}", family=cast.other_family))
        assert mine.status_code == 404
    # Who may start one: parents and the consented professional; the viewer 403, outsider 404.
    assert as_(cast.morgan).post(_p(cast), {"file_format": "json"}).status_code == 202
    assert as_(cast.vic).post(_p(cast), {"file_format": "json"}).status_code == 403
    assert as_(cast.olivia).post(_p(cast), {"file_format": "json"}).status_code == 404


def test_a_queued_job_has_no_download_yet(cast, as_):
    alex = as_(cast.alex)
    # No on-commit capture: the job waits in the queue, as for a busy worker.
    job = alex.post(_p(cast), {"file_format": "json"}).json()
    assert alex.get(_p(cast, f"/{job['id']}")).json()["download_url"] is None
    assert alex.get(_p(cast, f"/{job['id']}/download")).status_code == 404


def test_an_api_record_export_status_costs_a_fixed_number_of_queries(
    cast, as_, django_capture_on_commit_callbacks, django_assert_num_queries
):
    alex = as_(cast.alex)
    job = _started(alex, cast, django_capture_on_commit_callbacks).json()
    alex.get(_p(cast, f"/{job['id']}"))
    # 1 token with its user, 2 membership with its family (the access path), 3 the job.
    with django_assert_num_queries(3):
        assert alex.get(_p(cast, f"/{job['id']}")).status_code == 200


def test_alexs_script_retries_the_export_and_gets_the_same_job_recorded_once(
    cast, as_, django_capture_on_commit_callbacks
):
    """The connection dropped before the 202 arrived; the script sends the same POST again
    with the same key: the same job and Location, and Sam reads of one export, not two."""
    alex = as_(cast.alex)
    body = {"file_format": "pdf", "kinds": [Kind.CHILD_ADDED, Kind.RECORD_EXPORTED]}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        first = _keyed(alex, cast, body)
    assert first.status_code == 202, first.content
    assert "Idempotent-Replayed" not in first
    # The same scope, its kinds in another order: the same request.
    with django_capture_on_commit_callbacks(execute=True) as requeued:
        again = _keyed(alex, cast, {**body, "kinds": list(reversed(body["kinds"]))})

    assert again.status_code == 202, again.content
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["status"] == "done"  # the first job, as it is now
    assert len(queued) == 1 and requeued == []  # nothing built twice
    assert ExportJob.objects.filter(family=cast.family).count() == 1
    assert _exported(cast) == 1
    assert len(mail.outbox) == 1  # one "your export is ready", not two


def test_the_same_key_for_another_scope_is_refused_and_nothing_is_recorded(cast, as_):
    alex = as_(cast.alex)
    assert _keyed(alex, cast, {"file_format": "json"}).status_code == 202

    for other in (
        {"file_format": "pdf"},
        {"file_format": "json", "kinds": [Kind.CHILD_ADDED]},
        {"file_format": "json", "date_from": "2027-01-01"},
    ):
        refused = _keyed(alex, cast, other)
        assert refused.status_code == 422, refused.content
        (says,) = refused.json()["errors"]["Idempotency-Key"]
        assert "already used with different content" in says
        assert refused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]

    assert ExportJob.objects.filter(family=cast.family).count() == 1
    assert _exported(cast) == 1


def test_a_key_is_alexs_alone_and_a_new_key_is_a_new_export(cast, as_):
    """Sam's script happens to pick the same key: his own export. Alex's next key: hers."""
    alex, sam = as_(cast.alex), as_(cast.sam)
    hers = _keyed(alex, cast, {"file_format": "json"}).json()
    his = _keyed(sam, cast, {"file_format": "json"}).json()
    next_one = _keyed(alex, cast, {"file_format": "json"}, key="4c1f-next-hearing").json()

    assert len({hers["id"], his["id"], next_one["id"]}) == 3
    assert _exported(cast) == 3
    assert IdempotencyKey.objects.filter(family=cast.family).count() == 3


def test_a_twin_export_whose_first_is_still_running_is_told_to_retry(cast, as_, monkeypatch):
    """The key's row refused the write and the first job cannot be read yet: 409 with
    Retry-After, never a 500, and nothing recorded for the twin. (A twin that finds the first
    job gets it: the record export's row in tests/messaging/test_once_twins.py, in threads.)"""

    def held_by_a_twin(once: Once, made_id: object) -> None:
        raise KeyTaken("duplicate key value violates unique constraint")

    monkeypatch.setattr(Once, "remember", held_by_a_twin)
    twin = _keyed(as_(cast.alex), cast, {"file_format": "json"})

    assert twin.status_code == 409, twin.content
    assert twin["Retry-After"] == "1"
    assert "still being processed" in twin.json()["detail"]
    assert not ExportJob.objects.exists() and _exported(cast) == 0
