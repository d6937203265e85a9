"""Story 3, "The birthday party": a parent must never again learn too late that there was a
party. Alex adds Mia's party; Sam is emailed at once, sees it and answers; Alex sees the
answer; everyone in the family — the mediator and Alex's partner too — sees the event."""

from __future__ import annotations

from django.core import mail

from coparent.events.models import ChildEvent
from coparent.records.models import RecordEntry
from tests.events.conftest import add_party, form_data, url
from tests.families.helpers import client_for


def test_alex_adds_mias_party_sam_is_told_answers_yes_and_alex_sees_it(
    cast, django_capture_on_commit_callbacks
):
    alex, sam = client_for(cast.alex), client_for(cast.sam)

    with django_capture_on_commit_callbacks(execute=True):
        added = alex.post(url(cast, "add"), form_data(cast))

    party = ChildEvent.objects.get(family=cast.family)
    assert added.status_code == 302
    assert added["Location"] == url(cast, "detail", party)
    (email,) = mail.outbox
    assert email.to == ["sam@example.org"]
    assert email.subject == "New event for Mia: Mia's birthday party"
    assert "Alex added an event for Mia (Rivera family)." in email.body
    # In the event's own zone, named, and in the family's (UTC here) beside it.
    assert "3:00\u202fPM – 5:30\u202fPM (Paris) (" in email.body
    assert "Place: Funtime Play Centre" in email.body
    assert f"/families/{cast.family.pk}/events/{party.pk}/" in email.body

    listed = sam.get(url(cast, "list"))
    assert [e.title for e in listed.context["page"].object_list] == ["Mia's birthday party"]
    shown = sam.get(url(cast, "detail", party))
    assert shown.context["rsvp_form"] is not None  # Sam can answer

    answered = sam.post(url(cast, "rsvp", party), {"answer": "yes", "note": "I'll bring the cake."})
    assert answered.status_code == 302

    page = alex.get(url(cast, "detail", party))
    answers = {parent.display_name: rsvp for parent, rsvp in page.context["answers"]}
    assert answers["Alex"] is None  # Alex has not answered yet
    assert (answers["Sam"].answer, answers["Sam"].note) == ("yes", "I'll bring the cake.")
    html = page.content.decode()
    assert "Yes, I&#x27;ll be there" in html and "I&#x27;ll bring the cake." in html
    kinds = list(
        RecordEntry.objects.filter(family=cast.family, kind__startswith="event.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["event.added", "event.rsvp"]


def test_sam_changes_his_answer_and_each_answer_stays_in_the_record(cast):
    party = add_party(cast)
    sam = client_for(cast.sam)

    sam.post(url(cast, "rsvp", party), {"answer": "maybe"})
    sam.post(url(cast, "rsvp", party), {"answer": "yes", "note": "Got the afternoon off."})
    sam.post(url(cast, "rsvp", party), {"answer": "yes", "note": "Got the afternoon off."})

    entries = RecordEntry.objects.filter(family=cast.family, kind="event.rsvp").order_by("seq")
    assert [(e.data["previous"], e.data["answer"]) for e in entries] == [
        (None, "maybe"),
        ("maybe", "yes"),
    ]  # the same answer twice is recorded once
    timeline = client_for(cast.alex).get(f"/families/{cast.family.pk}/record/").content.decode()
    assert "Sam changed the answer to “Mia&#x27;s birthday party” from maybe to yes" in timeline


def test_the_mediator_reads_events_and_answers_but_writes_nothing(cast):
    party = add_party(cast)
    add_party(cast, title="Leo's check-up", kind="medical", children=[cast.leo])
    morgan = client_for(cast.morgan)

    listed = morgan.get(url(cast, "list"))
    assert {e.title for e in listed.context["page"].object_list} == {
        "Mia's birthday party",
        "Leo's check-up",
    }
    detail = morgan.get(url(cast, "detail", party))
    assert detail.status_code == 200
    assert [p.display_name for p, _ in detail.context["answers"]] == ["Alex", "Sam"]
    assert detail.context["rsvp_form"] is None and detail.context["cancel_form"] is None

    assert morgan.get(url(cast, "add")).status_code == 403
    assert morgan.post(url(cast, "add"), form_data(cast)).status_code == 403
    assert morgan.get(url(cast, "edit", party)).status_code == 403
    assert morgan.post(url(cast, "cancel", party)).status_code == 403
    assert morgan.post(url(cast, "rsvp", party), {"answer": "yes"}).status_code == 403
    assert ChildEvent.objects.filter(family=cast.family).count() == 2


def test_vic_sees_the_party_but_not_who_answered_and_cannot_add_or_answer(cast):
    party = add_party(cast)
    client_for(cast.sam).post(url(cast, "rsvp", party), {"answer": "yes"})
    vic = client_for(cast.vic)

    home = vic.get(f"/families/{cast.family.pk}/").content.decode()
    assert f'href="{url(cast, "list")}"' in home  # "Events" is in the viewer's menu
    listed = vic.get(url(cast, "list")).content.decode()
    assert "Mia&#x27;s birthday party" in listed
    assert "Sam: " not in listed
    detail = vic.get(url(cast, "detail", party))
    html = detail.content.decode()
    assert detail.status_code == 200 and "Funtime Play Centre" in html
    assert "Who will be there" not in html and "Added by" not in html
    assert detail.context["rsvp_form"] is None

    assert vic.get(url(cast, "add")).status_code == 403
    assert vic.post(url(cast, "add"), form_data(cast)).status_code == 403
    assert vic.post(url(cast, "rsvp", party), {"answer": "yes"}).status_code == 403
    assert vic.get(url(cast, "edit", party)).status_code == 403
    assert vic.post(url(cast, "cancel", party)).status_code == 403
    assert ChildEvent.objects.filter(family=cast.family).count() == 1


def test_olivia_finds_no_rivera_event_on_any_page(cast):
    party = add_party(cast)
    olivia = client_for(cast.olivia)
    for family in (cast.family, cast.other_family):  # Rivera's pages, and hers aimed at Rivera
        for name, event in [
            ("list", None),
            ("add", None),
            ("detail", party),
            ("edit", party),
        ]:
            if family == cast.other_family and event is None:
                continue  # her own family's list and form are hers to use
            assert olivia.get(url(cast, name, event, family)).status_code == 404, (name, family)
        for name in ("cancel", "rsvp"):
            posted = olivia.post(url(cast, name, party, family), {"answer": "no"})
            assert posted.status_code == 404, (name, family)
    party.refresh_from_db()
    assert not party.is_cancelled and not party.rsvps.exists()


def test_a_parent_alone_adds_events_and_nobody_is_emailed(cast, django_capture_on_commit_callbacks):
    """Olivia's co-parent has not joined: everything works, and there is no one to tell yet."""
    olivia = client_for(cast.olivia)
    with django_capture_on_commit_callbacks(execute=True):
        response = olivia.post(
            url(cast, "add", family=cast.other_family),
            form_data(cast, title="Ada's recital", children=[str(cast.other_child.pk)]),
        )
    assert response.status_code == 302
    assert mail.outbox == []
    assert ChildEvent.objects.get(family=cast.other_family).title == "Ada's recital"
