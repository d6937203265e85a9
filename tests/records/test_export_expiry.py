"""Issue 16 part 4: stored exports expire. Alex's journal export is kept a week, the record's
export Morgan asked for thirty days; then the worker's hourly sweep removes each file from the
server's disk and marks its job expired, whether anyone comes back for it or not. The rows stay,
so each page still says what happened ("Expired: ask again")."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client

from coparent.infra import periodic
from coparent.journal import services as journal_services
from coparent.journal.models import ExportJob as JournalExport
from coparent.journal.tasks import run_journal_export
from coparent.records import jobs
from coparent.records.models import ExportJob as RecordExport
from coparent.records.services import record_export
from coparent.records.tasks import SWEEP_EVERY, run_export_job, sweep_expired_exports


@pytest.fixture
def prepared(cast, django_capture_on_commit_callbacks):
    """Alex's journal export and Morgan's record export, both ready, with their files."""
    with django_capture_on_commit_callbacks(execute=True):
        journal = journal_services.journal_export(access=cast.access(cast.alex), file_format="json")
        record = record_export(access=cast.access(cast.morgan), file_format="json")
    journal.refresh_from_db()
    record.refresh_from_db()
    assert journal.status == record.status == "done"
    return journal, record


def _file(job):
    path = jobs.file_path(job)
    assert path is not None
    return path


def test_the_sweep_removes_each_file_after_its_own_keeping_time(cast, prepared, time_machine):
    journal, record = prepared
    journal_file, record_file = _file(journal), _file(record)
    assert journal.expires_at == journal.finished_at + timedelta(days=7)
    assert record.expires_at == record.finished_at + timedelta(days=30)

    time_machine.move_to(journal.finished_at + timedelta(days=6), tick=False)
    assert sweep_expired_exports.call() == 0
    assert journal_file.is_file() and record_file.is_file()

    # A week on, the journal's file leaves the disk; the record's stays.
    time_machine.move_to(journal.finished_at + timedelta(days=7, minutes=1), tick=False)
    assert sweep_expired_exports.call() == 1
    journal.refresh_from_db()
    assert (journal.status, journal.file_name) == ("expired", "")
    assert not journal_file.exists() and record_file.is_file()
    # Idempotent: a second sweep (or a second worker) finds nothing more.
    assert sweep_expired_exports.call() == 0

    time_machine.move_to(record.finished_at + timedelta(days=30, minutes=1), tick=False)
    assert sweep_expired_exports.call() == 1
    record.refresh_from_db()
    assert (record.status, record.file_name) == ("expired", "")
    assert not record_file.exists()


def test_after_the_sweep_the_pages_say_expired_and_offer_no_download(cast, prepared, time_machine):
    _journal, record = prepared
    time_machine.move_to(record.finished_at + timedelta(days=31), tick=False)
    sweep_expired_exports.call()
    morgan = Client()
    morgan.force_login(cast.morgan)
    page = f"/families/{cast.family.pk}/record/export/{record.pk}/"
    state = morgan.get(f"{page}status/").json()
    assert state["status"] == "expired" and state["label"] == "Expired: ask again"
    assert state["finished"] is True and state["download_url"] is None
    assert "Expired: ask again" in morgan.get(page).content.decode()
    assert morgan.get(f"{page}download/").status_code == 404


def test_jobs_not_ready_are_never_swept(cast, time_machine):
    queued = journal_services.journal_export(access=cast.access(cast.alex), file_format="pdf")
    failed = record_export(access=cast.access(cast.alex), file_format="json")
    RecordExport.objects.filter(pk=failed.pk).update(
        status="failed", finished_at=failed.created_at, error="Broken."
    )
    time_machine.move_to(queued.created_at + timedelta(days=90), tick=False)
    assert jobs.sweep_expired() == 0
    assert JournalExport.objects.get(pk=queued.pk).status == "queued"
    assert RecordExport.objects.get(pk=failed.pk).status == "failed"


def test_the_sweep_runs_every_hour_in_the_worker():
    (sweep,) = [p for p in periodic.registered() if p.task is sweep_expired_exports]
    assert sweep.every == SWEEP_EVERY == timedelta(hours=1)
    # It finds every export job model, the journal's too, without importing it.
    assert set(jobs.export_job_models()) == {RecordExport, JournalExport}


def test_a_journal_job_runs_once_even_if_its_task_is_delivered_twice(cast, prepared):
    journal, _record = prepared
    mail.outbox.clear()
    assert run_journal_export.call(str(journal.pk)) == "done"
    assert JournalExport.objects.get(pk=journal.pk).file_name == journal.file_name
    assert mail.outbox == []  # no second email either
    assert run_export_job.call(str(_record.pk)) == "done"


def test_journal_exports_removed_before_the_sweep_existed_are_marked_expired(cast):
    # Before the sweep, a download after the week emptied `file_name` and left "done".
    old = journal_services.journal_export(access=cast.access(cast.alex), file_format="json")
    JournalExport.objects.filter(pk=old.pk).update(status="done", file_name="")
    kept = journal_services.journal_export(access=cast.access(cast.alex), file_format="json")
    JournalExport.objects.filter(pk=kept.pk).update(status="done", file_name="exports/x.json")
    step = import_module("coparent.journal.migrations.0004_exportjob_expiry_shared")
    step.mark_expired(apps, None)
    assert JournalExport.objects.get(pk=old.pk).status == "expired"
    assert JournalExport.objects.get(pk=kept.pk).status == "done"
