"""Story 11: Alex keeps a private journal. Sam, the other parent, can never see an entry, not
even that one exists; Morgan, the mediator, reads only what Alex shares with them, and only
while every parent consents; Vic, the viewer, has no journal at all."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail

from coparent.families import services as family_services
from coparent.journal import services
from coparent.journal.models import Entry, File, Share, Version
from coparent.notifications.models import Notification
from coparent.records.models import RecordEntry

SECRET = "Sam shouted at the gate in front of Mia"


def _j(cast, rest: str = "") -> str:
    return f"/families/{cast.family.pk}/journal/{rest}"


@pytest.fixture
def entry(cast, write):
    return write(SECRET, tags="exchange, shouting")


def test_alex_writes_an_entry_on_the_page_and_finds_it_by_a_word_and_a_tag(cast):
    alex = cast.client_for(cast.alex)
    response = alex.post(
        _j(cast, "new/"), {"text": "Leo's teacher called about his reading.", "tags": "school"}
    )
    entry = Entry.objects.get(author=cast.alex)
    assert response.status_code == 302 and response["Location"] == _j(cast, f"{entry.pk}/")
    assert "reading" in alex.get(_j(cast, "?q=reading")).content.decode()
    assert "reading" in alex.get(_j(cast, "?tag=school")).content.decode()
    assert "reading" not in alex.get(_j(cast, "?q=football")).content.decode()


def test_a_correction_is_a_new_version_and_the_first_stays_in_the_history(cast, entry):
    alex = cast.client_for(cast.alex)
    response = alex.post(_j(cast, f"{entry.pk}/correct/"), {"text": SECRET + ", 15:05."})
    assert response.status_code == 302
    assert list(Version.objects.filter(entry=entry).values_list("number", "text")) == [
        (1, SECRET),
        (2, SECRET + ", 15:05."),
    ]
    page = alex.get(_j(cast, f"{entry.pk}/")).content.decode()
    assert "Correction 2" in page and "earlier version" in page


def _every_journal_path(cast, entry) -> list[tuple[str, str]]:
    photo = File.objects.filter(version__entry=entry).first()
    paths = [
        ("GET", _j(cast, f"{entry.pk}/")),
        ("POST", _j(cast, f"{entry.pk}/correct/")),
        ("POST", _j(cast, f"{entry.pk}/share/")),
        ("POST", _j(cast, f"{entry.pk}/unshare/")),
    ]
    if photo is not None:
        paths.append(("GET", _j(cast, f"files/{photo.pk}/")))
    return paths


def test_sam_gets_the_same_404_for_alexs_entry_as_for_one_that_does_not_exist(cast, write):
    entry = write(SECRET, files=[_pdf()])
    sam = cast.client_for(cast.sam)
    missing = "00000000-0000-4000-8000-000000000000"
    for method, path in _every_journal_path(cast, entry):
        real = sam.generic(method, path, {"text": "x", "professional": cast.mediator.pk})
        fake = sam.generic(method, path.replace(str(entry.pk), missing))
        assert real.status_code == fake.status_code == 404, path
    assert Version.objects.filter(entry=entry).count() == 1 and not Share.objects.exists()


def _pdf(name: str = "letter.pdf"):
    from coparent.messaging.attachments import IncomingFile

    return IncomingFile(name, b"%PDF-1.4\n%%EOF\n")


def test_sams_pages_do_not_change_when_alex_writes(cast, entry):
    """No count, no link, no word: Sam's journal, home page and nav look the same whether
    Alex has written a hundred entries or none."""
    sam = cast.client_for(cast.sam)
    for path in (_j(cast), f"/families/{cast.family.pk}/", f"/families/{cast.family.pk}/record/"):
        body = sam.get(path).content.decode()
        assert SECRET not in body and str(entry.pk) not in body, path
        assert "shouting" not in body, path
    assert "Nothing written yet." in sam.get(_j(cast)).content.decode()


def test_writing_an_entry_adds_nothing_to_the_record_and_tells_nobody(cast, write):
    entries, notes = RecordEntry.objects.count(), Notification.objects.count()
    entry = write(SECRET)
    services.entry_share(
        access=cast.access(cast.alex), entry=entry, professional_id=cast.mediator.pk
    )
    services.entry_correct(access=cast.access(cast.alex), entry=entry, text=SECRET + "!")
    assert RecordEntry.objects.count() == entries
    assert Notification.objects.count() == notes


def test_the_family_search_and_exports_carry_no_journal(cast, entry):
    from coparent.records.export import build_export, render_pdf

    sam = cast.client_for(cast.sam)
    found = sam.get(f"/families/{cast.family.pk}/messages/search/", {"q": "shouted"})
    assert SECRET not in found.content.decode()
    for reader in (cast.alex, cast.sam):
        document = json.dumps(build_export(family=cast.family, reader=reader))
        assert SECRET not in document and str(entry.pk) not in document
    pdf = render_pdf(build_export(family=cast.family, reader=cast.sam), family=cast.family)
    assert b"shouted" not in pdf and str(entry.pk).encode() not in pdf


def test_morgan_reads_only_what_alex_shares_and_loses_it_when_consent_ends(cast, entry, write):
    other = write("A private thought Alex keeps to herself.")
    morgan = cast.client_for(cast.morgan)
    assert morgan.get(_j(cast, f"shared/{entry.pk}/")).status_code == 404
    assert morgan.get(_j(cast, f"{entry.pk}/")).status_code == 403  # no parent's journal
    services.entry_share(
        access=cast.access(cast.alex), entry=entry, professional_id=cast.mediator.pk
    )
    listing = morgan.get(_j(cast, "shared/")).content.decode()
    assert SECRET in listing and "private thought" not in listing
    assert SECRET in morgan.get(_j(cast, f"shared/{entry.pk}/")).content.decode()
    assert morgan.get(_j(cast, f"shared/{other.pk}/")).status_code == 404
    # Sam never learns of the share either.
    assert SECRET not in cast.client_for(cast.sam).get(_j(cast)).content.decode()

    family_services.consent_withdraw(access=cast.access(cast.sam), professional=cast.mediator)
    assert morgan.get(_j(cast, f"shared/{entry.pk}/")).status_code == 404
    assert (
        "no longer has access"
        in cast.client_for(cast.alex).get(_j(cast, f"{entry.pk}/")).content.decode()
    )


def test_morgan_loses_the_shared_entries_when_their_seat_ends(cast, entry):
    services.entry_share(
        access=cast.access(cast.alex), entry=entry, professional_id=cast.mediator.pk
    )
    family_services.membership_end(access=cast.access(cast.alex), membership=cast.mediator)
    morgan = cast.client_for(cast.morgan)
    assert morgan.get(_j(cast, f"shared/{entry.pk}/")).status_code == 404
    assert morgan.get(_j(cast, "shared/")).status_code == 404


def test_alex_withdraws_a_share(cast, entry):
    access = cast.access(cast.alex)
    services.entry_share(access=access, entry=entry, professional_id=cast.mediator.pk)
    alex = cast.client_for(cast.alex)
    assert alex.post(_j(cast, f"{entry.pk}/unshare/")).status_code == 302
    morgan = cast.client_for(cast.morgan)
    assert morgan.get(_j(cast, f"shared/{entry.pk}/")).status_code == 404
    assert list(Share.objects.filter(entry=entry).values_list("professional", flat=True)) == [
        cast.mediator.pk,
        None,
    ]


def test_a_share_with_someone_who_is_not_a_consented_professional_is_refused(cast, entry):
    alex = cast.client_for(cast.alex)
    for who in (cast.viewer.pk, "not-a-seat", cast.access(cast.sam).membership.pk):
        response = alex.post(_j(cast, f"{entry.pk}/share/"), {"professional": who}, follow=True)
        assert "whom every parent has consented to" in response.content.decode()
    family_services.consent_withdraw(access=cast.access(cast.sam), professional=cast.mediator)
    with pytest.raises(services.JournalProblem) as refused:
        services.entry_share(
            access=cast.access(cast.alex), entry=entry, professional_id=cast.mediator.pk
        )
    assert "professional" in refused.value.message_dict
    assert not Share.objects.exists()


def test_an_entry_of_100000_characters_is_refused_with_a_clear_error(cast):
    alex = cast.client_for(cast.alex)
    response = alex.post(_j(cast, "new/"), {"text": "x" * 100_000})
    assert response.status_code == 400
    assert "At most 20,000 characters (this entry has 100,000)" in response.content.decode()
    assert not Entry.objects.exists() and not Version.objects.exists()


def test_a_program_renamed_pdf_is_refused_and_nothing_is_kept(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    alex = cast.client_for(cast.alex)
    program = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    response = alex.post(_j(cast, "new/"), {"text": "The school report", "photos": [program]})
    assert response.status_code == 400
    assert "report.pdf" in response.content.decode()
    assert not Entry.objects.exists() and not File.objects.exists()


def test_a_link_to_another_familys_thread_is_refused(cast, write):
    from coparent.messaging.services import thread_start

    theirs = thread_start(
        access=cast.access(cast.olivia, cast.other_family), subject="Ada", topic="school", body="Hi"
    ).thread
    with pytest.raises(services.JournalProblem) as refused:
        write("About Ada", link_kind="thread", link_id=theirs.pk)
    assert "link_id" in refused.value.message_dict
    mine = thread_start(access=cast.access(cast.alex), subject="Pickup", topic="school", body="Hi")
    entry = write("About the pickup", link_kind="thread", link_id=mine.thread.pk)
    assert entry.versions.get().link == {
        "kind": "thread",
        "id": str(mine.thread.pk),
        "label": "Pickup",
    }


def test_the_list_costs_a_fixed_number_of_queries(cast, write, django_assert_max_num_queries):
    for n in range(12):
        write(f"Entry {n}", tags="school")
    alex = cast.client_for(cast.alex)
    alex.get(_j(cast))
    # session, user, membership, family-zone, tags, count, page + the kit's own (nav, unread)
    with django_assert_max_num_queries(12):
        assert alex.get(_j(cast, "?tag=school")).status_code == 200
    services.entry_share(
        access=cast.access(cast.alex),
        entry=Entry.objects.filter(author=cast.alex).first(),
        professional_id=cast.mediator.pk,
    )
    morgan = cast.client_for(cast.morgan)
    with django_assert_max_num_queries(14):
        assert morgan.get(_j(cast, "shared/")).status_code == 200


def _export(cast, client, name, django_capture_on_commit_callbacks):
    """Press an export button; the worker prepares it (at once in tests). Returns the progress
    page's address."""
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(_j(cast, name))
    assert asked.status_code == 302 and "/journal/exports/" in asked["Location"]
    return asked["Location"]


