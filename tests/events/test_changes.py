"""Events change and get cancelled, and the family record keeps every step: what changed,
from what to what, who did it. Nothing is ever deleted — the database refuses it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from coparent.core.record.verify import verify_document
from coparent.core.when import format_day
from coparent.events import services
from coparent.events.models import ChildEvent, Rsvp
from coparent.records.export import build_export
from coparent.records.models import RecordEntry
from tests.events.conftest import add_party, form_data, soon, url
from tests.families.helpers import client_for


def _entries(cast, kind):
    return list(RecordEntry.objects.filter(family=cast.family, kind=kind).order_by("seq"))


def test_sam_moves_the_party_an_hour_later_and_alex_is_told_what_changed(
    cast, django_capture_on_commit_callbacks
):
    party = add_party(cast)
    day = soon().date().isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.sam).post(
            url(cast, "edit", party),
            form_data(cast, start_time="16:00", end_time="18:30", place="Riverside Park"),
        )

    assert response.status_code == 302
    party.refresh_from_db()
    assert party.local_start.strftime("%H:%M") == "16:00"
    assert party.place == "Riverside Park"
    assert party.sequence == 1  # a subscribed calendar replaces its copy
    (entry,) = _entries(cast, "event.changed")
    assert entry.actor == cast.sam
    assert set(entry.data["changes"]) == {"starts_at", "ends_at", "place"}
    assert entry.data["changes"]["place"] == {
        "from": "Funtime Play Centre",
        "to": "Riverside Park",
    }
    assert entry.data["changes"]["starts_at"]["to"].startswith(f"{day}T16:00")
    (email,) = mail.outbox
    assert email.to == ["alex@example.org"]
    assert email.subject == "Changed: Mia's birthday party"
    assert "Sam changed an event for Mia" in email.body
    assert "place from “Funtime Play Centre” to “Riverside Park”" in email.body
    shown = format_day(soon().date(), "en", "weekday_year")
    assert f"start from “{shown}, 3:00\u202fPM” to “{shown}, 4:00\u202fPM”" in email.body


def test_saving_the_form_unchanged_records_nothing(cast):
    party = add_party(cast)
    form = client_for(cast.alex).get(url(cast, "edit", party)).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "children"
    }
    data["children"] = [str(cast.mia.pk)]
    data["start_time"] = form.initial["start_time"].strftime("%H:%M")
    data["end_time"] = form.initial["end_time"].strftime("%H:%M")

    assert client_for(cast.alex).post(url(cast, "edit", party), data).status_code == 302
    assert _entries(cast, "event.changed") == []
    party.refresh_from_db()
    assert party.sequence == 0


def test_adding_leo_to_the_event_is_recorded_by_name(cast):
    party = add_party(cast)
    details = services.current_details(party)
    details["children"] = [cast.mia.pk, cast.leo.pk]

    services.event_update(access=cast.access(cast.sam), event=party, **details)

    (entry,) = _entries(cast, "event.changed")
    assert entry.data["changes"] == {"children": {"from": ["Mia"], "to": ["Mia", "Leo"]}}
    assert {c.name for c in ChildEvent.objects.get(pk=party.pk).children.all()} == {"Mia", "Leo"}


def test_alex_cancels_the_party_it_stays_marked_cancelled_and_sam_is_told(
    cast, django_capture_on_commit_callbacks
):
    party = add_party(cast)
    alex = client_for(cast.alex)
    detail = alex.get(url(cast, "detail", party)).content.decode()
    assert 'data-confirm="Cancel this event? The other parent will be told."' in detail

    with django_capture_on_commit_callbacks(execute=True):
        response = alex.post(url(cast, "cancel", party), {"reason": "Mia has the flu."})

    assert response.status_code == 302
    party.refresh_from_db()
    assert party.is_cancelled and party.cancelled_by == cast.alex
    (entry,) = _entries(cast, "event.cancelled")
    assert entry.data["reason"] == "Mia has the flu."
    (email,) = mail.outbox
    assert email.to == ["sam@example.org"]
    assert email.subject == "Cancelled: Mia's birthday party"
    assert "Reason: Mia has the flu." in email.body

    listed = client_for(cast.sam).get(url(cast, "list"))
    assert [e.title for e in listed.context["page"].object_list] == ["Mia's birthday party"]
    assert 'class="badge warn">Cancelled' in listed.content.decode()


def test_a_cancelled_event_cannot_be_edited_cancelled_again_or_answered(cast):
    party = add_party(cast)
    services.event_cancel(access=cast.access(cast.alex), event=party)
    sam = client_for(cast.sam)

    edit = sam.get(url(cast, "edit", party))
    assert edit.status_code == 302
    assert edit["Location"] == url(cast, "detail", party)
    again = sam.post(url(cast, "cancel", party), follow=True)
    assert "This event is already cancelled." in again.content.decode()
    answer = sam.post(url(cast, "rsvp", party), {"answer": "yes"}, follow=True)
    assert "This event was cancelled: there is nothing to answer." in answer.content.decode()
    with pytest.raises(ValidationError):
        services.event_update(
            access=cast.access(cast.sam), event=party, **services.current_details(party)
        )
    assert len(_entries(cast, "event.cancelled")) == 1
    assert not Rsvp.objects.filter(event=party).exists()


def test_an_event_that_is_over_can_no_longer_be_answered(cast):
    start = soon(days=-3)
    party = add_party(cast, starts_at=start, ends_at=start + timedelta(hours=2))

    page = client_for(cast.sam).get(url(cast, "detail", party))
    assert page.context["rsvp_form"] is None and page.context["has_ended"]
    with pytest.raises(ValidationError) as refused:
        services.rsvp_set(access=cast.access(cast.sam), event=party, answer="yes")
    assert refused.value.messages == ["This event has already taken place."]


def test_events_and_answers_are_never_deleted(cast):
    party = add_party(cast)
    services.rsvp_set(access=cast.access(cast.sam), event=party, answer="yes")

    for table in ("events_childevent", "events_rsvp"):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        ChildEvent.objects.filter(pk=party.pk).delete()
    assert ChildEvent.objects.filter(pk=party.pk).exists()
    assert Rsvp.objects.filter(event=party).exists()


def test_the_record_of_a_changed_and_cancelled_event_verifies_and_reads_in_words(cast):
    party = add_party(cast)
    sam = cast.access(cast.sam)
    services.rsvp_set(access=sam, event=party, answer="maybe")
    details = services.current_details(party)
    details["place"] = "Riverside Park"
    services.event_update(access=cast.access(cast.alex), event=party, **details)
    services.event_cancel(access=sam, event=party, reason="Rain")

    verdict = verify_document(build_export(family=cast.family))
    assert verdict.ok, verdict.reason
    timeline = client_for(cast.morgan).get(f"/families/{cast.family.pk}/record/")
    html = timeline.content.decode()
    assert "“Mia&#x27;s birthday party” (Birthday party) for Mia" in html
    assert "Sam answered maybe to “Mia&#x27;s birthday party”" in html
    assert "place from “Funtime Play Centre” to “Riverside Park”" in html
    assert "cancelled: Rain" in html
