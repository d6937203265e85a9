"""#8.5: text shows as it is stored.

The probe: Alex titled an exchange note "Pickup at <U+202E>00:51"; every page showed Sam
"Pickup at 15:00". Unicode's direction overrides (U+202A-202E, U+2066-2069) and zero-width
characters make a screen disagree with the record. Now every name, title, subject, place and
plan note refuses them with a message beside the field, through every form and API operation
that takes one (one check, coparent.infra.labels, run by the services); a message or an event's
notes keep them — the text is evidence — and every page, email, feed and PDF shows each such
character as a visible mark, while the stored text and the record stay byte for byte.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from coparent.accounts.services import token_create
from coparent.events.services import event_add
from coparent.messaging.services import thread_start
from coparent.records.export import build_export, export_html
from coparent.records.models import RecordEntry
from coparent.schedule.services import feed_create, feed_token_of, plan_accept, plan_propose

RLO = "\u202e"
ATTACK = f"Pickup at {RLO}00:51"  # shows as "Pickup at 15:00"
MESSAGE = "U+202E RIGHT-TO-LEFT OVERRIDE"

PLAN = {
    "timezone": "Europe/Paris",
    "parents": ["Alex", "Sam"],
    "start": "2040-01-02",
    "exchange_time": "18:00",
    "pattern": "2-2-3",
}


def _api(cast, user) -> Client:
    client = Client(headers={"Authorization": "Bearer " + token_create(user=user, name="t")[1]})
    client.base = f"/api/v1/families/{cast.family.pk}"  # type: ignore[attr-defined]
    return client


def _party(cast) -> Any:
    from django.utils import timezone

    start = timezone.now().replace(microsecond=0) + timezone.timedelta(days=30)
    return event_add(
        access=cast.access(cast.alex),
        title="Mia's party",
        kind="birthday_party",
        children=[cast.mia],
        timezone_name="Europe/Paris",
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=2),
    )


def _proposal(cast) -> Any:
    version = plan_propose(
        access=cast.access(cast.alex), plan=PLAN, effective_from=date(2040, 1, 1)
    )
    plan_accept(access=cast.access(cast.sam), version=version)
    return plan_propose(
        access=cast.access(cast.sam),
        plan={**PLAN, "pattern": "alternating-weeks"},
        effective_from=date(2040, 6, 1),
    )


# (what, method, path after the family, body, field): every API write that takes a label.
API_LABELS = [
    ("family name", "POST", "/api/v1/families", {"name": ATTACK}, "name"),
    ("child", "POST", "/children", {"name": ATTACK, "date_of_birth": "2020-01-01"}, "name"),
    ("child's new name", "PATCH", "/children/{mia}", {"name": ATTACK}, "name"),
    (
        "viewer's relationship",
        "POST",
        "/invitations",
        {"email": "gran@example.org", "role": "viewer", "relationship": ATTACK},
        "relationship",
    ),
    (
        "thread subject",
        "POST",
        "/threads",
        {"subject": ATTACK, "topic": "school", "body": "See the subject."},
        "subject",
    ),
    (
        "event title",
        "POST",
        "/events",
        {
            "title": ATTACK,
            "children": ["{mia}"],
            "timezone": "Europe/Paris",
            "starts_at": "2040-06-12T18:00:00",
            "ends_at": "2040-06-12T19:00:00",
        },
        "title",
    ),
    ("event place", "PATCH", "/events/{event}", {"place": ATTACK}, "place"),
    ("cancel reason", "POST", "/events/{event}/cancel", {"reason": ATTACK}, "reason"),
    ("RSVP note", "PUT", "/events/{event}/rsvp", {"answer": "yes", "note": ATTACK}, "note"),
    (
        "holiday name",
        "POST",
        "/plans",
        {
            "plan": {
                **PLAN,
                "holiday": [
                    {
                        "name": ATTACK,
                        "date": "12-25",
                        "start": "-1d 18:00",
                        "end": "+1d 18:00",
                        "odd_years": "A",
                        "even_years": "B",
                    }
                ],
            },
            "effective_from": "2040-01-01",
        },
        "holiday[0].name",
    ),
    (
        "override note",
        "POST",
        "/plans",
        {
            "plan": {
                **PLAN,
                "override": [
                    {
                        "start": "2040-07-10T09:00:00",
                        "end": "2040-07-17T18:00:00",
                        "parent": "A",
                        "note": ATTACK,
                    }
                ],
            },
            "effective_from": "2040-01-01",
        },
        "override[0].note",
    ),
    (
        "exchange place",
        "POST",
        "/plans",
        {"plan": {**PLAN, "exchange_place": ATTACK}, "effective_from": "2040-01-01"},
        "exchange_place",
    ),
    (
        "parent's name in a plan",
        "POST",
        "/plans",
        {"plan": {**PLAN, "parents": [ATTACK, "Sam"]}, "effective_from": "2040-01-01"},
        "parents[0]",
    ),
    (
        "plan note",
        "POST",
        "/plans",
        {"plan": PLAN, "effective_from": "2040-01-01", "note": ATTACK},
        "note",
    ),
    ("decline reason", "POST", "/plans/{proposal}/decline", {"reason": ATTACK}, "reason"),
]


@pytest.mark.parametrize(
    ("what", "method", "path", "body", "field"), API_LABELS, ids=[row[0] for row in API_LABELS]
)
def test_every_api_operation_refuses_a_label_that_would_show_otherwise(
    cast, what, method, path, body, field
):
    names = {"mia": str(cast.mia.pk)}
    if "{event}" in path:
        names["event"] = str(_party(cast).pk)
    if "{proposal}" in path:
        names["proposal"] = str(_proposal(cast).pk)
    entries_before = RecordEntry.objects.count()
    client = _api(cast, cast.alex)
    url = path.format(**names) if path.startswith("/api") else client.base + path.format(**names)
    payload = json.loads(json.dumps(body).replace("{mia}", names["mia"]))
    response = client.generic(method, url, json.dumps(payload), content_type="application/json")

    assert response.status_code == 400, (what, response.content)
    assert MESSAGE in response.json()["errors"][field][0], response.json()
    assert RecordEntry.objects.count() == entries_before  # nothing saved, nothing recorded


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        (
            "/accounts/signup/",
            {
                "email": "jo@example.org",
                "display_name": f"Jo{RLO}",
                "password": "a calm river at dawn 77",
                "password_confirm": "a calm river at dawn 77",
            },
            "display_name",
        ),
        ("/families/new/", {"name": f"Rivera{RLO} family"}, "name"),
        ("{family}/children/new/", {"name": "Al\u200bex", "date_of_birth": "2020-01-01"}, "name"),
        (
            "{family}/messages/new/",
            {"subject": ATTACK, "topic": "school", "body": "About the pickup."},
            "subject",
        ),
    ],
)
def test_a_form_shows_the_problem_beside_the_field_and_saves_nothing(cast, url, data, field):
    client = Client()
    if not url.startswith("/accounts/"):
        client.force_login(cast.alex)
    entries_before = RecordEntry.objects.count()
    response = client.post(url.format(family=f"/families/{cast.family.pk}"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert any("invisible character U+" in error for error in form.errors[field]), form.errors
    assert RecordEntry.objects.count() == entries_before


def test_a_message_keeps_its_characters_but_reads_as_stored_everywhere(
    cast, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Sam writes "Pickup at <U+202E>00:51" in a message: stored and recorded exactly, it shows
    everywhere as "Pickup at [U+202E]00:51", never as "Pickup at 15:00"."""
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        message = thread_start(
            access=cast.access(cast.sam), subject="Friday", topic="school", body=ATTACK
        )
    message.refresh_from_db()
    assert message.body == ATTACK  # stored byte for byte
    entry = RecordEntry.objects.get(family=cast.family, kind="message.sent")
    assert entry.seal.opened["body"] == ATTACK  # and so in the record

    alex = Client()
    alex.force_login(cast.alex)
    base = f"/families/{cast.family.pk}/messages"
    thread_page = alex.get(f"{base}/threads/{message.thread_id}/").content.decode()
    search_page = alex.get(f"{base}/search/", {"q": "Pickup"}).content.decode()
    mark = '<abbr class="direction-mark" title="U+202E RIGHT-TO-LEFT OVERRIDE">[U+202E]</abbr>'
    assert f"Pickup at {mark}00:51" in thread_page
    assert f"<mark>Pickup</mark> at {mark}00:51" in search_page
    assert RLO not in thread_page and RLO not in search_page
    (email,) = [m for m in mail.outbox if cast.alex.email in m.to]
    assert email.body  # Alex gets an email; with the text only if he opted in
    assert RLO not in email.body

    # Alex's own export: the JSON keeps the text exactly, the PDF shows it with the mark.
    document = build_export(family=cast.family, reader=cast.alex)
    assert document["disclosures"][0]["sealed"]["body"] == ATTACK
    html = export_html(document, family=cast.family)
    assert f"Pickup at {mark}00:51" in html and RLO not in html

    # The API is for programs: the text exactly as stored.
    api = _api(cast, cast.alex)
    items = api.get(f"{api.base}/threads/{message.thread_id}/messages").json()["items"]
    assert items[0]["body"] == ATTACK