def test_alex_exports_her_journal_as_json_and_pdf(cast, entry, django_capture_on_commit_callbacks):
    # Alex follows her old "Export" links: each opens a progress page that fills when the worker
    # is done, and she is emailed a link (nothing of the journal in it).
    alex = cast.client_for(cast.alex)
    mail.outbox.clear()
    page = _export(cast, alex, "export.json", django_capture_on_commit_callbacks)
    state = alex.get(f"{page}status/").json()
    assert state["status"] == "done" and state["progress"] == 100
    assert state["entries_label"] == "1 entry"
    shown = alex.get(page)
    assert shown.status_code == 200 and 'id="export-progress"' in shown.content.decode()
    document = json.loads(b"".join(alex.get(state["download_url"]).streaming_content))
    assert document["format"] == "coparent-journal/1"
    assert document["entries"][0]["versions"][0]["text"] == SECRET
    (ready,) = mail.outbox
    assert ready.to == [cast.alex.email] and page in ready.body and SECRET not in ready.body
    pdf_page = _export(cast, alex, "export.pdf", django_capture_on_commit_callbacks)
    pdf = alex.get(alex.get(f"{pdf_page}status/").json()["download_url"])
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert "no-store" in pdf["Cache-Control"]
    # Sam's own export holds none of Alex's journal.
    sam = cast.client_for(cast.sam)
    sam_page = _export(cast, sam, "export.json", django_capture_on_commit_callbacks)
    sam_state = sam.get(f"{sam_page}status/").json()
    sam_document = json.loads(b"".join(sam.get(sam_state["download_url"]).streaming_content))
    assert sam_document["entries"] == [] and SECRET not in json.dumps(sam_document)


