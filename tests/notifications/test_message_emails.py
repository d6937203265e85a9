"""Email about new messages, folded into the notification centre: after commit, by the worker;
no content unless asked for; never the other parent's address; or one daily digest that goes
out once even if the job runs twice."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from coparent.core.notify import Channel, Kind
from coparent.notifications.tasks import send_digests
from tests.messaging.conftest import start
from tests.notifications.conftest import centre_of, prefer


def test_sam_is_told_of_a_new_message_without_its_content(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start(cast, body="The secret plan for Friday")
    (email,) = mail.outbox
    assert email.to == ["sam@example.org"]
    assert "New message from Alex in Rivera family" == email.subject
    text = email.body + email.subject + str(email.extra_headers) + email.from_email
    assert "The secret plan" not in text
    assert "alex@example.org" not in text  # never the other parent's address
    assert "/messages/threads/" in email.body
    assert "/notifications/settings/" in email.body  # where to change it
    (notice,) = centre_of(cast.sam)  # and in the app, without the words either
    assert notice.title == "New message from Alex in “School pickup on Friday”"
    assert "secret" not in notice.title + notice.body


def test_sam_asks_for_the_content_in_his_emails(cast, django_capture_on_commit_callbacks):
    prefer(cast.sam, include_content=True)
    with django_capture_on_commit_callbacks(execute=True):
        start(cast, body="Pickup moved to 16:00")
    assert "Pickup moved to 16:00" in mail.outbox[0].body


def test_sam_turns_message_emails_off(cast, django_capture_on_commit_callbacks):
    prefer(cast.sam, cells={(Kind.MESSAGE, Channel.EMAIL): False})
    with django_capture_on_commit_callbacks(execute=True):
        start(cast)
    assert mail.outbox == []
    assert len(centre_of(cast.sam)) == 1  # the app still tells him


def test_nothing_is_sent_before_the_message_commits(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        start(cast)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_the_daily_digest_goes_out_once_even_if_the_job_runs_twice(
    cast, django_capture_on_commit_callbacks
):
    prefer(cast.sam, message_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        message = start(cast, body="Dentist on Tuesday")
        start(cast, subject="Shoes", body="Leo needs new shoes")
    assert mail.outbox == []  # Sam chose the digest: nothing at once

    later = timezone.now() + timedelta(minutes=5)
    assert send_digests(now=later) == 1
    assert send_digests(now=later + timedelta(minutes=1)) == 0
    out = io.StringIO()
    call_command("send_message_digests", stdout=out)
    assert out.getvalue() == "0 digest(s) sent\n"
    (digest,) = mail.outbox
    assert digest.to == ["sam@example.org"]
    assert digest.subject == "2 messages waiting for you"
    assert "School pickup on Friday" in digest.body and "Dentist" not in digest.body
    assert message.thread.subject in digest.body


def test_no_digest_for_someone_who_turned_message_emails_off(
    cast, django_capture_on_commit_callbacks
):
    prefer(cast.sam, message_digest=True, cells={(Kind.MESSAGE, Channel.EMAIL): False})
    with django_capture_on_commit_callbacks(execute=True):
        start(cast)
    assert send_digests(now=timezone.now() + timedelta(minutes=5)) == 0
    assert mail.outbox == []


def test_the_worker_sends_sams_digest_at_six_in_the_evening_of_his_own_day(
    cast, django_capture_on_commit_callbacks
):
    """No cron: the worker looks every quarter of an hour and sends each person's digest once
    their own day reaches 18:00 — here the family's, in Auckland."""
    import time_machine

    from coparent.families.services import family_zone_set
    from coparent.infra import periodic
    from coparent.notifications.tasks import DIGEST_EVERY, send_daily_digests

    auckland = ZoneInfo("Pacific/Auckland")
    family_zone_set(access=cast.access(cast.alex), timezone_name="Pacific/Auckland")
    prefer(cast.sam, message_digest=True)
    tomorrow = (timezone.now().astimezone(auckland) + timedelta(days=1)).date()

    def evening(hour: int, minute: int, day=tomorrow) -> datetime:
        return datetime.combine(day, time(hour, minute), auckland)

    with (
        time_machine.travel(evening(10, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        start(cast, body="Dentist on Tuesday")

    assert send_digests(now=evening(17, 50), from_hour=18) == 0  # not yet his evening
    with time_machine.travel(evening(18, 5), tick=False):
        assert send_daily_digests.call() == 1
    assert send_digests(now=evening(18, 20), from_hour=18) == 0  # one a day
    (digest,) = mail.outbox
    assert digest.to == ["sam@example.org"]
    # The next evening, nothing new waits: no email.
    assert send_digests(now=evening(18, 5, tomorrow + timedelta(days=1)), from_hour=18) == 0
    assert any(
        p.task is send_daily_digests and p.every == DIGEST_EVERY for p in periodic.registered()
    )
