"""Story 11 with a mediator: Alex shares two entries of his private journal with Morgan. Morgan
downloads what Alex shared with its proof: exactly those entries, every version, each at its
place in Alex's signed chain — and nothing of the entries Alex kept to himself, not one word.
The file verifies offline; edited, it does not. Sam never reaches it; Morgan loses it with
consent."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from coparent.core.record.verify_journal import verify_journal
from coparent.families.services import consent_withdraw
from coparent.journal import services
from coparent.journal.export import build_shared_journal
from coparent.records.models import RecordEntry

PRIVATE = "I am thinking of moving to Leeds."


@pytest.fixture
def shared(cast, write):
    late = write("Sam was 40 minutes late at the gate.")
    write(PRIVATE)
    services.entry_correct(
        access=cast.access(cast.alex), entry=late, text="Sam was 45 minutes late at the gate."
    )
    bag = write("Mia came back without her school bag.")
    for entry in (late, bag):
        services.entry_share(
            access=cast.access(cast.alex), entry=entry, professional_id=cast.mediator.pk
        )
    return late, bag


def _url(cast) -> str:
    return f"/families/{cast.family.pk}/journal/shared/export/{cast.alex.pk}.json"


def _ask(client, url, capture):
    """Morgan presses the export button; the worker prepares it (at once in tests). Returns the
    progress page's address."""
    with capture(execute=True):
        asked = client.post(url)
    assert asked.status_code == 302 and "/journal/shared/exports/" in asked["Location"]
    return asked["Location"]


def test_morgan_exports_what_alex_shared_and_it_verifies(
    cast, shared, django_capture_on_commit_callbacks
):
    late, bag = shared
    morgan = cast.client_for(cast.morgan)
    listing = morgan.get(f"/families/{cast.family.pk}/journal/shared/").content.decode()
    assert _url(cast) in listing
    recorded = RecordEntry.objects.filter(family=cast.family).count()
    mail.outbox.clear()

    page = _ask(morgan, _url(cast), django_capture_on_commit_callbacks)
    shown = morgan.get(page).content.decode()
    assert 'id="export-progress"' in shown and "what Alex shared with you" in shown
    state = morgan.get(f"{page}status/").json()
    assert state["status"] == "done" and state["download_url"]
    response = morgan.get(state["download_url"])
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content).decode()
    document = json.loads(content)

    assert verify_journal(document).ok
    assert {e["id"] for e in document["entries"]} == {str(late.pk), str(bag.pk)}
    (late_out,) = [e for e in document["entries"] if e["id"] == str(late.pk)]
    assert [v["text"] for v in late_out["versions"]] == [
        "Sam was 40 minutes late at the gate.",
        "Sam was 45 minutes late at the gate.",
    ]
    # The private entry's place in the chain is there, its content is not.
    assert len(document["chain"]) == 4 and document["withheld"] == [2]
    assert PRIVATE not in content and document["anchors"] == []
    # Morgan is emailed the page's link, nothing of the entries; the record hears of nothing.
    (ready,) = mail.outbox
    assert ready.to == [cast.morgan.email] and page in ready.body
    assert "late at the gate" not in ready.body
    assert RecordEntry.objects.filter(family=cast.family).count() == recorded


def test_a_shared_version_edited_in_the_file_fails_verification(cast, shared):
    document = build_shared_journal(cast.access(cast.morgan), cast.alex.pk)
    document["entries"][0]["versions"][0]["text"] = "Sam was on time."
    verdict = verify_journal(document)
    assert not verdict.ok and "hash does not match" in verdict.reason


def test_a_withheld_link_cannot_carry_a_version(cast, shared):
    document = build_shared_journal(cast.access(cast.morgan), cast.alex.pk)
    document["withheld"] = [1, 2]  # claims the first link, whose version is in the file
    assert "a withheld link has its version here" in verify_journal(document).reason


def test_only_morgan_reaches_it_and_only_while_the_parents_consent(
    cast, shared, django_capture_on_commit_callbacks
):
    for member in (cast.sam, cast.alex, cast.vic):
        assert cast.client_for(member).post(_url(cast)).status_code == 403
    assert cast.client_for(cast.olivia).post(_url(cast)).status_code == 404
    # Nothing of Sam's is shared with Morgan: the same 404 as an unknown author.
    morgan = cast.client_for(cast.morgan)
    sams = f"/families/{cast.family.pk}/journal/shared/export/{cast.sam.pk}.json"
    assert morgan.post(sams).status_code == 404
    assert morgan.get(_url(cast)).status_code == 405  # asking is a POST: no link queues one

    # The job, its status and its file are Morgan's alone: the parents get the 403 of "Shared
    # with you", another family's parent the 404 of a missing page.
    page = _ask(morgan, _url(cast), django_capture_on_commit_callbacks)
    for suffix in ("", "status/", "download/"):
        assert morgan.get(f"{page}{suffix}").status_code == 200, suffix
        for member in (cast.sam, cast.alex, cast.vic):
            assert cast.client_for(member).get(f"{page}{suffix}").status_code == 403, suffix
        assert cast.client_for(cast.olivia).get(f"{page}{suffix}").status_code == 404, suffix

    consent_withdraw(access=cast.access(cast.sam), professional=cast.mediator)
    assert morgan.post(_url(cast)).status_code in (403, 404)
    assert morgan.get(page).status_code in (403, 404)


def test_a_share_withdrawn_before_the_worker_runs_fails_the_job_and_keeps_nothing(
    cast, shared, django_capture_on_commit_callbacks
):
    from coparent.journal.tasks import run_journal_export

    job = services.journal_shared_export(access=cast.access(cast.morgan), author_id=cast.alex.pk)
    for entry in shared:
        services.entry_unshare(access=cast.access(cast.alex), entry=entry)
    mail.outbox.clear()
    assert run_journal_export.call(str(job.pk)) == "failed"
    job.refresh_from_db()
    assert job.error == "Nothing of this parent's journal is shared with you any more."
    assert job.file_name == "" and mail.outbox == []


def test_morgans_export_page_and_status_cost_a_fixed_number_of_queries(
    cast, shared, django_capture_on_commit_callbacks, django_assert_num_queries
):
    morgan = cast.client_for(cast.morgan)
    page = _ask(morgan, _url(cast), django_capture_on_commit_callbacks)
    morgan.get(page)  # session and zone warm-up
    # 1 session, 2 user, 3 the user's session row, 4 membership with its family (the access
    # path), 5-6 the parents and their consents (a professional's access), 7 the job (Morgan's
    # own, with the parent who shared); 8 the header's unread notifications.
    with django_assert_num_queries(8):
        assert morgan.get(page).status_code == 200
    # 1-7 as above.
    with django_assert_num_queries(7):
        assert morgan.get(f"{page}status/").status_code == 200
