"""Story 5, "There's just no communication": one calm channel between the parents, with
receipts and reply times, and every message in the family record (story 8)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from coparent.core.record.chain import seal_commitment
from coparent.core.record.verify import verify_document
from coparent.families import services as family_services
from coparent.families.selectors import get_family_access
from coparent.messaging import selectors, services
from coparent.messaging.models import Message, MessageDelivery, MessageView, Thread
from coparent.records.export import build_export
from coparent.records.models import RecordEntry
from coparent.records.selectors import entry_rows, entry_summary
from tests.factories import UserFactory
from tests.messaging.conftest import reply, start


def _entries(cast, kind):
    return list(RecordEntry.objects.filter(family=cast.family, kind=kind).order_by("seq"))


def test_alex_writes_about_the_pickup_and_sam_receives_it(cast):
    message = start(cast)
    thread = message.thread

    assert thread.subject == "School pickup on Friday"
    assert thread.topic == "school"
    sam = cast.access(cast.sam)
    assert selectors.unread_count(sam) == 1
    assert selectors.unread_count(cast.access(cast.alex)) == 0
    assert [t.pk for t in selectors.threads_for_user(sam)] == [thread.pk]

    # The record holds the fact in the same transaction; the subject and the exact text are
    # sealed in it (a salted commitment), open to the people in the conversation.
    (entry,) = _entries(cast, "message.sent")
    assert entry.actor == cast.alex
    assert entry.data["message"] == str(message.pk)
    assert entry.data["thread"] == str(thread.pk)
    assert entry.data["recipients"] == [str(cast.sam.pk)]
    assert "subject" not in entry.data and "body_sha256" not in entry.data
    assert entry.seal.opened["body"] == message.body
    assert entry.seal.opened["subject"] == "School pickup on Friday"
    assert seal_commitment(entry.seal.opened) == entry.data["sealed"]
    (row,) = entry_rows(sam, [entry])
    assert "Alex wrote in “School pickup on Friday”" in row.summary


def test_sams_first_view_is_recorded_once_and_alex_sees_when(cast):
    message = start(cast)
    sam = cast.access(cast.sam)
    opened = timezone.now()

    assert services.messages_mark_viewed(access=sam, thread=message.thread, at=opened) == [
        message.pk
    ]
    assert services.messages_mark_viewed(access=sam, thread=message.thread) == []

    page = selectors.thread_page(cast.access(cast.alex), message.thread)
    (receipt,) = page.rows[0].receipts
    assert receipt.recipient == cast.sam
    assert receipt.viewed_at == opened
    assert selectors.unread_count(sam) == 0
    (entry,) = _entries(cast, "message.viewed")
    assert entry.actor == cast.sam
    assert entry.data["messages"] == [str(message.pk)]
    assert "Sam first viewed 1 message" in entry_summary(entry)


def test_replies_arrive_in_order_with_their_reply_times(cast):
    start_at = timezone.now() - timedelta(hours=5)
    first = start(cast, at=start_at)
    thread = first.thread
    reply(cast, cast.sam, thread, "Yes, I'll be there at 15:00.", at=start_at + timedelta(hours=2))
    reply(cast, cast.alex, thread, "Thank you!", at=start_at + timedelta(hours=2, minutes=10))

    page = selectors.thread_page(cast.access(cast.alex), thread)
    assert [r.message.body for r in page.rows] == [
        "Can you pick Mia up at 15:00?",
        "Yes, I'll be there at 15:00.",
        "Thank you!",
    ]
    assert [r.reply_after for r in page.rows] == [
        None,
        timedelta(hours=2),
        timedelta(minutes=10),
    ]
    assert page.reply_times == {"Sam": timedelta(hours=2), "Alex": timedelta(minutes=10)}


def test_the_mediator_sees_only_the_threads_he_was_included_in(cast):
    private = start(cast, subject="Between us parents")
    shared = start(cast, subject="Holiday plan", include=[cast.mediator])
    morgan = cast.access(cast.morgan)

    assert [t.pk for t in selectors.threads_for_user(morgan)] == [shared.thread.pk]
    with pytest.raises(Http404):
        selectors.get_thread_for_user(morgan, private.thread.pk)
    # Morgan may answer in the thread he is part of; both parents receive it.
    answer = reply(cast, cast.morgan, shared.thread, "Shall we meet on Tuesday?")
    assert set(answer.deliveries.values_list("recipient__email", flat=True)) == {
        "alex@example.org",
        "sam@example.org",
    }


def test_once_consent_is_withdrawn_the_mediator_sees_nothing(cast):
    start(cast, include=[cast.mediator])
    family_services.consent_withdraw(access=cast.access(cast.sam), professional=cast.mediator)
    with pytest.raises(Http404):
        get_family_access(cast.morgan, cast.family.pk)


def test_a_professional_without_both_consents_cannot_be_included(cast):
    family_services.consent_withdraw(access=cast.access(cast.sam), professional=cast.mediator)
    with pytest.raises(ValidationError) as error:
        start(cast, include=[cast.mediator])
    assert "include_professionals" in error.value.message_dict


def test_the_viewer_reads_no_messages(cast):
    start(cast)
    vic = cast.access(cast.vic)
    with pytest.raises(PermissionDenied):
        selectors.threads_for_user(vic)
    with pytest.raises(PermissionDenied):
        selectors.search_messages(vic, "pickup")
    with pytest.raises(PermissionDenied):
        start(cast, cast.vic)
    assert selectors.unread_count(vic) == 0


def test_the_outsider_cannot_reach_or_write_into_the_thread(cast):
    thread = start(cast).thread
    olivia = cast.access(cast.olivia, cast.other_family)
    with pytest.raises(Http404):
        selectors.get_thread_for_user(olivia, thread.pk)
    with pytest.raises(PermissionDenied):
        services.message_send(access=olivia, thread=thread, body="Hello from outside")
    assert Message.objects.filter(thread=thread).count() == 1


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("", "Write a message"),
        ("   \n\t ", "Write a message"),
        ("x" * 100_000, "at most 20,000 characters"),
        ("null\x00byte", "control characters"),
    ],
)
def test_a_bad_message_gets_a_clear_error_and_nothing_is_stored(cast, body, problem):
    before = (Message.objects.count(), Thread.objects.count(), RecordEntry.objects.count())
    with pytest.raises(ValidationError) as error:
        start(cast, body=body)
    assert problem in " ".join(error.value.message_dict["body"])
    assert (Message.objects.count(), Thread.objects.count(), RecordEntry.objects.count()) == before


def test_a_message_of_exactly_the_limit_is_accepted(cast):
    assert len(start(cast, body="y" * 20_000).body) == 20_000


def test_an_empty_subject_is_refused_beside_the_field(cast):
    with pytest.raises(ValidationError) as error:
        start(cast, subject="  ")
    assert "subject" in error.value.message_dict


@pytest.mark.parametrize(
    "body",
    [
        "Pickup at 15:00 🎉👨‍👩‍👧 thanks 🙏",
        "مرحبا، سأصطحب ميا من المدرسة",
        "שלום, אני אאסוף את מיה",
        "Zoë’s café, नमस्ते दोस्त",
        "日本語のメッセージ",
    ],
)
def test_text_in_any_script_is_stored_exactly_and_hashed(cast, body):
    message = start(cast, body=body)
    message.refresh_from_db()
    assert message.body == body
    assert message.body_sha256 == hashlib.sha256(body.encode()).hexdigest()


def test_combining_marks_are_stored_in_one_canonical_form(cast):
    decomposed = "Cafe\u0301 at noon"
    message = start(cast, body=decomposed)
    message.refresh_from_db()
    assert message.body == "Caf\u00e9 at noon"


def test_a_parent_alone_writes_and_the_coparent_receives_it_on_joining(cast):
    # Jamie founds a family alone and writes before the co-parent has an account.
    jamie, robin = UserFactory(display_name="Jamie"), UserFactory(display_name="Robin")
    family = family_services.family_create(user=jamie, name="Lee family")
    jamie_access = get_family_access(jamie, family.pk)
    written_at = timezone.now() - timedelta(days=3)
    message = services.thread_start(
        access=jamie_access,
        subject="Welcome",
        topic="children",
        body="Here is the school calendar.",
        at=written_at,
    )
    assert not MessageDelivery.objects.filter(message=message).exists()

    issued = family_services.invitation_create(
        access=jamie_access, email=robin.email, role="parent", send_email=False
    )
    family_services.invitation_accept(token=issued.token, user=robin)

    robin_access = get_family_access(robin, family.pk)
    delivery = MessageDelivery.objects.get(message=message)
    assert delivery.recipient == robin
    assert delivery.delivered_at > written_at
    assert selectors.unread_count(robin_access) == 1
    assert selectors.get_thread_for_user(robin_access, message.thread_id) == message.thread
    # The record shows both moments: when it was sent and when it reached Robin.
    kinds = list(
        RecordEntry.objects.filter(family=family).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["member.joined", "message.delivered"]
    delivered = RecordEntry.objects.get(family=family, kind="message.delivered")
    assert delivered.data["messages"] == [str(message.pk)]
    assert "1 waiting message delivered to Robin" in entry_summary(delivered)


def test_the_record_still_verifies_after_a_conversation(cast):
    thread = start(cast).thread
    for i in range(5):
        reply(cast, cast.sam if i % 2 == 0 else cast.alex, thread, f"Message {i}")
        services.messages_mark_viewed(
            access=cast.access(cast.alex if i % 2 == 0 else cast.sam), thread=thread
        )
    verdict = verify_document(build_export(family=cast.family))
    assert verdict.ok, verdict
    assert MessageView.objects.filter(message__thread=thread).count() == 6  # every message
