"""Faults outside the request (issue #17, point 9): the database stops answering, the task
worker is down, the disk fills while a photo is saved. Each gets a clear answer and leaves
nothing half-done behind."""

from __future__ import annotations

import errno
import io
import json
import logging
import pathlib
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.urls import reverse
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from coparent.cli import worker
from coparent.messaging.models import Attachment, Message, Thread
from coparent.records.models import RecordEntry
from tests.api.conftest import family_path
from tests.kit import HttpsClient
from tests.messaging.conftest import PDF_BYTES, png_bytes

# --- The database is not answering ------------------------------------------------------------


@contextmanager
def database_down(message="connection to server at 10.0.0.5 failed: Connection refused"):
    """Every query from here on fails as it does when the database is down or restarting (the
    error names a host, as PostgreSQL's does: it must not reach the person)."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError(message)

    with connection.execute_wrapper(refuse):
        yield


def _no_trace(body: str) -> None:
    for leak in ("Traceback", "OperationalError", "10.0.0.5", "SELECT", 'File "'):
        assert leak not in body, f"{leak!r} in the answer"


def test_a_page_answers_503_without_a_trace_when_the_database_is_down(cast, caplog):
    browser = HttpsClient(raise_request_exception=False)
    browser.force_login(cast.sam)
    caplog.set_level(logging.WARNING, logger="coparent.faults")
    with database_down():
        page = browser.get(f"/families/{cast.family.pk}/messages/")
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert page["Content-Type"].startswith("text/html")
    body = page.content.decode()
    assert "cannot reach its database just now" in body
    _no_trace(body)
    # The operator still gets the whole story, in the log.
    assert any("10.0.0.5" in r.getMessage() for r in caplog.records)


def test_the_api_answers_503_json_without_a_trace_when_the_database_is_down(cast, as_):
    alex = as_(cast.alex)
    with database_down():  # even the token lookup fails
        answer = alex.get(family_path(cast, "/events"))
    assert answer.status_code == 503
    assert answer["Retry-After"] == "30"
    assert answer.json() == {
        "detail": "Coparent cannot reach its database just now, so nothing was read or saved. "
        "Try again in a minute."
    }
    _no_trace(answer.content.decode())


def test_a_write_answers_503_when_the_database_drops_after_the_token_lookup(cast, as_):
    """The token was found; then the database went away. (What the transaction had written is
    rolled back by the database, as for any error: the test's own transaction, broken by the
    error, cannot count rows afterwards.)"""
    alex = as_(cast.alex)
    calls = []

    def drop_after_the_token(execute, sql, params, many, context):
        calls.append(sql)
        if len(calls) > 1:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_after_the_token):
        answer = alex.post(
            family_path(cast, "/threads"),
            {"subject": "Friday", "topic": "school", "body": "Can you pick Mia up?"},
        )
    assert answer.status_code == 503, answer.content
    _no_trace(answer.content.decode())


def test_the_health_check_still_answers_while_the_database_is_down(db):
    with database_down():
        assert HttpsClient().get("/healthz").json() == {"status": "ok"}


def test_any_other_server_error_is_a_plain_500_page(cast, monkeypatch):
    """The same handler answers real bugs: 500, still no trace, no Retry-After."""
    from coparent.messaging import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug with a secret in it")

    monkeypatch.setattr(views.selectors, "inbox_counts", broken)
    browser = HttpsClient(raise_request_exception=False)
    browser.force_login(cast.sam)
    page = browser.get(f"/families/{cast.family.pk}/messages/")
    assert page.status_code == 500
    assert "Retry-After" not in page
    assert "Something went wrong on the server." in page.content.decode()
    assert "secret" not in page.content.decode()


# --- The task worker is down -------------------------------------------------------------------


def test_a_message_is_accepted_with_no_worker_and_sam_is_told_once_it_returns(
    cast, as_, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The queue is the database (django-tasks-db): with no worker running, Alex's message is
    still sent, and the email telling Sam waits for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker runs inside the test's transaction (as in tests/cli/test_worker.py).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = as_(cast.alex).post(
            family_path(cast, "/threads"),
            {"subject": "Friday", "topic": "school", "body": "Can you pick Mia up at 3?"},
        )
    assert sent.status_code == 201, sent.content
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() >= 1
    assert mail.outbox == []  # nobody has run the job yet

    worker.build(max_tasks=waiting.count()).run()

    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert not DBTaskResult.objects.filter(status="FAILED").exists()
    assert ["sam@example.org"] in [m.to for m in mail.outbox]


# --- The disk fills while a file is saved ------------------------------------------------------


@pytest.fixture
def full_disk(settings, tmp_path, monkeypatch):
    """Attachments go to this test's own folder; the second file written there gets half its
    bytes onto the disk before the write fails with ENOSPC, as on a full disk."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    real_open = pathlib.Path.open
    opened = []

    class HalfWritten(io.RawIOBase):
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            self.handle.write(bytes(data)[: len(data) // 2])
            self.handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    def open_(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        if "x" in mode or "w" in mode:
            opened.append(path)
            if len(opened) == 2:
                return HalfWritten(handle)
        return handle

    monkeypatch.setattr(pathlib.Path, "open", open_)
    return opened


def _files_on_disk(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _stored(cast):
    return (
        Thread.objects.filter(family=cast.family).count(),
        Message.objects.filter(family=cast.family).count(),
        Attachment.objects.filter(family=cast.family).count(),
        RecordEntry.objects.filter(family=cast.family).count(),
    )


def test_a_full_disk_refuses_the_upload_clearly_and_leaves_no_half_file(
    cast, as_, settings, full_disk
):
    before = _stored(cast)
    answer = as_(cast.alex).upload(
        family_path(cast, "/threads/upload"),
        {
            "subject": "Forms",
            "topic": "school",
            "body": "The slip and the drawing",
            "files": [_named("slip.pdf", PDF_BYTES), _named("drawing.png", png_bytes())],
        },
    )
    assert answer.status_code == 507, answer.content
    body = answer.json()
    message = (
        "The server has no room to save drawing.png just now, so nothing was sent. Try again later."
    )
    assert body == {"detail": message}
    _no_trace(json.dumps(body))
    assert len(full_disk) >= 2  # the first file was written, the second failed half-way
    assert _files_on_disk(settings) == []  # neither the whole first nor the half second
    assert _stored(cast) == before


def test_the_page_shows_the_full_disk_beside_the_files_and_keeps_the_text(
    cast, settings, full_disk
):
    browser = HttpsClient()
    browser.force_login(cast.alex)
    before = _stored(cast)
    page = browser.post(
        reverse("messaging:compose", kwargs={"family_id": cast.family.pk}),
        {
            "subject": "Forms",
            "topic": "school",
            "body": "The slip and the drawing",
            "attachments": [_named("slip.pdf", PDF_BYTES), _named("drawing.png", png_bytes())],
        },
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "no room to save drawing.png just now" in text
    assert "The slip and the drawing" in text
    assert _files_on_disk(settings) == []
    assert _stored(cast) == before


def _named(name, content):
    part = io.BytesIO(content)
    part.name = name
    return part
