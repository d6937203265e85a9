"""#8.4: what a message says belongs to its conversation, even inside the family record.

The probe: Morgan, a mediator both parents consented to, is not part of a conversation between
Alex and Sam; through the record's timeline, API and exports he read its subject, its file
names and sizes, and an unsalted SHA-256 of the text that confirmed his guess ("OK."). Now the
record seals a message's subject, topic, text and files under a salted commitment: Morgan sees
who wrote to whom and when, and a commitment that confirms nothing; Alex and Sam (and a
professional they included) get the content and the salt, and can check one against the other.
Entries written before sealing keep their form (nothing recorded is ever rewritten): for Morgan
they are withheld, like the stubs of a selective export, so his copy still verifies.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from coparent.accounts.services import token_create
from coparent.core.record.chain import seal_commitment
from coparent.core.record.verify import verify_document
from coparent.messaging.attachments import IncomingFile
from coparent.records.export import build_export, export_html
from coparent.records.models import ExportJob, RecordEntry
from coparent.records.services import record_append, record_export
from tests.families.helpers import client_for
from tests.messaging.conftest import start

SUBJECT = "Lawyer appointment"
BODY = "OK."
FILE_NAME = "custody-draft.pdf"
PDF = b"%PDF-1.4\n% a draft\n%%EOF\n"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def private(cast):
    """Alex writes "OK." to Sam, with a PDF, in a conversation Morgan is not part of; Sam
    opens it."""
    from coparent.messaging.services import messages_mark_viewed

    message = start(
        cast,
        subject=SUBJECT,
        body=BODY,
        topic="money",
        attachments=[IncomingFile(FILE_NAME, PDF)],
    )
    messages_mark_viewed(access=cast.access(cast.sam), thread=message.thread)
    return message


def _leaks(text: str) -> list[str]:
    """What of the private conversation shows in `text`."""
    secrets = {
        "subject": SUBJECT,
        "file name": FILE_NAME,
        "text's SHA-256": _sha(BODY),
        "file's SHA-256": hashlib.sha256(PDF).hexdigest(),
        "topic": '"money"',
    }
    return [what for what, value in secrets.items() if value in text]


def _api_record(cast, user) -> dict[str, Any]:
    token = token_create(user=user, name="probe")[1]
    response = Client().get(
        f"/api/v1/families/{cast.family.pk}/record?limit=500",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.json()


def _export_for(cast, user, django_capture_on_commit_callbacks, file_format="json") -> bytes:
    with django_capture_on_commit_callbacks(execute=True):
        job = record_export(access=cast.access(user), file_format=file_format)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == ExportJob.Status.DONE, job.error
    response = client_for(user).get(f"/families/{cast.family.pk}/record/export/{job.pk}/download/")
    return b"".join(response.streaming_content)


def test_a_professional_outside_the_conversation_learns_nothing_of_what_it_says(
    cast, private, django_capture_on_commit_callbacks
):
    timeline = client_for(cast.morgan).get(f"/families/{cast.family.pk}/record/").content
    dashboard = client_for(cast.morgan).get(f"/families/{cast.family.pk}/").content
    api = _api_record(cast, cast.morgan)
    document = _export_for(cast, cast.morgan, django_capture_on_commit_callbacks)

    for where, text in (
        ("timeline", timeline.decode()),
        ("dashboard", dashboard.decode()),
        ("API", json.dumps(api, ensure_ascii=False)),
        ("JSON export", document.decode()),
    ):
        assert _leaks(text) == [], f"the {where} shows Morgan the conversation's {_leaks(text)}"
    # Who wrote to whom, and when, is the family's: Morgan sees that much.
    assert "Alex wrote a message in a conversation sealed to its participants" in timeline.decode()
    (sent,) = [item for item in api["items"] if item["kind"] == "message.sent"]
    assert sent["data"]["recipients"] == [str(cast.sam.pk)]
    assert sent["opened"] is None
    # His copy proves itself all the same, and opens nothing.
    exported = json.loads(document)
    assert verify_document(exported).ok
    assert exported["disclosures"] == []


def test_the_commitment_confirms_no_guess(cast, private):
    entry = RecordEntry.objects.get(family=cast.family, kind="message.sent")
    # The old form let anyone hash a guess and compare; the sealed entry has nothing to compare
    # a guess with, and its commitment depends on a salt only the conversation receives.
    assert set(entry.data) == {"thread", "message", "sender", "sender_name", "recipients", "sealed"}
    guess = {"subject": SUBJECT, "topic": "money", "body": BODY}
    assert entry.data["sealed"] not in {_sha(BODY), seal_commitment(guess)}
    assert len(entry.seal.opened["salt"]) == 64


def test_the_people_in_the_conversation_get_the_content_and_can_check_it(
    cast, private, django_capture_on_commit_callbacks
):
    document = json.loads(_export_for(cast, cast.sam, django_capture_on_commit_callbacks))
    assert verify_document(document).ok
    by_seq = {entry["seq"]: entry for entry in document["entries"]}
    opened = {item["seq"]: item["sealed"] for item in document["disclosures"]}
    sent = next(e for e in document["entries"] if e["kind"] == "message.sent")
    content = opened[sent["seq"]]
    # Salt + text -> commitment: Sam checks the message he read against the record.
    assert content["body"] == BODY and content["subject"] == SUBJECT
    assert content["attachments"][0]["name"] == FILE_NAME
    assert seal_commitment({**content, "body": BODY}) == by_seq[sent["seq"]]["data"]["sealed"]
    viewed = next(e for e in document["entries"] if e["kind"] == "message.viewed")
    assert opened[viewed["seq"]]["subject"] == SUBJECT

    # A disclosure that lies about the text does not verify.
    content["body"] = "No."
    verdict = verify_document(document)
    assert not verdict.ok
    assert f"disclosed for entry {sent['seq']} does not match" in verdict.reason

    # The API opens the same seals for Alex, and the timeline reads in full.
    api = _api_record(cast, cast.alex)
    (item,) = [i for i in api["items"] if i["kind"] == "message.sent"]
    assert item["opened"]["body"] == BODY
    assert seal_commitment(item["opened"]) == item["data"]["sealed"]
    timeline = client_for(cast.alex).get(f"/families/{cast.family.pk}/record/").content.decode()
    assert f"Alex wrote in “{SUBJECT}” with 1 attachment" in timeline


def test_a_professional_included_in_the_conversation_reads_it(cast):
    start(cast, subject=SUBJECT, body=BODY, include=[cast.mediator])
    api = _api_record(cast, cast.morgan)
    (item,) = [i for i in api["items"] if i["kind"] == "message.sent"]
    assert item["opened"]["subject"] == SUBJECT


def _legacy_entries(cast, thread_id: str) -> list[RecordEntry]:
    """Entries as messaging wrote them before sealing: the content in clear."""
    with transaction.atomic():
        sent = record_append(
            family=cast.family,
            kind="message.sent",
            actor=cast.alex,
            data={
                "thread": thread_id,
                "subject": SUBJECT,
                "topic": "money",
                "message": "1",
                "sender": str(cast.alex.pk),
                "sender_name": "Alex",
                "recipients": [str(cast.sam.pk)],
                "body_sha256": _sha(BODY),
                "attachments": [
                    {"attachment": "a", "name": FILE_NAME, "sha256": "0" * 64, "size": 27}
                ],
            },
        )
        viewed = record_append(
            family=cast.family,
            kind="message.viewed",
            actor=cast.sam,
            data={
                "thread": thread_id,
                "subject": SUBJECT,
                "viewer": str(cast.sam.pk),
                "viewer_name": "Sam",
                "messages": ["1"],
            },
        )
    return [sent, viewed]


def test_entries_written_before_sealing_are_withheld_from_those_outside(
    cast, django_capture_on_commit_callbacks
):
    thread = start(cast, subject="Holidays", body="Fine by me.").thread
    sent, viewed = _legacy_entries(cast, str(thread.pk))
    stored = {e.seq: (e.data, e.hash) for e in (sent, viewed)}

    api = _api_record(cast, cast.morgan)
    document = json.loads(_export_for(cast, cast.morgan, django_capture_on_commit_callbacks))
    timeline = client_for(cast.morgan).get(f"/families/{cast.family.pk}/record/").content.decode()
    for where, text in (
        ("API", json.dumps(api)),
        ("JSON export", json.dumps(document)),
        ("timeline", timeline),
    ):
        assert _leaks(text) == [], f"the {where} shows Morgan the conversation's {_leaks(text)}"
    withheld = [i for i in api["items"] if i["withheld"]]
    assert [(i["seq"], i["data"]) for i in withheld] == [(sent.seq, None), (viewed.seq, None)]
    assert document["withheld"] == [sent.seq, viewed.seq]
    assert {"seq", "kind", "prev", "hash"} == set(document["entries"][sent.seq - 1])
    assert verify_document(document).ok
    assert "Alex wrote a message in a conversation sealed to its participants" in timeline

    # Nothing was rewritten, and Sam, who is in the conversation, reads them as they were.
    for entry in (sent, viewed):
        entry.refresh_from_db()
        assert (entry.data, entry.hash) == stored[entry.seq]
    as_sam = json.loads(_export_for(cast, cast.sam, django_capture_on_commit_callbacks))
    assert as_sam["withheld"] == []
    assert as_sam["entries"][sent.seq - 1]["data"]["subject"] == SUBJECT
    assert verify_document(as_sam).ok


def test_the_pdf_shows_the_text_to_those_in_the_conversation_only(cast, private):
    family = cast.family
    for_sam = export_html(build_export(family=family, reader=cast.sam), family=family)
    for_morgan = export_html(build_export(family=family, reader=cast.morgan), family=family)
    assert SUBJECT in for_sam and '<div class="text" dir="auto">OK.</div>' in for_sam
    assert _leaks(for_morgan) == [] and "OK.</div>" not in for_morgan


def test_the_timeline_costs_two_queries_more_with_messages_however_many(
    cast, django_assert_num_queries
):
    from tests.families.helpers import call_view

    url = f"/families/{cast.family.pk}/record/"
    start(cast, subject="One", body="First.")
    # The access path, the family's people, the count, the page of entries (as without
    # messages); then Alex's conversations, and the seals he may open; the homes of the
    # parents in safe mode (as without messages); the header's unread notifications.
    with django_assert_num_queries(8):
        call_view(cast.alex, url)
    for n in range(5):
        start(cast, subject=f"More {n}", body="And more.", at=timezone.now())
    with django_assert_num_queries(8):
        call_view(cast.alex, url)


def test_an_export_refuses_to_disclose_a_content_that_does_not_match_its_seal(
    cast, private, monkeypatch
):
    # The triggers refuse any change to a seal; a database edited behind their back (a restored
    # old file, a hand edit) must stop the export rather than go out beside the proof.
    from coparent.records import export
    from coparent.records.disclosure import EntryView

    sent = RecordEntry.objects.get(family=cast.family, kind="message.sent")
    forged = {**sent.seal.opened, "body": "I never agreed."}
    monkeypatch.setattr(
        export, "entry_views", lambda family, reader, entries: {sent.seq: EntryView(opened=forged)}
    )
    with pytest.raises(export.ChainBroken) as broken:
        build_export(family=cast.family, reader=cast.sam)
    assert broken.value.seq == sent.seq
