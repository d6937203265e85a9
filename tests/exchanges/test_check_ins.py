"""At the gate (PRODUCT.md, story 1): each parent taps what happened at an exchange, the
server's clock is what counts, either can write what went wrong, and none of it can be changed
afterwards — only followed by a new note."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from coparent.exchanges import selectors
from coparent.exchanges.models import NOTE_MAX_CHARS, CheckIn, Note, Occurrence
from coparent.exchanges.services import ExchangeProblem, check_in, note_add
from coparent.infra.errors import NotFound
from coparent.records.models import Kind, RecordEntry


def _problem(call) -> dict[str, list[str]]:
    with pytest.raises(ExchangeProblem) as caught:
        call()
    return caught.value.message_dict


def test_both_parents_tap_their_steps_and_the_record_says_so(cast, first):
    planned, giver, receiver = first
    late = planned + timedelta(minutes=22)

    check_in(access=cast.access(giver), planned_at=planned, step="arrived", at=planned)
    check_in(access=cast.access(giver), planned_at=planned, step="handed_over", at=late)
    check_in(
        access=cast.access(receiver),
        planned_at=planned,
        step="received",
        at=late + timedelta(1 / 1440),
    )

    (row,) = selectors.exchanges_between(
        cast.access(receiver),
        planned,
        planned + timedelta(seconds=1),
        now=late + timedelta(hours=1),
    )
    assert [(c.user, c.step, c.at) for c in row.check_ins] == [
        (giver, "arrived", planned),
        (giver, "handed_over", late),
        (receiver, "received", late + timedelta(minutes=1)),
    ]
    # The handover completed 22 minutes after the planned time: past the 15 minutes' grace.
    assert row.outcome is not None and (row.outcome.kind, row.outcome.minutes_late) == ("late", 22)
    entries = RecordEntry.objects.filter(family=cast.family, kind=Kind.EXCHANGE_CHECKED_IN)
    assert [e.data["step"] for e in entries.order_by("seq")] == [
        "arrived",
        "handed_over",
        "received",
    ]
    assert Occurrence.objects.filter(family=cast.family).count() == 1


def test_a_shared_location_is_kept_to_about_100_m_and_never_recorded(cast, first):
    planned, giver, _ = first

    made = check_in(
        access=cast.access(giver),
        planned_at=planned,
        step="arrived",
        latitude=41.878113,
        longitude=-87.629799,
        at=planned,
    )

    made.refresh_from_db()
    assert (made.latitude, made.longitude) == (Decimal("41.878"), Decimal("-87.630"))
    entry = RecordEntry.objects.filter(kind=Kind.EXCHANGE_CHECKED_IN).get()
    assert entry.data["location_shared"] is True
    assert "41.8" not in str(entry.data) and "87.6" not in str(entry.data)


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        (91, 0, "latitude"),
        (0, -180.5, "longitude"),
        (float("nan"), 0, "latitude"),
        (1, None, "longitude"),
    ],
)
def test_a_location_outside_the_earth_is_refused(cast, first, latitude, longitude, field):
    planned, giver, _ = first
    errors = _problem(
        lambda: check_in(
            access=cast.access(giver),
            planned_at=planned,
            step="arrived",
            latitude=latitude,
            longitude=longitude,
            at=planned,
        )
    )
    assert field in errors
    assert not CheckIn.objects.exists() and not Occurrence.objects.exists()


def test_the_same_step_twice_and_the_other_parents_step_are_refused(cast, first):
    planned, giver, receiver = first
    check_in(access=cast.access(giver), planned_at=planned, step="handed_over", at=planned)

    again = _problem(
        lambda: check_in(
            access=cast.access(giver), planned_at=planned, step="handed_over", at=planned
        )
    )
    not_theirs = _problem(
        lambda: check_in(
            access=cast.access(receiver), planned_at=planned, step="handed_over", at=planned
        )
    )

    assert "already checked in" in again["step"][0]
    assert "hands the children over" in not_theirs["step"][0]
    assert CheckIn.objects.count() == 1


def test_an_exchange_more_than_a_day_away_or_not_in_the_plan_is_refused(cast, first):
    planned, giver, _ = first
    early = _problem(
        lambda: check_in(
            access=cast.access(giver),
            planned_at=planned,
            step="arrived",
            at=planned - timedelta(days=2),
        )
    )
    assert "a day before" in early["planned_at"][0]
    with pytest.raises(NotFound):
        check_in(
            access=cast.access(giver),
            planned_at=planned + timedelta(minutes=1),
            step="arrived",
            at=planned,
        )
    assert not CheckIn.objects.exists()


def test_only_parents_check_in_and_write(cast, first):
    planned, _, _ = first
    for who in (cast.morgan, cast.vic):
        with pytest.raises(PermissionDenied):
            check_in(access=cast.access(who), planned_at=planned, step="arrived", at=planned)
        with pytest.raises(PermissionDenied):
            note_add(access=cast.access(who), planned_at=planned, text="x", at=planned)
    # The mediator reads them; the viewer sees exchanges only on the calendar.
    assert selectors.exchanges_between(cast.access(cast.morgan), planned, planned + timedelta(1))
    with pytest.raises(PermissionDenied):
        selectors.exchanges_between(cast.access(cast.vic), planned, planned + timedelta(1))


def test_a_note_is_never_changed_only_followed(cast, first):
    planned, giver, receiver = first
    gate = note_add(
        access=cast.access(receiver),
        planned_at=planned,
        text="Denied entry at the gate, 15:05.",
        at=planned + timedelta(minutes=10),
    )
    later = note_add(
        access=cast.access(receiver),
        planned_at=planned,
        text="The guard says he was told not to let me in.",
        follows=gate.pk,
        at=planned + timedelta(hours=3),
    )
    assert later.follows == gate

    theirs = _problem(
        lambda: note_add(
            access=cast.access(giver),
            planned_at=planned,
            text="Not true.",
            follows=gate.pk,
            at=planned,
        )
    )
    assert "your own notes" in theirs["follows"][0]
    entries = RecordEntry.objects.filter(kind=Kind.EXCHANGE_NOTE).order_by("seq")
    assert [e.data["text"] for e in entries] == [gate.text, later.text]


@pytest.mark.parametrize(
    ("text", "message"), [("   ", "Write what happened"), ("x" * 100_000, "At most 4,000")]
)
def test_an_empty_or_huge_note_is_refused(cast, first, text, message):
    planned, giver, _ = first
    errors = _problem(
        lambda: note_add(access=cast.access(giver), planned_at=planned, text=text, at=planned)
    )
    assert message in errors["text"][0]
    assert not Note.objects.exists()
    assert NOTE_MAX_CHARS == 4_000


@pytest.mark.parametrize("table", ["exchanges_checkin", "exchanges_note", "exchanges_occurrence"])
def test_the_database_refuses_to_change_or_delete_what_was_recorded(cast, first, table):
    planned, giver, _ = first
    made = check_in(access=cast.access(giver), planned_at=planned, step="arrived", at=planned)
    note_add(access=cast.access(giver), planned_at=planned, text="On time.", at=planned)
    assert made.pk
    # The table names are this test's own parameters, not input.
    for statement in (
        f"UPDATE {table} SET family_id = family_id",  # noqa: S608
        f"DELETE FROM {table}",  # noqa: S608
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def test_the_list_costs_a_fixed_number_of_queries(cast, first, django_assert_num_queries):
    planned, giver, receiver = first
    for step, who in (("arrived", giver), ("handed_over", giver), ("received", receiver)):
        check_in(access=cast.access(who), planned_at=planned, step=step, at=planned)
    note_add(access=cast.access(giver), planned_at=planned, text="Fine.", at=planned)
    access = cast.access(receiver)
    # The plan's versions, the parents, the occurrences, their check-ins, their notes, the
    # notes' photos.
    with django_assert_num_queries(6):
        rows = selectors.exchanges_between(
            access, planned - timedelta(days=10), planned + timedelta(days=30)
        )
    assert len(rows) > 5 and sum(len(r.check_ins) for r in rows) == 3


def test_an_exchange_nobody_recorded_is_not_judged_and_one_left_unfinished_is_missed(cast, first):
    planned, giver, receiver = first
    check_in(access=cast.access(receiver), planned_at=planned, step="arrived", at=planned)
    a_week = planned + timedelta(days=7)

    rows = selectors.exchanges_between(cast.access(giver), planned, a_week, now=a_week)

    assert rows[0].outcome is not None and rows[0].outcome.kind == "missed"
    assert all(row.outcome is None for row in rows[1:])


def test_a_tap_says_whether_it_was_at_the_exchange_place_and_nothing_more(cast, first):
    """Sam marks the school gate with his tap; Alex's taps then say "at the exchange place"
    or "not at the exchange place" — the only thing either learns of the other's position."""
    planned, giver, receiver = first
    gate = (41.890213, -87.634519)
    check_in(
        access=cast.access(giver),
        planned_at=planned,
        step="arrived",
        latitude=gate[0],
        longitude=gate[1],
        pin_place=True,
        at=planned,
    )
    there = check_in(
        access=cast.access(receiver),
        planned_at=planned,
        step="arrived",
        latitude=gate[0] + 0.0006,
        longitude=gate[1] - 0.0004,
        at=planned,
    )
    across_town = check_in(
        access=cast.access(receiver),
        planned_at=planned,
        step="received",
        latitude=gate[0] + 0.02,
        longitude=gate[1],
        at=planned + timedelta(minutes=2),
    )

    assert (there.at_place, across_town.at_place) == (True, False)
    taps = RecordEntry.objects.filter(kind=Kind.EXCHANGE_CHECKED_IN).order_by("seq")
    assert [e.data["at_place"] for e in taps] == [True, True, False]
    (pinned,) = RecordEntry.objects.filter(kind=Kind.EXCHANGE_PLACE_PINNED)
    assert pinned.data == {"place": "Lincoln Elementary, front door", "name": giver.display_name}
    assert "41.89" not in str([e.data for e in RecordEntry.objects.all()])