def test_an_email_with_the_text_shows_the_mark(cast, django_capture_on_commit_callbacks):
    from tests.notifications.conftest import prefer

    prefer(cast.alex, include_content=True)
    with django_capture_on_commit_callbacks(execute=True):
        thread_start(access=cast.access(cast.sam), subject="Friday", topic="school", body=ATTACK)
    (email,) = [m for m in mail.outbox if cast.alex.email in m.to]
    assert "Pickup at [U+202E]00:51" in email.body
    assert RLO not in email.body


def test_an_events_notes_keep_their_characters_and_read_as_stored(cast):
    from django.utils import timezone

    start = timezone.now().replace(microsecond=0) + timezone.timedelta(days=3)
    event = event_add(
        access=cast.access(cast.alex),
        title="Swimming",
        kind="sports",
        children=[cast.leo],
        timezone_name="Europe/Paris",
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=1),
        notes=ATTACK,
    )
    event.refresh_from_db()
    assert event.notes == ATTACK

    vic = Client()
    vic.force_login(cast.vic)
    page = vic.get(f"/families/{cast.family.pk}/events/{event.pk}/").content.decode()
    assert "Pickup at <abbr" in page and RLO not in page
    feed = feed_token_of(feed_create(access=cast.access(cast.vic)))
    calendar = Client().get(f"/feeds/{feed}.ics").content.decode()
    assert "Pickup at [U+202E]00:51" in calendar and RLO not in calendar


