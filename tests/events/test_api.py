"""The event API as a script or a phone app uses it: add, list by range and child, read,
change, cancel, answer — and what each role gets back."""

from __future__ import annotations

from datetime import timedelta

from coparent.events import services
from coparent.records.models import RecordEntry
from tests.events.conftest import add_party, clock, soon


def _events(cast, suffix="", family=None):
    return f"/families/{(family or cast.family).pk}/events{suffix}"


def test_alex_adds_the_party_sam_lists_it_answers_and_alex_reads_the_answer(cast, as_):
    created = as_(cast.alex).post(
        _events(cast),
        {
            "title": "Mia's birthday party",
            "kind": "birthday_party",
            "children": [str(cast.mia.pk)],
            "timezone": "Europe/Paris",
            "starts_at": "2027-06-12T15:00:00",
            "ends_at": "2027-06-12T17:30:00",
            "place": "Funtime Play Centre",
        },
    )
    assert created.status_code == 201, created.content
    party = created.json()
    assert party["local_starts_at"] == "2027-06-12T15:00:00+02:00"
    assert party["starts_at"] == "2027-06-12T13:00:00Z"
    assert party["children"] == [{"id": str(cast.mia.pk), "name": "Mia"}]
    assert (party["status"], party["sequence"], party["rsvps"]) == ("scheduled", 0, [])
    assert party["created_by"] == {"id": cast.alex.pk, "display_name": "Alex"}

    sam = as_(cast.sam)
    listed = sam.get(_events(cast), **{"from": "2027-06-01", "to": "2027-07-01"}).json()
    assert listed["count"] == 1
    assert [e["id"] for e in listed["items"]] == [party["id"]]

    answered = sam.call("PUT", _events(cast, f"/{party['id']}/rsvp"), {"answer": "yes"})
    assert answered.status_code == 200, answered.content
    assert answered.json()["user"] == {"id": cast.sam.pk, "display_name": "Sam"}

    read = as_(cast.alex).get(_events(cast, f"/{party['id']}")).json()
    assert [(r["user"]["display_name"], r["answer"]) for r in read["rsvps"]] == [("Sam", "yes")]


def test_the_range_is_half_open_and_a_child_filter_narrows_it(cast, as_):
    party = add_party(cast, starts_at=clock(2027, 6, 12, 15, 0), ends_at=clock(2027, 6, 12, 17, 0))
    add_party(
        cast,
        title="Leo's swimming",
        kind="activity",
        children=[cast.leo],
        starts_at=clock(2027, 6, 13, 10, 0),
        ends_at=clock(2027, 6, 13, 11, 0),
    )
    alex = as_(cast.alex)

    def titles(**query):
        return [e["title"] for e in alex.get(_events(cast), **query).json()["items"]]

    assert titles() == ["Mia's birthday party", "Leo's swimming"]
    # 17:00 in Paris is 15:00 UTC: the party ends exactly there, so it is not in [15:00, ...).
    assert titles(**{"from": "2027-06-12T15:00:00Z"}) == ["Leo's swimming"]
    assert titles(**{"from": "2027-06-12T14:59:00Z"}) == ["Mia's birthday party", "Leo's swimming"]
    assert titles(to="2027-06-13") == ["Mia's birthday party"]
    assert titles(child=str(cast.leo.pk)) == ["Leo's swimming"]
    assert titles(child=str(party.children.get().pk)) == ["Mia's birthday party"]
    other = alex.get(_events(cast), child=str(cast.other_child.pk))
    assert other.status_code == 404


def test_the_list_pages_with_limit_and_offset(cast, as_):
    for day in range(1, 6):
        add_party(
            cast, title=f"Game {day}", starts_at=soon(days=day), ends_at=soon(days=day, hour=16)
        )
    page = as_(cast.alex).get(_events(cast), limit=2, offset=2).json()
    assert page["count"] == 5
    assert [e["title"] for e in page["items"]] == ["Game 3", "Game 4"]


def test_changing_only_the_zone_keeps_the_clock_times(cast, as_):
    party = add_party(cast, starts_at=clock(2027, 6, 12, 15, 0), ends_at=clock(2027, 6, 12, 17, 0))
    changed = as_(cast.sam).patch(_events(cast, f"/{party.pk}"), {"timezone": "America/New_York"})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["local_starts_at"] == "2027-06-12T15:00:00-04:00"
    assert body["sequence"] == 1
    entry = RecordEntry.objects.get(family=cast.family, kind="event.changed")
    assert set(entry.data["changes"]) == {"timezone", "starts_at", "ends_at"}