def test_marking_the_place_needs_a_position(cast, first):
    planned, giver, _ = first
    errors = _problem(
        lambda: check_in(
            access=cast.access(giver),
            planned_at=planned,
            step="arrived",
            pin_place=True,
            at=planned,
        )
    )
    assert "Share your location" in errors["latitude"][0]
    assert not CheckIn.objects.exists()


def test_without_a_pinned_place_a_position_says_nothing_of_where(cast, first):
    planned, giver, _ = first
    made = check_in(
        access=cast.access(giver),
        planned_at=planned,
        step="arrived",
        latitude=41.89,
        longitude=-87.63,
        at=planned,
    )
    assert made.at_place is None


def test_a_parent_of_another_family_cannot_check_in_or_write_at_this_exchange(
    cast, first, time_machine, as_
):
    """Olivia, a parent in another family, tries the Riveras' exchange by its key, on the page
    and through the API: it answers exactly as an exchange that is not there, and nothing is
    stored — no occurrence, no tap, no note, no record entry."""
    planned, _giver, _receiver = first
    time_machine.move_to(planned, tick=False)
    key = selectors.key_of(planned)
    entries = RecordEntry.objects.count()
    page = cast.client_for(cast.olivia)
    base = f"/families/{cast.family.pk}/exchanges/{key}"

    tapped = page.post(f"{base}/check-in/", {"step": "arrived"})
    wrote = page.post(f"{base}/notes/", {"text": "I was there."})
    api = as_(cast.olivia)
    api_tap = api.post(f"/api/v1{base}/check-ins", {"step": "arrived"})
    api_note = api.post(f"/api/v1{base}/notes", {"text": "I was there."})
    nowhere = api.post(
        f"/api/v1/families/{uuid.uuid4()}/exchanges/{key}/check-ins", {"step": "arrived"}
    )

    assert [tapped.status_code, wrote.status_code] == [404, 404]
    assert [api_tap.status_code, api_note.status_code] == [404, 404]
    assert api_tap.json() == nowhere.json()  # "not yours" reads as "not there"
    assert not Occurrence.objects.exists() and not CheckIn.objects.exists()
    assert not Note.objects.exists() and RecordEntry.objects.count() == entries


def test_a_note_sent_twice_with_one_key_is_written_once(cast, first, time_machine, as_):
    """Sam's phone loses the answer on a bad connection at the gate and sends the note again.
    A note can never be deleted, so the retry must return the first one, not add a twin."""
    planned, _giver, receiver = first
    time_machine.move_to(planned + timedelta(minutes=20), tick=False)
    api = as_(receiver)
    path = f"/api/v1/families/{cast.family.pk}/exchanges/{selectors.key_of(planned)}/notes"

    def send(text: str):
        return api.client.post(
            path,
            json.dumps({"text": text}),
            content_type="application/json",
            headers={**api.headers(), "Idempotency-Key": "gate-1"},
            secure=True,
        )

    first_try, retry = (
        send("Denied entry at the gate, 15:05."),
        send("Denied entry at the gate, 15:05."),
    )
    assert first_try.status_code == retry.status_code == 201
    assert retry.json()["id"] == first_try.json()["id"]
    other = send("Other words")
    assert other.status_code == 422 and "Idempotency-Key" in other.content.decode()
    assert Note.objects.count() == 1
    assert RecordEntry.objects.filter(kind=Kind.EXCHANGE_NOTE).count() == 1
