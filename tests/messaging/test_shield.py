"""Story 6 from the receiving end: Sam turns on the shield, and Alex's insults arrive folded behind
"Show original wording" — while the message, its record entry and every export keep Alex's exact
words, as evidence. The shield is only a view, and only for what others wrote."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coparent.core.record.chain import canonical_json, seal_commitment
from coparent.core.record.verify import verify_document
from coparent.messaging.models import Message, NotificationSetting
from coparent.records.export import build_export
from coparent.records.models import RecordEntry
from tests.api.conftest import family_path
from tests.families.helpers import call_view, client_for
from tests.messaging.conftest import reply, start

# A request, an attack, and thanks: only the attack is folded.
HOSTILE = (
    "Can you pick Mia up at 5 on Friday?\n"
    "You are a pathetic liar <and> everyone knows it.\n"
    "Thanks for the ride last week."
)
ATTACK = "You are a pathetic liar <and> everyone knows it."
FOLDED = (
    '<details class="shield"><summary>Show original wording</summary>'
    '<span class="shield-original">You are a pathetic liar &lt;and&gt; everyone knows it.'
    "</span></details>"
)


def _thread_url(thread):
    return reverse(
        "messaging:thread", kwargs={"family_id": thread.family_id, "thread_id": thread.pk}
    )


def _settings_url(cast):
    return reverse("messaging:notifications", kwargs={"family_id": cast.family.pk})


def _turn_shield(cast, user, on: bool) -> None:
    """`user` saves the message settings page with the shield on or off."""
    data = {"shield": "on"} if on else {}
    response = client_for(user).post(_settings_url(cast), data)
    assert response.status_code == 302


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def hostile(cast) -> Message:
    """Alex's angry message to Sam, which Sam has opened once before turning the shield on (so
    that reading it again records nothing new and the record can be compared whole)."""
    message = start(cast, body=HOSTILE)
    client_for(cast.sam).get(_thread_url(message.thread))
    return message


def test_sam_turns_the_shield_on_in_the_message_settings(cast):
    page = client_for(cast.sam).get(_settings_url(cast)).content.decode()
    assert "Fold hostile wording in messages I receive" in page
    assert not NotificationSetting.objects.filter(user=cast.sam).exists()  # off by default

    _turn_shield(cast, cast.sam, on=True)
    setting = NotificationSetting.objects.get(user=cast.sam)
    assert setting.shield_enabled
    assert client_for(cast.sam).get(_settings_url(cast)).context["shield_form"].initial == {
        "shield": True
    }

    _turn_shield(cast, cast.sam, on=False)
    assert not NotificationSetting.objects.get(user=cast.sam).shield_enabled


def test_with_the_shield_on_sam_sees_the_attack_folded_and_the_rest_as_written(cast, hostile):
    _turn_shield(cast, cast.sam, on=True)

    response = client_for(cast.sam).get(_thread_url(hostile.thread))

    page = response.content.decode()
    assert FOLDED in page
    assert "Can you pick Mia up at 5 on Friday?<br>" in page
    assert "Thanks for the ride last week.</div>" in page
    assert "Your shield is on" in page
    # The pieces are the text exactly; only the attack is folded.
    (row,) = response.context["thread_page"].rows
    assert "".join(piece for piece, _folded in row.segments) == HOSTILE
    assert [piece for piece, folded in row.segments if folded] == [ATTACK]


def test_the_shield_changes_no_byte_of_the_message_the_record_or_an_export(cast, hostile, as_):
    entry = RecordEntry.objects.get(family=cast.family, kind="message.sent")
    export_before = build_export(family=cast.family)
    _turn_shield(cast, cast.sam, on=True)

    assert FOLDED in client_for(cast.sam).get(_thread_url(hostile.thread)).content.decode()

    # The message as stored, and the hash the record keeps of it.
    message = Message.objects.get(pk=hostile.pk)
    assert message.body == HOSTILE
    assert message.body_sha256 == _sha256(HOSTILE)
    entry.refresh_from_db()
    assert entry.seal.opened["body"] == HOSTILE
    assert seal_commitment(entry.seal.opened) == entry.data["sealed"]
    # The family record, exported again: the same entries, byte for byte, and still valid.
    export_after = build_export(family=cast.family)
    assert canonical_json(export_after["entries"]) == canonical_json(export_before["entries"])
    assert verify_document(export_after).ok
    # What the API gives Sam (a script, an export tool) is the text as sent.
    url = family_path(cast, f"/threads/{hostile.thread.pk}/messages")
    (item,) = as_(cast.sam).get(url).json()["items"]
    assert item["body"] == HOSTILE
    assert seal_commitment({**entry.seal.opened, "body": item["body"]}) == entry.data["sealed"]


def test_with_the_shield_off_nothing_is_folded(cast, hostile):
    response = client_for(cast.sam).get(_thread_url(hostile.thread))

    page = response.content.decode()
    assert '<details class="shield"' not in page
    assert "Your shield is on" not in page
    assert "You are a pathetic liar &lt;and&gt; everyone knows it." in page
    assert all(row.segments is None for row in response.context["thread_page"].rows)


def test_a_writers_own_words_are_never_folded(cast, hostile):
    """Alex has the shield on too: Sam's hostile reply is folded for him, his own message not."""
    reply(cast, cast.sam, hostile.thread, "Whatever. See you in court, you idiot.")
    _turn_shield(cast, cast.alex, on=True)

    response = client_for(cast.alex).get(_thread_url(hostile.thread))

    mine, sams = response.context["thread_page"].rows
    assert mine.is_mine and mine.segments is None
    assert sams.segments is not None and any(folded for _piece, folded in sams.segments)
    page = response.content.decode()
    assert "You are a pathetic liar &lt;and&gt; everyone knows it." in page
    assert FOLDED not in page
    assert page.count('<details class="shield">') == 1