def test_an_all_day_event_through_the_api(cast, as_):
    created = as_(cast.alex).post(
        _events(cast),
        {
            "title": "Scout camp",
            "kind": "activity",
            "children": [str(cast.leo.pk)],
            "timezone": "America/Chicago",
            "all_day": True,
            "start_date": "2027-07-03",
            "end_date": "2027-07-04",
        },
    )
    assert created.status_code == 201, created.content
    camp = created.json()
    assert (camp["start_date"], camp["end_date"]) == ("2027-07-03", "2027-07-04")
    assert camp["local_starts_at"] == "2027-07-03T00:00:00-05:00"
    assert camp["local_ends_at"] == "2027-07-05T00:00:00-05:00"


def test_a_cancelled_event_is_still_listed_and_cannot_be_cancelled_twice(cast, as_):
    party = add_party(cast)
    sam = as_(cast.sam)
    cancelled = sam.post(_events(cast, f"/{party.pk}/cancel"), {"reason": "Flu"})
    assert cancelled.status_code == 200, cancelled.content
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "Flu")
    assert [e["status"] for e in sam.get(_events(cast)).json()["items"]] == ["cancelled"]

    again = sam.post(_events(cast, f"/{party.pk}/cancel"))
    assert again.status_code == 400
    assert again.json()["detail"] == "This event is already cancelled."


def test_vic_reads_events_without_answers_or_author_and_cannot_write(cast, as_):
    party = add_party(cast)
    services.rsvp_set(access=cast.access(cast.sam), event=party, answer="yes")
    vic = as_(cast.vic)

    (item,) = vic.get(_events(cast)).json()["items"]
    assert item["title"] == "Mia's birthday party"
    assert item["rsvps"] is None and item["created_by"] is None
    assert vic.get(_events(cast, f"/{party.pk}")).json()["rsvps"] is None
    refused = [
        vic.post(_events(cast), {"title": "x", "children": [str(cast.mia.pk)]}),
        vic.patch(_events(cast, f"/{party.pk}"), {"place": "Elsewhere"}),
        vic.post(_events(cast, f"/{party.pk}/cancel")),
        vic.call("PUT", _events(cast, f"/{party.pk}/rsvp"), {"answer": "yes"}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    party.refresh_from_db()
    assert party.place == "Funtime Play Centre" and not party.is_cancelled


def test_morgan_reads_the_answers_but_cannot_answer(cast, as_):
    party = add_party(cast)
    services.rsvp_set(access=cast.access(cast.sam), event=party, answer="no", note="Away")
    morgan = as_(cast.morgan)
    read = morgan.get(_events(cast, f"/{party.pk}")).json()
    assert [(r["answer"], r["note"]) for r in read["rsvps"]] == [("no", "Away")]
    answer = morgan.call("PUT", _events(cast, f"/{party.pk}/rsvp"), {"answer": "yes"})
    assert answer.status_code == 403


def test_olivia_gets_404_for_every_event_operation(cast, as_):
    party = add_party(cast)
    olivia = as_(cast.olivia)
    for family in (cast.family, cast.other_family):
        one = _events(cast, f"/{party.pk}", family)
        answers = [
            olivia.get(one),
            olivia.patch(one, {"place": "Elsewhere"}),
            olivia.post(f"{one}/cancel"),
            olivia.call("PUT", f"{one}/rsvp", {"answer": "yes"}),
        ]
        if family == cast.family:
            answers += [
                olivia.get(_events(cast)),
                olivia.post(
                    _events(cast),
                    {
                        "title": "x",
                        "children": [str(cast.mia.pk)],
                        "all_day": True,
                        "start_date": "2030-01-01",
                    },
                ),
            ]
        assert {r.status_code for r in answers} == {404}
        assert {r.json()["detail"] for r in answers} == {"Not found."}
    party.refresh_from_db()
    assert party.place == "Funtime Play Centre" and not party.is_cancelled


def test_a_parent_answers_until_the_event_ends(cast, as_):
    start = soon(days=-1)
    over = add_party(cast, starts_at=start, ends_at=start + timedelta(hours=1))
    answer = as_(cast.sam).call("PUT", _events(cast, f"/{over.pk}/rsvp"), {"answer": "yes"})
    assert answer.status_code == 400
    assert answer.json()["detail"] == "This event has already taken place."