def test_a_file_name_loses_the_characters_that_would_disguise_it():
    from coparent.messaging.attachments import PDF as PDF_TYPE
    from coparent.messaging.attachments import clean_name

    # "invoice<RLO>fdp.exe" shows as "invoiceexe.pdf"; the real type decides the extension.
    assert clean_name(f"invoice{RLO}fdp.exe", PDF_TYPE) == "invoicefdp.pdf"
    assert clean_name("Al\u200bex's plan.pdf", PDF_TYPE) == "Alex's plan.pdf"


def test_through_the_shield_the_text_reads_as_stored_too(cast, settings, tmp_path):
    from coparent.messaging.services import shield_update

    settings.MEDIA_ROOT = tmp_path
    shield_update(user=cast.alex, shield=True)
    message = thread_start(
        access=cast.access(cast.sam),
        subject="Friday",
        topic="school",
        body=f"You are a pathetic liar. {ATTACK}",
    )
    alex = Client()
    alex.force_login(cast.alex)
    response = alex.get(f"/families/{cast.family.pk}/messages/threads/{message.thread_id}/")
    (row,) = response.context["thread_page"].rows
    assert row.segments  # the shield folded the insult
    page = response.content.decode()
    assert 'title="U+202E RIGHT-TO-LEFT OVERRIDE">[U+202E]</abbr>00:51' in page
    assert RLO not in page