def test_a_calm_message_is_shown_as_usual_with_the_shield_on(cast):
    message = start(cast, body="Can you pick Mia up at 5? Thanks!")
    _turn_shield(cast, cast.sam, on=True)

    response = client_for(cast.sam).get(_thread_url(message.thread))

    assert '<details class="shield"' not in response.content.decode()
    assert "Your shield is on" not in response.content.decode()


def test_the_shield_costs_the_thread_page_no_query(cast, hostile):
    """The viewer's shield comes with the participants the page loads anyway: the same nine
    queries with it on and off (see test_pages: membership, thread, participants with their
    settings, messages with senders, attachments, deliveries, first views, unread count, the
    header's unread notifications)."""
    url = _thread_url(hostile.thread)
    reply(cast, cast.alex, hostile.thread, "And another thing, you idiot.")
    call_view(cast.sam, url)  # the first view of the new message is a write; not counted

    counts = {}
    for on in (False, True):
        _turn_shield(cast, cast.sam, on=on)
        with CaptureQueriesContext(connection) as queries:
            response = call_view(cast.sam, url)
        assert response.status_code == 200
        assert (b'<details class="shield">' in response.content) is on
        counts[on] = len(queries)
    assert counts == {False: 9, True: 9}


# --- everywhere a received text is shown: search snippets and emails ---------------------------


def _search_url(cast, q: str) -> str:
    return reverse("messaging:search", kwargs={"family_id": cast.family.pk}) + f"?q={q}"


def test_sams_search_snippet_folds_what_the_thread_page_folds(cast, hostile):
    _turn_shield(cast, cast.sam, on=True)

    response = client_for(cast.sam).get(_search_url(cast, "liar"))

    (hit,) = response.context["hits"]
    # The match is inside the fold: still marked, but behind "Show original wording".
    assert str(hit.snippet) == (
        "Can you pick Mia up at 5 on Friday?\n"
        '<details class="shield"><summary>Show original wording</summary>'
        '<span class="shield-original">You are a pathetic <mark>liar</mark> &lt;and&gt; everyone '
        "knows it.</span></details>\nThanks for the ride last week."
    )
    assert '<details class="shield"><summary>Show original wording</summary>' in (
        response.content.decode()
    )


def test_without_the_shield_or_for_her_own_words_the_snippet_is_as_written(cast, hostile):
    page = client_for(cast.sam).get(_search_url(cast, "liar")).content.decode()
    assert '<details class="shield"' not in page
    assert "You are a pathetic <mark>liar</mark> &lt;and&gt; everyone knows it." in page

    _turn_shield(cast, cast.alex, on=True)  # Alex wrote it: his own words are never folded
    page = client_for(cast.alex).get(_search_url(cast, "liar")).content.decode()
    assert '<details class="shield"' not in page


def test_the_api_search_gives_the_text_as_sent_whatever_the_shield(cast, hostile, as_):
    _turn_shield(cast, cast.sam, on=True)
    (hit,) = as_(cast.sam).get(family_path(cast, "/messages/search?q=liar")).json()
    assert "<details" not in hit["snippet_html"]


def test_an_email_with_the_content_folds_the_attack_for_sam(
    cast, django_capture_on_commit_callbacks
):
    from django.core import mail

    from coparent.messaging import services
    from tests.notifications.conftest import prefer

    services.shield_update(user=cast.sam, shield=True)
    prefer(cast.sam, include_content=True)
    with django_capture_on_commit_callbacks(execute=True):
        start(cast, body=HOSTILE)

    (email,) = mail.outbox
    assert "Can you pick Mia up at 5 on Friday?" in email.body
    assert "Thanks for the ride last week." in email.body
    assert "pathetic liar" not in email.body
    assert "[wording folded by your shield: open the message in Coparent to read it]" in email.body


def test_the_daily_digest_folds_too_and_the_shield_off_keeps_the_words(
    cast, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from coparent.messaging import services
    from coparent.notifications.tasks import send_digests
    from tests.notifications.conftest import prefer

    services.shield_update(user=cast.sam, shield=True)
    prefer(cast.sam, include_content=True, message_digest=True)
    prefer(cast.alex, include_content=True)
    with django_capture_on_commit_callbacks(execute=True):
        start(cast, body=HOSTILE)
        reply_to = Message.objects.get(body=HOSTILE).thread
        reply(cast, cast.sam, reply_to, "You are a pathetic liar too.")

    assert send_digests(now=timezone.now() + timedelta(minutes=5)) == 1
    alexs, sams = sorted(mail.outbox, key=lambda email: email.to[0])
    assert "pathetic liar" not in sams.body and "Can you pick Mia up" in sams.body
    assert "You are a pathetic liar too." in alexs.body  # Alex's shield is off


def test_a_new_page_can_fold_a_received_text_with_the_tag_and_the_include():
    """What a notification centre calls: `{% shielded %}` and messaging/_shielded.html."""
    from django.template import Context, Template

    page = Template(
        "{% load messaging_tags %}{% shielded text as segments %}"
        '{% include "messaging/_shielded.html" %}'
    ).render(Context({"text": HOSTILE}))
    assert FOLDED in page
    assert "Can you pick Mia up at 5 on Friday?<br>" in page
