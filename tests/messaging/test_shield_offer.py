"""Story 6, the first time: Sam has never heard of the shield. The first hostile message he
receives comes with an offer — "Fold wording like this in future?" — once, one tap to say yes
or no, and never again after he answers. Alex, who wrote it, never sees the offer."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from coparent.messaging.models import NotificationSetting
from coparent.notifications.models import Notification
from tests.families.helpers import client_for
from tests.messaging.conftest import reply, start
from tests.messaging.test_shield import FOLDED, HOSTILE

OFFER = "Fold wording like this in future?"
CALM = "Can you pick Mia up at 5 on Friday? Thanks for the ride last week."


def _thread_url(thread):
    return reverse(
        "messaging:thread", kwargs={"family_id": thread.family_id, "thread_id": thread.pk}
    )


def _offer_url(thread):
    return reverse(
        "messaging:shield_offer", kwargs={"family_id": thread.family_id, "thread_id": thread.pk}
    )


def _page(user, thread) -> str:
    response = client_for(user).get(_thread_url(thread))
    assert response.status_code == 200
    return response.content.decode()


def test_a_calm_message_brings_no_offer(cast):
    thread = start(cast, body=CALM).thread
    assert OFFER not in _page(cast.sam, thread)


def test_sam_is_offered_the_shield_once_on_his_first_hostile_message(cast):
    thread = start(cast, body=HOSTILE).thread
    first = _page(cast.sam, thread)
    assert OFFER in first
    # The offer names no message and quotes nothing; the message shows as sent (shield off).
    offer = first.split('class="panel shield-offer"')[1].split("</section>")[0]
    assert "liar" not in offer and "Mia" not in offer
    assert "pathetic liar &lt;and&gt;" in first and FOLDED not in first
    # The author never sees it; nor does Sam once the message is no longer new to him.
    assert OFFER not in _page(cast.alex, thread)
    assert OFFER not in _page(cast.sam, thread)


def test_yes_turns_the_shield_on_and_the_offer_never_comes_back(cast):
    thread = start(cast, body=HOSTILE).thread
    assert OFFER in _page(cast.sam, thread)
    sam = client_for(cast.sam)
    answered = sam.post(_offer_url(thread), {"answer": "on"})
    assert answered.status_code == 302 and answered["Location"] == _thread_url(thread)
    after = sam.get(answered["Location"]).content.decode()
    assert "Your shield is on" in after
    assert FOLDED in after  # the message he was just reading is folded at once
    setting = NotificationSetting.objects.get(user=cast.sam)
    assert setting.shield_enabled and setting.shield_answered_at is not None
    reply(cast, cast.alex, thread, "And another thing: you are a pathetic liar.")
    assert OFFER not in _page(cast.sam, thread)


def test_no_thanks_is_remembered_even_when_the_shield_is_off(cast):
    thread = start(cast, body=HOSTILE).thread
    assert OFFER in _page(cast.sam, thread)
    client_for(cast.sam).post(_offer_url(thread), {"answer": "no"})
    setting = NotificationSetting.objects.get(user=cast.sam)
    assert not setting.shield_enabled and setting.shield_answered_at is not None
    reply(cast, cast.alex, thread, "You are a pathetic liar and everyone knows it.")
    page = _page(cast.sam, thread)
    assert OFFER not in page
    # Shown as sent: he said no.
    assert "You are a pathetic liar and everyone knows it." in page
    assert '<details class="shield">' not in page
    # A second answer from another tab changes nothing: "no" stays no, and a late "no"
    # never turns off a shield turned on.
    client_for(cast.sam).post(_offer_url(thread), {"answer": "on"})
    assert not NotificationSetting.objects.get(user=cast.sam).shield_enabled


def test_someone_who_chose_in_settings_is_not_asked(cast):
    client_for(cast.sam).post(
        reverse("messaging:notifications", kwargs={"family_id": cast.family.pk}), {}
    )
    thread = start(cast, body=HOSTILE).thread
    assert OFFER not in _page(cast.sam, thread)


def test_someone_whose_shield_is_on_is_not_asked(cast):
    NotificationSetting.objects.create(user=cast.sam, shield_enabled=True)
    thread = start(cast, body=HOSTILE).thread
    page = _page(cast.sam, thread)
    assert OFFER not in page and FOLDED in page


def test_an_unanswered_offer_comes_with_the_next_hostile_message(cast):
    thread = start(cast, body=HOSTILE).thread
    assert OFFER in _page(cast.sam, thread)
    reply(cast, cast.alex, thread, CALM)
    assert OFFER not in _page(cast.sam, thread)
    reply(cast, cast.alex, thread, "You are a pathetic liar and everyone knows it.")
    assert OFFER in _page(cast.sam, thread)


def test_the_mediator_is_offered_it_too_for_what_he_receives(cast):
    thread = start(cast, body=HOSTILE, include=[cast.mediator]).thread
    assert OFFER in _page(cast.morgan, thread)


def test_the_offer_sends_no_notification_and_carries_no_text(cast):
    with TestCase.captureOnCommitCallbacks(execute=True):
        thread = start(cast, body=HOSTILE).thread
    before = list(Notification.objects.values_list("pk", "body", "title"))
    assert all("liar" not in f"{title} {body}" for _pk, body, title in before)
    _page(cast.sam, thread)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_for(cast.sam).post(_offer_url(thread), {"answer": "on"})
    assert list(Notification.objects.values_list("pk", "body", "title")) == before


@pytest.mark.parametrize("data", [{}, {"answer": "maybe"}])
def test_an_answer_that_is_neither_says_so_beside_the_buttons(cast, data):
    thread = start(cast, body=HOSTILE).thread
    response = client_for(cast.sam).post(_offer_url(thread), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert OFFER in html and 'role="alert"' in html
    assert not NotificationSetting.objects.filter(user=cast.sam).exists()


def test_the_offer_is_answered_only_in_ones_own_family_and_never_by_a_viewer(cast):
    thread = start(cast, body=HOSTILE).thread
    assert client_for(cast.olivia).post(_offer_url(thread), {"answer": "on"}).status_code == 404
    assert client_for(cast.vic).post(_offer_url(thread), {"answer": "on"}).status_code == 403
    assert client_for(cast.morgan).post(_offer_url(thread), {"answer": "on"}).status_code == 404
    assert not NotificationSetting.objects.exists()