def test_only_alex_sees_her_export_even_in_her_own_family(
    cast, entry, django_capture_on_commit_callbacks
):
    alex = cast.client_for(cast.alex)
    page = _export(cast, alex, "export.pdf", django_capture_on_commit_callbacks)
    # Sam, the other parent, gets the same 404 as for an export that does not exist.
    sam = cast.client_for(cast.sam)
    for suffix in ("", "status/", "download/"):
        assert sam.get(f"{page}{suffix}").status_code == 404, suffix
    # Morgan the mediator and Vic the viewer have no journal here at all.
    for other in (cast.morgan, cast.vic):
        assert cast.client_for(other).get(page).status_code == 403


def test_an_export_is_kept_a_week_then_its_file_leaves_the_server(
    cast, entry, django_capture_on_commit_callbacks, time_machine
):
    from coparent.journal.models import ExportJob
    from coparent.records.jobs import file_path

    alex = cast.client_for(cast.alex)
    page = _export(cast, alex, "export.json", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get(requested_by=cast.alex)
    kept = file_path(job)
    assert kept is not None and kept.is_file()
    assert job.expires_at == job.finished_at + timedelta(days=7)
    # Before the hourly sweep comes by, the page already says it, and asking removes it.
    time_machine.move_to(job.finished_at + ExportJob.KEEP + timedelta(minutes=1), tick=False)
    state = alex.get(f"{page}status/").json()
    assert state["download_url"] is None and state["label"] == "Expired: ask again"
    assert state["status"] == "expired" and state["finished"] is True
    assert alex.get(f"{page}download/").status_code == 404
    assert not kept.exists()
    job.refresh_from_db()
    assert job.file_name == "" and job.status == ExportJob.Status.EXPIRED


def test_an_exports_page_and_status_cost_a_fixed_number_of_queries(
    cast, entry, django_capture_on_commit_callbacks, django_assert_num_queries
):
    alex = cast.client_for(cast.alex)
    page = _export(cast, alex, "export.json", django_capture_on_commit_callbacks)
    alex.get(page)  # session and zone warm-up
    # 1 session, 2 user, 3 the user's session row, 4 membership with its family (the access
    # path), 5 the job (Alex's own); 6 the header's unread notifications.
    with django_assert_num_queries(6):
        assert alex.get(page).status_code == 200
    # 1-4 as above, 5 the job.
    with django_assert_num_queries(5):
        assert alex.get(f"{page}status/").status_code == 200


def test_a_failed_export_says_so_and_keeps_nothing(
    cast, entry, django_capture_on_commit_callbacks, monkeypatch
):
    from coparent.journal import tasks

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(tasks, "journal_pdf", broken)
    alex = cast.client_for(cast.alex)
    page = _export(cast, alex, "export.pdf", django_capture_on_commit_callbacks)
    state = alex.get(f"{page}status/").json()
    assert state["status"] == "failed" and state["finished"] is True
    assert state["error"] and state["download_url"] is None


def test_vic_the_viewer_has_no_journal(cast, entry):
    vic = cast.client_for(cast.vic)
    for path in (_j(cast), _j(cast, "new/"), _j(cast, f"{entry.pk}/"), _j(cast, "shared/")):
        assert vic.get(path).status_code == 403, path


def test_alex_links_an_entry_to_a_conversation_from_the_picker(cast):
    from coparent.messaging.services import thread_start

    thread = thread_start(
        access=cast.access(cast.alex), subject="Dentist", topic="health", body="Tuesday?"
    ).thread
    alex = cast.client_for(cast.alex)
    form = alex.get(_j(cast, "new/")).content.decode()
    assert f"thread:{thread.pk}" in form and "Dentist" in form
    alex.post(_j(cast, "new/"), {"text": "Sam never answered.", "link": f"thread:{thread.pk}"})
    version = Version.objects.get(entry__author=cast.alex)
    assert version.link == {"kind": "thread", "id": str(thread.pk), "label": "Dentist"}
    assert "About: Dentist" in alex.get(_j(cast, f"{version.entry_id}/")).content.decode()


def test_morgan_opens_the_file_of_a_shared_entry_and_sam_does_not(cast, write):
    entry = write(SECRET, files=[_pdf()])
    photo = File.objects.get(version__entry=entry)
    path = _j(cast, f"files/{photo.pk}/")
    assert cast.client_for(cast.alex).get(path).status_code == 200
    assert cast.client_for(cast.morgan).get(path).status_code == 404
    services.entry_share(
        access=cast.access(cast.alex), entry=entry, professional_id=cast.mediator.pk
    )
    assert cast.client_for(cast.morgan).get(path).status_code == 200
    assert cast.client_for(cast.sam).get(path).status_code == 404


def test_the_entry_page_costs_the_same_however_many_versions(
    cast, entry, django_assert_max_num_queries
):
    alex = cast.client_for(cast.alex)
    path = _j(cast, f"{entry.pk}/")
    alex.get(path)
    with django_assert_max_num_queries(16) as one:
        alex.get(path)
    for n in range(4):
        services.entry_correct(access=cast.access(cast.alex), entry=entry, text=f"{SECRET} {n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "Correction 5" in alex.get(path).content.decode()


def test_a_tag_with_an_invisible_character_is_refused_and_the_text_shows_it_as_a_mark(cast):
    alex = cast.client_for(cast.alex)
    refused = alex.post(_j(cast, "new/"), {"text": "Fine", "tags": "school\u202e"})
    assert refused.status_code == 400 and "invisible character" in refused.content.decode()
    assert not Entry.objects.exists()
    alex.post(_j(cast, "new/"), {"text": "Pickup at \u202e00:51"})
    entry = Entry.objects.get()
    assert entry.versions.get().text == "Pickup at \u202e00:51"  # kept as written
    page = alex.get(_j(cast, f"{entry.pk}/")).content.decode()
    shown = page.split('class="as-written">')[1].split("</p>")[0]
    assert "\u202e" not in shown and "00:51" in shown  # the correction box keeps it to edit
