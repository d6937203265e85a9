"""The other parent hears about an event at once — by email, after the change is saved, with
the title, the time, the place and a link; never with anyone's email address in it."""

from __future__ import annotations

from django.core import mail

from coparent.events import services
from coparent.notifications.tasks import tell
from coparent.records.models import RecordEntry
from tests.events.conftest import add_party


def test_nothing_is_sent_before_the_event_is_saved(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        add_party(cast)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_only_the_other_parent_is_emailed_and_no_address_is_in_the_email(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        party = add_party(cast, by=cast.sam, place="Funtime Play Centre, 3 Mill Lane")

    (email,) = mail.outbox  # Alex only: not Sam who added it, not Morgan, not Vic
    assert email.to == ["alex@example.org"]
    text = email.subject + email.body + str(email.extra_headers) + email.from_email
    for address in ("sam@", "morgan@", "vic@", "olivia@"):
        assert address not in text
    assert "Sam added an event for Mia (Rivera family)." in email.body
    assert party.title in email.subject
    assert "Funtime Play Centre, 3 Mill Lane" in email.body
    assert "See it and answer whether you will be there:" in email.body


def test_an_answer_emails_nobody_by_default(cast, django_capture_on_commit_callbacks):
    """Alex hears of Sam's answer in the app (docs/notifications.md), not by email."""
    party = add_party(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_set(access=cast.access(cast.sam), event=party, answer="yes")
    assert mail.outbox == []


def test_the_task_takes_ids_and_tells_what_the_event_is_now(cast):
    party = add_party(cast)
    entry = RecordEntry.objects.get(family=cast.family, kind="event.added")
    details = services.current_details(party)
    details["place"] = "Riverside Park"
    services.event_update(access=cast.access(cast.alex), event=party, **details)

    told = tell.call(entry.pk)

    assert told == 1
    assert "Place: Riverside Park" in mail.outbox[0].body  # read when the email goes out


def test_the_demo_and_imports_can_stay_quiet(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        party = add_party(cast, notify=False)
        services.event_cancel(access=cast.access(cast.alex), event=party, notify=False)
    assert callbacks == [] and mail.outbox == []
